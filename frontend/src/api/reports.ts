// 环保体检报告 list and detail.
import { http } from './http'
import type { ListResponse, ReportDetail, ReportSummary } from './types'

export const listReports = () => http.get<ListResponse<ReportSummary>>('/api/reports')
export const getReport = (id: number) => http.get<ReportDetail>(`/api/reports/${id}`)
export const reportPdfUrl = (id: number) => `/api/reports/${id}/pdf`
export const reportQrUrl = (id: number) => `/api/reports/${id}/qr.png`
