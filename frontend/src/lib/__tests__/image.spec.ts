import { describe, expect, it } from 'vitest'
import { fitWithin } from '../image'
import { exifDateToIso, parseExifCaptureTime } from '../exif'

describe('fitWithin', () => {
  it('keeps small images unchanged (never upscales)', () => {
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 })
    expect(fitWithin(1920, 1080)).toEqual({ width: 1920, height: 1080 })
  })
  it('scales landscape and portrait so the long edge is 1920', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1920, height: 1440 })
    expect(fitWithin(3024, 4032)).toEqual({ width: 1440, height: 1920 })
  })
  it('rounds and never returns a zero edge', () => {
    expect(fitWithin(4001, 3)).toEqual({ width: 1920, height: 1 })
    const r = fitWithin(2500, 1667)
    expect(r.width).toBe(1920)
    expect(r.height).toBe(Math.round(1667 * (1920 / 2500)))
  })
  it('respects a custom edge and rejects bad sizes', () => {
    expect(fitWithin(1000, 500, 100)).toEqual({ width: 100, height: 50 })
    expect(fitWithin(0, 500)).toEqual({ width: 0, height: 0 })
    expect(fitWithin(NaN, 500)).toEqual({ width: 0, height: 0 })
  })
})

/** Minimal JPEG with an EXIF APP1 holding IFD0 → ExifIFD → DateTimeOriginal (big-endian). */
function jpegWithExif(date: string): ArrayBuffer {
  const tiff: number[] = []
  const u16 = (v: number) => tiff.push((v >> 8) & 0xff, v & 0xff)
  const u32 = (v: number) => tiff.push((v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
  tiff.push(0x4d, 0x4d) // MM
  u16(42)
  u32(8) // IFD0 at 8
  u16(1) // one entry
  u16(0x8769)
  u16(4)
  u32(1)
  u32(26) // Exif IFD at 26
  u32(0) // next IFD
  // Exif IFD at 26
  u16(1)
  u16(0x9003)
  u16(2)
  u32(20)
  u32(44) // string at 44
  u32(0)
  for (const ch of date) tiff.push(ch.charCodeAt(0))
  tiff.push(0)
  const app1 = [...'Exif'].map((c) => c.charCodeAt(0)).concat([0, 0], tiff)
  const len = app1.length + 2
  const bytes = [0xff, 0xd8, 0xff, 0xe1, (len >> 8) & 0xff, len & 0xff, ...app1, 0xff, 0xd9]
  return new Uint8Array(bytes).buffer
}

describe('EXIF capture time', () => {
  it('reads DateTimeOriginal', () => {
    expect(parseExifCaptureTime(jpegWithExif('2026:03:14 23:30:05'))).toBe('2026-03-14T23:30:05')
  })
  it('returns null for non-JPEG data and blank dates', () => {
    expect(parseExifCaptureTime(new Uint8Array([1, 2, 3, 4]).buffer)).toBeNull()
    expect(exifDateToIso('0000:00:00 00:00:00')).toBeNull()
  })
})
