// App entry: Pinia, router, Vant zh-CN locale and the 401 → login redirect.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { Locale } from 'vant'
import zhCN from 'vant/es/locale/lang/zh-CN'
// Vant's base (CSS variables, animations) before our overrides; each component's own CSS comes with the
// chunk that uses it (vite.config.ts), never the whole library up front.
import 'vant/es/style/base.css'
import './styles.css'
import App from './App.vue'
import router from './router'
import { onUnauthorized } from './api/http'
import { useAuthStore } from './stores/auth'
import { installChunkErrorHandler } from './lib/chunkError'

Locale.use('zh-CN', zhCN)

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)
installChunkErrorHandler(router)

onUnauthorized(() => {
  const auth = useAuthStore(pinia)
  const current = router.currentRoute.value
  auth.clearSession()
  if (current.name !== 'login') {
    void router.push({ name: 'login', query: { redirect: current.fullPath } })
  }
})

app.mount('#app')
