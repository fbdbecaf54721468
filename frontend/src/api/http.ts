// One fetch wrapper for the whole app: JSON, CSRF header, and the API error shape → ApiError.

export interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> }
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown>

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }

  /** True for failures worth retrying later (no network, server trouble, rate limit). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500
  }
}

const DEFAULT_MESSAGES: Record<number, string> = {
  0: '网络连接失败，请检查网络',
  400: '请求有误',
  401: '登录已过期，请重新登录',
  403: '没有权限执行此操作',
  404: '请求的内容不存在',
  409: '操作冲突，请刷新后重试',
  413: '文件过大',
  415: '文件类型不支持',
  422: '提交的内容不完整或有误',
  429: '操作过于频繁，请稍后再试',
}

/** Build an ApiError from a status and an (optional) parsed body of the standard error shape. */
export function parseApiError(status: number, body: unknown): ApiError {
  const err = (body as ApiErrorBody | null)?.error
  const message =
    (typeof err?.message === 'string' && err.message) ||
    DEFAULT_MESSAGES[status] ||
    (status >= 500 ? '服务器繁忙，请稍后再试' : `请求失败（${status}）`)
  const code = (typeof err?.code === 'string' && err.code) || (status === 0 ? 'network_error' : `http_${status}`)
  const details =
    err?.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : {}
  return new ApiError(status, code, message, details)
}

/**
 * The per-field messages of a 422 (`details.fields`: name → messages), one line per field, for a form.
 * Nested fields (a list of legal bases) come as dotted names: `legal_basis.0.article`.
 */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const out: Record<string, string> = {}
  const walk = (value: unknown, name: string) => {
    if (Array.isArray(value) && value.every((m) => typeof m === 'string')) out[name] = value.join('；')
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, name ? `${name}.${k}` : k)
    else if (value !== undefined && value !== null) out[name] = String(value)
  }
  const fields = err.details.fields
  if (fields && typeof fields === 'object') walk(fields, '')
  return out
}

let csrfToken: string | null = null
let unauthorizedHandler: (() => void) | null = null
/**
 * Bumped whenever the session changes (login, logout, expiry). A 401 for a request sent under an
 * earlier session says nothing about the current one: it must not send a user who has just logged
 * in again back to the login page.
 */
let sessionEpoch = 0

export function setCsrfToken(token: string | null): void {
  if (token !== csrfToken) sessionEpoch += 1
  csrfToken = token
}
export function getCsrfToken(): string | null {
  return csrfToken
}
/** Called on a 401 from any call except login (the auth layer sends the user to the login page). */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler
}
export function notifyUnauthorized(): void {
  unauthorizedHandler?.()
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  body?: unknown
  headers?: Record<string, string>
  /** Skip the global 401 handler (login and the startup `me` probe). */
  skipAuthRedirect?: boolean
  signal?: AbortSignal
  /** Give up after this long with a retryable `timeout` error (the background sync never hangs). */
  timeoutMs?: number
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function buildHeaders(method: string, extra?: Record<string, string>, json = true): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extra }
  if (json) headers['Content-Type'] = 'application/json'
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  return headers
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

export async function request<T>(url: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET'
  const isForm = typeof FormData !== 'undefined' && opts.body instanceof FormData
  let res: Response
  let data: unknown
  const timer = opts.timeoutMs ? new AbortController() : null
  const timeout = timer ? setTimeout(() => timer.abort(), opts.timeoutMs) : null
  const epoch = sessionEpoch
  if (timer && opts.signal) opts.signal.addEventListener('abort', () => timer.abort(), { once: true })
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: buildHeaders(method, opts.headers, opts.body !== undefined && !isForm),
      body:
        opts.body === undefined ? undefined : isForm ? (opts.body as FormData) : JSON.stringify(opts.body),
      signal: timer ? timer.signal : opts.signal,
    })
    data = await readBody(res)
  } catch (e) {
    if (timer?.signal.aborted && !opts.signal?.aborted) throw new ApiError(0, 'timeout', '请求超时，稍后自动重试')
    if ((e as Error)?.name === 'AbortError') throw e
    throw parseApiError(0, null)
  } finally {
    if (timeout) clearTimeout(timeout)
  }
  if (!res.ok) {
    const err = parseApiError(res.status, data)
    if (res.status === 401 && !opts.skipAuthRedirect && epoch === sessionEpoch) notifyUnauthorized()
    throw err
  }
  return data as T
}

export const http = {
  get: <T>(url: string, opts?: RequestOptions) => request<T>(url, { ...opts, method: 'GET' }),
  post: <T>(url: string, body?: unknown, opts?: RequestOptions) =>
    request<T>(url, { ...opts, method: 'POST', body: body ?? {} }),
  put: <T>(url: string, body?: unknown, opts?: RequestOptions) =>
    request<T>(url, { ...opts, method: 'PUT', body: body ?? {} }),
  patch: <T>(url: string, body?: unknown, opts?: RequestOptions) =>
    request<T>(url, { ...opts, method: 'PATCH', body: body ?? {} }),
  delete: <T>(url: string, body?: unknown, opts?: RequestOptions) =>
    request<T>(url, { ...opts, method: 'DELETE', body }),
}

/**
 * Multipart upload with progress through XMLHttpRequest (fetch has no upload progress).
 */
export function uploadWithProgress<T>(
  url: string,
  form: FormData,
  onProgress?: (fraction: number) => void,
  timeoutMs = 0,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.withCredentials = true
    xhr.timeout = timeoutMs
    const headers = buildHeaders('POST', undefined, false)
    const epoch = sessionEpoch
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable && onProgress) onProgress(ev.loaded / ev.total)
    }
    xhr.onload = () => {
      let data: unknown = null
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        data = null
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1)
        resolve(data as T)
      } else {
        if (xhr.status === 401 && epoch === sessionEpoch) notifyUnauthorized()
        reject(parseApiError(xhr.status, data))
      }
    }
    xhr.onerror = () => reject(parseApiError(0, null))
    xhr.ontimeout = () => reject(new ApiError(0, 'timeout', '上传超时，稍后自动重试'))
    xhr.send(form)
  })
}
