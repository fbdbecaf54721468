// Writes the PWA icons (solid green square with a white leaf) using only node:zlib.
import { deflateSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}

/** Leaf = intersection of two circles (a vesica), tilted 45°, with a vein line. */
function icon(size, scale, rounded) {
  const green = [0x1f, 0x8f, 0x4e]
  const white = [0xff, 0xff, 0xff]
  const rows = []
  const c = size / 2
  const r = size * 0.34 * scale
  const off = r * 0.62
  const corner = rounded ? size * 0.18 : 0
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4)
    for (let x = 0; x < size; x++) {
      // rotate into the leaf frame
      const dx = x + 0.5 - c
      const dy = y + 0.5 - c
      const u = (dx + dy) / Math.SQRT2
      const v = (dx - dy) / Math.SQRT2
      const inLeaf = (u - off) ** 2 + v ** 2 < r * r && (u + off) ** 2 + v ** 2 < r * r
      const vein = Math.abs(u) < size * 0.012 && Math.abs(v) < r * 0.75
      let alpha = 255
      if (corner) {
        const qx = Math.max(corner - x, x - (size - 1 - corner), 0)
        const qy = Math.max(corner - y, y - (size - 1 - corner), 0)
        if (qx * qx + qy * qy > corner * corner) alpha = 0
      }
      const col = inLeaf && !vein ? white : green
      row.set([...col, alpha], 1 + x * 4)
    }
    rows.push(row)
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const out = new URL('../public/icons/', import.meta.url)
mkdirSync(out, { recursive: true })
writeFileSync(new URL('icon-192.png', out), icon(192, 1, true))
writeFileSync(new URL('icon-512.png', out), icon(512, 1, true))
// Maskable: full bleed, leaf kept inside the 80% safe zone.
writeFileSync(new URL('icon-512-maskable.png', out), icon(512, 0.8, false))
console.log('icons written')
