// 系统管理 (regulator_admin, sysadmin): accounts, enterprises and their xlsx/csv import.
import { http } from './http'
import { toQuery } from './problems'
import type { components } from './schema'
import type { PageResponse } from './types'

type S = components['schemas']
type Full<T> = { -readonly [K in keyof T]-?: Exclude<T[K], undefined> }

export type AdminUser = Omit<Full<S['UserOut']>, 'enterprise_name' | 'region_code' | 'region_name'> & {
  enterprise_name: string | null
  region_code: string | null
  region_name: string | null
}
export type AdminEnterprise = Omit<Full<S['EnterpriseOut']>, 'region_name'> & { region_name: string | null }
export type Region = Full<S['RegionOut']>
export type NewUser = S['UserIn']
export type NewEnterprise = S['EnterpriseIn']
export type ImportResult = { imported: number; errors: { row: number; column: string; message: string }[] }

const idem = (key: string) => ({ headers: { 'Idempotency-Key': key } })

export const listUsers = (f: { page?: number; per_page?: number } = {}) =>
  http.get<PageResponse<AdminUser>>(`/api/admin/users${toQuery(f)}`)
export const createUser = (body: NewUser, key: string) => http.post<AdminUser>('/api/admin/users', body, idem(key))
export const updateUser = (id: number, body: S['UserUpdateIn']) => http.patch<AdminUser>(`/api/admin/users/${id}`, body)

export const listRegions = () => http.get<Region[]>('/api/admin/regions')
export const listAdminEnterprises = (f: { q?: string; page?: number; per_page?: number } = {}) =>
  http.get<PageResponse<AdminEnterprise>>(`/api/admin/enterprises${toQuery(f)}`)
export const createEnterprise = (body: NewEnterprise, key: string) =>
  http.post<AdminEnterprise>('/api/admin/enterprises', body, idem(key))
export function importEnterprises(file: File) {
  const form = new FormData()
  form.append('file', file)
  return http.post<ImportResult>('/api/admin/enterprises/import', form)
}

// 检查表管理: templates and versions; a draft takes local items (本辖区增加的检查项) until it is published.
export type ChecklistVersion = { id: number; template_id: number; version: number; status: string; published_at: string | null; item_count: number }
export type ChecklistTemplate = { id: number; code: string; name: string; description: string; versions: ChecklistVersion[] }
export type ChecklistItem = {
  id: number
  code: string
  section_code: string
  section_title: string
  local: boolean
  question: string
  severity: string
  time_limit_days: number
}
export type VersionDetail = ChecklistVersion & { items: ChecklistItem[] }
export type LocalItem = S['LocalItemIn']

export const listChecklists = () => http.get<ChecklistTemplate[]>('/api/checklists')
export const getVersion = (id: number) => http.get<VersionDetail>(`/api/checklists/versions/${id}`)
export const createDraft = (templateId: number) => http.post<VersionDetail>(`/api/checklists/${templateId}/drafts`)
export const addLocalItem = (versionId: number, body: LocalItem) =>
  http.post<VersionDetail>(`/api/checklists/versions/${versionId}/items`, body)
export const publishVersion = (versionId: number) => http.post<VersionDetail>(`/api/checklists/versions/${versionId}/publish`)
