// 案件: list, detail, the stage actions, 清单 evaluation, 裁量 suggestion and the 四书 PDF.
import { http } from './http'
import { toQuery } from './problems'
import type { PageResponse } from './types'

export type CaseStatus =
  | 'filed'
  | 'investigating'
  | 'notified'
  | 'decided'
  | 'executing'
  | 'rectification_verified'
  | 'closed'
  | 'withdrawn'

/** The stages in order (Changzhi 14: 立案—查处—整改—验收—销号); 已撤销 stands apart. */
export const CASE_STAGES: { status: CaseStatus; label: string }[] = [
  { status: 'filed', label: '立案' },
  { status: 'investigating', label: '调查' },
  { status: 'notified', label: '告知' },
  { status: 'decided', label: '决定' },
  { status: 'executing', label: '执行' },
  { status: 'rectification_verified', label: '整改验收' },
  { status: 'closed', label: '结案' },
]

export type CaseDecision = 'punish' | 'no_penalty' | 'lighter' | 'mitigated'
export const DECISION_LABELS: Record<CaseDecision, string> = {
  punish: '处罚',
  no_penalty: '不予处罚',
  lighter: '从轻处罚',
  mitigated: '减轻处罚',
}
export const CREDIT_CATEGORIES = ['轻微失信', '一般失信', '严重失信'] as const

export const SOURCE_LABELS: Record<string, string> = {
  problem: '问题',
  penalty: '处罚记录',
  finding: '检查发现',
  clue: '线索',
  alarm: '监测报警',
  regulator: '执法检查',
}

export type CaseAction =
  | 'investigate'
  | 'notify'
  | 'decide'
  | 'issue_documents'
  | 'verify_rectification'
  | 'close'
  | 'withdraw'

export const ACTION_LABELS: Record<CaseAction, string> = {
  investigate: '开始调查',
  notify: '告知当事人',
  decide: '作出决定',
  issue_documents: '送达四书',
  verify_rectification: '整改验收',
  close: '结案',
  withdraw: '撤销立案',
}

export interface Case {
  id: number
  number: string
  enterprise_id: number
  enterprise_name: string
  enterprise_uscc: string
  province: string
  status: CaseStatus
  status_label: string
  source: string
  problem_id: number | null
  penalty_id: number | null
  violation_code: string | null
  violation_title: string
  facts: string
  evidence_upload_ids: number[]
  circumstances: Record<string, unknown>
  factors: Record<string, string>
  discovered_on: string
  decision: CaseDecision | null
  decision_label: string | null
  list_entry_id: string | null
  decision_no: string | null
  decided_on: string | null
  amount: number | null
  suggested_amount: number | null
  amount_reason: string | null
  credit_category: string | null
  education: string | null
  rectification_problem_id: number | null
  documents_issued_on: string | null
  legacy: boolean
  allowed_actions: string[]
}

export interface EvalCondition {
  kind: string
  label: string
  /** null: not yet known (待核实) */
  passed: boolean | null
  detail: string
  evidence_ids: string[]
}

export interface EvalExclusion {
  fact: string
  label: string
  present: boolean | null
  detail: string
  source: string | null
}

export interface EvalEntry {
  entry_id: string
  lists: string[]
  list_labels: string[]
  number: string
  basis: { law?: string; article?: string } | null
  result: 'eligible' | 'not_eligible' | 'pending' | string
  first_offence: boolean
  source_title: string
  source_url: string | null
  checked: boolean
  conditions: EvalCondition[]
  exclusions: EvalExclusion[]
}

export interface CaseEvaluation {
  case_id: number
  province: string
  violation_code: string | null
  entries: EvalEntry[]
  mitigating: { label?: string; detail?: string; [k: string]: unknown }[]
  recommendation: { decision?: CaseDecision | null; entry_id?: string | null; text?: string }
}

export interface DiscretionLine {
  factor: string
  label: string
  option: string | null
  option_label: string
  percent: number
}

export interface CaseDiscretion {
  available: boolean
  reason?: string
  source?: { title?: string; url?: string; checked?: boolean }
  percent?: number
  amount?: number
  band?: [number, number]
  statutory_range?: [number, number]
  lines?: DiscretionLine[]
  auto?: { factor: string; detail: string }[]
  arithmetic?: string
  penalty_article?: { law?: string; article?: string; checked?: boolean }
  note?: string
  similar_cases: { case_id: number; number: string; decision: CaseDecision; amount: number | null; decided_on: string; region_code: string }[]
}

export interface CaseDecisionInput {
  decision: CaseDecision
  list_entry_id?: string | null
  amount?: number | null
  amount_reason?: string | null
  credit_category?: string | null
  education?: string | null
  deadline_days?: number | null
}

export const listCases = (f: { status?: string; enterprise_id?: number; page?: number; per_page?: number } = {}) =>
  http.get<PageResponse<Case>>(`/api/cases${toQuery(f)}`)
export const getCase = (id: number) => http.get<Case>(`/api/cases/${id}`)
export const caseEvaluation = (id: number) => http.get<CaseEvaluation>(`/api/cases/${id}/evaluation`)
export const caseDiscretion = (id: number) => http.get<CaseDiscretion>(`/api/cases/${id}/discretion`)
export const caseDocumentsUrl = (id: number) => `/api/cases/${id}/documents.pdf`

export const decideCase = (id: number, body: CaseDecisionInput) => http.post<Case>(`/api/cases/${id}/decide`, body)

/** The other stage actions: a comment (withdraw: a reason; close: optionally the date the fine was paid). */
export function caseAction(id: number, action: Exclude<CaseAction, 'decide'>, body: Record<string, unknown> = {}) {
  return http.post<Case>(`/api/cases/${id}/${action.replace(/_/g, '-')}`, body)
}

export const yuan = (n: number | null | undefined) =>
  n === null || n === undefined ? '—' : `${n.toLocaleString('zh-CN', { maximumFractionDigits: 2 })}元`
