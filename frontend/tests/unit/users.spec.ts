import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter, type RouteLocationNormalized } from 'vue-router'
import type { GrantableRole } from '@/api/users'
import type { SessionUser } from '@/api/types'
import { decide, type GuardSession } from '@/router/guard'
import { routes } from '@/router/routes'
import { visiblePages, pages } from '@/navigation/pages'
import {
  checkDisplayName,
  checkPhone,
  checkUsername,
  isRecoveryCode,
  isTotpCode,
  recoveryCodesText,
  rolesForDivision,
  standing,
} from '@/utils/users'

describe('account fields', () => {
  it('checks usernames as the server does', () => {
    expect(checkUsername('ax.li')).toBeNull()
    expect(checkUsername('wang-01')).toBeNull()
    expect(checkUsername('')).toBe('users.form.usernameRequired')
    expect(checkUsername('ab')).toBe('users.form.usernameFormat')
    expect(checkUsername('Ax.li')).toBe('users.form.usernameFormat')
    expect(checkUsername('.li')).toBe('users.form.usernameFormat')
    expect(checkUsername('李四')).toBe('users.form.usernameFormat')
  })

  it('checks names and phones', () => {
    expect(checkDisplayName(' ')).toBe('users.form.nameRequired')
    expect(checkDisplayName('张'.repeat(50))).toBeNull()
    expect(checkDisplayName('张'.repeat(51))).toBe('users.form.nameTooLong')
    expect(checkPhone('')).toBeNull()
    expect(checkPhone('13812345678')).toBeNull()
    expect(checkPhone('1381234567')).toBe('users.form.phoneFormat')
    expect(checkPhone('23812345678')).toBe('users.form.phoneFormat')
  })

  it('offers only the roles that fit the division level', () => {
    const roles: GrantableRole[] = [
      { key: 'county_approver', level: 'county', rank: 70, name: '审批' },
      { key: 'township_caseworker', level: 'township', rank: 40, name: '专职' },
      { key: 'village_worker', level: 'village', rank: 20, name: '村' },
    ]
    expect(rolesForDivision(roles, '330523').map((r) => r.key)).toEqual(['county_approver'])
    expect(rolesForDivision(roles, '330523101').map((r) => r.key)).toEqual(['township_caseworker'])
    expect(rolesForDivision(roles, '330523101201').map((r) => r.key)).toEqual(['village_worker'])
    expect(rolesForDivision(roles, '')).toEqual([])
  })

  it('names how an account stands', () => {
    expect(standing({ status: 'disabled', locked: true })).toBe('disabled')
    expect(standing({ status: 'active', locked: true })).toBe('locked')
    expect(standing({ status: 'active', locked: false })).toBe('active')
  })

  it('recognises codes', () => {
    expect(isTotpCode(' 123456 ')).toBe(true)
    expect(isTotpCode('12345')).toBe(false)
    expect(isTotpCode('12345a')).toBe(false)
    expect(isRecoveryCode('ab3de-fg7hk')).toBe(true)
    expect(isRecoveryCode('AB3DEFG7HK')).toBe(true)
    expect(isRecoveryCode('ab3de-fg7h')).toBe(false)
    expect(recoveryCodesText(['a', 'b'], 'T')).toBe('T\n\na\nb\n')
  })
})

describe('pages and the guard', () => {
  const router = createRouter({ history: createMemoryHistory(), routes })
  const to = (path: string) => router.resolve(path) as unknown as RouteLocationNormalized
  const approver: SessionUser = {
    id: 3,
    username: 'ax.approver',
    display_name: '李文华',
    division_code: '330523',
    division_name: '安吉县',
    county_code: '330523',
    must_change_password: false,
    mfa_required: true,
    mfa_enrolment_required: true,
  }
  const session = (user: Partial<SessionUser>): GuardSession => ({ user: { ...approver, ...user }, can: () => true })

  it('sends a user who must enrol a second factor to account security, and nowhere else', () => {
    expect(decide(to('/users'), session({}))).toEqual({ name: 'account-security' })
    expect(decide(to('/account/security'), session({}))).toBe(true)
    expect(decide(to('/users'), session({ mfa_enrolment_required: false }))).toBe(true)
  })

  it('asks for the password change before the enrolment', () => {
    expect(decide(to('/account/security'), session({ must_change_password: true }))).toEqual({ name: 'change-password' })
  })

  it('shows user management by permission and account security to everyone', () => {
    const names = (perms: string[]) => visiblePages(pages, new Set(perms)).map((p) => p.name)
    expect(names([])).toContain('account-security')
    expect(names([])).not.toContain('users')
    expect(names(['user:read'])).toContain('users')
    expect(names(['security:manage'])).toContain('security-settings')
    expect(names(['county:provision'])).toContain('county-admins')
  })
})
