import { request } from './client'
import type { Session } from './types'

// Staff accounts, role grants and second factors (backend package staff and identity).

export interface UserRole {
  role_key: string
  role_name: string
  division_code: string
  division_name: string
}

export interface StaffUser {
  id: number
  username: string
  display_name: string
  /** Always masked (138****1234), "" when none. */
  phone_masked: string
  county_code: string
  division_code: string
  division_name: string
  status: 'active' | 'disabled'
  locked: boolean
  locked_until?: string
  must_change_password: boolean
  totp_enabled: boolean
  roles: UserRole[]
  created_at: string
  updated_at: string
}

export interface UserPage {
  items: StaffUser[]
  next_cursor?: string
}

export interface ListQuery {
  division?: string
  q?: string
  status?: '' | 'active' | 'disabled' | 'locked'
  after?: string
  limit?: number
}

export interface RoleGrant {
  role_key: string
  division_code: string
}

export interface CreateUserRequest {
  username: string
  display_name: string
  phone?: string
  division_code: string
  password?: string
  roles?: RoleGrant[]
}

export interface UpdateUserRequest {
  display_name?: string
  phone?: string
  division_code?: string
}

export interface GrantableRole {
  key: string
  level: 'county' | 'township' | 'village'
  rank: number
  name: string
}

export interface SecuritySettings {
  mfa_enforced: boolean
  mfa_roles: string[]
  default_mfa_roles: string[]
  updated_at?: string
}

export interface TotpStatus {
  enabled: boolean
  pending: boolean
  required: boolean
  enforced: boolean
  recovery_codes_left: number
}

/** The answer of the password step: a session, or a ticket for the code step. */
export type LoginAnswer = (Session & { mfa_required: false }) | { mfa_required: true; mfa_token: string }

const base = '/api/v1/users'
const user = (id: number) => `${base}/${id}`

function query(q: ListQuery): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}

export const usersApi = {
  list(q: ListQuery): Promise<UserPage> {
    return request('GET', base + query(q))
  },
  get(id: number): Promise<StaffUser> {
    return request('GET', user(id))
  },
  grantableRoles(): Promise<GrantableRole[]> {
    return request('GET', `${base}/grantable-roles`)
  },
  create(body: CreateUserRequest): Promise<{ user: StaffUser; initial_password?: string }> {
    return request('POST', base, { body })
  },
  update(id: number, body: UpdateUserRequest): Promise<StaffUser> {
    return request('PATCH', user(id), { body })
  },
  disable(id: number): Promise<StaffUser> {
    return request('POST', `${user(id)}/disable`, { body: {} })
  },
  enable(id: number): Promise<StaffUser> {
    return request('POST', `${user(id)}/enable`, { body: {} })
  },
  unlock(id: number): Promise<StaffUser> {
    return request('POST', `${user(id)}/unlock`, { body: {} })
  },
  resetPassword(id: number): Promise<{ user: StaffUser; password: string }> {
    return request('POST', `${user(id)}/reset-password`, { body: {} })
  },
  resetTotp(id: number): Promise<StaffUser> {
    return request('POST', `${user(id)}/totp/reset`, { body: {} })
  },
  grant(id: number, body: RoleGrant): Promise<StaffUser> {
    return request('POST', `${user(id)}/roles`, { body })
  },
  revoke(id: number, role: string, division: string): Promise<StaffUser> {
    return request('DELETE', `${user(id)}/roles/${encodeURIComponent(role)}/${encodeURIComponent(division)}`)
  },
  securitySettings(county: string): Promise<SecuritySettings> {
    return request('GET', `/api/v1/counties/${encodeURIComponent(county)}/settings/security`)
  },
  updateSecuritySettings(county: string, body: Partial<Pick<SecuritySettings, 'mfa_enforced' | 'mfa_roles'>>): Promise<SecuritySettings> {
    return request('PUT', `/api/v1/counties/${encodeURIComponent(county)}/settings/security`, { body })
  },
}

export const mfaApi = {
  status(): Promise<TotpStatus> {
    return request('GET', '/api/v1/auth/totp')
  },
  enroll(): Promise<{ secret: string; otpauth_uri: string }> {
    return request('POST', '/api/v1/auth/totp/enroll', { body: {} })
  },
  confirm(code: string): Promise<{ recovery_codes: string[] }> {
    return request('POST', '/api/v1/auth/totp/confirm', { body: { code } })
  },
  disable(code: string): Promise<void> {
    return request('POST', '/api/v1/auth/totp/disable', { body: { code } })
  },
  /** Finishes a sign-in; errors are the form's to show. */
  loginWithCode(mfaToken: string, code: { code?: string; recovery_code?: string }): Promise<Session> {
    return request('POST', '/api/v1/auth/login/totp', { body: { mfa_token: mfaToken, ...code }, handleErrors: false })
  },
}
