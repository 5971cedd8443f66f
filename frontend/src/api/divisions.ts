import { postForm, type UploadContext } from './upload'
import { request } from './client'

// The division tree: provinces and cities above, the county (a tenant), its townships
// (乡镇/街道) and villages (村/社区). Codes are the national statistical codes in their
// shortest form per level.

export type DivisionLevel = 'platform' | 'province' | 'city' | 'county' | 'township' | 'village'
export type DivisionStatus = 'active' | 'retired'

export interface Division {
  code: string
  name: string
  level: DivisionLevel
  parent_code: string
  county_code: string
  /** Villages only, else "". */
  urban_rural_type: string
  status: DivisionStatus
  has_children: boolean
  created_at: string
  updated_at: string
  retired_at?: string
}

export interface PathItem {
  code: string
  name: string
  level: DivisionLevel
}

export interface DivisionRoot extends Division {
  path: PathItem[]
}

export interface SearchHit extends Division {
  parent_name: string
}

export interface HistoryEntry {
  id: number
  division_code: string
  at: string
  action: 'provision' | 'import' | 'add' | 'update' | 'retire' | 'reactivate'
  actor_username: string
  actor_name: string
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  reason: string
}

export interface DivisionDetail extends Division {
  path: PathItem[]
  active_children: number
  history: HistoryEntry[]
}

export interface AddDivisionRequest {
  parent_code: string
  code: string
  name: string
  urban_rural_type?: string
}

export interface UpdateDivisionRequest {
  name?: string
  urban_rural_type?: string
  reason?: string
}

export interface ProvisionRequest {
  code: string
  name: string
  city_name?: string
  province_name?: string
}

export interface Provisioned {
  county: Division
  created_province: boolean
  created_city: boolean
}

export interface ImportResult {
  rows: number
  townships: number
  villages: number
  skipped: number
}

/** One row of a refused import's report, in the UI's language. */
export interface ImportProblem {
  row: number
  code: string
  field: string
  field_label: string
  message: string
}

export interface ImportReport {
  rows: number
  error_count: number
  errors: ImportProblem[]
  truncated: boolean
  report?: { filename: string; content_type: string; base64: string }
}

const base = '/api/v1/divisions'

export const divisionsApi = {
  roots(): Promise<{ items: DivisionRoot[] }> {
    return request('GET', `${base}/roots`)
  },

  /** Every child of a division, following the pages. */
  async children(code: string): Promise<Division[]> {
    const out: Division[] = []
    let after = ''
    for (;;) {
      const page = await request<{ items: Division[]; next_after?: string }>(
        'GET',
        `${base}/${encodeURIComponent(code)}/children?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      )
      out.push(...page.items)
      if (!page.next_after) return out
      after = page.next_after
    }
  },

  search(q: string, limit = 20): Promise<{ items: SearchHit[] }> {
    return request('GET', `${base}/search?q=${encodeURIComponent(q)}&limit=${limit}`)
  },

  get(code: string): Promise<DivisionDetail> {
    return request('GET', `${base}/${encodeURIComponent(code)}`)
  },

  add(body: AddDivisionRequest): Promise<Division> {
    return request('POST', base, { body })
  },

  update(code: string, body: UpdateDivisionRequest): Promise<Division> {
    return request('PATCH', `${base}/${encodeURIComponent(code)}`, { body })
  },

  retire(code: string, reason: string): Promise<Division> {
    return request('POST', `${base}/${encodeURIComponent(code)}/retire`, { body: { reason } })
  },

  reactivate(code: string, reason: string): Promise<Division> {
    return request('POST', `${base}/${encodeURIComponent(code)}/reactivate`, { body: { reason } })
  },

  provision(body: ProvisionRequest): Promise<Provisioned> {
    return request('POST', '/api/v1/counties', { body })
  },

  templateUrl: `${base}/import-template`,

  importUrl(county: string): string {
    return `/api/v1/counties/${encodeURIComponent(county)}/divisions/import`
  },
}

/** What an upload needs from the app: the session's CSRF token and the UI language. */

/**
 * Uploads a code list with progress (fetch reports none). Resolves with the counts, or
 * rejects with an ApiError whose details are an ImportReport when rows were refused.
 */
export function uploadDivisions(county: string, file: File, ctx: UploadContext): Promise<ImportResult> {
  const form = new FormData()
  form.append('file', file, file.name)
  return postForm<ImportResult>(divisionsApi.importUrl(county), form, ctx)
}

/** Offers a base64-encoded file (the import's error report) for download. */
export function downloadBase64(base64: string, filename: string, contentType: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  const url = URL.createObjectURL(new Blob([bytes], { type: contentType }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
