// Deadline countdown and review-clock wording for problems (整改期限 / 核查时限).
import { todayInShanghai } from './answers'

export type Tone = 'danger' | 'warning' | 'normal' | 'muted'

export interface Countdown {
  text: string
  tone: Tone
}

export const OPEN_STATES = ['open', 'rectifying', 'extension_requested']
export const CLOSED_STATES = ['verified', 'self_closed', 'cancelled']
/** Days left at or below which the countdown turns red. */
export const URGENT_DAYS = 3

export interface DeadlineFacts {
  status: string
  deadline: string | null
  days_left?: number | null
  overdue?: boolean
}

/** Whole days from `today` to `deadline` (both YYYY-MM-DD); negative when past. */
export function daysBetween(today: string, deadline: string): number {
  return Math.round((Date.parse(deadline.slice(0, 10)) - Date.parse(today.slice(0, 10))) / 86_400_000)
}

/**
 * What the list shows next to a problem: "剩余 N 天" (red when ≤ 3), "今天到期", "已逾期 N 天" (red),
 * or a neutral line once the enterprise has submitted or the problem is closed.
 */
export function deadlineCountdown(p: DeadlineFacts, today = todayInShanghai()): Countdown {
  if (!p.deadline) return { text: '无整改期限', tone: 'muted' }
  if (CLOSED_STATES.includes(p.status)) return { text: `整改期限 ${p.deadline}`, tone: 'muted' }
  if (p.status === 'submitted') return { text: '已提交整改，等待核查', tone: 'normal' }
  const left = typeof p.days_left === 'number' ? p.days_left : daysBetween(today, p.deadline)
  if (left < 0 || p.overdue) return { text: `已逾期 ${Math.max(1, -left)} 天`, tone: 'danger' }
  if (left === 0) return { text: '今天到期', tone: 'danger' }
  return { text: `剩余 ${left} 天`, tone: left <= URGENT_DAYS ? 'danger' : 'normal' }
}

/** Review clock for the regulator queue: working days waited, red past the limit (default 5). */
export function reviewClock(waiting: number | null | undefined, limit = 5): Countdown {
  if (waiting === null || waiting === undefined) return { text: '', tone: 'muted' }
  if (waiting > limit) return { text: `已等待 ${waiting} 个工作日（超时）`, tone: 'danger' }
  if (waiting === limit) return { text: `已等待 ${waiting} 个工作日`, tone: 'warning' }
  return { text: `已等待 ${waiting} 个工作日`, tone: 'normal' }
}

/** "2026-11-22T09:55:39+08:00" → "2026-11-22 09:55" (server times are already Beijing time). */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return ''
  return iso.replace('T', ' ').slice(0, 16)
}
