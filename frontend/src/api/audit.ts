import { request } from './client'

// The audit log (backend package audit): search, one entry, and the hash-chain check.

export type AuditOutcome = 'success' | 'failure' | 'denied'

export interface AuditRecord {
  id: number
  /** RFC 3339 with the +08:00 offset. */
  at: string
  actor_id: number | null
  actor_name: string
  actor_display_name: string
  county_code: string
  division_code: string
  division_name: string
  action: string
  object_type: string
  object_id: string
  outcome: AuditOutcome
  request_id: string
  client_ip: string
  /** Only on one entry: before/after and other facts, sensitive values masked. */
  detail?: Record<string, unknown>
  prev_id?: number
  prev_hash?: string
  hash?: string
}

export interface AuditPage {
  items: AuditRecord[]
  next_cursor: string
}

/** A search; empty fields are left out. Dates are YYYY-MM-DD (Asia/Shanghai), both included. */
export interface AuditQuery {
  division?: string
  actor?: string
  object_type?: string
  object_id?: string
  action?: string
  outcome?: AuditOutcome | ''
  from?: string
  to?: string
  after?: string
  limit?: number
}

export type ChainBreakKind = 'content_changed' | 'row_missing' | 'prev_mismatch' | 'head_mismatch' | 'head_missing'

export interface ChainResult {
  county_code: string
  ok: boolean
  rows: number
  first_id: number
  last_id: number
  break?: { kind: ChainBreakKind; row_id: number; missing_id?: number; message: string }
}

/** The query string of a search, without empty fields. */
export function auditSearchParams(q: AuditQuery): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(q)) {
    const text = value === undefined || value === null ? '' : String(value).trim()
    if (text !== '') params.set(key, text)
  }
  return params.toString()
}

export const auditApi = {
  search: (q: AuditQuery) => {
    const qs = auditSearchParams(q)
    return request<AuditPage>('GET', `/api/v1/audit-log${qs ? `?${qs}` : ''}`)
  },
  get: (id: number) => request<AuditRecord>('GET', `/api/v1/audit-log/${id}`),
  verify: () => request<ChainResult>('POST', '/api/v1/audit-log/verify'),
}
