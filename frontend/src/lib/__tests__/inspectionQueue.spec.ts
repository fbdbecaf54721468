import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '@/api/http'
import { closeDb, DB_NAME, type InspectionOpSpec, type OutboxOp } from '../db'
import { backoffDelay, blockersOf, enqueue, listOps, processOutbox, type OutboxHandlers } from '../outbox'

const U = 9

const results = (photos: string[]): InspectionOpSpec => ({
  inspectionId: 5,
  action: 'results',
  results: [{ item_code: 'A1', result: 'non_compliant', note: '围堰破损', upload_ids: [], photos }],
})

beforeEach(async () => {
  await closeDb()
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME)
    req.onsuccess = req.onerror = req.onblocked = () => resolve()
  })
})
afterEach(closeDb)

describe('inspection writes in the outbox', () => {
  it('go after their photos, results before the completion, and the completion waits for a failing save', async () => {
    const now = 1_000_000
    await enqueue({ userId: U, kind: 'inspection', selfcheckId: 0, payload: { idempotencyKey: 'r', inspection: results(['p1']) } }, now)
    await enqueue({ userId: U, kind: 'inspection', selfcheckId: 0,
      payload: { idempotencyKey: 'c', inspection: { inspectionId: 5, action: 'complete', summary: '发现1个问题' } } }, now)
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 0, payload: { clientId: 'p1' } }, now)
    const seen: string[] = []
    let failing = true
    const run = async (op: OutboxOp) => {
      seen.push(`${op.kind}:${op.payload.clientId ?? op.payload.idempotencyKey}`)
      if (failing && op.payload.idempotencyKey === 'r') throw new ApiError(503, 'http_503', '服务器繁忙')
    }
    const handlers: OutboxHandlers = { upload: run, answers: run, submit: run, problem: run, inspection: run }
    const res = await processOutbox(U, handlers, () => now)
    expect(seen).toEqual(['upload:p1', 'inspection:r']) // the completion does not overtake its results
    expect(res).toMatchObject({ done: 1, remaining: 2 })
    const left = await listOps(U)
    expect(blockersOf(left[1], left)).toEqual([left[0]])
    failing = false
    await processOutbox(U, handlers, () => now + backoffDelay(1))
    expect(seen.slice(-2)).toEqual(['inspection:r', 'inspection:c'])
    expect(await listOps(U)).toEqual([])
  })

  it('a results write waits for a photo still queued', async () => {
    await enqueue({ userId: U, kind: 'upload', selfcheckId: 0, payload: { clientId: 'p9' } })
    await enqueue({ userId: U, kind: 'inspection', selfcheckId: 0, payload: { idempotencyKey: 'r', inspection: results(['p9']) } })
    const ops = await listOps(U)
    expect(blockersOf(ops[1], ops)).toEqual([ops[0]])
    expect(blockersOf(ops[0], ops)).toEqual([])
  })
})
