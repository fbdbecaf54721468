import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '@/api/http'
import { closeDb, DB_NAME, getDb, type OutboxOp } from '../db'
import { backoffDelay, enqueue, listOps, processOutbox, retryNow, type OutboxHandlers } from '../outbox'

const U = 7

function recorder(fail: (op: OutboxOp) => unknown = () => null) {
  const seen: string[] = []
  const run = async (op: OutboxOp) => {
    seen.push(`${op.kind}:${op.payload.clientId ?? op.payload.itemIds?.join(',') ?? op.payload.idempotencyKey}`)
    const err = fail(op)
    if (err) throw err
  }
  const handlers: OutboxHandlers = { upload: run, answers: run, submit: run }
  return { seen, handlers }
}

beforeEach(async () => {
  await closeDb()
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME)
    req.onsuccess = req.onerror = req.onblocked = () => resolve()
  })
})
afterEach(closeDb)

describe('outbox', () => {
  it('processes operations in the order they were queued and removes them', async () => {
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p1' } })
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [1] } })
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p2' } })
    await enqueue({ userId: U, kind: 'submit', selfcheckId: 1, payload: { idempotencyKey: 'k' } })
    const { seen, handlers } = recorder()
    const res = await processOutbox(U, handlers)
    expect(seen).toEqual(['upload:p1', 'answers:1', 'upload:p2', 'submit:k'])
    expect(res).toMatchObject({ done: 4, failed: 0, remaining: 0, waitUntil: null })
    expect(await listOps(U)).toEqual([])
  })

  it('merges consecutive answer saves of one self-check but not across an upload', async () => {
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [1] } })
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [2, 1] } })
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p' } })
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [3] } })
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 2, payload: { itemIds: [4] } })
    const ops = await listOps(U)
    expect(ops.map((o) => [o.kind, o.payload.itemIds ?? o.payload.clientId])).toEqual([
      ['answers', [1, 2]],
      ['upload', 'p'],
      ['answers', [3]],
      ['answers', [4]],
    ])
  })

  it('stops at a retryable failure, keeps later work, and retries after the backoff', async () => {
    let now = 1_000_000
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [1] } }, now)
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p' } }, now)
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [2] } }, now)
    let offline = true
    const { seen, handlers } = recorder((op) =>
      offline && op.kind === 'upload' ? new ApiError(0, 'network_error', '网络连接失败') : null,
    )
    const first = await processOutbox(U, handlers, () => now)
    expect(seen).toEqual(['answers:1', 'upload:p'])
    expect(first.waitUntil).toBe(now + backoffDelay(1))
    const waiting = await listOps(U)
    expect(waiting.map((o) => o.kind)).toEqual(['upload', 'answers'])
    expect(waiting[0]).toMatchObject({ attempts: 1, status: 'queued', lastError: '网络连接失败' })

    // not yet due: nothing is sent
    now += 1_000
    const early = await processOutbox(U, handlers, () => now)
    expect(early.done).toBe(0)
    expect(seen).toHaveLength(2)

    // second failure doubles the delay
    now += backoffDelay(1)
    await processOutbox(U, handlers, () => now)
    expect((await listOps(U))[0].attempts).toBe(2)
    expect((await listOps(U))[0].nextAttemptAt).toBe(now + backoffDelay(2))

    // back online: retryNow makes it due at once
    offline = false
    await retryNow(U, now)
    const last = await processOutbox(U, handlers, () => now)
    expect(last.done).toBe(2)
    expect(seen.slice(-2)).toEqual(['upload:p', 'answers:2'])
    expect(await listOps(U)).toEqual([])
  })

  it('marks a permanent failure as failed and carries on with the rest', async () => {
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'bad' } })
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'good' } })
    const { seen, handlers } = recorder((op) =>
      op.payload.clientId === 'bad' ? new ApiError(415, 'unsupported', '文件类型不支持') : null,
    )
    const res = await processOutbox(U, handlers)
    expect(seen).toEqual(['upload:bad', 'upload:good'])
    expect(res).toMatchObject({ done: 1, failed: 1, remaining: 0 })
    const left = await listOps(U)
    expect(left).toHaveLength(1)
    expect(left[0]).toMatchObject({ status: 'failed', lastError: '文件类型不支持' })
    // failed ops are not retried on the next run
    await processOutbox(U, handlers)
    expect(seen).toHaveLength(2)
  })

  it('keeps an op that was merged into while it was being sent', async () => {
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [1] } })
    const sent: number[][] = []
    let first = true
    const run = async (op: OutboxOp) => {
      sent.push([...(op.payload.itemIds ?? [])])
      if (first) {
        first = false
        await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [2] } })
      }
    }
    await processOutbox(U, { upload: run, answers: run, submit: run })
    expect(sent).toEqual([[1], [1, 2]])
    expect(await listOps(U)).toEqual([])
  })

  it('only touches the given user', async () => {
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'mine' } })
    await enqueue({ userId: 99, kind: 'upload', selfcheckId: 5, payload: { clientId: 'theirs' } })
    const { seen, handlers } = recorder()
    await processOutbox(U, handlers)
    expect(seen).toEqual(['upload:mine'])
    expect(await listOps(99)).toHaveLength(1)
    expect(await (await getDb()).count("outbox")).toBe(1)
  })

  it('backs off exponentially up to five minutes', () => {
    expect([0, 1, 2, 3].map(backoffDelay)).toEqual([0, 2000, 4000, 8000])
    expect(backoffDelay(30)).toBe(300_000)
  })
})
