// Chart options for the regulator dashboard, built from the API payload (pure, unit-tested).
import type { ChartOption } from './chartTypes'
import type { Metrics, TrendPoint } from '@/api/types'

export const pct = (r: number | null | undefined) => (r === null || r === undefined ? null : Math.round(r * 1000) / 10)
export const pctText = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${pct(r)}%`)

export function trendOption(trend: TrendPoint[]): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: ['自查完成率', '平均得分'], bottom: 0 },
    grid: { left: 40, right: 40, top: 24, bottom: 40 },
    xAxis: { type: 'category', data: trend.map((t) => t.month.slice(2).replace('-', '/')) },
    yAxis: [
      { type: 'value', name: '%', min: 0, max: 100 },
      { type: 'value', name: '分', min: 0, max: 100 },
    ],
    series: [
      { name: '自查完成率', type: 'line', smooth: true, connectNulls: true, showSymbol: true, symbolSize: 7, data: trend.map((t) => pct(t.completion_rate)), itemStyle: { color: '#1f8f4e' } },
      { name: '平均得分', type: 'line', smooth: true, connectNulls: true, showSymbol: true, symbolSize: 7, yAxisIndex: 1, data: trend.map((t) => t.average_score), itemStyle: { color: '#1989fa' } },
    ],
  } as ChartOption
}

export function regionOption(rows: Metrics[]): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: ['自查完成率', '未销号问题'], bottom: 0 },
    grid: { left: 40, right: 40, top: 24, bottom: 40 },
    xAxis: { type: 'category', data: rows.map((r) => r.name ?? r.code ?? ''), axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0 } },
    yAxis: [
      { type: 'value', name: '%', min: 0, max: 100 },
      { type: 'value', name: '个', minInterval: 1 },
    ],
    series: [
      { name: '自查完成率', type: 'bar', data: rows.map((r) => pct(r.selfchecks.completion_rate)), itemStyle: { color: '#1f8f4e' } },
      { name: '未销号问题', type: 'bar', yAxisIndex: 1, data: rows.map((r) => r.problems.open), itemStyle: { color: '#ff976a' } },
    ],
  } as ChartOption
}
