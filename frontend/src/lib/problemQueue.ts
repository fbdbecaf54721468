// Problem forms through the offline outbox: local photos (compressed, uploaded with progress) and
// 上报问题 / 提交整改 writes that carry an Idempotency-Key and survive going offline or a reload.
import { onUnmounted, reactive } from 'vue'
import type { ProblemDetail } from '@/api/types'
import { getDb, kvGet, type LocalPhoto, type OutboxOp, type ProblemOpSpec } from './db'
import { saveLocalPhoto } from './photos'
import { enqueue, listOps } from './outbox'
import { kick, onSyncEvent, type ProblemOutcome, type SubmitErrorInfo } from './sync'
import { uuid } from './uuid'

export interface FormPhoto {
  clientId: string
  slot: string
  url: string
  status: LocalPhoto['status']
  progress: number
  capturedAt: string | null
  error?: string | null
}

/** Local photos of one form (draftKey), kept in IndexedDB and queued for upload at once. */
export function useFormPhotos(userId: () => number, draftKey: string) {
  const photos = reactive<FormPhoto[]>([])

  const stop = onSyncEvent((e) => {
    if (e.type === 'photo-progress' || e.type === 'photo-uploaded' || e.type === 'photo-failed') {
      const p = photos.find((x) => x.clientId === e.clientId)
      if (!p) return
      if (e.type === 'photo-progress') p.progress = e.fraction
      if (e.type === 'photo-uploaded') {
        p.status = 'uploaded'
        p.progress = 1
      }
      if (e.type === 'photo-failed') {
        p.status = 'failed'
        p.error = e.message
      }
    }
  })
  onUnmounted(() => {
    stop()
    for (const p of photos) URL.revokeObjectURL(p.url)
  })

  /** Photos saved for this draft before a reload (still queued or uploaded). */
  async function restore(): Promise<void> {
    const db = await getDb()
    const all = await db.getAllFromIndex('photos', 'by_user', userId())
    for (const p of all.filter((x) => x.draftKey === draftKey)) {
      if (photos.some((x) => x.clientId === p.clientId)) continue
      photos.push({
        clientId: p.clientId,
        slot: p.slot ?? 'evidence',
        url: URL.createObjectURL(p.blob),
        status: p.status,
        progress: p.status === 'uploaded' ? 1 : 0,
        capturedAt: p.capturedAt,
        error: p.error,
      })
    }
  }

  async function add(files: File[], slot: string): Promise<void> {
    for (const file of files) {
      await saveLocalPhoto(file, { userId: userId(), selfcheckId: 0, itemId: 0, draftKey, slot }, (p) =>
        photos.push({ clientId: p.clientId, slot, url: URL.createObjectURL(p.blob), status: 'queued', progress: 0, capturedAt: p.capturedAt }),
      )
    }
    void kick()
  }

  /** Remove from the form; a photo not yet uploaded is dropped from the queue too. */
  async function remove(clientId: string): Promise<void> {
    const i = photos.findIndex((p) => p.clientId === clientId)
    if (i >= 0) {
      URL.revokeObjectURL(photos[i].url)
      photos.splice(i, 1)
    }
    const db = await getDb()
    await db.delete('photos', clientId)
  }

  const ofSlot = (slot: string) => photos.filter((p) => p.slot === slot)
  const idsOf = (slot: string) => ofSlot(slot).filter((p) => p.status !== 'failed').map((p) => p.clientId)
  const uploading = () => photos.some((p) => p.status === 'queued')

  return { photos, restore, add, remove, ofSlot, idsOf, uploading }
}

export type ProblemWriteResult =
  | { kind: 'done'; detail: ProblemDetail | null; problemId: number }
  | { kind: 'error'; error: SubmitErrorInfo }
  | { kind: 'queued' }

/**
 * Queue a problem write behind its photo uploads and wait for the server's answer while online.
 * Offline (or on a retryable failure) it resolves `queued`: the outbox sends it later.
 */
export async function queueProblemWrite(userId: number, spec: ProblemOpSpec): Promise<ProblemWriteResult> {
  const key = uuid()
  const wait = new Promise<ProblemWriteResult>((resolve) => {
    // never leave the form spinning: after a minute the write simply stays queued
    const timer = setTimeout(() => {
      stop()
      resolve({ kind: 'queued' })
    }, 60_000)
    const stop = onSyncEvent((e) => {
      if (e.type === 'problem-done' || e.type === 'problem-error' || e.type === 'idle') clearTimeout(timer)
      if (e.type === 'problem-done' && e.key === key) {
        stop()
        resolve({ kind: 'done', detail: e.detail, problemId: e.problemId })
      } else if (e.type === 'problem-error' && e.key === key) {
        stop()
        resolve({ kind: 'error', error: e.error })
      } else if (e.type === 'idle' && e.remaining > 0) {
        stop()
        resolve({ kind: 'queued' })
      }
    })
  })
  await enqueue({ userId, kind: 'problem', selfcheckId: 0, payload: { idempotencyKey: key, problem: JSON.parse(JSON.stringify(spec)) } })
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return { kind: 'queued' }
  void kick()
  return wait
}

/** Problem writes still waiting in this device's outbox (optionally for one problem). */
export async function pendingProblemWrites(userId: number, problemId?: number): Promise<OutboxOp[]> {
  return (await listOps(userId)).filter(
    (o) => o.kind === 'problem' && (problemId === undefined || o.payload.problem?.problemId === problemId),
  )
}

export const problemOutcome = (userId: number, key: string) => kvGet<ProblemOutcome>(userId, `problem-op:${key}`)

/** Drop a failed write from the queue (the user edits and sends again). */
export async function discardOp(seq: number): Promise<void> {
  const db = await getDb()
  await db.delete('outbox', seq)
}
