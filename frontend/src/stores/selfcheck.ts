// Self-check runs: task list, the open checklist with local answers/photos, and submission.
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import { ApiError } from '@/api/http'
import { getSelfCheck, listSelfChecks } from '@/api/selfchecks'
import type { Answer, Item, Progress, SelfCheckDetail, SelfCheckSummary } from '@/api/types'
import { computeMissing, isAnswered, missingFromServer, type AnswerFacts, type MissingEntry } from '@/lib/answers'
import { getDb, kvGet, kvSet, type LocalAnswer, type LocalPhoto } from '@/lib/db'
import { enqueue } from '@/lib/outbox'
import { saveLocalPhoto } from '@/lib/photos'
import { forgetPhoto, kick, onSyncEvent, type SubmitOutcome } from '@/lib/sync'
import { uuid } from '@/lib/uuid'
import { useAuthStore } from './auth'

export type AnswerPatch = Partial<Pick<LocalAnswer, 'result' | 'value' | 'note' | 'photoIds' | 'remoteUploadIds'>>

export interface PhotoView {
  clientId: string | null
  uploadId: number | null
  src: string | null
  status: 'queued' | 'uploaded' | 'failed' | 'remote'
  progress: number
}

const SAVE_DELAY_MS = 600
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T

export const useSelfcheckStore = defineStore('selfcheck', () => {
  const auth = useAuthStore()

  const tasks = ref<SelfCheckSummary[]>([])
  const tasksFromCache = ref(false)
  const detail = shallowRef<SelfCheckDetail | null>(null)
  const detailFromCache = ref(false)
  const answers = reactive(new Map<number, LocalAnswer>())
  const photos = reactive(new Map<string, LocalPhoto & { url: string }>())
  const uploadProgress = reactive(new Map<string, number>())
  const serverProgress = ref<Progress | null>(null)
  const lastSubmit = ref<SubmitOutcome | null>(null)
  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  /** self-checks whose submit() call is waiting for the server's answer */
  const submitWaiting = new Set<number>()
  /** a submission queued earlier (offline) that the server has now accepted */
  const acceptedInBackground = ref<number | null>(null)

  const uid = () => {
    if (!auth.user) throw new ApiError(401, 'unauthorized', '请先登录')
    return auth.user.id
  }

  const items = computed<Item[]>(() => detail.value?.sections.flatMap((s) => s.items) ?? [])

  function facts(itemId: number): AnswerFacts | undefined {
    const a = answers.get(itemId)
    if (!a) return undefined
    const photoCount = a.photoIds.filter((id) => photos.get(id)?.status !== 'failed').length + a.remoteUploadIds.length
    return { result: a.result, value: a.value, photoCount }
  }

  const factsMap = computed(() => {
    const m = new Map<number, AnswerFacts>()
    for (const it of items.value) {
      const f = facts(it.id)
      if (f) m.set(it.id, f)
    }
    return m
  })

  const sectionProgress = computed(() =>
    (detail.value?.sections ?? []).map((s) => ({
      code: s.code,
      answered: s.items.filter((it) => isAnswered(it, factsMap.value.get(it.id))).length,
      total: s.items.length,
    })),
  )
  const progress = computed<Progress>(() => ({
    answered: sectionProgress.value.reduce((n, s) => n + s.answered, 0),
    total: sectionProgress.value.reduce((n, s) => n + s.total, 0),
  }))
  const missing = computed<MissingEntry[]>(() => computeMissing(detail.value?.sections ?? [], factsMap.value))
  const editable = computed(() => !!detail.value && detail.value.status !== 'submitted' && detail.value.allowed_actions.includes('save'))

  // ---- task list -------------------------------------------------------------
  async function loadTasks(): Promise<void> {
    const userId = uid()
    try {
      const res = await listSelfChecks()
      tasks.value = res.items
      tasksFromCache.value = false
      await kvSet(userId, 'selfchecks', plain(res.items))
      void prefetchOpen(userId, res.items)
    } catch (e) {
      const cached = await kvGet<SelfCheckSummary[]>(userId, 'selfchecks')
      if (e instanceof ApiError && e.status === 0 && cached) {
        tasks.value = cached
        tasksFromCache.value = true
      } else throw e
    }
  }

  /** Keep every open checklist on the device, so going offline right after login still works. */
  async function prefetchOpen(userId: number, list: SelfCheckSummary[]): Promise<void> {
    const db = await getDb()
    for (const t of list.filter((x) => x.status !== 'submitted')) {
      try {
        const cached = await db.get('checklists', [userId, t.id])
        // the open one is fresh already; the others are fetched again after ten minutes
        if (cached && (detail.value?.id === t.id || Date.now() - Date.parse(cached.cachedAt) < 10 * 60_000)) continue
        const before = await localSnapshot(userId, t.id)
        const fresh = await getSelfCheck(t.id)
        await db.put('checklists', { userId, selfcheckId: t.id, detail: plain(fresh), cachedAt: new Date().toISOString() })
        await mergeServer(userId, t.id, fresh.answers, before)
      } catch {
        return // offline or logged out: the next list load tries again
      }
    }
  }

  // ---- open checklist --------------------------------------------------------
  function revokeUrls(): void {
    for (const p of photos.values()) if (p.url) URL.revokeObjectURL(p.url)
    photos.clear()
  }

  let loadedId: number | null = null
  async function loadLocal(userId: number, id: number): Promise<void> {
    const db = await getDb()
    const stored = await db.getAllFromIndex('answers', 'by_check', [userId, id])
    // reloading the same checklist: an edit made meanwhile (newer rev) stays
    const keep = loadedId === id ? new Map(answers) : new Map<number, LocalAnswer>()
    loadedId = id
    answers.clear()
    for (const a of stored) {
      const mine = keep.get(a.itemId)
      answers.set(a.itemId, mine && mine.rev > a.rev ? mine : a)
      keep.delete(a.itemId)
    }
    for (const mine of keep.values()) answers.set(mine.itemId, mine)
    revokeUrls()
    for (const p of await db.getAllFromIndex('photos', 'by_check', [userId, id])) {
      photos.set(p.clientId, { ...p, url: URL.createObjectURL(p.blob) })
    }
    lastSubmit.value = (await kvGet<SubmitOutcome>(userId, `submit:${id}`)) ?? null
  }

  /** Take server answers for items that have no unsynced local edit. */
  /** This device's answers of a checklist as they are before asking the server (see mergeServer). */
  async function localSnapshot(userId: number, id: number): Promise<Map<number, LocalAnswer>> {
    const db = await getDb()
    return new Map((await db.getAllFromIndex('answers', 'by_check', [userId, id])).map((a) => [a.itemId, a]))
  }

  /**
   * Take the server's answers for items that have no unsynced local edit. `before` is the local state
   * from before the request: an answer edited or synced while the request ran is newer than the
   * server's reply and stays.
   */
  async function mergeServer(userId: number, id: number, server: Answer[], before: Map<number, LocalAnswer>): Promise<void> {
    const db = await getDb()
    const tx = db.transaction(['answers', 'photos'], 'readwrite')
    const localPhotoIds = new Set<number>()
    for (const p of await tx.objectStore('photos').index('by_check').getAll([userId, id])) {
      if (p.uploadId !== null) localPhotoIds.add(p.uploadId)
    }
    for (const s of server) {
      const cur = await tx.objectStore('answers').get([userId, id, s.item_id])
      if (cur && cur.state !== 'synced') continue
      const was = before.get(s.item_id)
      if (cur && (!was || was.state !== 'synced' || was.rev !== cur.rev || (was.syncMark ?? 0) !== (cur.syncMark ?? 0))) continue
      await tx.objectStore('answers').put({
        userId,
        selfcheckId: id,
        itemId: s.item_id,
        result: s.result,
        value: s.value,
        note: s.note,
        photoIds: cur?.photoIds ?? [],
        remoteUploadIds: (s.upload_ids ?? []).filter((u) => !localPhotoIds.has(u)),
        state: 'synced',
        rev: cur?.rev ?? 0,
        syncMark: cur?.syncMark,
        updatedAt: s.updated_at ?? new Date().toISOString(),
        error: null,
      })
    }
    await tx.done
  }

  async function open(id: number): Promise<void> {
    const userId = uid()
    const db = await getDb()
    const cached = await db.get('checklists', [userId, id])
    if (cached) {
      detail.value = cached.detail
      detailFromCache.value = true
      await loadLocal(userId, id)
    }
    try {
      const before = await localSnapshot(userId, id)
      const fresh = await getSelfCheck(id)
      await db.put('checklists', { userId, selfcheckId: id, detail: plain(fresh), cachedAt: new Date().toISOString() })
      await mergeServer(userId, id, fresh.answers, before)
      detail.value = fresh
      detailFromCache.value = false
      serverProgress.value = fresh.progress
      await loadLocal(userId, id)
    } catch (e) {
      if (!(cached && e instanceof ApiError && e.status === 0)) throw e
    }
    // recover edits written before a crash or reload (queuing again merges with what is queued)
    const unsent = [...answers.values()].filter((a) => a.state === 'saved' || a.state === 'pending').map((a) => a.itemId)
    if (unsent.length) await queueAnswers(id, unsent)
  }

  async function refreshLocal(): Promise<void> {
    if (!detail.value || !auth.user) return
    const db = await getDb()
    const id = detail.value.id
    for (const a of await db.getAllFromIndex('answers', 'by_check', [auth.user.id, id])) {
      // an edit made while this read ran is newer than what was read
      const cur = answers.get(a.itemId)
      if (!cur || a.rev >= cur.rev) answers.set(a.itemId, a)
    }
    for (const p of await db.getAllFromIndex('photos', 'by_check', [auth.user.id, id])) {
      const cur = photos.get(p.clientId)
      photos.set(p.clientId, { ...p, url: cur?.url ?? URL.createObjectURL(p.blob) })
    }
  }

  // ---- editing -----------------------------------------------------------------
  async function queueAnswers(selfcheckId: number, itemIds: number[]): Promise<void> {
    const userId = uid()
    const db = await getDb()
    const tx = db.transaction('answers', 'readwrite')
    for (const itemId of itemIds) {
      const cur = await tx.store.get([userId, selfcheckId, itemId])
      if (cur && cur.state === 'saved') await tx.store.put({ ...cur, state: 'pending' })
    }
    await tx.done
    await enqueue({ userId, kind: 'answers', selfcheckId, payload: { itemIds } })
    if (detail.value?.id === selfcheckId) await refreshLocal()
    void kick()
  }

  function scheduleQueue(selfcheckId: number, itemId: number, delay: number): void {
    const t = timers.get(itemId)
    if (t) clearTimeout(t)
    timers.set(
      itemId,
      setTimeout(() => {
        timers.delete(itemId)
        // the edit is in IndexedDB as 已保存 either way; opening the checklist queues it again
        void queueAnswers(selfcheckId, [itemId]).catch(() => undefined)
      }, delay),
    )
  }

  /** per item, the edit being written: edits of one item are written one after the other */
  const writes = new Map<number, Promise<void>>()

  /**
   * Write an answer change to IndexedDB at once, then queue it for the server. The page shows the
   * change once it is on the device, so what is shown as 已保存 survives a reload or a crash.
   */
  function setAnswer(
    itemId: number,
    patch: AnswerPatch | ((prev: LocalAnswer | undefined) => AnswerPatch),
    delay = SAVE_DELAY_MS,
  ): Promise<void> {
    if (!detail.value) return Promise.resolve()
    let userId: number
    try {
      userId = uid()
    } catch (e) {
      return Promise.reject(e)
    }
    const selfcheckId = detail.value.id
    const write = (writes.get(itemId) ?? Promise.resolve()).then(async () => {
      if (detail.value?.id !== selfcheckId) return // another checklist was opened meanwhile
      const prev = answers.get(itemId)
      const next: LocalAnswer = {
        userId,
        selfcheckId,
        itemId,
        result: prev?.result ?? null,
        value: prev?.value ?? null,
        note: prev?.note ?? null,
        photoIds: prev ? [...prev.photoIds] : [],
        remoteUploadIds: prev ? [...prev.remoteUploadIds] : [],
        ...(typeof patch === 'function' ? patch(prev) : patch),
        state: 'saved',
        rev: (prev?.rev ?? 0) + 1,
        updatedAt: new Date().toISOString(),
        error: null,
      }
      const db = await getDb()
      await db.put('answers', plain(next))
      const now = answers.get(itemId)
      if (!now || now.rev < next.rev) answers.set(itemId, next)
      scheduleQueue(selfcheckId, itemId, delay)
    })
    const settled = write.catch(() => undefined)
    writes.set(itemId, settled)
    void settled.then(() => {
      if (writes.get(itemId) === settled) writes.delete(itemId)
    })
    return write
  }

  /** Compress, store and queue photos (lib/photos); each uploads on its own. */
  async function addPhotos(itemId: number, files: File[]): Promise<void> {
    if (!detail.value || !files.length) return
    const userId = uid()
    const selfcheckId = detail.value.id
    const added: string[] = []
    for (const file of files) {
      const photo = await saveLocalPhoto(file, { userId, selfcheckId, itemId }, (p) =>
        photos.set(p.clientId, { ...p, url: URL.createObjectURL(p.blob) }),
      )
      added.push(photo.clientId)
    }
    await setAnswer(itemId, (prev) => ({ photoIds: [...(prev?.photoIds ?? []), ...added] }), 0)
    void kick()
  }

  async function removePhoto(itemId: number, ref: { clientId: string | null; uploadId: number | null }): Promise<void> {
    if (!answers.get(itemId)) return
    if (ref.clientId) {
      const clientId = ref.clientId
      await setAnswer(itemId, (prev) => ({ photoIds: (prev?.photoIds ?? []).filter((c) => c !== clientId) }), 0)
      const p = photos.get(clientId)
      if (p?.url) URL.revokeObjectURL(p.url)
      photos.delete(clientId)
      await forgetPhoto(uid(), clientId)
    } else if (ref.uploadId !== null) {
      const uploadId = ref.uploadId
      await setAnswer(itemId, (prev) => ({ remoteUploadIds: (prev?.remoteUploadIds ?? []).filter((u) => u !== uploadId) }), 0)
    }
  }

  function photoViews(itemId: number): PhotoView[] {
    const a = answers.get(itemId)
    if (!a) return []
    const out: PhotoView[] = []
    for (const cid of a.photoIds) {
      const p = photos.get(cid)
      if (!p) continue
      out.push({
        clientId: cid,
        uploadId: p.uploadId,
        src: p.url,
        status: p.status,
        progress: p.status === 'uploaded' ? 1 : (uploadProgress.get(cid) ?? 0),
      })
    }
    for (const u of a.remoteUploadIds) {
      out.push({ clientId: null, uploadId: u, src: `/api/uploads/${u}/thumb`, status: 'remote', progress: 1 })
    }
    return out
  }

  /** 已保存 / 待同步 / 已同步 for an item (photos still uploading count as 待同步). */
  function syncState(itemId: number): LocalAnswer['state'] | null {
    const a = answers.get(itemId)
    if (!a) return null
    if (a.state === 'synced' && a.photoIds.some((c) => photos.get(c)?.status === 'queued')) return 'pending'
    return a.state
  }

  // ---- submit ------------------------------------------------------------------
  async function flushPending(): Promise<void> {
    await Promise.all([...writes.values()])
    if (!detail.value) return
    const ids = [...timers.keys()]
    for (const id of ids) clearTimeout(timers.get(id))
    timers.clear()
    const saved = [...answers.values()].filter((a) => a.state === 'saved').map((a) => a.itemId)
    const all = [...new Set([...ids, ...saved])]
    if (all.length) await queueAnswers(detail.value.id, all)
  }

  type SubmitAttempt =
    | { kind: 'missing'; entries: MissingEntry[]; message?: string }
    | { kind: 'done'; outcome: SubmitOutcome }
    | { kind: 'queued' }

  async function submit(signature?: { name: string; image: string }): Promise<SubmitAttempt> {
    if (!detail.value) throw new Error('no checklist open')
    const entries = missing.value
    if (entries.length) return { kind: 'missing', entries }
    await flushPending()
    const userId = uid()
    const selfcheckId = detail.value.id
    const wait = new Promise<SubmitOutcome | null>((resolve) => {
      const stop = onSyncEvent((e) => {
        if (e.type === 'submit-done' && e.selfcheckId === selfcheckId) {
          stop()
          resolve({ ok: true, result: e.result, at: new Date().toISOString() })
        } else if (e.type === 'submit-error' && e.selfcheckId === selfcheckId) {
          stop()
          resolve({ ok: false, error: e.error, at: new Date().toISOString() })
        } else if (e.type === 'idle' && e.remaining > 0) {
          // stopped on a retryable failure (offline): the queue will finish later
          stop()
          resolve(null)
        }
      })
    })
    await enqueue({ userId, kind: 'submit', selfcheckId, payload: { idempotencyKey: uuid(), ...(signature ? { signature } : {}) } })
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return { kind: 'queued' }
    submitWaiting.add(selfcheckId)
    void kick()
    const outcome = await wait.finally(() => submitWaiting.delete(selfcheckId))
    if (!outcome) return { kind: 'queued' }
    return afterSubmit(outcome)
  }

  async function afterSubmit(outcome: SubmitOutcome): Promise<SubmitAttempt> {
    lastSubmit.value = outcome
    if (!detail.value) return { kind: 'done', outcome }
    if (!outcome.ok && outcome.error.code === 'incomplete') {
      return {
        kind: 'missing',
        entries: missingFromServer(detail.value.sections, outcome.error.details),
        message: outcome.error.message,
      }
    }
    const id = detail.value.id
    try {
      await open(id)
    } catch {
      // offline right after submitting: shown from the server's answer below
    }
    if (outcome.ok && detail.value?.id === id && detail.value.status !== 'submitted') {
      // the server has accepted it but could not be asked again: show it as submitted, and on this
      // device's copy too, until the next fetch
      const s = outcome.result.selfcheck
      detail.value = { ...detail.value, ...s, status: 'submitted', report_id: outcome.result.report_id, allowed_actions: [] }
      if (auth.user) {
        const db = await getDb()
        await db.put('checklists', { userId: auth.user.id, selfcheckId: id, detail: plain(detail.value), cachedAt: new Date().toISOString() })
      }
    }
    return { kind: 'done', outcome }
  }

  /** Fetch the open checklist again once the server is reachable (leaves 离线模式). */
  let revalidating: Promise<void> | null = null
  function revalidate(): Promise<void> {
    if (!detail.value || revalidating) return revalidating ?? Promise.resolve()
    const id = detail.value.id
    revalidating = open(id)
      .catch(() => undefined)
      .finally(() => {
        revalidating = null
      })
    return revalidating
  }

  // back online: leave 离线模式 (fresh answers, status and score from the server)
  if (typeof window !== 'undefined') {
    window.addEventListener('online', () => {
      if (detail.value && detailFromCache.value) void revalidate()
      if (tasksFromCache.value && auth.user) void loadTasks().catch(() => undefined)
    })
  }

  onSyncEvent((e) => {
    if (e.type === 'photo-progress') uploadProgress.set(e.clientId, e.fraction)
    // the task list shows the new status and score too
    if (e.type === 'submit-done' && tasks.value.length && auth.user) void loadTasks().catch(() => undefined)
    if (!detail.value) return
    if ('selfcheckId' in e && e.selfcheckId !== detail.value.id) return
    if (e.type === 'answers-synced' && e.progress) serverProgress.value = e.progress
    if (e.type === 'submit-done' || e.type === 'submit-error') {
      // a submission queued offline was answered: show the result, not the stale draft
      if (submitWaiting.has(e.selfcheckId)) return // submit() itself takes the answer
      if (e.type === 'submit-done') acceptedInBackground.value = e.selfcheckId
      const at = new Date().toISOString()
      void afterSubmit(e.type === 'submit-done' ? { ok: true, result: e.result, at } : { ok: false, error: e.error, at }).catch(
        () => undefined,
      )
      return
    }
    if (e.type === 'answers-synced' && detailFromCache.value) void revalidate()
    if (e.type !== 'photo-progress') void refreshLocal().catch(() => undefined)
  })

  function reset(): void {
    for (const t of timers.values()) clearTimeout(t)
    timers.clear()
    tasks.value = []
    detail.value = null
    loadedId = null
    answers.clear()
    revokeUrls()
    lastSubmit.value = null
  }

  return {
    tasks,
    tasksFromCache,
    detail,
    detailFromCache,
    answers,
    items,
    sectionProgress,
    progress,
    serverProgress,
    missing,
    editable,
    lastSubmit,
    acceptedInBackground,
    loadTasks,
    open,
    setAnswer,
    addPhotos,
    removePhoto,
    photoViews,
    syncState,
    facts,
    flushPending,
    submit,
    reset,
  }
})
