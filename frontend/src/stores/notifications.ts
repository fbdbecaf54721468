// Unread message count for the tab-bar badge: polled every 60 s and whenever the page becomes visible.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { listNotifications } from '@/api/notifications'

export const POLL_MS = 60_000

export const useNotificationStore = defineStore('notifications', () => {
  const unread = ref(0)
  /** false once the server said the inbox does not exist (404) or failed; the badge stays hidden */
  const available = ref(true)
  const lastCheckedAt = ref<number | null>(null)
  let timer: ReturnType<typeof setInterval> | null = null
  let inflight: Promise<void> | null = null

  async function refresh(): Promise<void> {
    if (inflight) return inflight
    inflight = (async () => {
      try {
        const res = await listNotifications({ unread: true, per_page: 1 })
        unread.value = Math.max(0, Number(res.unread_count ?? res.total ?? 0))
        available.value = true
      } catch {
        // offline, not deployed yet, or a server error: keep the last known count
        if (lastCheckedAt.value === null) available.value = false
      } finally {
        lastCheckedAt.value = Date.now()
        inflight = null
      }
    })()
    return inflight
  }

  function onVisible(): void {
    if (typeof document !== 'undefined' && document.visibilityState === 'visible') void refresh()
  }

  function start(): void {
    if (timer) return
    void refresh()
    timer = setInterval(() => void refresh(), POLL_MS)
    document.addEventListener('visibilitychange', onVisible)
    window.addEventListener('focus', onVisible)
  }

  function stop(): void {
    if (timer) clearInterval(timer)
    timer = null
    document.removeEventListener('visibilitychange', onVisible)
    window.removeEventListener('focus', onVisible)
    unread.value = 0
    lastCheckedAt.value = null
  }

  function setUnread(n: number): void {
    unread.value = Math.max(0, n)
  }

  return { unread, available, lastCheckedAt, refresh, start, stop, setUnread }
})
