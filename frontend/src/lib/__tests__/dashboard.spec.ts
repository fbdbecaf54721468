import { describe, expect, it } from 'vitest'
import { comparisonOption, pct, pctText, trendOption } from '../dashboard'

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

describe('comparisonOption', () => {
  const row = (name: string, rate: number | null, open: number) =>
    ({ name, enterprises: 1, selfchecks: { completion_rate: rate }, problems: { open }, positive_list_members: 0, warnings_open: 0 }) as never
  it('draws completion on one 0–100% axis and writes the open problems beside it', () => {
    const option = comparisonOption([row('道里区', 0.5, 2), row('南岗区', 1, 0)]) as {
      xAxis: { max: number }
      yAxis: { data: string[] }
      series: { data: (number | null)[]; label: { formatter: (p: { dataIndex: number }) => string } }[]
    }
    expect(option.xAxis.max).toBe(100)
    expect(option.yAxis.data).toEqual(['道里区', '南岗区'])
    expect(option.series).toHaveLength(1) // no second axis for a count
    expect(option.series[0].data).toEqual([50, 100])
    expect(option.series[0].label.formatter({ dataIndex: 0 })).toBe('50% · 未销号2')
  })
})
