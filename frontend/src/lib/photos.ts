// "Save a photo on this device and queue its upload": EXIF capture time, the phone's location, compression, the IndexedDB
// record and the outbox upload op. Callers show the photo in `shown` (before the upload is queued, so
// no progress event can come before the photo is on screen) and kick the sync loop.
import { getDb, type LocalPhoto } from './db'
import { captureTimeOf } from './exif'
import { currentPlace } from './geo'
import { compressImage } from './image'
import { enqueue } from './outbox'
import { uuid } from './uuid'

/** Who the photo belongs to: a self-check item, or a form draft (selfcheckId and itemId 0) and its slot. */
export type PhotoOwner = Pick<LocalPhoto, 'userId' | 'selfcheckId' | 'itemId'> & Partial<Pick<LocalPhoto, 'draftKey' | 'slot'>>

export async function saveLocalPhoto(file: Blob, owner: PhotoOwner, shown?: (photo: LocalPhoto) => void): Promise<LocalPhoto> {
  const placing = currentPlace() // asked at once, while the photo is compressed
  const capturedAt = await captureTimeOf(file)
  const blob = await compressImage(file)
  const place = await placing
  const photo: LocalPhoto = {
    clientId: uuid(),
    ...owner,
    blob,
    capturedAt,
    place,
    uploadId: null,
    thumbnailUrl: null,
    status: 'queued',
    error: null,
    createdAt: new Date().toISOString(),
  }
  const db = await getDb()
  await db.put('photos', photo)
  shown?.(photo)
  await enqueue({ userId: owner.userId, kind: 'upload', selfcheckId: owner.selfcheckId, payload: { clientId: photo.clientId } })
  return photo
}
