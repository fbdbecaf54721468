// Regulator console (/api/supervision), eligibility, credit repair, warnings and 企业环保码.
import { http } from './http'
import { toQuery } from './problems'
import type {
  CreditRepair,
  Dashboard,
  Eligibility,
  EnterpriseProfile,
  EnterpriseRow,
  Incident,
  PageResponse,
  Penalty,
  RiskWarning,
} from './types'

export interface DashboardFilters {
  from?: string
  to?: string
  region?: string
}
export const getDashboard = (f: DashboardFilters = {}) => http.get<Dashboard>(`/api/supervision/dashboard${toQuery(f)}`)

export interface EnterpriseFilters {
  q?: string
  region?: string
  industry?: string
  permit_class?: string
  credit_grade?: string
  positive_list?: boolean
  has_overdue?: boolean
  min_score?: number
  max_score?: number
  sort?: string
  page?: number
  per_page?: number
}
export const listEnterprises = (f: EnterpriseFilters = {}) =>
  http.get<PageResponse<EnterpriseRow>>(`/api/supervision/enterprises${toQuery(f)}`)
export const enterprisesExportUrl = (f: EnterpriseFilters = {}) => {
  const { page: _p, per_page: _pp, ...rest } = f
  return `/api/supervision/enterprises/export.xlsx${toQuery(rest)}`
}
export const getProfile = (id: number) => http.get<EnterpriseProfile>(`/api/supervision/enterprises/${id}`)

export const getEligibility = (enterpriseId: number, penaltyId?: number) =>
  http.get<Eligibility>(`/api/enterprises/${enterpriseId}/eligibility${toQuery({ penalty_id: penaltyId })}`)

export const qrUrl = (enterpriseId: number) => `/api/enterprises/${enterpriseId}/qr.png`
export const posterUrl = (enterpriseId: number) => `/api/enterprises/${enterpriseId}/poster.pdf`

const idem = (key?: string) => (key ? { headers: { 'Idempotency-Key': key } } : undefined)

export interface PenaltyInput {
  decision_no: string
  decided_on: string
  amount?: number
  paid_on?: string | null
  credit_category: string
  description?: string
  problem_ids?: number[]
}
export const recordPenalty = (enterpriseId: number, body: PenaltyInput, key?: string) =>
  http.post<Penalty>(`/api/supervision/enterprises/${enterpriseId}/penalties`, body, idem(key))

export interface IncidentInput {
  occurred_on: string
  level: string
  description?: string
}
export const recordIncident = (enterpriseId: number, body: IncidentInput, key?: string) =>
  http.post<Incident>(`/api/supervision/enterprises/${enterpriseId}/incidents`, body, idem(key))

export const positiveListDecision = (
  enterpriseId: number,
  body: {
    action: 'admit' | 'remove' | 'reinstate'
    reason: string
    valid_years?: number | null
    override?: boolean
    override_reason?: string | null
  },
  key?: string,
) => http.post<unknown>(`/api/supervision/enterprises/${enterpriseId}/positive-list`, body, idem(key))

export const positiveListXlsxUrl = '/api/supervision/positive-list.xlsx'

export const decideCreditRepair = (applicationId: number, body: { approve: boolean; reason: string }, key?: string) =>
  http.post<CreditRepair>(`/api/supervision/credit-repairs/${applicationId}/decision`, body, idem(key))

export const applyCreditRepair = (
  enterpriseId: number,
  body: { penalty_id: number; commitment_text: string },
  key?: string,
) => http.post<CreditRepair>(`/api/enterprises/${enterpriseId}/credit-repair`, body, idem(key))

export const listCreditRepairs = (enterpriseId: number) =>
  http.get<PageResponse<CreditRepair>>(`/api/enterprises/${enterpriseId}/credit-repair`)

export interface WarningFilters {
  status?: string
  enterprise_id?: number
  kind?: string
  level?: string
  page?: number
  per_page?: number
}
export const listWarnings = (f: WarningFilters = {}) =>
  http.get<PageResponse<RiskWarning>>(`/api/supervision/warnings${toQuery(f)}`)
/** The enterprise-side scoped warning list (same shape). */
export const listOwnWarnings = (f: WarningFilters = {}) =>
  http.get<PageResponse<RiskWarning>>(`/api/warnings${toQuery(f)}`)
export const acknowledgeWarning = (id: number, comment: string | null, key?: string) =>
  http.post<RiskWarning>(`/api/supervision/warnings/${id}/acknowledge`, { comment }, idem(key))
export const warningToProblem = (
  id: number,
  body: { severity: string; deadline_days?: number | null; comment?: string | null },
  key?: string,
) => http.post<RiskWarning>(`/api/supervision/warnings/${id}/to-problem`, body, idem(key))
