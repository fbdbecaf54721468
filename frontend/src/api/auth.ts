// Session authentication calls.
import { http } from './http'
import type { AuthResponse } from './types'

export const login = (username: string, password: string) =>
  http.post<AuthResponse>('/api/auth/login', { username, password }, { skipAuthRedirect: true })

export const me = () => http.get<AuthResponse>('/api/auth/me', { skipAuthRedirect: true })

export const logout = () => http.post<Record<string, never>>('/api/auth/logout', {}, { skipAuthRedirect: true })

export const changePassword = (old_password: string, new_password: string) =>
  http.post<Record<string, never>>('/api/auth/password', { old_password, new_password })
