// 企业诉求: file, list, detail with the visible events, and one call per lifecycle step.
import { toQuery } from './problems'
import { http } from './http'
import type { PageResponse } from './types'

export const REQUEST_CATEGORIES = ['政策咨询', '技术帮扶', '执法投诉', '意见建议', '其他'] as const
export const RATINGS = ['满意', '基本满意', '不满意'] as const
export type Rating = (typeof RATINGS)[number]

export type RequestStatus = 'submitted' | 'registered' | 'assigned' | 'replied' | 'closed' | 'rated' | 'reopened'

export const REQUEST_STATUS: Record<RequestStatus, string> = {
  submitted: '已提交',
  registered: '已登记',
  assigned: '已交办',
  replied: '已答复',
  closed: '已办结',
  rated: '已评价',
  reopened: '待复核',
}

export const EVENT_LABELS: Record<string, string> = {
  submitted: '提交诉求',
  register: '登记',
  assign: '交办',
  reply: '答复/进展',
  close: '办结',
  rate: '企业评价',
  review: '负责人复核',
  followup: '回访',
}

export interface RequestEvent {
  kind: string
  body: string
  at: string
}

export interface EntRequest {
  id: number
  enterprise_id: number
  enterprise_name: string
  category: string
  content: string
  upload_ids: number[]
  problem_id: number | null
  status: RequestStatus
  submitted_on: string
  register_due: string
  reply_due: string
  close_due: string
  assigned_to_id: number | null
  result: string
  rating: Rating | null
  rating_comment: string
  reopen_count: number
  followup_due: string | null
  followup_note: string
  allowed_actions: string[]
  events: RequestEvent[]
}

/** The step whose time limit is running now, with its due date (null when nothing is pending). */
export function pendingStep(r: Pick<EntRequest, 'status' | 'register_due' | 'reply_due' | 'close_due'>): { label: string; due: string } | null {
  if (r.status === 'submitted') return { label: '登记', due: r.register_due }
  if (r.status === 'registered' || r.status === 'assigned') return { label: '答复', due: r.reply_due }
  if (r.status === 'replied') return { label: '办结', due: r.close_due }
  return null
}

/** Overdue: the pending step's due date (a local YYYY-MM-DD) is before today. */
export function isOverdue(r: Parameters<typeof pendingStep>[0], today = localToday()): boolean {
  const step = pendingStep(r)
  return !!step && step.due < today
}

export function localToday(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

export interface RequestFilters {
  status?: string
  category?: string
  enterprise_id?: number
  page?: number
  per_page?: number
}

export const listRequests = (f: RequestFilters = {}) =>
  http.get<PageResponse<EntRequest>>(`/api/requests${toQuery(f)}`)
export const getRequest = (id: number) => http.get<EntRequest>(`/api/requests/${id}`)

export interface RequestInput {
  category: string
  content: string
  upload_ids: number[]
  problem_id?: number | null
}

export const fileRequest = (body: RequestInput, idempotencyKey: string) =>
  http.post<EntRequest>('/api/requests', body, { headers: { 'Idempotency-Key': idempotencyKey } })

export type RequestAction = 'register' | 'assign' | 'reply' | 'close' | 'rate' | 'review' | 'followup'

export const actOnRequest = (id: number, action: RequestAction, body: Record<string, unknown>) =>
  http.post<EntRequest>(`/api/requests/${id}/${action}`, body)

export interface QualityStep {
  step: 'register' | 'reply' | 'close'
  due: number
  on_time: number
  rate: number | null
}

export interface RequestQuality {
  total: number
  steps: QualityStep[]
  rated: number
  satisfaction_rate: number | null
  reopened: number
  reopened_share: number | null
  followups_due: number
  by_category: Record<string, number>
}

export const requestQuality = (year?: number) => http.get<RequestQuality>(`/api/requests/quality${toQuery({ year })}`)

export const uploadThumb = (id: number) => `/api/uploads/${id}/thumb`
export const uploadFile = (id: number) => `/api/uploads/${id}/file`
