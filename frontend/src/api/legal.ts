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
