// Checks of the household form that the browser can make before the server does, with
// the same rules (GB 11643 ID numbers, phones, bank accounts, money in fen).

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '83',
])

/** The GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

/** A problem as an i18n key under households.validation and its values. */
export interface Problem {
  key: string
  values?: Record<string, unknown>
}

export interface ParsedId {
  number: string
  birthDate: string // 2006-01-02
  sex: 'male' | 'female'
}

/** Today in China as 2006-01-02 (the server's civil dates are Asia/Shanghai). */
export function todayInChina(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** Normalises what was typed: trimmed, a final x in upper case. */
export function normalizeId(s: string): string {
  return s.trim().toUpperCase()
}

/** Checks an ID number as the server does; today is 2006-01-02. */
export function parseIdNumber(raw: string, today: string = todayInChina()): ParsedId | Problem {
  const s = normalizeId(raw)
  if (s.length !== 18) return { key: 'idLength', values: { n: s.length } }
  if (!/^\d{17}[\dX]$/.test(s)) return { key: 'idShape' }
  if (!PROVINCES.has(s.slice(0, 2)) || s.slice(2, 6) === '0000') return { key: 'idRegion', values: { region: s.slice(0, 6) } }
  const y = Number(s.slice(6, 10))
  const m = Number(s.slice(10, 12))
  const d = Number(s.slice(12, 14))
  const date = new Date(Date.UTC(y, m - 1, d))
  const birthDate = `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { key: 'idDate', values: { date: s.slice(6, 14) } }
  if (birthDate > today) return { key: 'idFuture', values: { date: birthDate } }
  if (y < 1900) return { key: 'idTooOld', values: { date: birthDate } }
  if (idCheckChar(s.slice(0, 17)) !== s[17]) return { key: 'idCheck' }
  return { number: s, birthDate, sex: Number(s[16]) % 2 === 1 ? 'male' : 'female' }
}

export function isProblem(v: unknown): v is Problem {
  return typeof v === 'object' && v !== null && 'key' in v
}

/** Phone: an 11-digit mobile number or a landline with its area code. */
export function phoneProblem(raw: string): Problem | null {
  const s = raw.replace(/\s/g, '')
  if (!s) return null
  return /^1[3-9]\d{9}$/.test(s) || /^0[1-9]\d{1,2}-?[1-9]\d{6,7}$/.test(s) ? null : { key: 'phone' }
}

/** Bank account: 12 to 30 digits (spaces allowed while typing). */
export function accountProblem(raw: string): Problem | null {
  const s = raw.replace(/\s/g, '')
  if (!s) return null
  return /^\d{12,30}$/.test(s) ? null : { key: 'account' }
}

/**
 * Converts an amount typed in yuan ("1200", "1,200.5", "0.05") to integer fen exactly,
 * by reading the decimal digits as text (never through a floating-point number).
 */
export function yuanToFen(raw: string): number | Problem {
  const s = raw.trim().replace(/[,，\s]/g, '')
  if (s === '') return { key: 'amountRequired' }
  if (s.startsWith('-')) return { key: 'amountNegative' }
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s)
  if (!m) return { key: 'amountShape' }
  const frac = m[2] ?? ''
  if (frac.length > 2) return { key: 'amountFraction' }
  const whole = m[1].replace(/^0+(?=\d)/, '')
  if (whole.length > 11) return { key: 'amountTooLarge' }
  return Number(whole) * 100 + Number((frac + '00').slice(0, 2))
}

/** Integer fen as yuan with two decimals ("1200.50"). */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** Age in whole years on today (2006-01-02) of someone born on birth. */
export function ageOn(birth: string, today: string = todayInChina()): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birth)) return 0
  let age = Number(today.slice(0, 4)) - Number(birth.slice(0, 4))
  if (today.slice(5) < birth.slice(5)) age--
  return Math.max(0, age)
}

// ---- The household form: its rows as typed, its checks, and the request it becomes. ----

import type { AssetKind, Household, HouseholdInput, IncomeKind, LabourCapacity, Relation, Sex } from '@/api/households'

export interface MemberRow {
  id?: number
  /** The masked number on file, for an existing member (then id_number may stay empty). */
  masked?: string
  name: string
  id_number: string
  sex: Sex | ''
  birth_date: string
  relation: Relation | ''
  identity_category: string
  disability_grade: number
  disability_type: string
  chronic_illness: boolean
  serious_illness: boolean
  labour_capacity: LabourCapacity
  employment: string
  school: string
  covered: boolean
}

export interface IncomeRow {
  id?: number
  /** Position in members; -1 for the household's as a whole. */
  member: number
  kind: IncomeKind | ''
  source: string
  yuan: string
  counted: boolean
}

export interface AssetRow {
  id?: number
  kind: AssetKind | ''
  description: string
  yuan: string
}

export interface FormState {
  division_code: string
  category: 'urban' | 'rural' | ''
  address: string
  hukou_place: string
  phone: string
  bank_name: string
  bank_holder: string
  bank_account: string
  members: MemberRow[]
  incomes: IncomeRow[]
  assets: AssetRow[]
}

export function emptyMember(relation: Relation | '' = ''): MemberRow {
  return {
    name: '', id_number: '', sex: '', birth_date: '', relation, identity_category: '', disability_grade: 0, disability_type: '',
    chronic_illness: false, serious_illness: false, labour_capacity: 'full', employment: '', school: '', covered: true,
  }
}

export function emptyForm(division = ''): FormState {
  return {
    division_code: division, category: 'rural', address: '', hukou_place: '', phone: '', bank_name: '', bank_holder: '', bank_account: '',
    members: [emptyMember('self')], incomes: [], assets: [],
  }
}

/** The form of an existing household: numbers on file stay masked and need not be typed again. */
export function formOf(h: Household): FormState {
  const index = new Map(h.members.map((m, i) => [m.id, i]))
  return {
    division_code: h.division_code, category: h.category, address: h.address, hukou_place: h.hukou_place,
    phone: '', bank_name: h.bank_name, bank_holder: h.bank_holder, bank_account: '',
    members: h.members.map((m) => ({
      id: m.id, masked: m.id_number_masked, name: m.name, id_number: '', sex: m.sex, birth_date: m.birth_date, relation: m.relation,
      identity_category: m.identity_category, disability_grade: m.disability_grade, disability_type: m.disability_type,
      chronic_illness: m.chronic_illness, serious_illness: m.serious_illness, labour_capacity: m.labour_capacity,
      employment: m.employment, school: m.school, covered: m.covered,
    })),
    incomes: h.incomes.map((i) => ({
      id: i.id, member: i.member_id === null ? -1 : (index.get(i.member_id) ?? -1), kind: i.kind, source: i.source,
      yuan: fenToYuan(i.monthly_fen), counted: i.counted,
    })),
    assets: h.assets.map((a) => ({ id: a.id, kind: a.kind, description: a.description, yuan: fenToYuan(a.value_fen) })),
  }
}

/** A problem of the form, keyed by the same field paths the server uses (members[1].id_number). */
export type Problems = Record<string, Problem>

/**
 * Checks the form as the server will (today is 2006-01-02 in China); the result is empty
 * when it may be sent.
 */
export function checkForm(f: FormState, today: string = todayInChina()): Problems {
  const out: Problems = {}
  const need = (field: string, v: string, label: string) => {
    if (!v.trim()) out[field] = { key: 'required', values: { field: label } }
  }
  need('division_code', f.division_code, 'households.fields.division')
  need('category', f.category, 'households.fields.category')
  const ph = phoneProblem(f.phone)
  if (ph) out.phone = ph
  const acc = accountProblem(f.bank_account)
  if (acc) out.bank_account = acc
  if (f.bank_account.trim() && !f.bank_name.trim()) out.bank_name = { key: 'bankNameNeeded' }

  const seen = new Map<string, number>()
  let heads = 0
  f.members.forEach((m, i) => {
    const p = `members[${i}]`
    need(`${p}.name`, m.name, 'households.fields.name')
    if (!m.relation) out[`${p}.relation`] = { key: 'required', values: { field: 'households.fields.relation' } }
    if (m.relation === 'self') heads++
    let parsed: ParsedId | null = null
    if (m.id_number.trim() || !m.id) {
      const r = parseIdNumber(m.id_number, today)
      if (isProblem(r)) {
        out[`${p}.id_number`] = m.id_number.trim() ? r : { key: 'required', values: { field: 'households.fields.idNumber' } }
      } else {
        parsed = r
        const j = seen.get(r.number)
        if (j !== undefined) out[`${p}.id_number`] = { key: 'idDuplicate', values: { n: j + 1 } }
        else seen.set(r.number, i)
      }
    }
    if (m.birth_date && m.birth_date > today) out[`${p}.birth_date`] = { key: 'birthFuture' }
    if (parsed) {
      if (m.sex && m.sex !== parsed.sex) out[`${p}.sex`] = { key: 'sexMismatch' }
      if (m.birth_date && m.birth_date !== parsed.birthDate) out[`${p}.birth_date`] = { key: 'birthMismatch', values: { date: parsed.birthDate } }
    } else if (m.id) {
      // unchanged number: the server checks sex and birth date against the one on file
    }
    if (!m.sex && !parsed) out[`${p}.sex`] ??= { key: 'required', values: { field: 'households.fields.sex' } }
  })
  if (f.members.length && heads !== 1) out.members = { key: 'oneHead' }
  f.incomes.forEach((r, i) => {
    if (!r.kind) out[`incomes[${i}].kind`] = { key: 'required', values: { field: 'households.fields.incomeKind' } }
    const v = yuanToFen(r.yuan)
    if (isProblem(v)) out[`incomes[${i}].monthly_fen`] = v
  })
  f.assets.forEach((r, i) => {
    if (!r.kind) out[`assets[${i}].kind`] = { key: 'required', values: { field: 'households.fields.assetKind' } }
    const v = r.yuan.trim() === '' ? 0 : yuanToFen(r.yuan)
    if (isProblem(v)) out[`assets[${i}].value_fen`] = v
  })
  return out
}

/** The request of a checked form; editing leaves out the values that were not retyped. */
export function toInput(f: FormState, editing: boolean): HouseholdInput {
  const fen = (s: string) => {
    const v = s.trim() === '' ? 0 : yuanToFen(s)
    return isProblem(v) ? 0 : v
  }
  const body: HouseholdInput = {
    division_code: f.division_code, category: f.category, address: f.address.trim(), hukou_place: f.hukou_place.trim(),
    bank_name: f.bank_name.trim(), bank_holder: f.bank_holder.trim(),
    members: f.members.map(({ masked: _masked, ...m }) => ({ ...m, id_number: normalizeId(m.id_number), name: m.name.trim() })),
    incomes: f.incomes.map((r) => ({ id: r.id, member: r.member < 0 ? null : r.member, kind: r.kind, source: r.source.trim(), monthly_fen: fen(r.yuan), counted: r.counted })),
    assets: f.assets.map((r) => ({ id: r.id, kind: r.kind, description: r.description.trim(), value_fen: fen(r.yuan) })),
  }
  const phone = f.phone.replace(/\s/g, '')
  const account = f.bank_account.replace(/\s/g, '')
  if (!editing || phone) body.phone = phone
  if (!editing || account) body.bank_account = account
  return body
}

/** Counted household income per month and per person, in fen (rounded down per person). */
export function incomeSummary(f: FormState): { total: number; perCapita: number } {
  let total = 0
  for (const r of f.incomes) {
    const v = yuanToFen(r.yuan)
    if (r.counted && !isProblem(v)) total += v
  }
  const n = f.members.length || 1
  return { total, perCapita: Math.floor(total / n) }
}

// ---- History: the changed fields of an entry, grouped by what they belong to. ----

export interface HistoryChange {
  /** "" for the household itself, else members[12], incomes[3], assets[5]. */
  subject: string
  /** The field's own name: phone, name, monthly_fen ... */
  field: string
  before?: unknown
  after?: unknown
}

/** Splits "members[12].name" into its subject and field. */
export function splitPath(key: string): { subject: string; field: string } {
  const m = /^((?:members|incomes|assets)\[\d+\])\.(.+)$/.exec(key)
  return m ? { subject: m[1], field: m[2] } : { subject: '', field: key }
}

/** The changes of a history entry, household fields first, then by subject, in a stable order. */
export function historyChanges(before: Record<string, unknown> | null, after: Record<string, unknown> | null): HistoryChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  const out: HistoryChange[] = []
  for (const key of keys) {
    const { subject, field } = splitPath(key)
    const c: HistoryChange = { subject, field }
    if (before && key in before) c.before = before[key]
    if (after && key in after) c.after = after[key]
    out.push(c)
  }
  const rank = (s: string) => (s === '' ? 0 : s.startsWith('members') ? 1 : s.startsWith('incomes') ? 2 : 3)
  return out.sort((a, b) => rank(a.subject) - rank(b.subject) || a.subject.localeCompare(b.subject) || a.field.localeCompare(b.field))
}
