// 执法检查 (入企执法检查 附件2): list, detail, one call per lifecycle step, the on-site checklist.
import { http } from './http'
import { toQuery } from './problems'
import type { PageResponse } from './types'

export interface Person {
  id: number
  name: string
  position: string | null
  cert_no: string | null
}

export interface Opinion {
  step: number
  position: string
  label: string
  decision: 'approve' | 'reject' | null
  opinion: string
  approver: string
  at: string | null
}

export interface InspectionResult {
  item_code: string
  result: 'compliant' | 'non_compliant' | 'not_applicable'
  note: string
  severity: string | null
  upload_ids: number[]
}

export interface Inspection {
  id: number
  number: string
  form_date: string
  inspection_type: string
  type_label: string
  type_other: string
  trigger: string | null
  basis: string
  start_date: string
  end_date: string
  enterprise_id: number
  enterprise_name: string
  unit_name: string
  inspectors: Person[]
  content: string
  methods: string[]
  method_other: string
  status: string
  status_label: string
  summary: string | null
  problem_ids: number[]
  completed_at: string | null
  allowed_actions: string[]
  current_step?: string | null
  opinions?: Opinion[]
  results?: InspectionResult[]
  quiet_exception_reason?: string | null
  cancel_reason?: string | null
}

export interface ChecklistItem {
  code: string
  section: string
  question: string
  guidance: string
  severity: string
  legal_basis: { law: string; article: string }[]
}

export interface Checklist {
  items: ChecklistItem[]
  results: InspectionResult[]
  latest_report: { id: number; number: string; score: number; grade: string } | null
  open_problems: { id: number; title: string; severity: string; status: string; deadline: string }[]
}

export const METHOD_LABELS: Record<string, string> = {
  on_site: '现场检查', document_review: '资料核查', monitoring_sampling: '监测采样', inquiry: '问询调查', other: '其他',
}

export const listInspections = (f: { status?: string; page?: number; per_page?: number } = {}) =>
  http.get<PageResponse<Inspection>>(`/api/inspections${toQuery(f)}`)
export const getInspection = (id: number) => http.get<Inspection>(`/api/inspections/${id}`)
export const submitInspection = (id: number) => http.post<Inspection>(`/api/inspections/${id}/submit`)
export const decideInspection = (id: number, decision: 'approve' | 'reject', opinion: string) =>
  http.post<Inspection>(`/api/inspections/${id}/approvals`, { decision, opinion })
export const startInspection = (id: number) => http.post<Inspection>(`/api/inspections/${id}/start`)
export const cancelInspection = (id: number, reason: string) =>
  http.post<Inspection>(`/api/inspections/${id}/cancel`, { reason })
export const getChecklist = (id: number) => http.get<Checklist>(`/api/inspections/${id}/checklist`)
export const saveResults = (id: number, results: Partial<InspectionResult>[]) =>
  http.put<Inspection>(`/api/inspections/${id}/results`, { results })
export const completeInspection = (id: number, summary: string, idempotencyKey?: string) =>
  http.post<Inspection>(`/api/inspections/${id}/complete`, { summary },
    idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : undefined)
export const formPdfUrl = (id: number) => `/api/inspections/${id}/form.pdf`

// --- plans and 双随机 draws, special actions (附件1), dashboard numbers ---------------------------

export interface Plan {
  id: number
  unit_name: string
  year: number
  name: string
  basis: string
  ratios: Record<string, number>
  caps: Record<string, number>
  team_size: number
}

export interface Draw {
  id: number
  seq: number
  window_start: string
  window_end: string
  seed: string
  algorithm: string
  candidates: { enterprise_id: number; category: string; credit_grade: string; weight: number }[]
  excluded: { enterprise_id: number; name: string; reason: string; label: string; detail: string }[]
  selected: { enterprise_id: number; category: string; inspector_ids: number[]; inspection_id: number }[]
  reproducible: boolean
}

export interface SpecialAction {
  id: number
  number: string
  name: string
  basis: string
  start_date: string
  end_date: string
  unit_name: string
  targets: string
  content: string
  status: string
  status_label: string
  filed_with: string | null
  allowed_actions: string[]
  current_step?: string | null
  opinions?: Opinion[]
}

export interface InspectionStats {
  year: number
  by_category: { category: string; enterprises: number; inspections: number }[]
  positive_list: { members: number; inspected: number; inspected_without_trigger: number; share_inspected: number }
  over_cap: { enterprise_id: number; name: string; category: string; count: number; cap: number }[]
  feedback_overdue: { inspection_id: number; number: string; enterprise_name: string; result_due: string }[]
}

export const listPlans = () => http.get<PageResponse<Plan>>('/api/inspections/plans?per_page=50')
export const listDraws = (planId: number) => http.get<{ items: Draw[] }>(`/api/inspections/plans/${planId}/draws`)
export const createDraw = (planId: number, window_start: string, window_end: string) =>
  http.post<Draw>(`/api/inspections/plans/${planId}/draws`, { window_start, window_end })
export const inspectionStats = (year?: number) => http.get<InspectionStats>(`/api/inspections/stats${toQuery({ year })}`)
export const listSpecialActions = () => http.get<PageResponse<SpecialAction>>('/api/special-actions?per_page=100')
export const getSpecialAction = (id: number) => http.get<SpecialAction>(`/api/special-actions/${id}`)
export const specialActionStep = (id: number, step: 'submit' | 'publish') =>
  http.post<SpecialAction>(`/api/special-actions/${id}/${step}`)
export const decideSpecialAction = (id: number, decision: 'approve' | 'reject', opinion: string) =>
  http.post<SpecialAction>(`/api/special-actions/${id}/approvals`, { decision, opinion })
export const fileSpecialAction = (id: number, filed_with: string) =>
  http.post<SpecialAction>(`/api/special-actions/${id}/filing`, { filed_with })
