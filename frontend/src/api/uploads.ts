// Evidence photo upload (one photo per request, with progress).
import { uploadWithProgress } from './http'
import type { Upload } from './types'
import type { Place } from '@/lib/geo'

export function uploadPhoto(
  blob: Blob,
  clientId: string,
  capturedAt: string | null,
  onProgress?: (fraction: number) => void,
  place?: Place | null,
): Promise<Upload> {
  const form = new FormData()
  form.append('file', blob, `${clientId}.jpg`)
  form.append('client_id', clientId)
  if (capturedAt) form.append('captured_at', capturedAt)
  if (place) {
    form.append('lat', String(place.lat))
    form.append('lon', String(place.lon))
    if (place.accuracy !== null) form.append('accuracy', String(Math.round(place.accuracy)))
  }
  // a phone photo is at most a few MB after compression; two minutes covers a slow 3G link
  return uploadWithProgress<Upload>('/api/uploads', form, onProgress, 120_000)
}
