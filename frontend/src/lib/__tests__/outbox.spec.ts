import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '@/api/http'
import { closeDb, DB_NAME, getDb, type OutboxOp } from '../db'
import { backoffDelay, blockersOf, enqueue, listOps, processOutbox, retryNow, retryOp, type OutboxHandlers } from '../outbox'

const U = 7

function recorder(fail: (op: OutboxOp) => unknown = () => null) {
  const seen: string[] = []
  const run = async (op: OutboxOp) => {
    seen.push(`${op.kind}:${op.payload.clientId ?? op.payload.itemIds?.join(',') ?? op.payload.idempotencyKey}`)
    const err = fail(op)
    if (err) throw err
  }
  const handlers: OutboxHandlers = { upload: run, answers: run, submit: run, problem: run, inspection: run }
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
  it('sends uploads first, then answer saves, then submissions, each group in queue order', async () => {
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p1' } })
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [1] } })
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p2' } })
    await enqueue({ userId: U, kind: 'submit', selfcheckId: 1, payload: { idempotencyKey: 'k' } })
    const { seen, handlers } = recorder()
    const res = await processOutbox(U, handlers)
    expect(seen).toEqual(['upload:p1', 'upload:p2', 'answers:1', 'submit:k'])
    expect(res).toMatchObject({ done: 4, failed: 0, remaining: 0, waitUntil: null })
    expect(await listOps(U)).toEqual([])
  })

  it('merges answer saves of one self-check into one entry, across uploads', async () => {
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [1] } })
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [2, 1] } })
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p' } })
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [3] } })
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 2, payload: { itemIds: [4] } })
    const ops = await listOps(U)
    expect(ops.map((o) => [o.kind, o.payload.itemIds ?? o.payload.clientId])).toEqual([
      ['answers', [1, 2, 3]],
      ['upload', 'p'],
      ['answers', [4]],
    ])
  })

  it('an answer save queued before a photo upload does not wait for it (the natural order)', async () => {
    // offline: 不合格 first, then the photo
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [1] } })
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p' } })
    const { seen, handlers } = recorder()
    const res = await processOutbox(U, handlers)
    expect(seen).toEqual(['upload:p', 'answers:1'])
    expect(res.remaining).toBe(0)
  })

  it('no connection stops the run; after backoff or coming online everything is retried', async () => {
    let now = 1_000_000
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 1, payload: { itemIds: [1] } }, now)
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'p' } }, now)
    await enqueue({ userId: U, kind: 'answers', selfcheckId: 2, payload: { itemIds: [2] } }, now)
    let offline = true
    const { seen, handlers } = recorder(() => (offline ? new ApiError(0, 'network_error', '网络连接失败') : null))
    const first = await processOutbox(U, handlers, () => now)
    expect(seen).toEqual(['upload:p'])
    expect(first.waitUntil).toBe(now)
    const waiting = await listOps(U)
    expect(waiting.find((o) => o.kind === 'upload')).toMatchObject({ attempts: 1, status: 'queued', lastError: '网络连接失败' })
    expect(waiting.find((o) => o.kind === 'upload')?.nextAttemptAt).toBe(now + backoffDelay(1))

    // the others are still due: the next run tries the first of them and stops again
    await processOutbox(U, handlers, () => now)
    expect(seen).toEqual(['upload:p', 'answers:1'])

    // second failure of the upload doubles its delay
    now += backoffDelay(1)
    await processOutbox(U, handlers, () => now)
    const up = (await listOps(U)).find((o) => o.kind === 'upload')
    expect(up?.attempts).toBe(2)
    expect(up?.nextAttemptAt).toBe(now + backoffDelay(2))

    // back online: retryNow makes everything due at once
    offline = false
    await retryNow(U, now)
    const last = await processOutbox(U, handlers, () => now)
    expect(last.done).toBe(3)
    expect(await listOps(U)).toEqual([])
  })

  it('a server error backs off one entry and what waits on it, while the rest carries on', async () => {
    const now = 1_000_000
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'bad' } }, now)
    await enqueue({ userId: U, kind: 'submit', selfcheckId: 1, payload: { idempotencyKey: 'k1' } }, now)
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 2, payload: { clientId: 'ok' } }, now)
    await enqueue({ userId: U, kind: 'submit', selfcheckId: 2, payload: { idempotencyKey: 'k2' } }, now)
    let failing = true
    const { seen, handlers } = recorder((op) =>
      failing && op.payload.clientId === 'bad' ? new ApiError(503, 'http_503', '服务器繁忙') : null,
    )
    const res = await processOutbox(U, handlers, () => now)
    expect(seen).toEqual(['upload:bad', 'upload:ok', 'submit:k2'])
    expect(res).toMatchObject({ done: 2, remaining: 2, waitUntil: now + backoffDelay(1) })
    const left = await listOps(U)
    expect(blockersOf(left[1], left)).toEqual([left[0]]) // the submission waits for its upload

    failing = false
    await processOutbox(U, handlers, () => now + backoffDelay(1))
    expect(seen.slice(-2)).toEqual(['upload:bad', 'submit:k1'])
    expect(await listOps(U)).toEqual([])
  })

  it('a failed entry can be put back in the queue', async () => {
    const seq = await enqueue({ userId: U, kind: 'upload', selfcheckId: 1, payload: { clientId: 'x' } })
    let fail = true
    const { seen, handlers } = recorder(() => (fail ? new ApiError(413, 'too_large', '文件过大') : null))
    await processOutbox(U, handlers)
    expect((await listOps(U))[0]).toMatchObject({ status: 'failed', lastError: '文件过大' })
    fail = false
    await retryOp(seq)
    await processOutbox(U, handlers)
    expect(seen).toEqual(['upload:x', 'upload:x'])
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
    await processOutbox(U, { upload: run, answers: run, submit: run, problem: run, inspection: run })
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
