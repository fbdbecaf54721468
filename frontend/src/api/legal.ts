// 普法: the case library (以案说法) and guidance, the enterprise's targeted feed with read receipts.
import { http } from './http'
import { toQuery } from './problems'

export interface LegalCase {
  id: number
  kind: 'case' | 'guidance'
  region_code: string
  title: string
  violation: string
  law: string
  penalty: string
  lesson: string
  item_codes: string[]
  obligation_codes: string[]
  industries: string[]
  permit_classes: string[]
  created_at: string
  read: boolean | null
  read_count?: number | null
}

export interface LegalCaseList {
  items: LegalCase[]
  total: number
}

export const KIND_LABELS: Record<LegalCase['kind'], string> = { case: '以案说法', guidance: '政策解读' }

export const legalFeed = () => http.get<LegalCaseList>('/api/legal/feed')
export const listLegalCases = (f: { kind?: string; item_code?: string; obligation_code?: string } = {}) =>
  http.get<LegalCaseList>(`/api/legal-cases${toQuery(f)}`)
export const getLegalCase = (id: number) => http.get<LegalCase>(`/api/legal-cases/${id}`)
export const markLegalRead = (id: number) => http.post<LegalCase>(`/api/legal-cases/${id}/read`)

// Regulators: author library items (scoped to their jurisdiction), record 送法入企 trainings, see coverage.
export type LegalCaseInput = Pick<LegalCase, 'kind' | 'title' | 'violation' | 'law' | 'penalty' | 'lesson'> &
  Partial<Pick<LegalCase, 'item_codes' | 'obligation_codes' | 'industries' | 'permit_classes'>>
export const createLegalCase = (body: LegalCaseInput, key: string) =>
  http.post<LegalCase>('/api/legal-cases', body, { headers: { 'Idempotency-Key': key } })

export interface LegalTraining {
  id: number
  region_code: string
  held_on: string
  topic: string
  form: string
  enterprise_ids: number[]
}
export const TRAINING_FORMS = ['集中培训', '行业培训', '专题讲座', '现场帮扶', '座谈答疑']
export const listTrainings = (year?: number) =>
  http.get<{ items: LegalTraining[]; total: number }>(`/api/legal/trainings${toQuery({ year })}`)
export const recordTraining = (
  body: { held_on: string; topic: string; form: string; enterprise_ids: number[]; region_code?: string | null },
  key: string,
) => http.post<LegalTraining>('/api/legal/trainings', body, { headers: { 'Idempotency-Key': key } })

export interface LegalCoverage {
  year: number
  key_enterprises: number
  covered: number
  rate: number | null
  counties: { region_code: string; region_name: string; key_enterprises: number; covered: number; rate: number }[]
}
export const legalCoverage = (year?: number) => http.get<LegalCoverage>(`/api/legal/coverage${toQuery({ year })}`)
