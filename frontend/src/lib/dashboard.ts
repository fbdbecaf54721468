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

/**
 * 各辖区（或各行业）对比: one honest scale — each row's self-check completion (0–100%) as a bar, its open
 * problems written beside it (a count is not drawn against a percentage axis).
 */
export function comparisonOption(rows: Metrics[]): ChartOption {
  const names = rows.map((r) => r.name ?? r.code ?? '')
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 96, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', name: '%', min: 0, max: 100 },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { width: 96, overflow: 'truncate' } },
    series: [
      {
        name: '自查完成率',
        type: 'bar',
        barMaxWidth: 18,
        data: rows.map((r) => pct(r.selfchecks.completion_rate)),
        itemStyle: { color: '#1f8f4e' },
        label: {
          show: true,
          position: 'right',
          formatter: (p: { dataIndex: number }) =>
            `${pctText(rows[p.dataIndex].selfchecks.completion_rate)} · 未销号${rows[p.dataIndex].problems.open}`,
        },
      },
    ],
  } as ChartOption
}
