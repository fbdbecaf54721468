// 在线监测 (HJ 212-2017 data in): outlets with their limits, a pollutant's series against its limit, alarms.
import { http } from './http'
import { toQuery } from './problems'
import type { components } from './schema'
import type { PageResponse } from './types'

type S = components['schemas']
type Full<T> = { -readonly [K in keyof T]-?: Exclude<T[K], undefined> }

export type Limit = Full<S['LimitOut']> & { period_label: string }
export type Outlet = Omit<Full<S['OutletOut']>, 'limits' | 'enterprise_name' | 'kind_label'> & {
  enterprise_name: string
  kind_label: string
  limits: Limit[]
}
export type SeriesPoint = Full<S['PointOut']> & { time: string }
export type Series = Omit<Full<S['SeriesOut']>, 'points'> & { points: SeriesPoint[] }
export type Alarm = Omit<
  Full<S['AlarmOut']>,
  'enterprise_name' | 'outlet_code' | 'kind_label' | 'pollutant_name' | 'status_label' | 'started_at' | 'ended_at' | 'explained_at'
> & {
  enterprise_name: string
  outlet_code: string
  kind_label: string
  pollutant_name: string
  status_label: string
  started_at: string
  ended_at: string | null
  explained_at: string | null
}

export const listOutlets = (enterpriseId?: number) =>
  http.get<{ items: Outlet[] }>(`/api/monitoring/outlets${toQuery({ enterprise_id: enterpriseId })}`)

export const getSeries = (outletId: number, f: { pollutant?: string; start?: string; end?: string; cn?: string } = {}) =>
  http.get<Series>(`/api/monitoring/outlets/${outletId}/series${toQuery(f)}`)

export const listAlarms = (f: { enterprise_id?: number; outlet_id?: number; status?: string; page?: number; per_page?: number } = {}) =>
  http.get<PageResponse<Alarm> & { explanation_reasons: string[] }>(`/api/monitoring/alarms${toQuery(f)}`)

export const explainAlarm = (id: number, body: { reason: string; explanation: string; upload_ids?: number[] }, key: string) =>
  http.post<Alarm>(`/api/monitoring/alarms/${id}/explanation`, body, { headers: { 'Idempotency-Key': key } })

// Maintaining outlets (regulators and the enterprise's admin; the server checks who may).
export type Pollutant = { code: string; name: string; unit: string }
export const listPollutants = () => http.get<{ items: Pollutant[] }>('/api/monitoring/pollutants')
export const createOutlet = (body: { enterprise_id?: number | null; code: string; name: string; kind: 'gas' | 'water'; location: string }) =>
  http.post<Outlet>('/api/monitoring/outlets', body)
export const setLimit = (
  outletId: number,
  pollutant: string,
  body: { name?: string; limit_value: number | null; unit?: string; basis: string; period: 'hour' | 'day'; annual_permit_t: number | null },
) => http.put<Limit>(`/api/monitoring/outlets/${outletId}/limits/${pollutant}`, body)
export const registerDevice = (outletId: number, body: { mn: string; pw: string; st?: string | null }) =>
  http.post<unknown>(`/api/monitoring/outlets/${outletId}/devices`, body)
