// A page's code that cannot be loaded: say why in plain Chinese instead of failing silently.
// Offline, the page was not downloaded to this device yet; online, a new version replaced it.
import type { Router } from 'vue-router'
import { showDialog } from 'vant'

const PATTERNS = [
  /Failed to fetch dynamically imported module/i,
  /error loading dynamically imported module/i,
  /Importing a module script failed/i,
  /Loading chunk [\w-]+ failed/i,
  /Unable to preload CSS/i,
]

export function isChunkLoadError(err: unknown): boolean {
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return PATTERNS.some((p) => p.test(msg))
}

export function chunkErrorMessage(online: boolean): { title: string; message: string; button: string } {
  return online
    ? { title: '应用已更新', message: '该页面有新版本，需要重新加载后才能打开。', button: '重新加载' }
    : {
        title: '离线时无法打开',
        message: '该页面尚未下载到本机，当前离线无法打开。请联网后重试；已填写的内容保存在本机，不会丢失。',
        button: '重试',
      }
}

let shown = false

/** router.onError: explain a failed page load and offer the one thing that helps. */
export function installChunkErrorHandler(router: Router, reload: (path: string) => void = (p) => window.location.assign(p)): void {
  router.onError(async (err, to) => {
    if (!isChunkLoadError(err) || shown) return
    shown = true
    const online = typeof navigator === 'undefined' || navigator.onLine !== false
    const text = chunkErrorMessage(online)
    try {
      await showDialog({ title: text.title, message: text.message, confirmButtonText: text.button, className: 'chunk-error' })
      if (online) reload(to.fullPath)
      else await router.push(to.fullPath).catch(() => undefined)
    } finally {
      shown = false
    }
  })
}
