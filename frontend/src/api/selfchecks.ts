// Self-check runs: list, detail, save answers, submit.
import { http } from './http'
import type { Answer, ListResponse, SaveAnswersResponse, SelfCheckDetail, SelfCheckSummary, SubmitResponse } from './types'

export type AnswerInput = Omit<Answer, 'updated_at'>

export const listSelfChecks = (status?: string) =>
  http.get<ListResponse<SelfCheckSummary>>(
    status ? `/api/selfchecks?status=${encodeURIComponent(status)}` : '/api/selfchecks',
  )

export const getSelfCheck = (id: number) => http.get<SelfCheckDetail>(`/api/selfchecks/${id}`)

export const saveAnswers = (id: number, answers: AnswerInput[]) =>
  http.put<SaveAnswersResponse>(`/api/selfchecks/${id}/answers`, { answers }, { timeoutMs: 30_000 })

export const submitSelfCheck = (id: number, idempotencyKey: string, signature?: { name: string; image: string } | null) =>
  http.post<SubmitResponse>(`/api/selfchecks/${id}/submit`, signature ? { signature } : {}, {
    headers: { 'Idempotency-Key': idempotencyKey },
    timeoutMs: 90_000,
  })
