// Web Push: support detection, subscribe with the server's VAPID key, and unsubscribe.
import { deleteSubscription, getVapidKey, postSubscription } from '@/api/notifications'

export type PushSupport = { ok: true } | { ok: false; reason: string }

/** Whether this browser can receive Web Push; WeChat's in-app browser and old iOS cannot. */
export function pushSupport(): PushSupport {
  if (typeof window === 'undefined') return { ok: false, reason: '当前环境不支持推送通知' }
  if (/MicroMessenger/i.test(navigator.userAgent)) {
    return { ok: false, reason: '微信内置浏览器不支持推送通知，请在系统浏览器中打开或添加到主屏幕' }
  }
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    return { ok: false, reason: '当前浏览器不支持推送通知（iPhone 需先“添加到主屏幕”）' }
  }
  if (!window.isSecureContext) return { ok: false, reason: '推送通知需要 HTTPS 访问' }
  return { ok: true }
}

/** base64url (VAPID public key) → bytes for applicationServerKey. */
export function urlBase64ToUint8Array(base64: string): Uint8Array<ArrayBuffer> {
  const padded = (base64 + '='.repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/')
  const raw = atob(padded)
  const out = new Uint8Array(new ArrayBuffer(raw.length))
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i)
  return out
}

async function registration(): Promise<ServiceWorkerRegistration> {
  const reg = await Promise.race([
    navigator.serviceWorker.ready,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('服务未就绪，请稍后再试')), 8000)),
  ])
  return reg
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupport().ok) return null
  try {
    const reg = await registration()
    return await reg.pushManager.getSubscription()
  } catch {
    return null
  }
}

/** Ask permission, subscribe, and register the subscription with the server. Throws with a Chinese message. */
export async function enablePush(): Promise<void> {
  const support = pushSupport()
  if (!support.ok) throw new Error(support.reason)
  const permission = await Notification.requestPermission()
  if (permission !== 'granted') throw new Error('未获得通知权限，请在浏览器设置中允许通知')
  const { public_key } = await getVapidKey()
  if (!public_key) throw new Error('服务器未配置推送密钥')
  const reg = await registration()
  let sub = await reg.pushManager.getSubscription()
  if (!sub) {
    try {
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(public_key) })
    } catch {
      // e.g. no push service in this browser build, or blocked by policy
      throw new Error('浏览器未能开启推送（可能不支持推送服务），消息仍会显示在“消息”中')
    }
  }
  const json = sub.toJSON()
  await postSubscription({ endpoint: sub.endpoint, keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' } })
}

export async function disablePush(): Promise<void> {
  const sub = await currentSubscription()
  if (!sub) return
  try {
    await deleteSubscription(sub.endpoint)
  } finally {
    await sub.unsubscribe()
  }
}
