import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { POLL_MS, useNotificationStore } from '../notifications'

function reply(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

describe('notification polling store', () => {
  let fetchMock: ReturnType<typeof vi.fn>
  let unread = 3

  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
    unread = 3
    fetchMock = vi.fn(() => reply(200, { items: [], total: unread, unread_count: unread }))
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    useNotificationStore().stop()
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('asks for the unread count on start and every 60 s', async () => {
    const s = useNotificationStore()
    s.start()
    await vi.waitFor(() => expect(s.unread).toBe(3))
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(String(fetchMock.mock.calls[0][0])).toContain('/api/notifications?unread=1')
    unread = 5
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(fetchMock).toHaveBeenCalledTimes(2)
    expect(s.unread).toBe(5)
  })

  it('refreshes when the page becomes visible again', async () => {
    const s = useNotificationStore()
    s.start()
    await vi.waitFor(() => expect(s.unread).toBe(3))
    unread = 7
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.waitFor(() => expect(s.unread).toBe(7))
  })

  it('stops polling on stop and resets the badge', async () => {
    const s = useNotificationStore()
    s.start()
    await vi.waitFor(() => expect(s.unread).toBe(3))
    s.stop()
    expect(s.unread).toBe(0)
    await vi.advanceTimersByTimeAsync(POLL_MS * 3)
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('hides the badge when the inbox is not deployed, keeps the count on later failures', async () => {
    fetchMock.mockImplementationOnce(() => reply(404, { error: { code: 'not_found', message: 'x' } }))
    const s = useNotificationStore()
    await s.refresh()
    expect(s.available).toBe(false)
    expect(s.unread).toBe(0)
    await s.refresh()
    expect(s.available).toBe(true)
    expect(s.unread).toBe(3)
    fetchMock.mockImplementationOnce(() => Promise.reject(new TypeError('offline')))
    await s.refresh()
    expect(s.unread).toBe(3)
  })

  it('never goes below zero', () => {
    const s = useNotificationStore()
    s.setUnread(-2)
    expect(s.unread).toBe(0)
  })
})
