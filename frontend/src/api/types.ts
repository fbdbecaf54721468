// The API's response shapes. Where the OpenAPI document describes a response, the type is derived from
// the generated schema.d.ts (scripts/openapi_types.py); hand-written interfaces remain for responses the
// document does not describe precisely (docs/api.md).
import type { components } from './schema'

type Schemas = components['schemas']

/**
 * A response schema as the frontend reads it. flask-smorest lists no required fields on output schemas,
 * although every declared field is serialised, so each field is present here; `Exact` gives the fields
 * the document types loosely (fields.Method/Function → unknown, enums → string) their real type.
 */
type Served<T, Exact = object> = Omit<{ -readonly [K in keyof T]-?: Exclude<T[K], undefined> }, keyof Exact> & Exact

export type Role = 'enterprise_staff' | 'enterprise_admin' | 'regulator' | 'regulator_admin' | 'sysadmin'

export interface User {
  id: number
  username: string
  display_name: string
  role: Role
  enterprise_id: number | null
  enterprise_name: string | null
  region_code: string | null
  region_name: string | null
  must_change_password: boolean
}

export interface AuthResponse {
  user: User
  csrf_token: string
}

export type SelfCheckStatus = 'pending' | 'in_progress' | 'submitted'
export type AnswerResult = 'compliant' | 'non_compliant' | 'not_applicable'
export type AnswerType = 'yes_no_na' | 'number' | 'choice' | 'text' | 'date' | 'photo'
export type EvidenceRule = 'none' | 'photo_if_noncompliant' | 'photo_always'

export type Progress = Served<Schemas['ProgressOut']>

export type SelfCheckSummary = Served<
  Schemas['SelfCheckSummary'],
  { enterprise_name: string; status: SelfCheckStatus; overdue: boolean; submitted_at: string | null; progress: Progress }
>

export interface LegalBasis {
  law: string
  article: string
  excerpt?: string
  /** true only where the article was compared with an official text; otherwise show 待核实 */
  checked?: boolean
  certainty?: string | null
  note?: string | null
}

export interface ItemProof {
  label: string
  kinds?: string[]
  /** 合格 also needs this proof (a photo, or a record number where kinds allow it) */
  on_compliant?: boolean
}

/** A checklist item; `local` marks an item the enterprise added (section_code/section_title are its section). */
export type Item = Served<
  Schemas['ItemOut'],
  {
    answer_type: AnswerType
    evidence_rule: EvidenceRule
    range: { min: number | null; max: number | null } | null
    legal_basis: LegalBasis[]
    date_rule?: { rule?: string; within_days?: number } | null
    recommendation?: string | null
    /** false: 管理建议 — no statutory basis, not scored, never reported as a violation */
    statutory?: boolean
    nature?: '法定要求' | '管理建议'
    proof?: ItemProof | null
    judgement?: { kind: string; table?: string } | null
    /** which table/row the range comes from for this enterprise, or why no automatic judgement is made */
    limit_basis?: string | null
    /** an item answered from the statutory calendar: its rows and the answer they give (null: the user answers) */
    calendar?: ItemCalendar | null
  }
>

export interface ItemCalendar {
  rows: {
    code: string
    title: string
    due_date: string
    status: 'done' | 'overdue'
    done_on: string | null
    receipt: string
    obligation_id: number
  }[]
  result: 'compliant' | 'non_compliant' | null
  evidence_ref: string | null
}

export type Section = Served<Schemas['SectionOut'], { items: Item[] }>

export type Answer = Served<Schemas['AnswerOut'], { result: AnswerResult | null; evidence_ref?: string | null; updated_at?: string | null }>

export interface SelfCheckDetail extends SelfCheckSummary {
  sections: Section[]
  answers: Answer[]
  allowed_actions: string[]
}

export interface SaveAnswersResponse {
  answers: Answer[]
  progress: Progress
}

export interface SubmitResponse {
  selfcheck: SelfCheckSummary
  report_id: number | null
  problem_ids: number[]
}

export interface Upload {
  id: number
  client_id: string
  sha256: string
  content_type: string
  size: number
  captured_at: string | null
  gps: unknown
  thumbnail_url: string | null
  url: string | null
}

export interface ReportSummary {
  id: number
  number: string
  period_label: string
  submitted_at: string
  score: number | null
  grade: string | null
  enterprise: { id: number; name: string }
}

export interface ReportSectionScore {
  code: string
  title: string
  score: number | null
  checked: number
  compliant: number
  non_compliant: number
  not_applicable: number
}

export interface ReportProblem {
  item_code: string
  question: string
  observed: string | null
  severity: string
  legal_basis: LegalBasis[]
  recommendation: string | null
  deadline: string | null
  /** contract says thumbnail URLs; the server sends objects — both are accepted */
  photos: (string | ReportPhoto)[]
}

export interface ReportPhoto {
  upload_id: number
  thumbnail_url: string | null
  url: string | null
}

export interface ReportDetail {
  id: number
  number: string
  enterprise: { id: number; name: string; uscc?: string | null }
  period_label: string
  submitted_at: string
  submitted_by?: string
  /** the responsible person's hand signature at submit, or null when the report was not signed */
  signature?: { name: string; signed_at: string; image_url: string } | null
  score: number | null
  grade: string | null
  sections: ReportSectionScore[]
  problems: ReportProblem[]
  warnings: { kind: string; message: string }[]
  digest: string
  verify_url: string
  /** the PDF has been rendered and stored: downloading it is instant */
  pdf_ready?: boolean
}

export type ProblemStatus =
  | 'open'
  | 'rectifying'
  | 'extension_requested'
  | 'submitted'
  | 'verified'
  | 'self_closed'
  | 'cancelled'

export type ProblemAction =
  | 'accept'
  | 'submit_rectification'
  | 'request_extension'
  | 'review'
  | 'decide_extension'
  | 'cancel'
  | 'require_review'
  | 'reopen'
  | 'assign'

export interface ProblemSummary {
  id: number
  enterprise_id?: number
  enterprise_name: string
  source?: 'selfcheck' | 'self_report' | 'regulator' | 'warning' | string
  item_code?: string | null
  /** 重复发现: how many later self-checks found it again while it was open */
  repeat_count?: number
  /** the enterprise user responsible (指派) */
  owner_id?: number | null
  title: string
  severity: string
  status: ProblemStatus | string
  status_label?: string
  deadline: string | null
  original_deadline?: string | null
  overdue: boolean
  days_left: number | null
  needs_regulator?: boolean
  sampled?: boolean
  created_at?: string | null
  submitted_at?: string | null
  closed_at?: string | null
  allowed_actions: string[]
  waiting_working_days?: number | null
}

export interface Evidence {
  id: number
  sha256: string
  content_type: string
  captured_at: string | null
  received_at: string | null
  /** the photo's EXIF position */
  gps: { lat: number; lon: number } | null
  /** where the phone was when the photo was taken */
  phone_gps?: { lat: number; lon: number; accuracy_m: number | null } | null
  url: string
  thumbnail_url: string | null
  /** the copy with time and place under the picture (photos only) */
  watermarked_url?: string | null
}

export interface Rectification {
  id: number
  description: string
  submitted_at: string | null
  submitted_by: string
  before: Evidence[]
  after: Evidence[]
  /** the same or a near-identical photo before and after (SHA-256, perceptual hash), for the reviewer */
  photo_warnings?: string[]
  decision: string | null
  comment: string | null
  reviewed_at: string | null
}

export interface ExtensionRequest {
  id: number
  days: number
  reason: string
  requested_at: string | null
  approved: boolean | null
  new_deadline: string | null
  comment: string | null
}

export interface HistoryEntry {
  action: string
  actor_role: string | null
  from_state: string | null
  to_state: string | null
  comment: string | null
  at: string | null
  hash: string
}

export interface ProblemDetail extends ProblemSummary {
  /** who of the enterprise handles it (指派) */
  owner_name?: string | null
  description: string
  location: string
  category: string
  legal_basis: LegalBasis[]
  recommendation: string
  plan: string | null
  target_date: string | null
  selfcheck_id: number | null
  evidence: Evidence[]
  rectifications: Rectification[]
  extensions: ExtensionRequest[]
  history: HistoryEntry[]
}

export interface ListResponse<T> {
  items: T[]
  total?: number
}

export interface PageResponse<T> {
  items: T[]
  total: number
  /** total is a lower bound: the list has more than that many rows (counted up to a cap) */
  total_capped?: boolean
  page?: number
  per_page?: number
}

// ---- regulator console (app/supervision) -------------------------------------------

export interface SelfCheckMetrics {
  due: number
  completed: number
  on_time: number
  overdue: number
  completion_rate: number | null
  average_score: number | null
}

export interface ProblemMetrics {
  open: number
  overdue: number
  awaiting_review: number
  by_severity: Record<string, Record<string, number>>
  created: number
  closed: number
  average_days_to_close: number | null
}

export interface Metrics {
  code?: string | null
  name?: string
  from?: string
  to?: string
  enterprises: number
  selfchecks: SelfCheckMetrics
  problems: ProblemMetrics
  positive_list_members: number
  warnings_open: number
}

export interface TrendPoint {
  month: string
  due: number
  completed: number
  completion_rate: number | null
  average_score: number | null
}

export type Colour = 'red' | 'amber' | 'green'

export interface AttentionItem {
  enterprise_id: number
  name: string
  region_code: string
  colour: Colour | string
  reasons: { colour: string; text: string }[]
}

export interface Dashboard {
  filters: Record<string, unknown>
  today: string
  current: Metrics
  range: Metrics
  by_region: Metrics[]
  by_industry: Metrics[]
  trend: TrendPoint[]
  attention: { counts: Record<string, number>; items: AttentionItem[]; truncated: boolean }
}

export interface Membership {
  member: boolean
  since: string | null
  until: string | null
}

export interface EnterpriseRow {
  id: number
  name: string
  uscc: string
  region_code: string
  region_name: string | null
  industry_code: string
  industry_name: string
  permit_class: string
  permit_no: string | null
  permit_valid_until: string | null
  credit_grade: string
  latest_score: number | null
  latest_grade: string | null
  overdue_problems: number
  overdue_selfchecks: number
  overdue_count: number
  warnings_open: number
  positive_list: Membership
}

export interface EnterpriseDetail extends EnterpriseRow {
  address: string
  flags: string[]
  contact_name: string
  contact_phone: string
  public_code: string
}

export interface Criterion {
  code: string
  label: string
  passed: boolean
  detail: string
  evidence_ids: string[]
}

export interface Publication {
  credit_category: string
  min_months: number
  max_months: number | null
  min_ends_on: string
  max_ends_on: string | null
  ended: boolean
  basis: string
  basis_checked: boolean
}

export interface EligibilityPart {
  eligible: boolean
  penalty_id?: number | null
  criteria: Criterion[]
  publication?: Publication | null
}

export interface MembershipStatus {
  member: boolean
  status: 'member' | 'suspended' | 'removed' | 'expired' | 'none'
  since?: string | null
  until?: string | null
  suspended: boolean
  suspended_on?: string | null
  reasons: { trigger: string; label: string; detail: string; evidence_ids: string[] }[]
  removed_on?: string | null
  removed_reason?: string | null
  /** admitted although criteria failed: the regulator's reason and the criteria it overrode */
  override_reason?: string | null
  override_failed?: { code: string; label: string; detail: string }[] | null
}

export interface Eligibility {
  enterprise_id: number
  as_of: string
  province?: string
  membership?: MembershipStatus
  positive_list: EligibilityPart
  credit_repair: EligibilityPart
}

export interface RiskWarning {
  id: number
  enterprise_id: number
  enterprise_name: string
  kind: string
  kind_label: string
  level: string
  title: string
  detail: string
  object_type: string | null
  object_id: number | null
  as_of: string
  status: 'open' | 'acknowledged' | 'converted' | string
  created_at: string | null
  handled_at: string | null
  comment: string | null
  problem_id: number | null
}

export interface Penalty {
  id: number
  enterprise_id: number
  decision_no: string
  decided_on: string
  amount: number
  paid_on: string | null
  credit_category: string
  problem_ids: number[]
  description: string
  repaired: boolean
  repaired_at: string | null
  created_at: string | null
}

export interface Incident {
  id: number
  enterprise_id: number
  occurred_on: string
  level: string
  description: string
  created_at: string | null
}

export interface CreditRepair {
  id: number
  enterprise_id: number
  enterprise_name: string
  penalty_id: number
  decision_no: string
  commitment_text: string
  evidence: Record<string, unknown>
  status: 'submitted' | 'approved' | 'rejected' | string
  submitted_at: string | null
  decided_at: string | null
  decision_reason: string | null
}

export interface AuditEntry {
  id: number
  action: string
  object_type: string
  object_id: string
  from_state: string | null
  to_state: string | null
  comment: string | null
  actor_id: number | null
  actor_role: string | null
  at: string | null
}

export interface EnterpriseProfile {
  enterprise: EnterpriseDetail
  schedules: { id: number; template_name: string; recurrence: string; due_day: number; active: boolean }[]
  selfchecks: {
    id: number
    title: string
    period_key: string
    period_label: string
    due_date: string
    status: string
    overdue: boolean
    late: boolean
    submitted_at: string | null
    score: number | null
    grade: string | null
    report_id: number | null
  }[]
  score_trend: { period_key: string; period_label: string; score: number | null; grade: string | null }[]
  reports: { id: number; number: string; score: number | null; grade: string | null; issued_at: string | null }[]
  problems: {
    id: number
    title: string
    severity: string
    status: string
    source: string
    deadline: string | null
    overdue: boolean
    created_at: string | null
    closed_at: string | null
  }[]
  warnings: RiskWarning[]
  penalties: Penalty[]
  incidents: Incident[]
  credit_repairs: CreditRepair[]
  eligibility: Eligibility | null
  audit: AuditEntry[]
}

// ---- notifications (app/notify) ----------------------------------------------------

export interface AppNotification {
  id: number
  kind: string
  object_type: string
  object_id: number
  stage: string
  title: string
  body: string
  link: string
  read: boolean
  read_at: string | null
  created_at: string | null
}

export interface InboxPage {
  items: AppNotification[]
  total: number
  unread_count: number
  page?: number
  per_page?: number
}
