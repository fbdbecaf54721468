// Who is logged in; survives offline reloads through a cached copy of the user.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as authApi from '@/api/auth'
import { ApiError, setCsrfToken } from '@/api/http'
import type { AuthResponse, User } from '@/api/types'

const CACHE_KEY = 'ecocheck.session'

// The offline queue (IndexedDB, outbox, sync engine) is loaded once someone is logged in, not with the
// login page, and starts when the page has rendered (its first read of IndexedDB comes first).
// Calls go through one promise, so a stop after a start (logout, 401) still runs after it; a start
// still waiting when the session ends (or changes) is dropped.
let syncModule: Promise<typeof import('@/lib/sync')> | null = null
let syncWanted: number | null = null
const loadSync = () => (syncModule ??= import('@/lib/sync'))
function whenIdle(fn: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 2000 })
  else setTimeout(fn, 200)
}
function resumeAfterLogin(userId: number): void {
  syncWanted = userId
  void loadSync().then((m) => whenIdle(() => {
    if (syncWanted === userId) m.resumeAfterLogin(userId)
  }))
}
function stopSync(): void {
  syncWanted = null
  if (syncModule) void syncModule.then((m) => m.stopSync())
}

/** Whether this device remembers a session (written at login, removed at logout or expiry). */
export function hasCachedSession(): boolean {
  return readCache() !== null
}
const ENTERPRISE_ROLES = new Set(['enterprise_staff', 'enterprise_admin'])

function readCache(): AuthResponse | null {
  try {
    const raw = localStorage.getItem(CACHE_KEY)
    return raw ? (JSON.parse(raw) as AuthResponse) : null
  } catch {
    return null
  }
}

export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null)
  const ready = ref(false)
  /** true when the user comes from the offline cache and the server could not be asked */
  const offline = ref(false)

  const isEnterprise = computed(() => !!user.value && ENTERPRISE_ROLES.has(user.value.role))
  const homeRoute = computed(() => (isEnterprise.value ? '/ent' : '/gov'))

  function apply(res: AuthResponse): void {
    user.value = res.user
    setCsrfToken(res.csrf_token)
    try {
      localStorage.setItem(CACHE_KEY, JSON.stringify(res))
    } catch {
      // private mode: the session still works, only offline reload does not
    }
    resumeAfterLogin(res.user.id) // enterprise checklists and regulators' on-site inspections queue offline
  }

  /** Forget the session in memory (401); cached answers stay for when the user logs in again. */
  function clearSession(): void {
    stopSync()
    user.value = null
    setCsrfToken(null)
    try {
      localStorage.removeItem(CACHE_KEY)
    } catch {
      // ignore
    }
  }

  async function init(): Promise<void> {
    try {
      apply(await authApi.me())
      offline.value = false
    } catch (e) {
      const cached = readCache()
      if (e instanceof ApiError && e.status === 0 && cached) {
        // no network: keep working from the cache; the queue retries when online
        user.value = cached.user
        setCsrfToken(cached.csrf_token)
        offline.value = true
        resumeAfterLogin(cached.user.id)
      } else {
        clearSession()
      }
    } finally {
      ready.value = true
    }
  }

  async function login(username: string, password: string): Promise<User> {
    const res = await authApi.login(username, password)
    apply(res)
    offline.value = false
    ready.value = true
    return res.user
  }

  async function pendingCount(): Promise<number> {
    if (!user.value) return 0
    const { listOps } = await import('@/lib/outbox')
    return (await listOps(user.value.id)).filter((o) => o.status === 'queued').length
  }

  /** Log out and delete this user's offline data from the device. */
  async function logout(): Promise<void> {
    const id = user.value?.id
    try {
      await authApi.logout()
    } catch {
      // offline or already expired: still clear locally
    }
    clearSession()
    if (id !== undefined) await (await import('@/lib/db')).clearUserData(id)
  }

  return { user, ready, offline, isEnterprise, homeRoute, init, login, logout, clearSession, pendingCount }
})
