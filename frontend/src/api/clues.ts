// 线索移送 (长治 附件3): the receiving unit's queue, what a unit sent, the form, its stage actions and PDF.
import { http } from './http'
import { toQuery } from './problems'
import type { components } from './schema'
import type { PageResponse } from './types'

type S = components['schemas']
type Full<T> = { -readonly [K in keyof T]-?: Exclude<T[K], undefined> }
type Labels = {
  status_label: string
  from_unit_name: string
  to_unit_name: string
  source_label: string
  category_labels: string[]
}

export type ClueSummary = Omit<Full<S['ClueSummary']>, keyof Labels> & Labels
export type ClueDetail = Omit<Full<S['ClueDetail']>, keyof Labels | 'sender_opinion_label' | 'conclusion_label' | 'created_at' | 'transferred_at' | 'accepted_at' | 'concluded_at'> &
  Labels & {
    sender_opinion_label: string | null
    conclusion_label: string | null
    created_at: string
    transferred_at: string | null
    accepted_at: string | null
    concluded_at: string | null
  }
export type ClueAction = 'transfer' | 'withdraw' | 'accept' | 'return' | 'conclude'
export type ClueOrigin = 'monitoring_alarm' | 'risk_warning' | 'problem'

export const CLUE_ACTIONS: Record<ClueAction, string> = {
  transfer: '移送',
  withdraw: '撤回',
  accept: '接收',
  return: '退回',
  conclude: '办结',
}
export const CONCLUSIONS: Record<string, string> = { case_filed: '立案', not_filed: '不予立案', referred: '转其他部门' }

export const listClues = (f: { box?: 'inbox' | 'outbox'; status?: string; enterprise_id?: number; page?: number; per_page?: number } = {}) =>
  http.get<PageResponse<ClueSummary>>(`/api/clues${toQuery(f)}`)

export const getClue = (id: number) => http.get<ClueDetail>(`/api/clues/${id}`)

export const createClue = (body: { origin_type: ClueOrigin; origin_id: number } | { enterprise_id: number }, key: string) =>
  http.post<ClueDetail>('/api/clues', { origin_type: null, origin_id: null, enterprise_id: null, ...body }, {
    headers: { 'Idempotency-Key': key },
  })

export const actOnClue = (id: number, action: ClueAction, body: Record<string, unknown>, key: string) =>
  http.post<ClueDetail>(`/api/clues/${id}/${action}`, body, { headers: { 'Idempotency-Key': key } })

export const clueFormUrl = (id: number) => `/api/clues/${id}/form.pdf`

// The form's choices (labels as in app/clues/models.py; the codes are the OpenAPI enums of ClueFields).
export type ClueEdit = components['schemas']['ClueFields']
type Category = NonNullable<ClueEdit['categories']>[number]
type Opinion = NonNullable<ClueEdit['sender_opinion']>
export const CATEGORY_LABELS: Record<Category, string> = {
  water: '水污染',
  air: '大气污染',
  solid_waste: '固废违法',
  eia: '环评/验收违法',
  ecology: '生态破坏',
  noise: '噪声扰民',
  other: '其他',
}
export const OPINION_LABELS: Record<Opinion, string> = {
  suggest_case: '建议立案',
  verify: '需进一步核查',
  assist: '请协调科室协助',
}

export const updateClue = (id: number, body: ClueEdit) => http.patch<ClueDetail>(`/api/clues/${id}`, body)
