import { describe, expect, it } from 'vitest'
import type { Series, SeriesPoint } from '@/api/monitoring'
import { monitoringOption, shanghaiLabel, summarise } from '../monitoringChart'

const point = (hour: number, value: number, flag = 'N', limit = 200): SeriesPoint => ({
  time: `2026-11-30T${String(hour).padStart(2, '0')}:00:00+00:00`,
  value,
  raw: value,
  min: null,
  max: null,
  cou: null,
  flag,
  flag_label: flag === 'N' ? '正常' : flag === 'M' ? '维护' : '校准',
  judged: flag === 'N',
  exceeds: flag === 'N' && value > limit,
})

const series = (points: SeriesPoint[], limit: number | null = 200): Series => ({
  outlet_id: 1,
  outlet_code: 'DA001',
  pollutant: 'a21002',
  pollutant_name: '氮氧化物',
  cn: '2061',
  cn_label: '小时数据',
  limit_value: limit,
  unit: 'mg/m³',
  basis: 'GB 13271-2014 表2',
  period: 'hour',
  points,
})

describe('monitoring chart', () => {
  const points = [point(0, 150), point(1, 260), point(2, 300, 'M'), point(3, 180, 'C'), point(4, 190)]

  it('draws judged values as the line, exceedances in red and flagged data apart, with the limit line', () => {
    const option = monitoringOption(series(points)) as { series: { name: string; data: unknown[]; markLine?: { data: { yAxis: number }[] } }[] }
    const [line, over, flagged] = option.series
    expect(line.data).toEqual([150, 260, null, null, 190]) // 维护/校准 values are not on the judged line
    expect(line.markLine?.data).toEqual([{ yAxis: 200 }])
    expect(over.data).toEqual([null, 260, null, null, null]) // a maintenance value above the limit is no exceedance
    expect(flagged.data).toEqual([
      [2, 300, '维护'],
      [3, 180, '校准'],
    ])
  })

  it('has no limit line where no limit is registered', () => {
    const option = monitoringOption(series(points, null)) as { series: { markLine?: unknown }[] }
    expect(option.series[0].markLine).toBeUndefined()
  })

  it('summarises judged, exceeding and flagged hours', () => {
    expect(summarise(points)).toEqual({
      judged: 3,
      exceeding: 1,
      peak: 260,
      flagged: [
        { flag: 'M', label: '维护', count: 1 },
        { flag: 'C', label: '校准', count: 1 },
      ],
    })
  })

  it('labels times in Asia/Shanghai', () => {
    expect(shanghaiLabel('2026-11-30T16:00:00+00:00')).toBe('12-01 00:00')
  })
})

describe('monitoring chart axis', () => {
  it('keeps the limit line in view when every value is below it', () => {
    const option = monitoringOption(series([point(0, 150), point(1, 180)], 400)) as { yAxis: { max: (v: { max: number }) => number } }
    expect(option.yAxis.max({ max: 180 })).toBe(440)
    expect(option.yAxis.max({ max: 600 })).toBe(660)
  })
})
