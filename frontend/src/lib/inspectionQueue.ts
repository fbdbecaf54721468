// On-site inspection writes through the offline outbox: results (with their local photos) and the
// completion are queued, sent in order once online, and the completion carries an Idempotency-Key.
import type { InspectionOpSpec } from './db'
import { enqueue, listOps } from './outbox'
import { kick, onSyncEvent } from './sync'
import { uuid } from './uuid'

export type InspectionWriteResult = { kind: 'done' } | { kind: 'error'; message: string } | { kind: 'queued' }

/** Queue one write; while online wait (at most a minute) for the server's answer, offline resolve `queued`. */
export async function queueInspectionWrite(userId: number, spec: InspectionOpSpec): Promise<InspectionWriteResult> {
  const key = uuid()
  const wait = new Promise<InspectionWriteResult>((resolve) => {
    const timer = setTimeout(() => {
      stop()
      resolve({ kind: 'queued' })
    }, 60_000)
    const stop = onSyncEvent((e) => {
      if ((e.type === 'inspection-done' || e.type === 'inspection-error') && e.key === key) {
        clearTimeout(timer)
        stop()
        resolve(e.type === 'inspection-done' ? { kind: 'done' } : { kind: 'error', message: e.message })
      } else if (e.type === 'idle' && e.remaining > 0) {
        clearTimeout(timer)
        stop()
        resolve({ kind: 'queued' })
      }
    })
  })
  await enqueue({ userId, kind: 'inspection', selfcheckId: 0, payload: { idempotencyKey: key, inspection: JSON.parse(JSON.stringify(spec)) } })
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return { kind: 'queued' }
  void kick()
  return wait
}

/** This inspection's writes still waiting on the device. */
export async function pendingInspectionWrites(userId: number, inspectionId: number): Promise<number> {
  return (await listOps(userId)).filter((o) => o.kind === 'inspection' && o.payload.inspection?.inspectionId === inspectionId).length
}
