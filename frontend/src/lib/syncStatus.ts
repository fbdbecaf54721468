// What the outbox still holds, in words: the global 待同步 / 同步失败 indicator reads this.
import { reactive } from 'vue'
import { getDb, type OutboxOp } from './db'
import { blockersOf, compareOps, listOps, onOutboxChange, retryNow } from './outbox'
import { discardEntry, kick, onSyncEvent, retryEntry } from './sync'

export type EntryState = 'queued' | 'waiting' | 'retrying' | 'failed' | 'offline'

export interface SyncEntry {
  seq: number
  kind: OutboxOp['kind']
  title: string
  reason: string
  state: EntryState
  /** where the entry's work lives, for a tap on it */
  selfcheckId: number
  itemId: number | null
}

export interface DescribeContext {
  online: boolean
  now: number
  checkTitle: (selfcheckId: number) => string
  itemCode: (selfcheckId: number, itemId: number) => string
  photoItem: (clientId: string) => number | null
}

/** One entry as a person reads it: what it is, and why it has not reached the server yet. */
export function describeOp(op: OutboxOp, all: OutboxOp[], ctx: DescribeContext): SyncEntry {
  const check = op.selfcheckId ? ctx.checkTitle(op.selfcheckId) : ''
  let title: string
  let itemId: number | null = null
  if (op.kind === 'upload') {
    itemId = op.payload.clientId ? ctx.photoItem(op.payload.clientId) : null
    title = itemId ? `照片 · ${check} ${ctx.itemCode(op.selfcheckId, itemId)}`.trim() : op.selfcheckId ? `照片 · ${check}` : '问题照片'
  } else if (op.kind === 'answers') {
    const ids = op.payload.itemIds ?? []
    itemId = ids[0] ?? null
    const codes = ids.map((i) => ctx.itemCode(op.selfcheckId, i))
    const shown = codes.length > 3 ? `${codes.slice(0, 3).join('、')} 等 ${codes.length} 项` : codes.join('、')
    title = `答案 · ${check} ${shown}`.trim()
  } else if (op.kind === 'submit') {
    title = `提交自查 · ${check}`.trim()
  } else {
    const spec = op.payload.problem
    title = spec?.title || (spec?.action === 'rectification' ? '提交整改' : '上报问题')
  }
  let state: EntryState
  let reason: string
  const queued = all.filter((o) => o.status === 'queued')
  if (op.status === 'failed') {
    state = 'failed'
    reason = `同步失败：${op.lastError ?? '服务器拒绝了这条内容'}`
  } else if (!ctx.online) {
    state = 'offline'
    reason = op.kind === 'submit' ? '离线，联网后自动提交' : '离线，联网后自动同步'
  } else if (blockersOf(op, queued).length) {
    state = 'waiting'
    reason = op.kind === 'submit' ? '等待本次自查的照片和答案先同步' : '等待照片上传完成'
  } else if (op.attempts > 0) {
    state = 'retrying'
    const secs = Math.max(0, Math.ceil((op.nextAttemptAt - ctx.now) / 1000))
    reason = `第 ${op.attempts} 次未成功（${op.lastError ?? '网络问题'}）${secs ? `，${secs} 秒后重试` : '，正在重试'}`
  } else {
    state = 'queued'
    reason = '等待同步'
  }
  return { seq: op.seq as number, kind: op.kind, title, reason, state, selfcheckId: op.selfcheckId, itemId }
}

export const syncStatus = reactive({
  userId: null as number | null,
  entries: [] as SyncEntry[],
  pending: 0,
  failed: 0,
  online: typeof navigator === 'undefined' || navigator.onLine !== false,
})

let refreshTimer: ReturnType<typeof setTimeout> | null = null
let tickTimer: ReturnType<typeof setInterval> | null = null
let unsubscribe: (() => void)[] = []

export async function refreshSyncStatus(): Promise<void> {
  const userId = syncStatus.userId
  if (userId === null) return
  const ops = (await listOps(userId)).sort(compareOps)
  const db = await getDb()
  const titles = new Map<number, string>()
  const codes = new Map<string, string>()
  for (const c of await db.getAllFromIndex('checklists', 'by_user', userId)) {
    titles.set(c.selfcheckId, c.detail.title)
    for (const s of c.detail.sections) for (const it of s.items) codes.set(`${c.selfcheckId}:${it.id}`, it.code)
  }
  const photoItems = new Map<string, number>()
  for (const op of ops) {
    const cid = op.payload.clientId
    if (op.kind !== 'upload' || !cid) continue
    const p = await db.get('photos', cid)
    if (p && p.itemId) photoItems.set(cid, p.itemId)
  }
  if (syncStatus.userId !== userId) return
  const ctx: DescribeContext = {
    online: syncStatus.online,
    now: Date.now(),
    checkTitle: (id) => titles.get(id) ?? '自查',
    itemCode: (sc, it) => codes.get(`${sc}:${it}`) ?? `#${it}`,
    photoItem: (cid) => photoItems.get(cid) ?? null,
  }
  syncStatus.entries = ops.map((op) => describeOp(op, ops, ctx))
  syncStatus.failed = ops.filter((o) => o.status === 'failed').length
  syncStatus.pending = ops.length - syncStatus.failed
}

function scheduleRefresh(): void {
  if (refreshTimer) return
  refreshTimer = setTimeout(() => {
    refreshTimer = null
    void refreshSyncStatus().catch(() => undefined)
  }, 150)
}

function onNetwork(): void {
  syncStatus.online = navigator.onLine !== false
  scheduleRefresh()
}

/** Follow one user's outbox (null: stop). */
export function watchSyncStatus(userId: number | null): void {
  for (const u of unsubscribe) u()
  unsubscribe = []
  if (tickTimer) clearInterval(tickTimer)
  tickTimer = null
  syncStatus.userId = userId
  syncStatus.entries = []
  syncStatus.pending = 0
  syncStatus.failed = 0
  if (userId === null) return
  unsubscribe.push(onOutboxChange(scheduleRefresh), onSyncEvent(scheduleRefresh))
  window.addEventListener('online', onNetwork)
  window.addEventListener('offline', onNetwork)
  unsubscribe.push(() => {
    window.removeEventListener('online', onNetwork)
    window.removeEventListener('offline', onNetwork)
  })
  // the "n 秒后重试" countdown
  tickTimer = setInterval(() => {
    if (syncStatus.entries.some((e) => e.state === 'retrying')) scheduleRefresh()
  }, 5_000)
  void refreshSyncStatus().catch(() => undefined)
}

export async function retryAll(): Promise<void> {
  const userId = syncStatus.userId
  if (userId === null) return
  for (const e of syncStatus.entries.filter((x) => x.state === 'failed')) await retryEntry(e.seq)
  await retryNow(userId)
  await kick()
}

export { retryEntry, discardEntry }
