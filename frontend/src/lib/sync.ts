// Wires the outbox to the API: photo uploads, answer saves and submissions, run when online.
// Every request here is idempotent on the server (uploads by client id, answers replace, submit and
// problem writes by Idempotency-Key), so a send whose response was lost is simply sent again.
import { ApiError } from '@/api/http'
import { saveAnswers, submitSelfCheck, type AnswerInput } from '@/api/selfchecks'
import { uploadPhoto } from '@/api/uploads'
import { completeInspection, saveResults as saveInspectionResults } from '@/api/inspections'
import { reportProblem, submitRectification } from '@/api/problems'
import type { ProblemDetail, Progress, SubmitResponse } from '@/api/types'
import { getDb, kvSet, type OutboxOp } from './db'
import { enqueue, isRetryable, notifyOutboxChanged, processOutbox, retryNow, retryOp, removeOp, type OutboxHandlers } from './outbox'

export type SyncEvent =
  | { type: 'answers-synced'; selfcheckId: number; progress: Progress | null }
  | { type: 'answers-failed'; selfcheckId: number; message: string }
  | { type: 'photo-progress'; clientId: string; fraction: number }
  | { type: 'photo-uploaded'; clientId: string; selfcheckId: number }
  | { type: 'photo-failed'; clientId: string; selfcheckId: number; message: string }
  | { type: 'submit-done'; selfcheckId: number; result: SubmitResponse }
  | { type: 'submit-error'; selfcheckId: number; error: SubmitErrorInfo }
  | { type: 'problem-done'; key: string; problemId: number; detail: ProblemDetail }
  | { type: 'problem-error'; key: string; problemId: number | null; error: SubmitErrorInfo }
  | { type: 'inspection-done'; key: string; inspectionId: number }
  | { type: 'inspection-error'; key: string; inspectionId: number; message: string }
  | { type: 'idle'; remaining: number }

export interface SubmitErrorInfo {
  status: number
  code: string
  message: string
  details: Record<string, unknown>
}

/** Stored under kv `problem-op:<idempotencyKey>` once the server has answered a queued problem write. */
export type ProblemOutcome =
  | { ok: true; problemId: number; at: string }
  | { ok: false; problemId: number | null; error: SubmitErrorInfo; at: string }

export type SubmitOutcome = { ok: true; result: SubmitResponse; at: string } | { ok: false; error: SubmitErrorInfo; at: string }

const listeners = new Set<(e: SyncEvent) => void>()
export function onSyncEvent(fn: (e: SyncEvent) => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}
function emit(e: SyncEvent): void {
  for (const fn of listeners) {
    try {
      fn(e)
    } catch {
      // a broken listener must not stop the queue
    }
  }
}

/** 401 and CSRF failures wait for the user to log in again; they must never drop queued work. */
function isAuthTrouble(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || err.code === 'csrf_failed')
}
function asRetry(err: unknown): unknown {
  if (isAuthTrouble(err)) return new ApiError(0, 'auth_wait', (err as ApiError).message)
  return err
}

export function makeHandlers(userId: number, alive: () => boolean = () => true): OutboxHandlers {
  /** Right before each request: a run of a session or page that has ended sends nothing more. */
  const live = () => {
    if (!alive()) throw new ApiError(0, 'stopped', '同步已停止')
  }
  return {
    async upload(op: OutboxOp) {
      const db = await getDb()
      const clientId = op.payload.clientId as string
      const photo = await db.get('photos', clientId)
      // deleted, or already on the server: an uploaded photo is never sent twice
      if (!photo || photo.uploadId !== null) return
      let up
      try {
        live()
        up = await uploadPhoto(photo.blob, photo.clientId, photo.capturedAt, (fraction) =>
          emit({ type: 'photo-progress', clientId, fraction }), photo.place,
        )
      } catch (err) {
        if (!isRetryable(err) && !isAuthTrouble(err)) {
          const cur = await db.get('photos', clientId)
          if (cur) await db.put('photos', { ...cur, status: 'failed', error: (err as Error).message })
          emit({ type: 'photo-failed', clientId, selfcheckId: op.selfcheckId, message: (err as Error).message })
        }
        throw asRetry(err)
      }
      // record the upload; a self-check photo then attaches to its answer with a further save
      const tx = db.transaction(['photos', 'answers'], 'readwrite')
      const cur = await tx.objectStore('photos').get(clientId)
      let attach: { selfcheckId: number; itemId: number } | null = null
      if (cur) {
        await tx.objectStore('photos').put({ ...cur, uploadId: up.id, thumbnailUrl: up.thumbnail_url, status: 'uploaded', error: null })
        if (cur.selfcheckId > 0) {
          const answers = tx.objectStore('answers')
          const a = await answers.get([userId, cur.selfcheckId, cur.itemId])
          if (a && a.photoIds.includes(clientId)) {
            // 'pending' without a new rev: a local edit made meanwhile keeps its own, newer rev
            if (a.state !== 'saved') await answers.put({ ...a, state: 'pending', error: null })
            attach = { selfcheckId: cur.selfcheckId, itemId: cur.itemId }
          }
        }
      }
      await tx.done
      if (attach) await enqueue({ userId, kind: 'answers', selfcheckId: attach.selfcheckId, payload: { itemIds: [attach.itemId] } })
      emit({ type: 'photo-uploaded', clientId, selfcheckId: op.selfcheckId })
    },

    async answers(op: OutboxOp) {
      const db = await getDb()
      const locals = []
      for (const itemId of op.payload.itemIds ?? []) {
        const a = await db.get('answers', [userId, op.selfcheckId, itemId])
        if (a) locals.push(a)
      }
      if (!locals.length) return
      const payload: AnswerInput[] = []
      const localUploadIds = new Map<number, Set<number>>()
      for (const a of locals) {
        const ids = new Set<number>(a.remoteUploadIds)
        const mine = new Set<number>()
        for (const cid of a.photoIds) {
          const p = await db.get('photos', cid)
          // not uploaded yet: the answer is saved without it, and the upload attaches it later
          if (!p || p.status === 'failed' || p.uploadId === null) continue
          ids.add(p.uploadId)
          mine.add(p.uploadId)
        }
        localUploadIds.set(a.itemId, mine)
        payload.push({ item_id: a.itemId, result: a.result, value: a.value, note: a.note, upload_ids: [...ids] })
      }
      let res
      try {
        live()
        res = await saveAnswers(op.selfcheckId, payload)
      } catch (err) {
        if (!isRetryable(err) && !isAuthTrouble(err)) {
          const tx = db.transaction('answers', 'readwrite')
          for (const a of locals) {
            const cur = await tx.store.get([userId, op.selfcheckId, a.itemId])
            if (cur && cur.rev === a.rev) await tx.store.put({ ...cur, state: 'error', error: (err as Error).message })
          }
          await tx.done
          emit({ type: 'answers-failed', selfcheckId: op.selfcheckId, message: (err as Error).message })
        }
        throw asRetry(err)
      }
      const saved = new Map((res?.answers ?? []).map((s) => [s.item_id, s]))
      const tx = db.transaction('answers', 'readwrite')
      for (const a of locals) {
        const cur = await tx.store.get([userId, op.selfcheckId, a.itemId])
        // edited again meanwhile: a later queued save carries the newer value
        if (!cur || cur.rev !== a.rev) continue
        const srv = saved.get(a.itemId)
        const mine = localUploadIds.get(a.itemId) ?? new Set<number>()
        await tx.store.put({
          ...cur,
          state: 'synced',
          syncMark: (cur.syncMark ?? 0) + 1,
          error: null,
          result: srv ? srv.result : cur.result,
          remoteUploadIds: srv ? (srv.upload_ids ?? []).filter((id) => !mine.has(id)) : cur.remoteUploadIds,
        })
      }
      await tx.done
      emit({ type: 'answers-synced', selfcheckId: op.selfcheckId, progress: res?.progress ?? null })
    },

    async submit(op: OutboxOp) {
      try {
        live()
        const result = await submitSelfCheck(op.selfcheckId, op.payload.idempotencyKey as string, op.payload.signature)
        const outcome: SubmitOutcome = { ok: true, result, at: new Date().toISOString() }
        await kvSet(userId, `submit:${op.selfcheckId}`, JSON.parse(JSON.stringify(outcome)))
        emit({ type: 'submit-done', selfcheckId: op.selfcheckId, result })
      } catch (err) {
        if (err instanceof ApiError && !err.retryable && !isAuthTrouble(err)) {
          const error: SubmitErrorInfo = { status: err.status, code: err.code, message: err.message, details: err.details }
          const outcome: SubmitOutcome = { ok: false, error, at: new Date().toISOString() }
          await kvSet(userId, `submit:${op.selfcheckId}`, JSON.parse(JSON.stringify(outcome)))
          emit({ type: 'submit-error', selfcheckId: op.selfcheckId, error })
          return // answered by the server: nothing to retry
        }
        throw asRetry(err)
      }
    },

    async problem(op: OutboxOp) {
      const spec = op.payload.problem
      const key = op.payload.idempotencyKey as string
      if (!spec) return
      const db = await getDb()
      const ids: Record<string, number[]> = {}
      for (const [slot, clientIds] of Object.entries(spec.photos)) {
        ids[slot] = []
        for (const cid of clientIds) {
          const p = await db.get('photos', cid)
          if (!p || p.status === 'failed') continue
          // cannot happen (the outbox runs a problem write only after its uploads); retried if it does
          if (p.uploadId === null) throw new ApiError(503, 'waiting_upload', '等待照片上传完成')
          ids[slot].push(p.uploadId)
        }
      }
      let detail: ProblemDetail
      try {
        live()
        if (spec.action === 'rectification') {
          const body = { description: String(spec.body.description ?? ''), upload_ids: ids.after ?? [], before_upload_ids: ids.before ?? [] }
          detail = await submitRectification(spec.problemId as number, body, key)
        } else {
          detail = await reportProblem({ ...(spec.body as object), upload_ids: ids.evidence ?? [] } as never, key)
        }
      } catch (err) {
        if (err instanceof ApiError && !err.retryable && !isAuthTrouble(err)) {
          const error: SubmitErrorInfo = { status: err.status, code: err.code, message: err.message, details: err.details }
          const outcome: ProblemOutcome = { ok: false, problemId: spec.problemId ?? null, error, at: new Date().toISOString() }
          await kvSet(userId, `problem-op:${key}`, JSON.parse(JSON.stringify(outcome)))
          emit({ type: 'problem-error', key, problemId: spec.problemId ?? null, error })
          return // answered by the server: nothing to retry
        }
        throw asRetry(err)
      }
      const outcome: ProblemOutcome = { ok: true, problemId: detail.id, at: new Date().toISOString() }
      await kvSet(userId, `problem-op:${key}`, outcome)
      // the photos now live on the server; drop the local copies
      const tx = db.transaction('photos', 'readwrite')
      for (const cid of Object.values(spec.photos).flat()) await tx.store.delete(cid)
      await tx.done
      emit({ type: 'problem-done', key, problemId: detail.id, detail })
    },

    async inspection(op: OutboxOp) {
      const spec = op.payload.inspection
      const key = op.payload.idempotencyKey as string
      if (!spec) return
      const db = await getDb()
      try {
        live()
        if (spec.action === 'results') {
          const results = []
          for (const r of spec.results ?? []) {
            const ids = [...r.upload_ids]
            for (const cid of r.photos) {
              const p = await db.get('photos', cid)
              if (!p || p.status === 'failed') continue
              // cannot happen (the write runs after its uploads); retried if it does
              if (p.uploadId === null) throw new ApiError(503, 'waiting_upload', '等待照片上传完成')
              if (!ids.includes(p.uploadId)) ids.push(p.uploadId)
            }
            results.push({ item_code: r.item_code, result: r.result as 'compliant', note: r.note, upload_ids: ids })
          }
          await saveInspectionResults(spec.inspectionId, results)
        } else {
          await completeInspection(spec.inspectionId, spec.summary ?? '', key)
        }
      } catch (err) {
        if (err instanceof ApiError && !err.retryable && !isAuthTrouble(err)) {
          emit({ type: 'inspection-error', key, inspectionId: spec.inspectionId, message: err.message })
          return // answered by the server: nothing to retry
        }
        throw asRetry(err)
      }
      emit({ type: 'inspection-done', key, inspectionId: spec.inspectionId })
    },
  }
}

let activeUser: number | null = null
/** bumped when sync stops: a run of an earlier session (or page) stops at its next entry */
let generation = 0
let running: Promise<void> | null = null
let again = false
let timer: ReturnType<typeof setTimeout> | null = null
let heartbeat: ReturnType<typeof setInterval> | null = null

function isOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false
}

/** Process the queue now (coalesces concurrent calls). Resolves when the queue has settled. */
export function kick(): Promise<void> {
  if (activeUser === null) return Promise.resolve()
  if (running) {
    again = true
    return running
  }
  const userId = activeUser
  const gen = generation
  const alive = () => gen === generation && activeUser === userId
  let swept = false
  const run: Promise<void> = (async () => {
    do {
      again = false
      if (!isOnline()) break
      const res = await exclusive(userId, () => processOutbox(userId, makeHandlers(userId, alive), Date.now, alive))
      if (!alive()) break
      // the queue is empty: an answer still marked 待同步 must not wait forever
      if (res.remaining === 0 && !swept) {
        swept = true
        if ((await requeueStranded(userId)) > 0) {
          again = true
          continue
        }
      }
      if (timer) clearTimeout(timer)
      timer = null
      if (res.waitUntil !== null) {
        timer = setTimeout(() => void kick(), Math.max(500, res.waitUntil - Date.now()))
      }
      emit({ type: 'idle', remaining: res.remaining })
    } while (again && alive())
  })()
    .catch(() => undefined)
    .finally(() => {
      if (running === run) running = null
      // asked to run again for another user or session while this run was winding down
      if (again && activeUser !== null && running === null) void kick()
    })
  running = run
  return run
}

/** Queue again every answer marked 待同步 that no queued entry carries (returns how many). */
export async function requeueStranded(userId: number): Promise<number> {
  const db = await getDb()
  const queued = (await db.getAllFromIndex('outbox', 'by_user', userId)).filter((o) => o.kind === 'answers')
  const carried = new Set(queued.flatMap((o) => (o.payload.itemIds ?? []).map((i) => `${o.selfcheckId}:${i}`)))
  const stranded = new Map<number, number[]>()
  for (const a of await db.getAllFromIndex('answers', 'by_user', userId)) {
    if (a.state !== 'pending' || carried.has(`${a.selfcheckId}:${a.itemId}`)) continue
    stranded.set(a.selfcheckId, [...(stranded.get(a.selfcheckId) ?? []), a.itemId])
  }
  for (const [selfcheckId, itemIds] of stranded) await enqueue({ userId, kind: 'answers', selfcheckId, payload: { itemIds } })
  return [...stranded.values()].reduce((n, ids) => n + ids.length, 0)
}

/**
 * One runner per user across tabs (Web Locks where the browser has them): two tabs sending the
 * same answers at once could deliver an older save after a newer one.
 */
function exclusive<T>(userId: number, fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined
  if (!locks?.request) return fn()
  return locks.request(`ecocheck-outbox-${userId}`, fn) as Promise<T>
}

function onOnline(): void {
  if (activeUser === null) return
  void retryNow(activeUser).then(() => kick())
}

/** Start background sync for a logged-in user: on start, on 'online', and on a timer. */
export function startSync(userId: number): void {
  if (activeUser === userId) {
    void kick()
    return
  }
  stopSync()
  activeUser = userId
  window.addEventListener('online', onOnline)
  heartbeat = setInterval(() => void kick(), 30_000)
  onOnline()
}

export function stopSync(): void {
  activeUser = null
  generation += 1
  window.removeEventListener('online', onOnline)
  if (timer) clearTimeout(timer)
  if (heartbeat) clearInterval(heartbeat)
  timer = null
  heartbeat = null
}

/** After logging in again, retry at once whatever waited on authentication. */
export function resumeAfterLogin(userId: number): void {
  startSync(userId)
  void retryNow(userId).then(() => kick())
}

/** Put one stuck entry back in the queue (and its photo or answers back to 待同步), then sync. */
export async function retryEntry(seq: number): Promise<void> {
  const db = await getDb()
  const op = await db.get('outbox', seq)
  if (!op) return
  if (op.kind === 'upload' && op.payload.clientId) {
    const p = await db.get('photos', op.payload.clientId)
    if (p && p.status === 'failed') await db.put('photos', { ...p, status: 'queued', error: null })
  }
  if (op.kind === 'answers') {
    const tx = db.transaction('answers', 'readwrite')
    for (const itemId of op.payload.itemIds ?? []) {
      const a = await tx.store.get([op.userId, op.selfcheckId, itemId])
      if (a && a.state === 'error') await tx.store.put({ ...a, state: 'pending', error: null })
    }
    await tx.done
  }
  await retryOp(seq)
  await kick()
}

/** Give up on one entry (its local photo or answer stays on the device). */
export async function discardEntry(seq: number): Promise<void> {
  await removeOp(seq)
}

/** A photo taken off its answer: forget the local copy and its upload if it has not been sent. */
export async function forgetPhoto(userId: number, clientId: string): Promise<void> {
  const db = await getDb()
  const tx = db.transaction(['photos', 'outbox'], 'readwrite')
  await tx.objectStore('photos').delete(clientId)
  for (const op of await tx.objectStore('outbox').index('by_user').getAll(userId)) {
    if (op.kind === 'upload' && op.payload.clientId === clientId) await tx.objectStore('outbox').delete(op.seq as number)
  }
  await tx.done
  notifyOutboxChanged()
}

/** A page reload, for tests: the runner and listeners are gone; the queue itself is in IndexedDB. */
export function resetSyncForReload(): void {
  stopSync()
  running = null
  again = false
  listeners.clear()
}
