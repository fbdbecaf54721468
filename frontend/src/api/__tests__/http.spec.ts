import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, http, onUnauthorized, parseApiError, setCsrfToken } from '../http'

function mockFetch(status: number, body: unknown) {
  const fn = vi.fn(async () => new Response(body === undefined ? '' : JSON.stringify(body), { status }))
  vi.stubGlobal('fetch', fn)
  return fn
}

afterEach(() => {
  vi.unstubAllGlobals()
  setCsrfToken(null)
  onUnauthorized(null)
})

describe('parseApiError', () => {
  it('reads code, message and details from the error shape', () => {
    const e = parseApiError(422, {
      error: { code: 'incomplete', message: '还有未完成的检查项', details: { missing_items: ['A1'] } },
    })
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(422)
    expect(e.code).toBe('incomplete')
    expect(e.message).toBe('还有未完成的检查项')
    expect(e.details).toEqual({ missing_items: ['A1'] })
    expect(e.retryable).toBe(false)
  })

  it('falls back to a Chinese message when the body is not the error shape', () => {
    const e = parseApiError(502, '<html>bad gateway</html>')
    expect(e.code).toBe('http_502')
    expect(e.message).toBe('服务器繁忙，请稍后再试')
    expect(e.details).toEqual({})
    expect(e.retryable).toBe(true)
  })

  it('marks network failures as status 0 and retryable', () => {
    const e = parseApiError(0, null)
    expect(e.code).toBe('network_error')
    expect(e.retryable).toBe(true)
    expect(parseApiError(429, null).retryable).toBe(true)
    expect(parseApiError(413, null).message).toBe('文件过大')
  })
})

describe('request', () => {
  it('sends the CSRF token on unsafe methods only', async () => {
    const f = mockFetch(200, { ok: true })
    setCsrfToken('tok')
    await http.get('/api/x')
    await http.put('/api/x', { a: 1 })
    const getHeaders = (f.mock.calls[0] as unknown as [string, RequestInit])[1].headers as Record<string, string>
    const putInit = (f.mock.calls[1] as unknown as [string, RequestInit])[1]
    expect(getHeaders['X-CSRF-Token']).toBeUndefined()
    expect((putInit.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
    expect(putInit.body).toBe('{"a":1}')
  })

  it('throws ApiError with the server message and calls the 401 handler', async () => {
    mockFetch(401, { error: { code: 'unauthorized', message: '请先登录', details: {} } })
    const handler = vi.fn()
    onUnauthorized(handler)
    await expect(http.get('/api/selfchecks')).rejects.toMatchObject({ status: 401, message: '请先登录' })
    expect(handler).toHaveBeenCalledOnce()
  })

  it('ignores a 401 for a request sent before the user logged in again', async () => {
    setCsrfToken('old-session')
    let answer: (r: Response) => void = () => undefined
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>((resolve) => (answer = resolve))))
    const handler = vi.fn()
    onUnauthorized(handler)
    const stale = http.get('/api/notifications')
    setCsrfToken('new-session') // logged in again while the old request was on its way
    answer(new Response(JSON.stringify({ error: { code: 'unauthorized', message: '请先登录' } }), { status: 401 }))
    await expect(stale).rejects.toMatchObject({ status: 401 })
    expect(handler).not.toHaveBeenCalled()
    mockFetch(401, { error: { code: 'unauthorized', message: '请先登录' } })
    await expect(http.get('/api/notifications')).rejects.toMatchObject({ status: 401 })
    expect(handler).toHaveBeenCalledOnce()
  })

  it('does not redirect on a failed login', async () => {
    mockFetch(401, { error: { code: 'bad_credentials', message: '用户名或密码错误' } })
    const handler = vi.fn()
    onUnauthorized(handler)
    await expect(http.post('/api/auth/login', {}, { skipAuthRedirect: true })).rejects.toMatchObject({
      code: 'bad_credentials',
    })
    expect(handler).not.toHaveBeenCalled()
  })

  it('turns a fetch rejection into a network ApiError', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    await expect(http.get('/api/x')).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })
})
