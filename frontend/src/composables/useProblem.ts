// One problem's detail: fetched from the API, saved on the enterprise's device for offline reading
// (shown read-only when the network is down), and this device's queued writes for it from the outbox.
import { computed, onMounted, onUnmounted, ref, type Ref } from 'vue'
import { ApiError } from '@/api/http'
import { getProblem } from '@/api/problems'
import type { ProblemDetail } from '@/api/types'
import { kvGet, kvSet, type OutboxOp } from '@/lib/db'
import { discardOp, pendingProblemWrites } from '@/lib/problemQueue'
import { onSyncEvent } from '@/lib/sync'
import { useAuthStore } from '@/stores/auth'

export function useProblem(id: Ref<number> | (() => number), side: Ref<'gov' | 'ent'>) {
  const auth = useAuthStore()
  const problemId = computed(typeof id === 'function' ? id : () => id.value)
  const problem = ref<ProblemDetail | null>(null)
  const error = ref('')
  const fromCache = ref(false)
  const pending = ref<OutboxOp[]>([])

  async function load() {
    error.value = ''
    const uid = auth.user?.id
    const pid = problemId.value
    try {
      problem.value = await getProblem(pid)
      fromCache.value = false
      if (uid !== undefined && side.value === 'ent') await kvSet(uid, `problem:${pid}`, JSON.parse(JSON.stringify(problem.value)))
    } catch (e) {
      // offline: show the copy saved on this device (enterprise side), read-only
      const cached = uid !== undefined && e instanceof ApiError && e.status === 0 ? await kvGet<ProblemDetail>(uid, `problem:${pid}`) : undefined
      if (cached) {
        problem.value = { ...cached, allowed_actions: [] }
        fromCache.value = true
      } else error.value = e instanceof ApiError ? e.message : '加载失败'
    }
    await loadPending()
  }

  async function loadPending() {
    if (side.value === 'ent' && auth.user) pending.value = await pendingProblemWrites(auth.user.id, problemId.value)
  }

  async function dropPending(op: OutboxOp) {
    if (op.seq !== undefined) await discardOp(op.seq)
    await loadPending()
  }

  onMounted(load)
  const stop = onSyncEvent((e) => {
    if ((e.type === 'problem-done' || e.type === 'problem-error') && e.problemId === problemId.value) void load()
    else if (e.type === 'idle') void loadPending()
  })
  onUnmounted(stop)

  return { problem, error, fromCache, pending, load, dropPending }
}
