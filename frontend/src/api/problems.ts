// Problems (整改问题); the endpoint may not exist yet, so 404 reads as an empty list.
import { ApiError, http } from './http'
import type { ListResponse, ProblemSummary } from './types'

export async function listProblems(status?: string): Promise<ListResponse<ProblemSummary>> {
  try {
    return await http.get<ListResponse<ProblemSummary>>(
      status ? `/api/problems?status=${encodeURIComponent(status)}` : '/api/problems',
    )
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { items: [], total: 0 }
    throw e
  }
}
