/* Web Push handlers, imported by the generated service worker (workbox importScripts). */
self.addEventListener('push', (event) => {
  let data = {}
  try {
    data = event.data ? event.data.json() : {}
  } catch (e) {
    data = { title: '环保自查', body: event.data ? event.data.text() : '' }
  }
  const title = data.title || '环保自查'
  // the server sends `url` (app/notify/channels.py); `link` is accepted too
  const raw = data.url || data.link || '/'
  let link = '/'
  try {
    const u = new URL(raw, self.location.origin)
    if (u.origin === self.location.origin) link = u.pathname + u.search + u.hash
  } catch (e) {
    link = '/'
  }
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      tag: data.tag || (data.id ? `n-${data.id}` : undefined),
      data: { link, id: data.id || null },
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const link = (event.notification.data && event.notification.data.link) || '/'
  const target = new URL(link, self.location.origin).href
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((wins) => {
      for (const w of wins) {
        if (new URL(w.url).origin === self.location.origin && 'focus' in w) {
          return w.focus().then((c) => (c && 'navigate' in c ? c.navigate(target) : self.clients.openWindow(target)))
        }
      }
      return self.clients.openWindow(target)
    }),
  )
})
