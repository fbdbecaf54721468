import { describe, expect, it } from 'vitest'
import { daysBetween, deadlineCountdown, reviewClock, shortTime } from '../deadline'

describe('deadlineCountdown', () => {
  const base = { status: 'open', deadline: '2026-12-10' }

  it('shows days left, red at three days or fewer', () => {
    expect(deadlineCountdown({ ...base, days_left: 10 })).toEqual({ text: '剩余 10 天', tone: 'normal' })
    expect(deadlineCountdown({ ...base, days_left: 4 }).tone).toBe('normal')
    expect(deadlineCountdown({ ...base, days_left: 3 })).toEqual({ text: '剩余 3 天', tone: 'danger' })
    expect(deadlineCountdown({ ...base, days_left: 1 }).tone).toBe('danger')
  })

  it('says 今天到期 on the day and 已逾期 N 天 after', () => {
    expect(deadlineCountdown({ ...base, days_left: 0 })).toEqual({ text: '今天到期', tone: 'danger' })
    expect(deadlineCountdown({ ...base, days_left: -5, overdue: true })).toEqual({ text: '已逾期 5 天', tone: 'danger' })
  })

  it('computes from the deadline when days_left is missing', () => {
    expect(deadlineCountdown({ ...base, days_left: null }, '2026-12-08')).toEqual({ text: '剩余 2 天', tone: 'danger' })
    expect(deadlineCountdown({ ...base }, '2026-12-12').text).toBe('已逾期 2 天')
  })

  it('is neutral once submitted or closed', () => {
    expect(deadlineCountdown({ ...base, status: 'submitted', days_left: -3 }).tone).toBe('normal')
    expect(deadlineCountdown({ ...base, status: 'verified', days_left: -3 })).toEqual({ text: '整改期限 2026-12-10', tone: 'muted' })
    expect(deadlineCountdown({ status: 'open', deadline: null }).text).toBe('无整改期限')
  })

  it('counts calendar days', () => {
    expect(daysBetween('2026-02-27', '2026-03-01')).toBe(2)
    expect(daysBetween('2026-03-01', '2026-02-27')).toBe(-2)
  })
})

describe('reviewClock', () => {
  it('turns red past five working days', () => {
    expect(reviewClock(2)).toEqual({ text: '已等待 2 个工作日', tone: 'normal' })
    expect(reviewClock(5).tone).toBe('warning')
    expect(reviewClock(6)).toEqual({ text: '已等待 6 个工作日（超时）', tone: 'danger' })
    expect(reviewClock(null).text).toBe('')
    expect(reviewClock(3, 2).tone).toBe('danger')
  })
})

describe('shortTime', () => {
  it('trims ISO times to minutes', () => {
    expect(shortTime('2026-11-22T09:55:39.363580+08:00')).toBe('2026-11-22 09:55')
    expect(shortTime(null)).toBe('')
  })
})
