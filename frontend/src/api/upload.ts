import { ApiError } from './client'

/** What an upload needs from the session and the page. */
export interface UploadContext {
  csrfToken: string | null
  locale: string
  onProgress?: (percent: number) => void
}

/**
 * Posts a multipart form with upload progress (fetch reports none, so this is an
 * XMLHttpRequest carrying the same CSRF token and language as every other call). Resolves
 * with the JSON body of a 2xx answer; rejects with the server's ApiError, or a network_error.
 */
export function postForm<T>(url: string, form: FormData, ctx: UploadContext): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('Accept-Language', ctx.locale)
    if (ctx.csrfToken) xhr.setRequestHeader('X-CSRF-Token', ctx.csrfToken)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && ctx.onProgress) ctx.onProgress(Math.round((e.loaded / e.total) * 100))
    }
    xhr.onerror = () => reject(new ApiError(0, 'network_error', ''))
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        // not JSON: reported below by status
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as T)
        return
      }
      const err = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error
      reject(new ApiError(xhr.status, err?.code ?? `http_${xhr.status}`, err?.message ?? xhr.statusText, err?.details ?? {}))
    }
    xhr.send(form)
  })
}
