import { formatDateTime } from '@/utils/datetime'
import type { ErrorEnvelope } from './types'

/** An error answered by the server, or a failure to reach it (status 0). */
export class ApiError extends Error {
  /** True once the app-wide handler has told the user (toast or redirect). */
  handled = false

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const NETWORK_ERROR = 'network_error'

/** What the client needs from the app; set once at start-up with configureApi. */
export interface ApiHooks {
  /** Current UI locale, sent as Accept-Language ('zh-CN' or 'en'). */
  locale(): string
  /** CSRF token of the signed-in session, if any. */
  csrfToken(): string | null
  /** Translates a client-side message key. */
  t(key: string, values?: Record<string, unknown>): string
  /** App-wide reaction to errors every screen treats alike: 401, 403, 423, no connection. */
  onError(error: ApiError): void
}

let hooks: ApiHooks = {
  locale: () => 'zh-CN',
  csrfToken: () => null,
  t: (key) => key,
  onError: () => {},
}

export function configureApi(h: ApiHooks): void {
  hooks = h
}

export interface RequestOptions {
  body?: unknown
  /** false: the caller shows every error itself (sign-in form, session probe). */
  handleErrors?: boolean
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers = new Headers({ Accept: 'application/json', 'Accept-Language': hooks.locale() })
  if (options.body !== undefined) headers.set('Content-Type', 'application/json')
  const csrf = hooks.csrfToken()
  if (csrf && UNSAFE_METHODS.has(method)) headers.set('X-CSRF-Token', csrf)

  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    })
  } catch {
    throw report(new ApiError(0, NETWORK_ERROR, hooks.t('errors.network')), options)
  }

  if (response.ok) {
    if (response.status === 204) return undefined as T
    return (await response.json()) as T
  }
  throw report(await toApiError(response), options)
}

async function toApiError(response: Response): Promise<ApiError> {
  let envelope: Partial<ErrorEnvelope> = {}
  try {
    envelope = await response.json()
  } catch {
    // not JSON (a proxy's error page, say): fall through to the generic message
  }
  const err = envelope.error
  if (!err?.code) {
    return new ApiError(response.status, `http_${response.status}`, hooks.t('errors.unexpected', { status: response.status }))
  }
  const details = err.details ?? {}
  if (err.code === 'account_locked' && typeof details.locked_until === 'string') {
    const time = formatDateTime(details.locked_until, hooks.locale())
    return new ApiError(response.status, err.code, hooks.t('errors.accountLocked', { time }), details)
  }
  return new ApiError(response.status, err.code, err.message, details)
}

/**
 * Whether an error is one the whole app reacts to in the same way. A 401
 * `invalid_credentials` is a form answer (wrong current password), not an
 * ended session.
 */
export function isAppWide(error: ApiError): boolean {
  if (error.status === 401) return error.code !== 'invalid_credentials'
  return error.status === 0 || error.status === 403 || error.status === 423
}

function report(error: ApiError, options: RequestOptions): ApiError {
  if (options.handleErrors !== false && isAppWide(error)) {
    error.handled = true
    hooks.onError(error)
  }
  return error
}
