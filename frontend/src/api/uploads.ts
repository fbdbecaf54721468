// Evidence photo upload (one photo per request, with progress).
import { uploadWithProgress } from './http'
import type { Upload } from './types'

export function uploadPhoto(
  blob: Blob,
  clientId: string,
  capturedAt: string | null,
  onProgress?: (fraction: number) => void,
): Promise<Upload> {
  const form = new FormData()
  form.append('file', blob, `${clientId}.jpg`)
  form.append('client_id', clientId)
  if (capturedAt) form.append('captured_at', capturedAt)
  // a phone photo is at most a few MB after compression; two minutes covers a slow 3G link
  return uploadWithProgress<Upload>('/api/uploads', form, onProgress, 120_000)
}
