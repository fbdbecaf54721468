// Interfaces mirroring the backend output schemas.

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

export interface Progress {
  answered: number
  total: number
}

export interface SelfCheckSummary {
  id: number
  enterprise_id: number
  enterprise_name: string
  title: string
  period_label: string
  open_date: string
  due_date: string
  status: SelfCheckStatus
  overdue: boolean
  late: boolean
  submitted_at: string | null
  progress: Progress
  score: number | null
  grade: string | null
  report_id: number | null
}

export interface LegalBasis {
  law: string
  article: string
  excerpt?: string
}

export interface Item {
  id: number
  code: string
  question: string
  guidance: string
  answer_type: AnswerType
  unit: string | null
  range: { min: number | null; max: number | null } | null
  choices: string[] | null
  severity: string
  legal_basis: LegalBasis[]
  evidence_rule: EvidenceRule
  time_limit_days: number
  date_rule?: { rule?: string; within_days?: number } | null
  recommendation?: string | null
}

export interface Section {
  code: string
  title: string
  items: Item[]
}

export interface Answer {
  item_id: number
  result: AnswerResult | null
  value: string | null
  note: string | null
  upload_ids: number[]
  updated_at?: string | null
}

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
  score: number | null
  grade: string | null
  sections: ReportSectionScore[]
  problems: ReportProblem[]
  warnings: { kind: string; message: string }[]
  digest: string
  verify_url: string
}

export interface ProblemSummary {
  id: number
  title: string
  severity: string
  status: string
  status_label?: string
  item_code?: string | null
  deadline: string | null
  overdue: boolean
  days_left: number | null
  enterprise_name: string
  allowed_actions: string[]
}

export interface ListResponse<T> {
  items: T[]
  total?: number
}
