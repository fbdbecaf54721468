import { describe, expect, it } from 'vitest'
import type { OutboxOp } from '../db'
import { describeOp, type DescribeContext } from '../syncStatus'

const NOW = 1_000_000
let seq = 0
function op(kind: OutboxOp['kind'], extra: Partial<OutboxOp> = {}): OutboxOp {
  seq += 1
  return {
    seq,
    userId: 1,
    kind,
    selfcheckId: 5,
    payload: kind === 'upload' ? { clientId: `c${seq}` } : kind === 'answers' ? { itemIds: [11, 12] } : { idempotencyKey: 'k' },
    status: 'queued',
    attempts: 0,
    nextAttemptAt: NOW,
    rev: 0,
    lastError: null,
    createdAt: '',
    ...extra,
  }
}
const ctx = (online = true): DescribeContext => ({
  online,
  now: NOW,
  checkTitle: () => '月度自查',
  itemCode: (_s, i) => `A${i - 10}`,
  photoItem: () => 11,
})

describe('sync entries in words', () => {
  it('names what each entry is', () => {
    const all = [op('upload'), op('answers'), op('submit')]
    expect(all.map((o) => describeOp(o, all, ctx()).title)).toEqual([
      '照片 · 月度自查 A1',
      '答案 · 月度自查 A1、A2',
      '提交自查 · 月度自查',
    ])
  })

  it('says why an entry has not reached the server', () => {
    const up = op('upload', { attempts: 2, lastError: '服务器繁忙', nextAttemptAt: NOW + 8_000 })
    const submit = op('submit')
    const failed = op('answers', { status: 'failed', lastError: '备注过长' })
    const all = [up, submit, failed]
    expect(describeOp(up, all, ctx())).toMatchObject({ state: 'retrying', reason: '第 2 次未成功（服务器繁忙），8 秒后重试' })
    expect(describeOp(submit, all, ctx())).toMatchObject({ state: 'waiting', reason: '等待本次自查的照片和答案先同步' })
    expect(describeOp(failed, all, ctx())).toMatchObject({ state: 'failed', reason: '同步失败：备注过长' })
    const lone = op('answers')
    expect(describeOp(lone, [lone], ctx(false))).toMatchObject({ state: 'offline', reason: '离线，联网后自动同步' })
  })
})
