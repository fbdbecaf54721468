// Photo compression before upload: long edge ≤ 1920 px, JPEG ~0.8, the original's EXIF (time, GPS, camera)
// carried over; degrades to the original file.
import { exifSegment, readBytes, withExif } from './exif'

export const MAX_EDGE = 1920
export const JPEG_QUALITY = 0.8

/** Target size that keeps the aspect ratio, never upscales, and keeps the long edge ≤ maxEdge. */
export function fitWithin(width: number, height: number, maxEdge = MAX_EDGE): { width: number; height: number } {
  if (!(width > 0) || !(height > 0)) return { width: 0, height: 0 }
  const long = Math.max(width, height)
  if (long <= maxEdge) return { width: Math.round(width), height: Math.round(height) }
  const scale = maxEdge / long
  return {
    width: Math.max(1, Math.min(maxEdge, Math.round(width * scale))),
    height: Math.max(1, Math.min(maxEdge, Math.round(height * scale))),
  }
}

type Drawable = { source: CanvasImageSource; width: number; height: number; release: () => void }

async function decode(file: Blob): Promise<Drawable> {
  if (typeof createImageBitmap === 'function') {
    try {
      const bmp = await createImageBitmap(file, { imageOrientation: 'from-image' })
      return { source: bmp, width: bmp.width, height: bmp.height, release: () => bmp.close() }
    } catch {
      // older engines reject the options bag or the format; fall through to <img>
    }
  }
  const url = URL.createObjectURL(file)
  try {
    const img = await new Promise<HTMLImageElement>((resolve, reject) => {
      const el = new Image()
      el.onload = () => resolve(el)
      el.onerror = () => reject(new Error('image decode failed'))
      el.src = url
    })
    return {
      source: img,
      width: img.naturalWidth,
      height: img.naturalHeight,
      release: () => URL.revokeObjectURL(url),
    }
  } catch (e) {
    URL.revokeObjectURL(url)
    throw e
  }
}

function canvasToBlob(canvas: HTMLCanvasElement, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => {
    if (typeof canvas.toBlob === 'function') canvas.toBlob((b) => resolve(b), 'image/jpeg', quality)
    else resolve(null)
  })
}

/** Resize and re-encode as JPEG; any failure returns the original file so a photo is never lost. */
export async function compressImage(file: Blob, maxEdge = MAX_EDGE, quality = JPEG_QUALITY): Promise<Blob> {
  let drawable: Drawable | null = null
  try {
    drawable = await decode(file)
    const { width, height } = fitWithin(drawable.width, drawable.height, maxEdge)
    if (!width || !height) return file
    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    const ctx = canvas.getContext('2d')
    if (!ctx) return file
    ctx.drawImage(drawable.source, 0, 0, width, height)
    const blob = await canvasToBlob(canvas, quality)
    if (!blob || !blob.size) return file
    // an already small JPEG can grow when re-encoded; keep the smaller one
    if (file.type === 'image/jpeg' && blob.size >= file.size && width === drawable.width) return file
    return await carryExif(file, blob)
  } catch {
    return file
  } finally {
    drawable?.release()
  }
}

/** The compressed JPEG with the original's EXIF segment (Orientation reset: the pixels are already upright). */
export async function carryExif(original: Blob, compressed: Blob): Promise<Blob> {
  try {
    const segment = exifSegment(await readBytes(original.slice(0, 256 * 1024)))
    if (!segment) return compressed
    return new Blob([withExif(new Uint8Array(await readBytes(compressed)), segment) as BlobPart], { type: 'image/jpeg' })
  } catch {
    return compressed
  }
}
