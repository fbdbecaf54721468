// Problems (整改问题): list/queue/detail, report, and one call per lifecycle action.
import { http } from './http'
import type { PageResponse, ProblemDetail, ProblemSummary } from './types'

export interface ProblemFilters {
  status?: string
  severity?: string
  overdue?: boolean
  enterprise_id?: number
  source?: string
  sort?: 'deadline' | '-created' | 'severity' | string
  page?: number
  per_page?: number
}

/** Query string from a filter object; empty, null and undefined values are left out. */
export function toQuery(params: object): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

export function listProblems(filters: ProblemFilters | string = {}): Promise<PageResponse<ProblemSummary>> {
  const f = typeof filters === 'string' ? { status: filters } : filters
  return http.get<PageResponse<ProblemSummary>>(`/api/problems${toQuery(f)}`)
}

export function reviewQueue(page = 1, per_page = 50): Promise<PageResponse<ProblemSummary>> {
  return http.get<PageResponse<ProblemSummary>>(`/api/problems/review-queue${toQuery({ page, per_page })}`)
}

export const ledgerUrl = (filters: ProblemFilters = {}) => `/api/problems/export.xlsx${toQuery(filters)}`

export const getProblem = (id: number) => http.get<ProblemDetail>(`/api/problems/${id}`)

export interface ProblemReportInput {
  title: string
  description: string
  severity: string
  category?: string
  location?: string
  upload_ids: number[]
  enterprise_id?: number
  deadline_days?: number
}

const idem = (key?: string) => (key ? { headers: { 'Idempotency-Key': key } } : undefined)

export const reportProblem = (body: ProblemReportInput, idempotencyKey?: string) =>
  http.post<ProblemDetail>('/api/problems', body, idem(idempotencyKey))

export interface RectificationInput {
  description: string
  upload_ids: number[]
  before_upload_ids: number[]
}

const act = <T>(id: number, path: string, body: T, key?: string) =>
  http.post<ProblemDetail>(`/api/problems/${id}/${path}`, body, idem(key))

export const acceptProblem = (id: number, body: { plan?: string | null; target_date?: string | null }) =>
  act(id, 'accept', body)
export const submitRectification = (id: number, body: RectificationInput, idempotencyKey: string) =>
  act(id, 'rectification', body, idempotencyKey)
export const requestExtension = (id: number, body: { days: number; reason: string }, key?: string) =>
  act(id, 'extension', body, key)
export const reviewProblem = (id: number, body: { decision: 'approve' | 'return'; comment?: string | null }, key?: string) =>
  act(id, 'review', body, key)
export const decideExtension = (
  id: number,
  body: { approve: boolean; new_deadline?: string | null; comment?: string | null },
) => act(id, 'extension/decision', body)
export const cancelProblem = (id: number, body: { reason: string }) => act(id, 'cancel', body)
export const requireReview = (id: number, body: { comment?: string | null }) => act(id, 'require-review', body)
export const reopenProblem = (id: number, body: { reason: string }) => act(id, 'reopen', body)
export const assignProblem = (id: number, ownerId: number) => act(id, 'assign', { owner_id: ownerId })
export const listAssignees = () => http.get<{ id: number; display_name: string; role: string }[]>('/api/problems/assignees')
