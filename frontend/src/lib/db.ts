// The offline store: IndexedDB keyed by user id so one phone can serve several accounts.
import type { Place } from './geo'
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { AnswerResult, SelfCheckDetail } from '@/api/types'

export type SyncState = 'saved' | 'pending' | 'synced' | 'error'

export interface LocalAnswer {
  userId: number
  selfcheckId: number
  itemId: number
  result: AnswerResult | null
  value: string | null
  note: string | null
  /** client ids of photos taken on this device */
  photoIds: string[]
  /** server upload ids known from the server that have no local photo record */
  remoteUploadIds: number[]
  state: SyncState
  /** bumped on every local edit; a sync only marks the answer synced if rev is unchanged */
  rev: number
  updatedAt: string
  error?: string | null
  /** bumped each time a save of this answer is confirmed by the server */
  syncMark?: number
}

export interface LocalPhoto {
  clientId: string
  userId: number
  selfcheckId: number
  itemId: number
  blob: Blob
  capturedAt: string | null
  /** where the phone was when the photo was taken (absent on photos saved before this was asked) */
  place?: Place | null
  uploadId: number | null
  thumbnailUrl: string | null
  status: 'queued' | 'uploaded' | 'failed'
  error?: string | null
  createdAt: string
  /** photos taken for a problem form (selfcheckId/itemId are 0): the form's draft key and slot */
  draftKey?: string
  slot?: string
}

export interface CachedChecklist {
  userId: number
  selfcheckId: number
  detail: SelfCheckDetail
  cachedAt: string
}

export interface KvEntry {
  userId: number
  key: string
  value: unknown
  savedAt: string
}

export type OpKind = 'upload' | 'answers' | 'submit' | 'problem' | 'inspection'

/** An on-site inspection write queued offline: results (local photos per item) or the completion. */
export interface InspectionOpSpec {
  inspectionId: number
  action: 'results' | 'complete'
  results?: { item_code: string; result: string; note: string; upload_ids: number[]; photos: string[] }[]
  summary?: string
}

/** A problem write queued offline: 上报问题 or 提交整改, sent with its Idempotency-Key. */
export interface ProblemOpSpec {
  action: 'report' | 'rectification'
  problemId?: number
  title: string
  body: Record<string, unknown>
  /** client ids of local photos per slot (report: evidence; rectification: before / after) */
  photos: Record<string, string[]>
}

export interface OutboxOp {
  seq?: number
  userId: number
  kind: OpKind
  selfcheckId: number
  payload: { clientId?: string; itemIds?: number[]; idempotencyKey?: string; problem?: ProblemOpSpec; inspection?: InspectionOpSpec; signature?: { name: string; image: string } }
  status: 'queued' | 'failed'
  attempts: number
  nextAttemptAt: number
  rev: number
  lastError: string | null
  createdAt: string
}

export interface EcoDB extends DBSchema {
  kv: { key: [number, string]; value: KvEntry; indexes: { by_user: number } }
  checklists: { key: [number, number]; value: CachedChecklist; indexes: { by_user: number } }
  answers: {
    key: [number, number, number]
    value: LocalAnswer
    indexes: { by_user: number; by_check: [number, number] }
  }
  photos: { key: string; value: LocalPhoto; indexes: { by_user: number; by_check: [number, number] } }
  outbox: { key: number; value: OutboxOp; indexes: { by_user: number } }
}

export const DB_NAME = 'ecocheck'
let dbPromise: Promise<IDBPDatabase<EcoDB>> | null = null

export function getDb(): Promise<IDBPDatabase<EcoDB>> {
  if (!dbPromise) {
    dbPromise = openDB<EcoDB>(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore('kv', { keyPath: ['userId', 'key'] }).createIndex('by_user', 'userId')
        db.createObjectStore('checklists', { keyPath: ['userId', 'selfcheckId'] }).createIndex('by_user', 'userId')
        const answers = db.createObjectStore('answers', { keyPath: ['userId', 'selfcheckId', 'itemId'] })
        answers.createIndex('by_user', 'userId')
        answers.createIndex('by_check', ['userId', 'selfcheckId'])
        const photos = db.createObjectStore('photos', { keyPath: 'clientId' })
        photos.createIndex('by_user', 'userId')
        photos.createIndex('by_check', ['userId', 'selfcheckId'])
        db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true }).createIndex('by_user', 'userId')
      },
    })
  }
  return dbPromise
}

/** Close and forget the connection (tests; deleting the database). */
export async function closeDb(): Promise<void> {
  if (dbPromise) (await dbPromise).close()
  dbPromise = null
}

const USER_STORES = ['kv', 'checklists', 'answers', 'photos', 'outbox'] as const

/** Remove everything cached for one user (on logout). */
export async function clearUserData(userId: number): Promise<void> {
  const db = await getDb()
  const tx = db.transaction([...USER_STORES], 'readwrite')
  for (const name of USER_STORES) {
    const store = tx.objectStore(name)
    let cursor = await store.index('by_user').openCursor(IDBKeyRange.only(userId))
    while (cursor) {
      await cursor.delete()
      cursor = await cursor.continue()
    }
  }
  await tx.done
}

export async function kvGet<T>(userId: number, key: string): Promise<T | undefined> {
  const db = await getDb()
  return (await db.get('kv', [userId, key]))?.value as T | undefined
}

export async function kvSet(userId: number, key: string, value: unknown): Promise<void> {
  const db = await getDb()
  // structured clone cannot copy Vue proxies; callers pass plain data
  await db.put('kv', { userId, key, value, savedAt: new Date().toISOString() })
}
