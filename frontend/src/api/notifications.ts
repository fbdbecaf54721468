// Inbox (我的消息), preferences and Web Push subscriptions (app/notify).
import { http } from './http'
import { toQuery } from './problems'
import type { InboxPage } from './types'

export const listNotifications = (opts: { unread?: boolean; page?: number; per_page?: number } = {}) =>
  http.get<InboxPage>(`/api/notifications${toQuery({ ...opts, unread: opts.unread ? 1 : undefined })}`)
export const markRead = (id: number) => http.post<unknown>(`/api/notifications/${id}/read`, {})
export const markAllRead = () => http.post<{ updated: number; unread_count: number }>('/api/notifications/read-all', {})

export interface Preferences {
  channels: string[]
  digest: boolean
}
export const getPreferences = () => http.get<Preferences>('/api/notifications/preferences')
export const putPreferences = (p: Preferences) => http.put<Preferences>('/api/notifications/preferences', p)

export const getVapidKey = () => http.get<{ public_key: string }>('/api/push/vapid-public-key')
export const postSubscription = (sub: { endpoint: string; keys: { p256dh: string; auth: string } }) =>
  http.post<unknown>('/api/push/subscriptions', sub)
export const deleteSubscription = (endpoint: string) =>
  http.delete<unknown>('/api/push/subscriptions', { endpoint })
