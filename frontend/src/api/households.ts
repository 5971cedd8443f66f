import { postForm } from './upload'
import { ApiError, request } from './client'

// The household registry (一户一档), backend package household. Sensitive values (ID
// numbers, phones, bank accounts) arrive masked; revealing one in full is a separate,
// audited call. Money is integer fen.

export type Category = 'urban' | 'rural'
export type HouseholdStatus = 'registered' | 'applying' | 'enrolled' | 'exited'
export type Sex = 'male' | 'female'
export type Relation = 'self' | 'spouse' | 'child' | 'parent' | 'grandchild' | 'grandparent' | 'sibling' | 'child_in_law' | 'other'
export type LabourCapacity = 'full' | 'partial' | 'none'
export type IncomeKind = 'wages' | 'farming' | 'business' | 'property' | 'transfer' | 'other'
export type AssetKind = 'house' | 'vehicle' | 'deposit' | 'business' | 'machinery' | 'livestock' | 'other'
export type AttachmentKind = 'id_copy' | 'authorisation' | 'photo' | 'other'
export type RevealField = 'id_number' | 'phone' | 'bank_account'

export const RELATIONS: Relation[] = ['self', 'spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'child_in_law', 'other']
export const LABOUR: LabourCapacity[] = ['full', 'partial', 'none']
export const INCOME_KINDS: IncomeKind[] = ['wages', 'farming', 'business', 'property', 'transfer', 'other']
export const ASSET_KINDS: AssetKind[] = ['house', 'vehicle', 'deposit', 'business', 'machinery', 'livestock', 'other']
export const ATTACHMENT_KINDS: AttachmentKind[] = ['id_copy', 'authorisation', 'photo', 'other']
export const STATUSES: HouseholdStatus[] = ['registered', 'applying', 'enrolled', 'exited']

export interface Member {
  id: number
  name: string
  id_number_masked: string
  sex: Sex
  birth_date: string
  relation: Relation
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

export interface Income {
  id: number
  member_id: number | null
  kind: IncomeKind
  source: string
  monthly_fen: number
  counted: boolean
}

export interface Asset {
  id: number
  kind: AssetKind
  description: string
  value_fen: number
}

export interface Attachment {
  id: number
  kind: AttachmentKind
  file_name: string
  content_type: string
  size_bytes: number
  sha256: string
  uploaded_by: string
  uploaded_at: string
}

export interface Household {
  id: number
  county_code: string
  division_code: string
  division_name: string
  category: Category
  head_name: string
  address: string
  hukou_place: string
  phone_masked: string
  bank_name: string
  bank_holder: string
  bank_account_masked: string
  status: HouseholdStatus
  version: number
  created_at: string
  updated_at: string
  members: Member[]
  incomes: Income[]
  assets: Asset[]
  attachments: Attachment[]
}

export interface ListItem {
  id: number
  division_code: string
  division_name: string
  category: Category
  head_name: string
  head_id_number_masked: string
  phone_masked: string
  member_count: number
  status: HouseholdStatus
  version: number
  updated_at: string
}

export interface HouseholdPage {
  items: ListItem[]
  next_cursor?: string
}

export interface ListQuery {
  division?: string
  q?: string
  id_number?: string
  status?: '' | HouseholdStatus
  after?: string
  limit?: number
}

export interface MemberInput {
  id?: number
  name: string
  /** Empty for an existing member: unchanged. */
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

export interface IncomeInput {
  id?: number
  /** Position in members, null for the household's as a whole. */
  member: number | null
  kind: IncomeKind | ''
  source: string
  monthly_fen: number
  counted: boolean
}

export interface AssetInput {
  id?: number
  kind: AssetKind | ''
  description: string
  value_fen: number
}

export interface HouseholdInput {
  division_code: string
  category: Category | ''
  address: string
  hukou_place: string
  /** Left out on an update: unchanged. */
  phone?: string
  bank_name: string
  bank_holder: string
  bank_account?: string
  members: MemberInput[]
  incomes: IncomeInput[]
  assets: AssetInput[]
  version?: number
}

export interface HistoryEntry {
  id: number
  at: string
  action: 'create' | 'update' | 'attachment_add' | 'attachment_delete' | 'import'
  actor_username: string
  actor_name: string
  version: number
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  labels: Record<string, Record<string, string>> | null
}

export interface HistoryPage {
  items: HistoryEntry[]
  next_cursor?: string
}

export interface Revealed {
  field: RevealField
  member_id?: number
  value: string
  masked: string
  show_seconds: number
}

/** One problem of a refused form, as the server lists them in details.errors. */
export interface FieldProblem {
  field: string
  message: string
}

/** The field problems of a 400 validation_failed, or [] for any other error. */
export function fieldProblems(err: unknown): FieldProblem[] {
  if (!(err instanceof ApiError) || err.code !== 'validation_failed') return []
  const list = err.details.errors
  if (Array.isArray(list)) return list.filter((p): p is FieldProblem => typeof p?.field === 'string' && typeof p?.message === 'string')
  return typeof err.details.field === 'string' ? [{ field: err.details.field, message: err.message }] : []
}

const base = '/api/v1/households'
const one = (id: number) => `${base}/${id}`

function query(q: ListQuery): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}

export const householdsApi = {
  list(q: ListQuery): Promise<HouseholdPage> {
    return request('GET', base + query(q))
  },
  get(id: number): Promise<Household> {
    return request('GET', one(id))
  },
  create(body: HouseholdInput): Promise<Household> {
    return request('POST', base, { body })
  },
  update(id: number, body: HouseholdInput): Promise<Household> {
    return request('PUT', one(id), { body })
  },
  history(id: number, after = ''): Promise<HistoryPage> {
    return request('GET', `${one(id)}/history${after ? `?after=${encodeURIComponent(after)}` : ''}`)
  },
  reveal(id: number, field: RevealField, memberId?: number): Promise<Revealed> {
    return request('POST', `${one(id)}/reveal`, { body: memberId ? { field, member_id: memberId } : { field } })
  },
  attachmentUrl(id: number, aid: number): string {
    return `${one(id)}/attachments/${aid}`
  },
  deleteAttachment(id: number, aid: number): Promise<void> {
    return request('DELETE', `${one(id)}/attachments/${aid}`)
  },
  /** Uploads a file with progress (api/upload.ts). */
  upload(
    id: number,
    kind: AttachmentKind,
    file: File,
    opts: { csrf: string | null; locale: string; onProgress?: (percent: number) => void },
  ): Promise<Attachment> {
    const form = new FormData()
    form.append('kind', kind)
    form.append('file', file)
    return postForm<Attachment>(`${one(id)}/attachments`, form, { csrfToken: opts.csrf, locale: opts.locale, onProgress: opts.onProgress })
  },
}
