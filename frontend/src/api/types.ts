// Shapes of the server's JSON (snake_case, as sent).

export interface SessionUser {
  id: number
  username: string
  display_name: string
  division_code: string
  division_name: string
  county_code: string
  must_change_password: boolean
  /** Second factor: set up, needed by a role, and due before anything else (enforced). */
  totp_enabled?: boolean
  mfa_required?: boolean
  mfa_enrolment_required?: boolean
}

export interface RoleAssignment {
  role_key: string
  role_name: string
  division_code: string
  division_name: string
}

export interface Session {
  user: SessionUser
  roles: RoleAssignment[]
  permissions: string[]
  csrf_token: string
}

export type HealthState = 'ok' | 'error'

export interface SystemStatus {
  version: string
  started_at: string
  database: HealthState
  redis: HealthState
  redis_mode: 'external' | 'embedded'
}

export interface ErrorEnvelope {
  error: {
    code: string
    message: string
    details?: Record<string, unknown>
  }
}
