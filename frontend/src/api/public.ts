import { request } from './client'

// The public portal (backend: casework's public handlers under /api/public/v1): the notices
// running in a county and objections to them, for anyone, without signing in. Errors are
// shown by the page itself (handleErrors: false): a visitor has no session to lose.

export interface PublicCounty {
  code: string
  name: string
}

export interface PublicDivision {
  code: string
  name: string
}

/** A running notice: only what a notice may publish, and its period. */
export interface PublicNotice {
  id: number
  division_code: string
  township_name: string
  village_name: string
  head_name: string
  covered_people: number
  monthly_amount_fen: number
  category: 'urban' | 'rural'
  starts_on: string
  ends_on: string
  text: string
}

export interface PublicNoticePage {
  county: PublicCounty
  today: string
  villages: PublicDivision[]
  items: PublicNotice[]
  next_cursor: string
}

export interface ObjectionForm {
  name: string
  phone: string
  content: string
}

export interface ObjectionReceipt {
  receipt_code: string
  received_on: string
}

const base = '/api/public/v1'

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v)
  const s = q.toString()
  return s ? `?${s}` : ''
}

export const publicApi = {
  counties: () => request<PublicCounty[]>('GET', `${base}/counties`, { handleErrors: false }),
  notices: (county: string, params: { division?: string; after?: string } = {}) =>
    request<PublicNoticePage>('GET', `${base}/counties/${encodeURIComponent(county)}/notices${query(params)}`, { handleErrors: false }),
  object: (county: string, notice: number, form: ObjectionForm) =>
    request<ObjectionReceipt>('POST', `${base}/counties/${encodeURIComponent(county)}/notices/${notice}/objections`, {
      body: form,
      handleErrors: false,
    }),
}

/** The same rule as the server: an 11-digit mobile number or a landline with its area code. */
export function validPhone(phone: string): boolean {
  const p = phone.replace(/\s/g, '')
  return p === '' || /^1[3-9]\d{9}$/.test(p) || /^0[1-9]\d{1,2}-?[1-9]\d{6,7}$/.test(p)
}
