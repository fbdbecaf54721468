import { describe, expect, it } from 'vitest'
import { isOverdue, localToday, pendingStep } from '../requests'
import { webcalUrl } from '../obligations'

const r = (status: string) =>
  ({ status, register_due: '2026-10-09', reply_due: '2026-10-15', close_due: '2026-10-22' }) as Parameters<typeof pendingStep>[0]

describe('诉求 time limits', () => {
  it('names the step whose limit runs in each state', () => {
    expect(pendingStep(r('submitted'))).toEqual({ label: '登记', due: '2026-10-09' })
    expect(pendingStep(r('assigned'))).toEqual({ label: '答复', due: '2026-10-15' })
    expect(pendingStep(r('replied'))).toEqual({ label: '办结', due: '2026-10-22' })
    expect(pendingStep(r('closed'))).toBeNull()
    expect(pendingStep(r('rated'))).toBeNull()
  })

  it('is overdue only after the pending step’s due day', () => {
    expect(isOverdue(r('submitted'), '2026-10-09')).toBe(false)
    expect(isOverdue(r('submitted'), '2026-10-10')).toBe(true)
    expect(isOverdue(r('registered'), '2026-10-10')).toBe(false)
    expect(isOverdue(r('closed'), '2027-01-01')).toBe(false)
  })

  it('formats today as a local date', () => {
    expect(localToday(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05')
  })
})

describe('calendar feed', () => {
  it('offers the feed as webcal:// so the phone subscribes', () => {
    expect(webcalUrl('https://x.example/api/obligations/feed/abc.ics')).toBe('webcal://x.example/api/obligations/feed/abc.ics')
  })
})
