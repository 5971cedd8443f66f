import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, configureApi, request, type ApiHooks } from '@/api/client'
import { formatDateTime } from '@/utils/datetime'

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function envelope(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } }
}

describe('api client', () => {
  const fetchMock = vi.fn<typeof fetch>()
  let csrf: string | null
  let locale: string
  let onError: ReturnType<typeof vi.fn<ApiHooks['onError']>>

  beforeEach(() => {
    csrf = 'csrf-123'
    locale = 'zh-CN'
    onError = vi.fn<ApiHooks['onError']>()
    fetchMock.mockReset()
    vi.stubGlobal('fetch', fetchMock)
    configureApi({
      locale: () => locale,
      csrfToken: () => csrf,
      t: (key, values) => (values ? `${key} ${JSON.stringify(values)}` : key),
      onError,
    })
  })

  afterEach(() => {
    vi.unstubAllGlobals()
  })

  function sent(): { url: string; init: RequestInit; headers: Headers } {
    const [url, init = {}] = fetchMock.mock.calls[0]
    return { url: String(url), init, headers: new Headers(init.headers) }
  }

  it('sends the CSRF token, JSON body and language on a POST', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { ok: true }))
    locale = 'en'
    const result = await request<{ ok: boolean }>('POST', '/api/v1/things', { body: { a_b: 1 } })

    expect(result).toEqual({ ok: true })
    const { url, init, headers } = sent()
    expect(url).toBe('/api/v1/things')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    expect(init.body).toBe('{"a_b":1}')
    expect(headers.get('X-CSRF-Token')).toBe('csrf-123')
    expect(headers.get('Content-Type')).toBe('application/json')
    expect(headers.get('Accept-Language')).toBe('en')
  })

  it.each(['PUT', 'PATCH', 'DELETE'])('sends the CSRF token on %s', async (method) => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    await request(method, '/api/v1/things/1')
    expect(sent().headers.get('X-CSRF-Token')).toBe('csrf-123')
  })

  it('leaves the CSRF token off a GET and sends the Chinese locale', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, {}))
    await request('GET', '/api/v1/auth/me')
    const { init, headers } = sent()
    expect(headers.has('X-CSRF-Token')).toBe(false)
    expect(headers.has('Content-Type')).toBe(false)
    expect(headers.get('Accept-Language')).toBe('zh-CN')
    expect(init.credentials).toBe('same-origin')
    expect(init.body).toBeUndefined()
  })

  it('sends no CSRF header before sign-in', async () => {
    csrf = null
    fetchMock.mockResolvedValue(jsonResponse(200, {}))
    await request('POST', '/api/v1/auth/login', { body: { username: 'u', password: 'p' } })
    expect(sent().headers.has('X-CSRF-Token')).toBe(false)
  })

  it('answers 204 with undefined', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    await expect(request('POST', '/api/v1/auth/logout')).resolves.toBeUndefined()
  })

  it('parses the error envelope and leaves form errors to the caller', async () => {
    fetchMock.mockResolvedValue(jsonResponse(400, envelope('weak_password', '密码强度不足', { field: 'new_password' })))
    const err = await request('POST', '/api/v1/auth/password', { body: {} }).catch((e: unknown) => e)

    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 400, code: 'weak_password', message: '密码强度不足', handled: false })
    expect((err as ApiError).details).toEqual({ field: 'new_password' })
    expect(onError).not.toHaveBeenCalled()
  })

  it('reports an ended session (401) to the app-wide handler', async () => {
    fetchMock.mockResolvedValue(jsonResponse(401, envelope('unauthenticated', '未登录或登录已过期')))
    const err = await request('GET', '/api/v1/system/status').catch((e: unknown) => e)

    expect(err).toMatchObject({ status: 401, code: 'unauthenticated', handled: true })
    expect(onError).toHaveBeenCalledOnce()
    expect(onError).toHaveBeenCalledWith(err)
  })

  it('treats a 401 wrong current password as a form error, not an ended session', async () => {
    fetchMock.mockResolvedValue(jsonResponse(401, envelope('invalid_credentials', '用户名或密码错误')))
    const err = await request('POST', '/api/v1/auth/password', { body: {} }).catch((e: unknown) => e)

    expect(err).toMatchObject({ status: 401, code: 'invalid_credentials', message: '用户名或密码错误', handled: false })
    expect(onError).not.toHaveBeenCalled()
  })

  it('lets a caller handle a 401 itself', async () => {
    fetchMock.mockResolvedValue(jsonResponse(401, envelope('unauthenticated', '未登录')))
    const err = await request('GET', '/api/v1/auth/me', { handleErrors: false }).catch((e: unknown) => e)

    expect(err).toMatchObject({ status: 401, handled: false })
    expect(onError).not.toHaveBeenCalled()
  })

  it('reports a 403 to the app-wide handler', async () => {
    fetchMock.mockResolvedValue(jsonResponse(403, envelope('forbidden', '没有权限执行此操作')))
    await expect(request('GET', '/api/v1/system/status')).rejects.toMatchObject({ status: 403, handled: true })
    expect(onError).toHaveBeenCalledOnce()
  })

  it('words a lockout with the unlock time in local format', async () => {
    const lockedUntil = '2026-03-01T08:30:00Z'
    fetchMock.mockResolvedValue(jsonResponse(423, envelope('account_locked', 'locked', { locked_until: lockedUntil })))
    const err = (await request('POST', '/api/v1/auth/login', { body: {}, handleErrors: false }).catch((e: unknown) => e)) as ApiError

    expect(err.status).toBe(423)
    expect(err.code).toBe('account_locked')
    expect(err.message).toBe(`errors.accountLocked ${JSON.stringify({ time: formatDateTime(lockedUntil, 'zh-CN') })}`)
    expect(err.details.locked_until).toBe(lockedUntil)
  })

  it('turns a failed connection into a friendly network error', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const err = await request('GET', '/api/v1/auth/me').catch((e: unknown) => e)

    expect(err).toMatchObject({ status: 0, code: 'network_error', message: 'errors.network', handled: true })
    expect(onError).toHaveBeenCalledOnce()
  })

  it('gives a generic message when an error body is not the envelope', async () => {
    fetchMock.mockResolvedValue(new Response('<html>Bad Gateway</html>', { status: 502 }))
    const err = await request('GET', '/api/v1/system/status').catch((e: unknown) => e)

    expect(err).toMatchObject({ status: 502, code: 'http_502', message: 'errors.unexpected {"status":502}' })
    expect(onError).not.toHaveBeenCalled()
  })
})

describe('formatDateTime', () => {
  it('formats in the given locale and keeps unparsable input', () => {
    const iso = '2026-03-01T08:30:00Z'
    const local = new Date(iso)
    const expected = `${local.getFullYear()}/${String(local.getMonth() + 1).padStart(2, '0')}/${String(local.getDate()).padStart(2, '0')} ${String(local.getHours()).padStart(2, '0')}:${String(local.getMinutes()).padStart(2, '0')}`
    expect(formatDateTime(iso, 'zh-CN')).toBe(expected)
    expect(formatDateTime('not a date', 'en')).toBe('not a date')
  })
})
