import { describe, expect, it, vi } from 'vitest'
import { currentPlace } from '../geo'
import { exifSegment, withExif } from '../exif'

/** SOI, an APP1 Exif segment whose IFD0 holds Orientation = `orientation`, SOS, EOI. */
function jpegWithOrientation(orientation: number, littleEndian = true): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4)
  const v = new DataView(tiff.buffer)
  v.setUint16(0, littleEndian ? 0x4949 : 0x4d4d)
  v.setUint16(2, 42, littleEndian)
  v.setUint32(4, 8, littleEndian)
  v.setUint16(8, 1, littleEndian)
  v.setUint16(10, 0x0112, littleEndian)
  v.setUint16(12, 3, littleEndian)
  v.setUint32(14, 1, littleEndian)
  v.setUint16(18, orientation, littleEndian)
  const body = [...new TextEncoder().encode('Exif'), 0, 0, ...tiff]
  const len = body.length + 2
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, len >> 8, len & 0xff, ...body, 0xff, 0xda, 0, 2, 0xff, 0xd9])
}

function orientationOf(segment: Uint8Array, littleEndian = true): number {
  return new DataView(segment.buffer, segment.byteOffset).getUint16(10 + 18, littleEndian)
}

describe('EXIF carried into the compressed photo', () => {
  it('copies the segment and resets Orientation (the canvas already turned the pixels)', () => {
    for (const le of [true, false]) {
      const original = jpegWithOrientation(6, le)
      const segment = exifSegment(original.buffer as ArrayBuffer)
      expect(segment).not.toBeNull()
      expect(orientationOf(segment!, le)).toBe(1)
      expect(orientationOf(original.slice(2), le)).toBe(6) // the original is not modified
    }
  })

  it('puts the segment right after the start-of-image marker', () => {
    const segment = exifSegment(jpegWithOrientation(3).buffer as ArrayBuffer)!
    const compressed = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 0xff, 0xd9])
    const out = withExif(compressed, segment)
    expect(Array.from(out.subarray(0, 4))).toEqual([0xff, 0xd8, 0xff, 0xe1])
    expect(Array.from(out.subarray(2 + segment.length))).toEqual(Array.from(compressed.subarray(2)))
    expect(exifSegment(out.buffer as ArrayBuffer)).toEqual(segment)
  })

  it('finds nothing in a JPEG without EXIF or in something that is not a JPEG', () => {
    expect(exifSegment(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9]).buffer as ArrayBuffer)).toBeNull()
    expect(exifSegment(new TextEncoder().encode('GIF89a').buffer as ArrayBuffer)).toBeNull()
    const cut = jpegWithOrientation(6).slice(0, 12) // the segment claims more bytes than there are
    expect(exifSegment(cut.buffer as ArrayBuffer)).toBeNull()
  })
})

function geo(behaviour: 'ok' | 'deny' | 'never' | 'nonsense') {
  return {
    getCurrentPosition: (ok: PositionCallback, fail?: PositionErrorCallback | null) => {
      if (behaviour === 'ok') ok({ coords: { latitude: 45.7712, longitude: 126.635, accuracy: 18.4 } } as GeolocationPosition)
      if (behaviour === 'nonsense') ok({ coords: { latitude: NaN, longitude: 500, accuracy: 1 } } as GeolocationPosition)
      if (behaviour === 'deny') fail?.({ code: 1, message: 'denied' } as GeolocationPositionError)
    },
  }
}

describe('the phone location of a photo', () => {
  it('is the fix when the browser gives one', async () => {
    expect(await currentPlace(100, geo('ok'))).toEqual({ lat: 45.7712, lon: 126.635, accuracy: 18.4 })
  })

  it('is null when refused, absent, impossible or too slow — and never waits much past the timeout', async () => {
    expect(await currentPlace(100, geo('deny'))).toBeNull()
    expect(await currentPlace(100, undefined)).toBeNull()
    expect(await currentPlace(100, geo('nonsense'))).toBeNull()
    vi.useFakeTimers()
    try {
      const waiting = currentPlace(3000, geo('never'))
      vi.advanceTimersByTime(3600)
      expect(await waiting).toBeNull()
    } finally {
      vi.useRealTimers()
    }
  })
})
