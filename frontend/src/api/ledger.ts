import { postForm, type UploadContext } from './upload'
import { ApiError, request } from './client'

// The Excel ledger import (台账导入), backend package ledger. An upload starts a job; the
// job's progress, summary and refused rows are read while and after it runs. ID numbers in
// the refused rows are masked; the downloadable report has the rows as uploaded.

export type JobStatus = 'queued' | 'running' | 'done' | 'failed'

export interface ImportJob {
  id: number
  county_code: string
  division_code: string
  division_name: string
  file_name: string
  file_bytes: number
  status: JobStatus
  /** counting (the rows of the file), importing, done or failed. */
  stage: string
  /** Per cent of the file's rows processed; null while they are being counted. */
  percent: number | null
  rows_total: number
  rows_done: number
  rows_imported: number
  rows_rejected: number
  households_imported: number
  households_rejected: number
  error?: string
  created_by: string
  created_by_name: string
  created_at: string
  started_at: string | null
  finished_at: string | null
  households_per_second?: number
}

export interface JobPage {
  items: ImportJob[]
  next_cursor?: string
}

export interface Problem {
  /** The template column (e.g. id_number); '' for the row as a whole. */
  column: string
  column_label: string
  message: string
}

export interface RejectedRow {
  row: number
  household_key: string
  member_name: string
  id_number_masked: string
  problems: Problem[]
}

export interface RejectedPage {
  items: RejectedRow[]
  next_cursor?: string
}

export interface Started {
  job_id: number
  status: JobStatus
}

export const TEMPLATE_URL = '/api/v1/households/import-template'
export const MAX_FILE_MB = 60

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

export const ledgerApi = {
  jobs(division: string, after = '', limit = 10): Promise<JobPage> {
    return request('GET', `/api/v1/import-jobs${query({ division, after, limit })}`)
  },
  job(id: number): Promise<ImportJob> {
    return request('GET', `/api/v1/import-jobs/${id}`)
  },
  rejected(id: number, after = '', limit = 100): Promise<RejectedPage> {
    return request('GET', `/api/v1/import-jobs/${id}/rejected${query({ after, limit })}`)
  },
  reportUrl(id: number): string {
    return `/api/v1/import-jobs/${id}/report`
  },
}

/** What an upload needs from the app: the session's CSRF token and the UI language. */

/**
 * Uploads a ledger into division with upload progress (fetch reports none). Resolves with
 * the started job; a file that is no ledger rejects with the server's ApiError.
 */
export function uploadLedger(division: string, file: File, ctx: UploadContext): Promise<Started> {
  const form = new FormData()
  form.append('file', file, file.name)
  return postForm<Started>(`/api/v1/households/import${query({ division })}`, form, ctx)
}

/**
 * Downloads a file the API serves (the template, a report) in the UI's language and offers
 * it to the user under the name the server gives it.
 */
export async function downloadFile(url: string, locale: string, fallbackName: string): Promise<void> {
  let response: Response
  try {
    response = await fetch(url, { credentials: 'same-origin', headers: { 'Accept-Language': locale } })
  } catch {
    throw new ApiError(0, 'network_error', '')
  }
  if (!response.ok) {
    let message = ''
    let code = `http_${response.status}`
    try {
      const body = await response.json()
      message = body?.error?.message ?? ''
      code = body?.error?.code ?? code
    } catch {
      // not JSON
    }
    throw new ApiError(response.status, code, message)
  }
  const blob = await response.blob()
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = filenameOf(response.headers.get('Content-Disposition')) || fallbackName
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

/** The file name of a Content-Disposition header, preferring the RFC 5987 (UTF-8) form. */
export function filenameOf(disposition: string | null): string {
  if (!disposition) return ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // fall back to the plain form
    }
  }
  const plain = /filename="([^"]*)"/i.exec(disposition) ?? /filename=([^;]+)/i.exec(disposition)
  return plain ? plain[1].trim() : ''
}
