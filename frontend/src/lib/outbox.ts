// The outbox: queued server operations processed strictly in order, with retry and backoff.
import { getDb, type OutboxOp } from './db'
import { ApiError } from '@/api/http'

export type OutboxHandler = (op: OutboxOp) => Promise<void>
/** Self-check kinds are required; newer kinds are optional so older wiring keeps compiling. */
export type OutboxHandlers = Record<'upload' | 'answers' | 'submit', OutboxHandler> &
  Partial<Record<OutboxOp['kind'], OutboxHandler>>

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

export type NewOp = Pick<OutboxOp, 'userId' | 'kind' | 'selfcheckId' | 'payload'>

/**
 * Add an operation. Consecutive answer saves for one self-check are merged into the last queued
 * one (its `rev` is bumped so a send already in flight does not delete the merged work).
 */
export async function enqueue(op: NewOp, now = Date.now()): Promise<number> {
  const db = await getDb()
  const tx = db.transaction('outbox', 'readwrite')
  const store = tx.objectStore('outbox')
  if (op.kind === 'answers') {
    const cursor = await store.openCursor(null, 'prev')
    let last: OutboxOp | undefined
    let c = cursor
    while (c) {
      if (c.value.userId === op.userId) {
        last = c.value
        break
      }
      c = await c.continue()
    }
    if (last && last.kind === 'answers' && last.selfcheckId === op.selfcheckId && last.status === 'queued') {
      const ids = new Set([...(last.payload.itemIds ?? []), ...(op.payload.itemIds ?? [])])
      last.payload = { ...last.payload, itemIds: [...ids] }
      last.rev += 1
      await store.put(last)
      await tx.done
      return last.seq as number
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
  return seq
}

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
}

export interface ProcessResult {
  done: number
  failed: number
  /** set when the queue stopped at an op that must wait; the time it becomes due */
  waitUntil: number | null
  remaining: number
}

/**
 * Run due operations of one user in sequence order. A retryable failure stops the queue (later
 * operations may depend on it, e.g. answers on a photo upload); a permanent failure marks the op
 * failed and moves on.
 */
export async function processOutbox(
  userId: number,
  handlers: OutboxHandlers,
  now: () => number = Date.now,
): Promise<ProcessResult> {
  const db = await getDb()
  const result: ProcessResult = { done: 0, failed: 0, waitUntil: null, remaining: 0 }
  for (;;) {
    const ops = (await listOps(userId)).filter((o) => o.status === 'queued')
    const op = ops[0]
    if (!op) break
    if (op.nextAttemptAt > now()) {
      result.waitUntil = op.nextAttemptAt
      break
    }
    try {
      const handler = handlers[op.kind]
      if (!handler) throw new ApiError(400, 'no_handler', `未知的操作类型：${op.kind}`)
      await handler(op)
    } catch (err) {
      const fresh = await db.get('outbox', op.seq as number)
      if (!fresh) continue
      fresh.attempts += 1
      fresh.lastError = err instanceof Error ? err.message : String(err)
      if (isRetryable(err)) {
        fresh.nextAttemptAt = now() + backoffDelay(fresh.attempts)
        await db.put('outbox', fresh)
        result.waitUntil = fresh.nextAttemptAt
        break
      }
      fresh.status = 'failed'
      await db.put('outbox', fresh)
      result.failed += 1
      continue
    }
    const tx = db.transaction('outbox', 'readwrite')
    const fresh = await tx.store.get(op.seq as number)
    if (fresh && fresh.rev === op.rev) await tx.store.delete(op.seq as number)
    else if (fresh) {
      // merged while in flight: send again, without counting as a failure
      fresh.attempts = 0
      await tx.store.put(fresh)
    }
    await tx.done
    result.done += 1
  }
  result.remaining = (await listOps(userId)).filter((o) => o.status === 'queued').length
  return result
}
