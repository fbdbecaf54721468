/// <reference types="vitest/config" />
// Vite build, dev proxy, PWA (manifest + Workbox generateSW) and Vitest settings.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    Components({ resolvers: [VantResolver({ importStyle: false })], dts: 'components.d.ts' }),
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
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:5000', changeOrigin: false } },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/__tests__/**/*.spec.ts'],
    setupFiles: ['src/test-setup.ts'],
  },
})
