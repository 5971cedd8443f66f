// Rules of staff accounts that the screens check before asking the server (which checks
// again), kept pure so that they can be tested.
import type { GrantableRole, StaffUser } from '@/api/users'
import { levelOfCode } from '@/utils/divisions'

export const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{2,49}$/
export const PHONE_RE = /^1[3-9]\d{9}$/

/** A message key for a bad username, or null. */
export function checkUsername(value: string): string | null {
  const v = value.trim()
  if (!v) return 'users.form.usernameRequired'
  if (!USERNAME_RE.test(v)) return 'users.form.usernameFormat'
  return null
}

/** A message key for a bad display name, or null. */
export function checkDisplayName(value: string): string | null {
  const v = value.trim()
  if (!v) return 'users.form.nameRequired'
  if ([...v].length > 50) return 'users.form.nameTooLong'
  return null
}

/** A message key for a bad phone (empty is fine: it is optional), or null. */
export function checkPhone(value: string): string | null {
  const v = value.trim()
  if (v && !PHONE_RE.test(v)) return 'users.form.phoneFormat'
  return null
}

/** The grantable roles that may be held at a division of code's level. */
export function rolesForDivision(roles: readonly GrantableRole[], code: string): GrantableRole[] {
  const level = levelOfCode(code)
  return roles.filter((r) => r.level === level)
}

/** How an account stands, for its status tag: disabled beats locked beats active. */
export function standing(u: Pick<StaffUser, 'status' | 'locked'>): 'disabled' | 'locked' | 'active' {
  if (u.status === 'disabled') return 'disabled'
  return u.locked ? 'locked' : 'active'
}

/** A 6-digit authenticator code (spaces allowed around). */
export function isTotpCode(value: string): boolean {
  return /^\d{6}$/.test(value.trim())
}

/** A recovery code as issued (xxxxx-xxxxx), typed with or without the dash, any case. */
export function isRecoveryCode(value: string): boolean {
  return /^[0-9a-z]{5}-?[0-9a-z]{5}$/i.test(value.trim())
}

/** Recovery codes as a text to copy or save, one per line. */
export function recoveryCodesText(codes: readonly string[], title: string): string {
  return [title, '', ...codes, ''].join('\n')
}
