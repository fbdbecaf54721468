/// <reference types="vitest/config" />
// Vite build, dev proxy, PWA (manifest + Workbox generateSW) and Vitest settings.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'

// Vant's function APIs (showToast, showDialog, …) are imported in script, where the component resolver
// does not see them: give every module that imports one the style of that API, as the resolver does for
// template components. Each chunk then carries only the Vant CSS it uses (no 200 KB render-blocking
// vant/lib/index.css on the login page).
const VANT_API_STYLES: Record<string, string> = {
  showDialog: 'dialog', closeDialog: 'dialog', showConfirmDialog: 'dialog',
  setDialogDefaultOptions: 'dialog', resetDialogDefaultOptions: 'dialog',
  showImagePreview: 'image-preview',
  showNotify: 'notify', closeNotify: 'notify', setNotifyDefaultOptions: 'notify', resetNotifyDefaultOptions: 'notify',
  showToast: 'toast', closeToast: 'toast', showFailToast: 'toast', showLoadingToast: 'toast', showSuccessToast: 'toast',
  allowMultipleToast: 'toast', setToastDefaultOptions: 'toast', resetToastDefaultOptions: 'toast',
}

function vantApiStyles(): Plugin {
  return {
    name: 'ecocheck:vant-api-styles',
    transform(code, id) {
      const [file, query = ''] = id.split('?')
      if (file.includes('/node_modules/') || !/\.(ts|vue)$/.test(file) || (query && !query.includes('type=script'))) return
      const styles = new Set<string>()
      for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]vant['"]/g)) {
        for (const name of m[1].split(',')) {
          const style = VANT_API_STYLES[name.trim().split(/\s+as\s+/)[0]]
          if (style) styles.add(style)
        }
      }
      if (!styles.size) return
      // appended, so the code above keeps its positions (and its source map)
      return { code: `${code}\n${[...styles].map((s) => `import 'vant/es/${s}/style/index'`).join('\n')}\n`, map: null }
    },
  }
}

// Vant's icon CSS declares its font twice more: as a data: URL and from a CDN (at.alicdn.com), both blocked
// by the CSP (console errors, an insecure request). styles.css declares the same font as a same-origin file.
function vantIconFontFromFile(): Plugin {
  return {
    name: 'ecocheck:vant-icon-font',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]vant[\\/]es[\\/]icon[\\/]index\.css$/.test(id.split('?')[0])) return
      return { code: code.replace(/@font-face\s*\{[^}]*\}/g, ''), map: null }
    },
  }
}

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    vantApiStyles(),
    vantIconFontFromFile(),
    // per-component Vant CSS, in the chunk of the page that uses the component
    Components({ resolvers: [VantResolver({ importStyle: 'css' })], dts: 'components.d.ts' }),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['icons/*.png'],
      manifest: {
        name: '环保自查',
        short_name: '环保自查',
        description: '企业环保定时自检、问题报告与整改反馈',
        lang: 'zh-CN',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        theme_color: '#1f8f4e',
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512-maskable.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Every route's chunk is precached, and the first service worker takes over the open page
        // at once (clientsClaim): the app works offline from the first session, with no reload.
        globPatterns: ['**/*.{js,mjs,css,html,png,svg,ico,woff2,webmanifest}'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        clientsClaim: true,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/verify\//, /^\/e\//],
        cleanupOutdatedCaches: true,
        // Web Push and notification clicks (public/push-sw.js; no inline script under the CSP)
        importScripts: ['push-sw.js'],
        // API data lives in IndexedDB; the service worker never caches /api.
        runtimeCaching: [],
      },
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // a group takes only the modules it names, not what they import (api/http.ts stays in the entry)
          includeDependenciesRecursively: false,
          groups: [
            // the regulator's charts (dashboard, monitoring, enterprise file): one chunk, loaded only with them
            { name: 'echarts', test: /[\\/]node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 20 },
            // what every page needs, cached across releases that change only app code
            { name: 'vue', test: /[\\/]node_modules[\\/](@vue|vue|vue-router|pinia)[\\/]/, priority: 10 },
            // the offline engine (IndexedDB, outbox, sync, local photos): every enterprise page and the
            // regulator's on-site inspection need it; one chunk instead of a dozen small ones
            {
              name: 'offline',
              test: /([\\/]node_modules[\\/]idb[\\/]|[\\/]src[\\/]lib[\\/](sync|syncStatus|db|outbox|photos|image|exif|uuid|problemQueue|inspectionQueue)\.ts$|[\\/]src[\\/]api[\\/](uploads|inspections|selfchecks)\.ts$)/,
              priority: 8,
            },
            // Vant: what the entry and the login page use (vant-core, with the entry), and the rest in one
            // chunk (JS and CSS) for the pages after login, not forty small ones
            { name: 'vant-core', test: /[\\/]node_modules[\\/](vant|@vant)[\\/]/, tags: ['$initial'], priority: 6 },
            { name: 'vant', test: /[\\/]node_modules[\\/](vant|@vant)[\\/]/, priority: 5 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:5000', changeOrigin: false } },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/__tests__/**/*.spec.ts'],
    setupFiles: ['src/test-setup.ts'],
    // Vant's style entries import .css, which Node cannot load: let Vite transform Vant in tests too
    server: { deps: { inline: ['vant'] } },
  },
})
