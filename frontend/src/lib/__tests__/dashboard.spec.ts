import { describe, expect, it } from 'vitest'
import { pct, pctText, trendOption } from '../dashboard'

describe('dashboard chart options', () => {
  it('turns rates into percentages', () => {
    expect(pct(0.0667)).toBe(6.7)
    expect(pctText(null)).toBe('—')
    expect(pctText(1)).toBe('100%')
  })
  it('builds the trend with both series', () => {
    const o = trendOption([
      { month: '2026-10', due: 15, completed: 1, completion_rate: 0.0667, average_score: 91.9 },
      { month: '2026-11', due: 0, completed: 0, completion_rate: null, average_score: null },
    ]) as { series: { data: unknown[] }[]; xAxis: { data: string[] } }
    expect(o.xAxis.data).toEqual(['26/10', '26/11'])
    expect(o.series[0].data).toEqual([6.7, null])
    expect(o.series[1].data).toEqual([91.9, null])
  })
})
