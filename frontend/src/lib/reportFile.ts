// 下载PDF and 分享 for a report: the first download waits for the server to render the PDF (with
// progress), later ones are a plain link to the stored file; sharing uses the Web Share API where
// the browser has it and copies the verification link otherwise.
import { ApiError, parseApiError } from '@/api/http'

export const pdfDownloadUrl = (id: number) => `/api/reports/${id}/pdf?download=1`

/** Fetch the PDF, reporting progress: `null` while the server renders, then the fraction received. */
export async function fetchPdf(id: number, onProgress: (fraction: number | null) => void): Promise<Blob> {
  let res: Response
  try {
    res = await fetch(pdfDownloadUrl(id), { credentials: 'same-origin' })
  } catch {
    throw parseApiError(0, null)
  }
  if (!res.ok) {
    let body: unknown = null
    try {
      body = await res.json()
    } catch {
      body = null
    }
    throw parseApiError(res.status, body)
  }
  const total = Number(res.headers.get('Content-Length') ?? 0)
  if (!res.body || !total) return await res.blob()
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let got = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parts.push(value)
    got += value.length
    onProgress(Math.min(1, got / total))
  }
  return new Blob(parts as BlobPart[], { type: 'application/pdf' })
}

/** Hand a blob to the browser as a download with this file name. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

export type ShareResult = 'shared' | 'copied' | 'cancelled' | 'failed'

/** Share the verification link (WeChat users forward links); copy it where sharing is not available. */
export async function shareReport(title: string, text: string, url: string, nav: Navigator = navigator): Promise<ShareResult> {
  if (typeof nav.share === 'function') {
    try {
      await nav.share({ title, text, url })
      return 'shared'
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') return 'cancelled'
      // NotAllowedError and the like: fall back to copying
    }
  }
  return (await copyText(url, nav)) ? 'copied' : 'failed'
}

export async function copyText(text: string, nav: Navigator = navigator): Promise<boolean> {
  try {
    if (nav.clipboard?.writeText) {
      await nav.clipboard.writeText(text)
      return true
    }
  } catch {
    // insecure context or permission refused: try the old way
  }
  try {
    const ta = document.createElement('textarea')
    ta.value = text
    ta.setAttribute('readonly', '')
    ta.style.position = 'fixed'
    ta.style.opacity = '0'
    document.body.appendChild(ta)
    ta.select()
    const ok = document.execCommand('copy')
    ta.remove()
    return ok
  } catch {
    return false
  }
}

export function downloadErrorMessage(e: unknown): string {
  if (e instanceof ApiError && e.status === 0) return '网络连接失败，联网后再下载PDF'
  return e instanceof Error && e.message ? `PDF 下载失败：${e.message}` : 'PDF 下载失败，请稍后重试'
}
