// The outbox: queued server operations, each retried with backoff until the server has answered it.
//
// Order: photo uploads first, then answer saves, then submissions and problem writes; within a
// group, in the order they were queued. An entry only ever waits on entries that come before it
// in that order (a submission on its self-check's uploads and answers, a problem write on its
// photos), never on one after it, so the queue cannot jam. Answer saves do not wait for photos
// at all: they carry the photos already uploaded, and a photo attaches to its answer with a
// further save once its upload is done (the server replaces an answer's photo list on each save).
import { getDb, type OutboxOp } from './db'
import { ApiError } from '@/api/http'

export type OutboxHandler = (op: OutboxOp) => Promise<void>
/** One handler per kind of queued operation (a new kind does not compile until it has one). */
export type OutboxHandlers = Record<OutboxOp['kind'], OutboxHandler>

const BASE_DELAY_MS = 2_000
const MAX_DELAY_MS = 5 * 60_000

/** Delay before the next attempt after `attempts` failures: 2s, 4s, 8s … capped at 5 minutes. */
export function backoffDelay(attempts: number): number {
  if (attempts <= 0) return 0
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1))
}

/** Network trouble, 5xx and 429 are retried; other errors (bad data) will not fix themselves. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ApiError) return err.retryable
  return true
}

/** No connection (or waiting for a new login): every other request would fail the same way. */
function stopsTheRun(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 'network_error' || err.code === 'timeout' || err.code === 'auth_wait')
}

const PHASE: Record<OutboxOp['kind'], number> = { upload: 0, answers: 1, submit: 2, problem: 2, inspection: 2 }

/** Processing order: phase, then queue order. */
export function compareOps(a: OutboxOp, b: OutboxOp): number {
  return PHASE[a.kind] - PHASE[b.kind] || (a.seq as number) - (b.seq as number)
}

/**
 * The queued entries `op` must wait for. All of them come before `op` in processing order:
 * a submission waits for its self-check's uploads and answer saves, a problem write for its photos.
 */
export function blockersOf(op: OutboxOp, queued: OutboxOp[]): OutboxOp[] {
  if (op.kind === 'submit') {
    return queued.filter(
      (o) => o !== op && o.status === 'queued' && o.selfcheckId === op.selfcheckId && (o.kind === 'upload' || o.kind === 'answers'),
    )
  }
  if (op.kind === 'inspection') {
    // an inspection write waits for its photos and for earlier writes of the same inspection
    const spec = op.payload.inspection
    const photos = new Set((spec?.results ?? []).flatMap((r) => r.photos))
    return queued.filter(
      (o) =>
        o !== op &&
        o.status === 'queued' &&
        ((o.kind === 'upload' && photos.has(o.payload.clientId ?? '')) ||
          (o.kind === 'inspection' && o.payload.inspection?.inspectionId === spec?.inspectionId && (o.seq as number) < (op.seq as number))),
    )
  }
  if (op.kind === 'problem') {
    const photos = new Set(Object.values(op.payload.problem?.photos ?? {}).flat())
    return queued.filter((o) => o.status === 'queued' && o.kind === 'upload' && photos.has(o.payload.clientId ?? ''))
  }
  return []
}

// ---- change notification (the sync indicator listens) -----------------------------------------
const changeListeners = new Set<() => void>()
export function onOutboxChange(fn: () => void): () => void {
  changeListeners.add(fn)
  return () => changeListeners.delete(fn)
}
export function notifyOutboxChanged(): void {
  for (const fn of changeListeners) {
    try {
      fn()
    } catch {
      // a broken listener must not break the queue
    }
  }
}

export type NewOp = Pick<OutboxOp, 'userId' | 'kind' | 'selfcheckId' | 'payload'>

/**
 * Add an operation. An answer save is merged into the newest queued answer save of the same
 * self-check (its `rev` is bumped so a send already in flight does not delete the merged work):
 * the handler always sends the answers' current local state, so one entry per self-check is enough.
 */
export async function enqueue(op: NewOp, now = Date.now()): Promise<number> {
  const db = await getDb()
  const tx = db.transaction('outbox', 'readwrite')
  const store = tx.objectStore('outbox')
  if (op.kind === 'answers') {
    let c = await store.openCursor(null, 'prev')
    let target: OutboxOp | undefined
    while (c) {
      const v = c.value
      if (v.userId === op.userId && v.kind === 'answers' && v.selfcheckId === op.selfcheckId && v.status === 'queued') {
        target = v
        break
      }
      c = await c.continue()
    }
    if (target) {
      const ids = new Set([...(target.payload.itemIds ?? []), ...(op.payload.itemIds ?? [])])
      target.payload = { ...target.payload, itemIds: [...ids] }
      target.rev += 1
      // new work is due now, whatever backoff the entry was in
      target.nextAttemptAt = Math.min(target.nextAttemptAt, now)
      await store.put(target)
      await tx.done
      notifyOutboxChanged()
      return target.seq as number
    }
  }
  const seq = await store.add({
    ...op,
    status: 'queued',
    attempts: 0,
    nextAttemptAt: now,
    rev: 0,
    lastError: null,
    createdAt: new Date(now).toISOString(),
  })
  await tx.done
  notifyOutboxChanged()
  return seq
}

/** One user's entries in queue order. */
export async function listOps(userId: number): Promise<OutboxOp[]> {
  const db = await getDb()
  const ops = await db.getAllFromIndex('outbox', 'by_user', userId)
  return ops.sort((a, b) => (a.seq as number) - (b.seq as number))
}

/** Make every waiting op due now (the browser came back online). */
export async function retryNow(userId: number, now = Date.now()): Promise<void> {
  const db = await getDb()
  const tx = db.transaction('outbox', 'readwrite')
  for (const op of await tx.store.index('by_user').getAll(userId)) {
    if (op.status === 'queued' && op.nextAttemptAt > now) {
      op.nextAttemptAt = now
      await tx.store.put(op)
    }
  }
  await tx.done
  notifyOutboxChanged()
}

/** Put one entry (failed or backing off) back in the queue, due now. */
export async function retryOp(seq: number, now = Date.now()): Promise<OutboxOp | null> {
  const db = await getDb()
  const op = await db.get('outbox', seq)
  if (!op) return null
  op.status = 'queued'
  op.attempts = 0
  op.nextAttemptAt = now
  await db.put('outbox', op)
  notifyOutboxChanged()
  return op
}

/** Drop one entry. */
export async function removeOp(seq: number): Promise<void> {
  const db = await getDb()
  await db.delete('outbox', seq)
  notifyOutboxChanged()
}

export interface ProcessResult {
  done: number
  failed: number
  /** set when queued work remains: the earliest time one of it becomes due */
  waitUntil: number | null
  remaining: number
}

/**
 * Run one user's due operations in processing order until none is due. A failure that says the
 * connection is gone stops the run; any other retryable failure backs off that entry (and what
 * waits on it) while the rest carries on; a permanent failure marks the entry failed.
 */
export async function processOutbox(
  userId: number,
  handlers: OutboxHandlers,
  now: () => number = Date.now,
  /** checked before each entry: false stops the run (logged out, or the page is going away) */
  alive: () => boolean = () => true,
): Promise<ProcessResult> {
  const db = await getDb()
  const result: ProcessResult = { done: 0, failed: 0, waitUntil: null, remaining: 0 }
  while (alive()) {
    const queued = (await listOps(userId)).filter((o) => o.status === 'queued').sort(compareOps)
    const t = now()
    const op = queued.find((o) => o.nextAttemptAt <= t && blockersOf(o, queued).length === 0)
    if (!op) break
    try {
      const handler = handlers[op.kind] as OutboxHandler | undefined // an entry an older app version stored
      if (!handler) throw new ApiError(400, 'no_handler', `未知的操作类型：${op.kind}`)
      await handler(op)
    } catch (err) {
      if (!alive()) break // stopped meanwhile: not the entry's fault
      const fresh = await db.get('outbox', op.seq as number)
      if (fresh) {
        fresh.attempts += 1
        fresh.lastError = err instanceof Error ? err.message : String(err)
        if (isRetryable(err)) fresh.nextAttemptAt = now() + backoffDelay(fresh.attempts)
        else {
          fresh.status = 'failed'
          result.failed += 1
        }
        await db.put('outbox', fresh)
        notifyOutboxChanged()
      }
      if (isRetryable(err) && stopsTheRun(err)) break
      continue
    }
    const tx = db.transaction('outbox', 'readwrite')
    const fresh = await tx.store.get(op.seq as number)
    if (fresh && fresh.rev === op.rev) await tx.store.delete(op.seq as number)
    else if (fresh) {
      // merged while in flight: send again, without counting as a failure
      fresh.attempts = 0
      fresh.lastError = null
      await tx.store.put(fresh)
    }
    await tx.done
    notifyOutboxChanged()
    result.done += 1
  }
  const left = (await listOps(userId)).filter((o) => o.status === 'queued')
  result.remaining = left.length
  // what waits on another entry becomes due with it; the rest by its own backoff
  const free = left.filter((o) => blockersOf(o, left).length === 0)
  if (free.length) result.waitUntil = Math.max(now(), Math.min(...free.map((o) => o.nextAttemptAt)))
  return result
}
