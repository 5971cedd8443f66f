import { describe, expect, it } from 'vitest'
import type { Household } from '@/api/households'
import {
  accountProblem, ageOn, checkForm, emptyForm, emptyMember, fenToYuan, formOf, historyChanges, idCheckChar, isProblem, parseIdNumber,
  phoneProblem, toInput, yuanToFen,
} from '@/utils/households'

describe('ID numbers (GB 11643)', () => {
  it('computes the check character as the standard does', () => {
    expect(idCheckChar('11010519491231002')).toBe('X') // the standard's example
    expect(idCheckChar('33052319900101123')).toBe('8') // weighted sum 202, mod 11 = 4
    expect(idCheckChar('33052319850228402')).toBe('9')
  })

  it('reads birth date and sex from a valid number', () => {
    expect(parseIdNumber('330523199001011238', '2026-03-10')).toEqual({ number: '330523199001011238', birthDate: '1990-01-01', sex: 'male' })
    expect(parseIdNumber(' 11010519491231002x ', '2026-03-10')).toMatchObject({ birthDate: '1949-12-31', sex: 'female' })
  })

  it('names what is wrong', () => {
    const key = (s: string) => {
      const r = parseIdNumber(s, '2026-03-10')
      return isProblem(r) ? r.key : 'ok'
    }
    expect(key('330523199001011237')).toBe('idCheck')
    expect(key('33052319900101123')).toBe('idLength')
    expect(key('33052319900101123A')).toBe('idShape')
    expect(key('990523199001011238')).toBe('idRegion')
    expect(key('330523199002301234')).toBe('idDate')
    const future = '33052320270101123'
    expect(key(future + idCheckChar(future))).toBe('idFuture')
    expect(key('440524188001010014')).toBe('idTooOld')
  })
})

describe('money in fen', () => {
  it('converts yuan text to integer fen exactly', () => {
    expect(yuanToFen('450')).toBe(45000)
    expect(yuanToFen('450.5')).toBe(45050)
    expect(yuanToFen('0.07')).toBe(7)
    expect(yuanToFen('1,200.10')).toBe(120010)
    expect(yuanToFen('0.29')).toBe(29) // 0.29 * 100 is 28.999999999999996 as a float
    expect(yuanToFen('1.15')).toBe(115) // 1.15 * 100 is 114.99999999999999
    expect(yuanToFen('007')).toBe(700)
  })

  it('refuses what is not an amount in fen', () => {
    const key = (s: string) => {
      const r = yuanToFen(s)
      return isProblem(r) ? r.key : 'ok'
    }
    expect(key('')).toBe('amountRequired')
    expect(key('-5')).toBe('amountNegative')
    expect(key('1.005')).toBe('amountFraction')
    expect(key('1e3')).toBe('amountShape')
    expect(key('abc')).toBe('amountShape')
    expect(key('123456789012')).toBe('amountTooLarge')
  })

  it('shows fen as yuan', () => {
    expect(fenToYuan(45050)).toBe('450.50')
    expect(fenToYuan(7)).toBe('0.07')
    expect(fenToYuan(0)).toBe('0.00')
  })
})

describe('phones, accounts, ages', () => {
  it('accepts mobiles and landlines', () => {
    expect(phoneProblem('13857200001')).toBeNull()
    expect(phoneProblem('0572-5012345')).toBeNull()
    expect(phoneProblem('12345')).toEqual({ key: 'phone' })
    expect(phoneProblem('')).toBeNull()
  })
  it('accepts 12 to 30 digits as an account', () => {
    expect(accountProblem('6228 4800 1234 5678 901')).toBeNull()
    expect(accountProblem('6228-48')).toEqual({ key: 'account' })
  })
  it('computes ages on a day', () => {
    expect(ageOn('1990-03-15', '2026-03-14')).toBe(35)
    expect(ageOn('1990-03-15', '2026-03-15')).toBe(36)
  })
})


function filled() {
  const f = emptyForm('330523101201')
  f.members[0] = { ...emptyMember('self'), name: '张建国', id_number: '330523199001011238' }
  f.members.push({ ...emptyMember('spouse'), name: '李秀英', id_number: '330523198502284029' })
  f.incomes.push({ member: 0, kind: 'farming', source: '茶园', yuan: '450.50', counted: true })
  f.assets.push({ kind: 'house', description: '自建房', yuan: '' })
  return f
}

describe('the household form', () => {
  it('passes a good registration and sends integer fen', () => {
    const f = filled()
    expect(checkForm(f, '2026-03-10')).toEqual({})
    const body = toInput(f, false)
    expect(body.incomes[0]).toMatchObject({ member: 0, monthly_fen: 45050 })
    expect(body.assets[0].value_fen).toBe(0)
    expect(body.phone).toBe('')
  })

  it('names each wrong field by the server’s path', () => {
    const f = filled()
    f.members[0].id_number = '330523199001011237'
    f.members[1].id_number = '330523199001011238'
    f.incomes[0].yuan = '-1'
    f.incomes.push({ member: -1, kind: 'transfer', source: '', yuan: '1.005', counted: true })
    f.members[1].relation = 'self'
    const p = checkForm(f, '2026-03-10')
    expect(p['members[0].id_number'].key).toBe('idCheck')
    expect(p['members[1].id_number']).toBeUndefined() // the first number was refused, so this one is not a duplicate
    expect(p['incomes[0].monthly_fen'].key).toBe('amountNegative')
    expect(p['incomes[1].monthly_fen'].key).toBe('amountFraction')
    expect(p.members.key).toBe('oneHead')
  })

  it('finds a member listed twice', () => {
    const f = filled()
    f.members[1].id_number = f.members[0].id_number
    expect(checkForm(f, '2026-03-10')['members[1].id_number']).toEqual({ key: 'idDuplicate', values: { n: 1 } })
  })

  it('checks sex and birth date against the ID number', () => {
    const f = filled()
    f.members[0].sex = 'female'
    f.members[0].birth_date = '1990-01-02'
    const p = checkForm(f, '2026-03-10')
    expect(p['members[0].sex'].key).toBe('sexMismatch')
    expect(p['members[0].birth_date']).toEqual({ key: 'birthMismatch', values: { date: '1990-01-01' } })
  })

  it('keeps numbers on file when editing and leaves untyped phones out', () => {
    const h = {
      id: 7, division_code: '330523101201', category: 'rural', address: '', hukou_place: '', bank_name: '', bank_holder: '',
      phone_masked: '138****0001', bank_account_masked: '', version: 3,
      members: [{ id: 11, name: '张建国', id_number_masked: '330523********1238', sex: 'male', birth_date: '1990-01-01', relation: 'self',
        identity_category: '', disability_grade: 0, disability_type: '', chronic_illness: false, serious_illness: false,
        labour_capacity: 'full', employment: '', school: '', covered: true }],
      incomes: [{ id: 5, member_id: 11, kind: 'wages', source: '厂', monthly_fen: 120010, counted: true },
        { id: 6, member_id: null, kind: 'transfer', source: '', monthly_fen: 7, counted: false }],
      assets: [],
    } as unknown as Household
    const f = formOf(h)
    expect(f.incomes.map((r) => [r.member, r.yuan])).toEqual([[0, '1200.10'], [-1, '0.07']])
    expect(checkForm(f, '2026-03-10')).toEqual({})
    const body = toInput(f, true)
    expect(body.members[0]).toMatchObject({ id: 11, id_number: '' })
    expect('phone' in body).toBe(false)
    expect(body.incomes.map((r) => [r.id, r.member, r.monthly_fen])).toEqual([[5, 0, 120010], [6, null, 7]])
  })
})

describe('history', () => {
  it('groups changed fields by what they belong to', () => {
    const rows = historyChanges({ phone: '138****0001', 'members[3].name': '李秀英', 'incomes[9].monthly_fen': 18000 }, { phone: '139****0002', 'members[3].name': '李秀兰' })
    expect(rows).toEqual([
      { subject: '', field: 'phone', before: '138****0001', after: '139****0002' },
      { subject: 'members[3]', field: 'name', before: '李秀英', after: '李秀兰' },
      { subject: 'incomes[9]', field: 'monthly_fen', before: 18000 },
    ])
  })
})
