// Copies Vant's icon font out of its inline data: URL into src/assets, because the server's CSP
// (default-src 'self', no font-src data:) blocks inline fonts. Re-run after upgrading vant.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'

const css = readFileSync(new URL('../node_modules/vant/lib/index.css', import.meta.url), 'utf8')
const m = /font-family:vant-icon;[^}]*?src:url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\)/.exec(css)
if (!m) throw new Error('vant-icon font not found in vant/lib/index.css')
const out = new URL('../src/assets/', import.meta.url)
mkdirSync(out, { recursive: true })
writeFileSync(new URL('vant-icon.woff2', out), Buffer.from(m[1], 'base64'))
console.log('wrote src/assets/vant-icon.woff2')
