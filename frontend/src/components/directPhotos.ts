// Photos for an online form (诉求, 义务回执): compressed and uploaded at once with progress; the form
// sends the resulting upload ids. Shaped for PhotoPicker.
import { computed, reactive } from 'vue'
import { uploadPhoto } from '@/api/uploads'
import { compressImage } from '@/lib/image'
import { uuid } from '@/lib/uuid'
import type { FormPhoto } from '@/lib/problemQueue'

export function useDirectPhotos(slot: string, max = 9) {
  const photos = reactive<FormPhoto[]>([])
  const ids = new Map<string, number>()

  async function one(file: File) {
    const clientId = uuid()
    const photo: FormPhoto = { clientId, slot, url: URL.createObjectURL(file), status: 'queued', progress: 0, capturedAt: null }
    photos.push(photo)
    const p = photos[photos.length - 1]
    try {
      const blob = await compressImage(file)
      const up = await uploadPhoto(blob, clientId, null, (f) => (p.progress = f))
      ids.set(clientId, up.id)
      p.status = 'uploaded'
      p.progress = 1
    } catch (e) {
      p.status = 'failed'
      p.error = e instanceof Error ? e.message : '上传失败'
    }
  }

  function add(files: File[]) {
    const room = Math.max(0, max - photos.length)
    return Promise.all(files.slice(0, room).map(one))
  }

  function remove(clientId: string) {
    const i = photos.findIndex((p) => p.clientId === clientId)
    if (i >= 0) {
      URL.revokeObjectURL(photos[i].url)
      photos.splice(i, 1)
    }
    ids.delete(clientId)
  }

  function clear() {
    for (const p of [...photos]) remove(p.clientId)
  }

  const busy = computed(() => photos.some((p) => p.status === 'queued'))
  const failed = computed(() => photos.some((p) => p.status === 'failed'))
  const uploadIds = () => photos.map((p) => ids.get(p.clientId)).filter((x): x is number => x !== undefined)

  return { photos, add, remove, clear, busy, failed, uploadIds }
}
