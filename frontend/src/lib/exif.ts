// Reads EXIF DateTimeOriginal from a JPEG so the capture time survives canvas re-encoding.

const TAG_EXIF_IFD = 0x8769
const TAG_DATETIME_ORIGINAL = 0x9003
const TAG_DATETIME = 0x0132

/** Parse "YYYY:MM:DD HH:MM:SS" into an ISO local time string "YYYY-MM-DDTHH:MM:SS". */
export function exifDateToIso(s: string): string | null {
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(s.trim())
  if (!m || m[1] === '0000') return null
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`
}

function readAscii(view: DataView, offset: number, count: number): string {
  let s = ''
  for (let i = 0; i < count && offset + i < view.byteLength; i++) {
    const c = view.getUint8(offset + i)
    if (c === 0) break
    s += String.fromCharCode(c)
  }
  return s
}

/** Find an ASCII tag in one IFD; returns the string or a sub-IFD offset for pointer tags. */
function readIfd(view: DataView, tiff: number, ifd: number, le: boolean): Map<number, string | number> {
  const out = new Map<number, string | number>()
  if (tiff + ifd + 2 > view.byteLength) return out
  const n = view.getUint16(tiff + ifd, le)
  for (let i = 0; i < n; i++) {
    const e = tiff + ifd + 2 + i * 12
    if (e + 12 > view.byteLength) break
    const tag = view.getUint16(e, le)
    const type = view.getUint16(e + 2, le)
    const count = view.getUint32(e + 4, le)
    if (type === 2) {
      const at = count > 4 ? tiff + view.getUint32(e + 8, le) : e + 8
      out.set(tag, readAscii(view, at, count))
    } else if (type === 4 || type === 13) {
      out.set(tag, view.getUint32(e + 8, le))
    }
  }
  return out
}

/** Where the APP1 "Exif" segment starts (its 0xFF marker) and how long it is, marker included; or null. */
function findExifSegment(view: DataView): { start: number; length: number } | null {
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null
  let p = 2
  while (p + 4 <= view.byteLength) {
    if (view.getUint8(p) !== 0xff) return null
    const marker = view.getUint8(p + 1)
    const len = view.getUint16(p + 2)
    if (marker === 0xda || marker === 0xd9) return null
    if (marker === 0xe1 && readAscii(view, p + 4, 4) === 'Exif') return { start: p, length: 2 + len }
    p += 2 + len
  }
  return null
}

export function parseExifCaptureTime(buf: ArrayBuffer): string | null {
  const view = new DataView(buf)
  const found = findExifSegment(view)
  if (!found) return null
  const tiff = found.start + 10
  if (tiff + 8 > view.byteLength) return null
  const le = view.getUint16(tiff) === 0x4949
  const ifd0 = readIfd(view, tiff, view.getUint32(tiff + 4, le), le)
  const exifPtr = ifd0.get(TAG_EXIF_IFD)
  if (typeof exifPtr === 'number') {
    const exif = readIfd(view, tiff, exifPtr, le)
    const dto = exif.get(TAG_DATETIME_ORIGINAL)
    if (typeof dto === 'string') return exifDateToIso(dto)
  }
  const dt = ifd0.get(TAG_DATETIME)
  return typeof dt === 'string' ? exifDateToIso(dt) : null
}

function readHead(file: Blob, bytes: number): Promise<ArrayBuffer> {
  const part = file.slice(0, bytes)
  if (typeof part.arrayBuffer === 'function') return part.arrayBuffer()
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(r.result as ArrayBuffer)
    r.onerror = () => reject(r.error)
    r.readAsArrayBuffer(part)
  })
}

/** EXIF capture time of the original photo, else the file's lastModified time, else null. */
export async function captureTimeOf(file: Blob): Promise<string | null> {
  try {
    const fromExif = parseExifCaptureTime(await readHead(file, 256 * 1024))
    if (fromExif) return fromExif
  } catch {
    // unreadable: fall back below
  }
  const lm = (file as File).lastModified
  return typeof lm === 'number' && lm > 0 ? new Date(lm).toISOString() : null
}

const TAG_ORIENTATION = 0x0112

/** The original's EXIF (APP1 "Exif" segment, marker included) with Orientation set to 1, or null.
 *  The canvas has already turned the pixels upright, so the copied tag must not turn them again. */
export function exifSegment(buf: ArrayBuffer): Uint8Array | null {
  const found = findExifSegment(new DataView(buf))
  if (!found || found.start + found.length > buf.byteLength) return null
  const segment = new Uint8Array(buf.slice(found.start, found.start + found.length))
  const seg = new DataView(segment.buffer)
  const tiff = 10
  if (tiff + 8 > seg.byteLength) return null
  const le = seg.getUint16(tiff) === 0x4949
  const ifd = tiff + seg.getUint32(tiff + 4, le)
  if (ifd + 2 <= seg.byteLength) {
    const n = seg.getUint16(ifd, le)
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + i * 12
      if (e + 12 > seg.byteLength) break
      if (seg.getUint16(e, le) === TAG_ORIENTATION && seg.getUint16(e + 2, le) === 3) seg.setUint16(e + 8, 1, le)
    }
  }
  return segment
}

/** `jpeg` with `segment` placed right after its start-of-image marker. */
export function withExif(jpeg: Uint8Array, segment: Uint8Array): Uint8Array {
  const out = new Uint8Array(jpeg.length + segment.length)
  out.set(jpeg.subarray(0, 2), 0)
  out.set(segment, 2)
  out.set(jpeg.subarray(2), 2 + segment.length)
  return out
}

export function readBytes(file: Blob): Promise<ArrayBuffer> {
  return readHead(file, file.size)
}
