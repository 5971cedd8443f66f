import { describe, expect, it } from 'vitest'
import type { RoleAssignment } from '@/api/types'
import { defaultChoice, restoreChoice, storageKey } from '@/stores/workingDivision'
import { ancestors, checkChildCode, childLevel, covers, levelOfCode, suggestChildCode, withDivision } from '@/utils/divisions'

const role = (division_code: string, division_name: string, role_key = 'township_caseworker'): RoleAssignment => ({
  role_key,
  role_name: role_key,
  division_code,
  division_name,
})

describe('division codes', () => {
  it('know levels, parents and coverage', () => {
    expect(levelOfCode('330523101201')).toBe('village')
    expect(levelOfCode('330523101')).toBe('township')
    expect(levelOfCode('000000')).toBe('platform')
    expect(levelOfCode('33052310')).toBeNull()
    expect(levelOfCode('33a')).toBeNull()
    expect(ancestors('330523101201')).toEqual(['33', '3305', '330523', '330523101'])
    expect(childLevel('county')).toBe('township')
    expect(childLevel('village')).toBeNull()
    expect(covers('330523', '330523101201')).toBe(true)
    expect(covers('330523101', '330523102201')).toBe(false)
    expect(covers('', '330523')).toBe(false)
  })

  it('suggest a free code for a new child', () => {
    expect(suggestChildCode('330523101', 'village', ['330523101001', '330523101212', '330523101203'])).toBe('330523101213')
    expect(suggestChildCode('330523101', 'village', [])).toBe('330523101201')
    expect(suggestChildCode('330599', 'township', [])).toBe('330599101')
    expect(suggestChildCode('330599', 'township', ['330599999'])).toBe('')
  })

  it('check a new child code as the server does', () => {
    expect(checkChildCode('330523101213', '330523101', 'village')).toBeNull()
    expect(checkChildCode('', '330523101', 'village')).toBe('divisions.form.codeRequired')
    expect(checkChildCode('33052310121', '330523101', 'village')).toBe('divisions.form.codeLength')
    expect(checkChildCode('330523102213', '330523101', 'village')).toBe('divisions.form.codePrefix')
    expect(checkChildCode('330523101000', '330523101', 'village')).toBe('divisions.form.codeZero')
  })

  it('add the working division to list paths', () => {
    expect(withDivision('/api/v1/households', '330523101201')).toBe('/api/v1/households?division=330523101201')
    expect(withDivision('/api/v1/households?limit=20', '330523101')).toBe('/api/v1/households?limit=20&division=330523101')
    expect(withDivision('/api/v1/households', '')).toBe('/api/v1/households')
  })
})

describe('working division', () => {
  const clerk = [role('330523101', '梅溪镇')]

  it('defaults to the broadest role division', () => {
    expect(defaultChoice([role('330523101201', '梅溪村', 'village_worker'), role('330523', '安吉县', 'county_admin')])).toEqual({
      code: '330523',
      name: '安吉县',
    })
    expect(defaultChoice([])).toBeNull()
  })

  it('restores a remembered choice only inside the roles', () => {
    expect(restoreChoice(JSON.stringify({ code: '330523101201', name: '梅溪村' }), clerk)).toEqual({ code: '330523101201', name: '梅溪村' })
    expect(restoreChoice(JSON.stringify({ code: '330522101201', name: '新川村' }), clerk)).toBeNull()
    expect(restoreChoice('not json', clerk)).toBeNull()
    expect(restoreChoice(JSON.stringify({ code: 5 }), clerk)).toBeNull()
    expect(restoreChoice(null, clerk)).toBeNull()
  })

  it('is remembered per user', () => {
    expect(storageKey(7)).not.toBe(storageKey(8))
  })
})
