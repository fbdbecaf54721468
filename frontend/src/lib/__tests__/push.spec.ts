import { describe, expect, it } from 'vitest'
import { pushSupport, urlBase64ToUint8Array } from '../push'

describe('push helpers', () => {
  it('decodes base64url VAPID keys', () => {
    expect(Array.from(urlBase64ToUint8Array('AQID_-8'))).toEqual([1, 2, 3, 255, 239])
  })
  it('reports unsupported environments with a message', () => {
    const s = pushSupport()
    expect(s.ok).toBe(false)
    if (!s.ok) expect(s.reason).toMatch(/不支持|HTTPS/)
  })
})
