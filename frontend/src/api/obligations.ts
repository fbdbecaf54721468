// 法定义务日历: what is due and when, mark one done with its receipt, the phone-calendar feed.
import { http } from './http'
import { toQuery } from './problems'
import type { LegalBasis } from './types'

export type ObligationStatus = 'done' | 'overdue' | 'due_soon' | 'upcoming'

export interface Obligation {
  id: number
  enterprise_id: number
  code: string
  title: string
  period_label: string
  due_date: string
  status: ObligationStatus
  legal_basis: LegalBasis[]
  /** what proves it was done (e.g. 申报回执) */
  proof: string
  self_check_items: string[]
  done_on: string | null
  receipt_no: string | null
  receipt_upload_id: number | null
  note: string
  problem_id: number | null
  allowed_actions: string[]
}

export interface ObligationList {
  items: Obligation[]
  ics_url: string
}

export const OBLIGATION_STATUS: Record<ObligationStatus, { text: string; color: string; tag: 'danger' | 'warning' | 'success' | 'primary' }> = {
  overdue: { text: '已逾期', color: '#ee0a24', tag: 'danger' },
  due_soon: { text: '即将到期', color: '#ff976a', tag: 'warning' },
  upcoming: { text: '未到期', color: '#1989fa', tag: 'primary' },
  done: { text: '已完成', color: '#1f8f4e', tag: 'success' },
}

export const listObligations = (filters: { status?: string; code?: string } = {}) =>
  http.get<ObligationList>(`/api/obligations${toQuery(filters)}`)

export interface ObligationDoneInput {
  upload_id?: number
  record_no?: string
  done_on: string
  note?: string
}

export const markObligationDone = (id: number, body: ObligationDoneInput) =>
  http.post<Obligation>(`/api/obligations/${id}/done`, body)

/** webcal:// makes iOS and most Android calendars offer to subscribe instead of downloading once. */
export function webcalUrl(icsUrl: string): string {
  return icsUrl.replace(/^https?:\/\//, 'webcal://')
}
