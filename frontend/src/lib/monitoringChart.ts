// The chart of one pollutant at one outlet: hourly (or daily) values against the permitted limit.
// Values judged against the limit (flag N) are the line; values the standard does not judge (维护,
// 校准, 故障 … per HJ 212-2017's data flags) are shown apart as marked points, never as exceedances.
import type { ChartOption } from './chartTypes'
import type { Series, SeriesPoint } from '@/api/monitoring'

const RED = '#ee0a24'
const GREY = '#969799'
const LINE = '#1989fa'

/** Asia/Shanghai wall time "MM-DD HH:mm" of an ISO instant. */
export function shanghaiLabel(iso: string): string {
  const t = new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString()
  return `${t.slice(5, 10)} ${t.slice(11, 16)}`
}

export interface SeriesSummary {
  judged: number
  exceeding: number
  flagged: { flag: string; label: string; count: number }[]
  peak: number | null
}

export function summarise(points: SeriesPoint[]): SeriesSummary {
  const flagged = new Map<string, { flag: string; label: string; count: number }>()
  let judged = 0
  let exceeding = 0
  let peak: number | null = null
  for (const p of points) {
    if (p.judged) {
      judged += 1
      if (p.exceeds) exceeding += 1
      if (p.value !== null && (peak === null || p.value > peak)) peak = p.value
    } else {
      const f = flagged.get(p.flag) ?? { flag: p.flag, label: p.flag_label, count: 0 }
      f.count += 1
      flagged.set(p.flag, f)
    }
  }
  return { judged, exceeding, flagged: [...flagged.values()], peak }
}

export function monitoringOption(series: Series): ChartOption {
  const labels = series.points.map((p) => shanghaiLabel(p.time))
  const judged = series.points.map((p) => (p.judged ? p.value : null))
  const over = series.points.map((p) => (p.judged && p.exceeds ? p.value : null))
  const flagged = series.points.map((p, i) => (p.judged ? null : [i, p.value ?? 0, p.flag_label] as [number, number, string]))
  const unit = series.unit || ''
  return {
    grid: { left: 44, right: 12, top: 28, bottom: 48 },
    tooltip: { trigger: 'axis' },
    legend: { data: ['监测值', '超标', '标记数据'], top: 0, textStyle: { fontSize: 11 } },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 14, bottom: 4 }],
    xAxis: { type: 'category', data: labels, axisLabel: { fontSize: 10 } },
    // the limit line stays in view even when every value is far below it
    yAxis: {
      type: 'value',
      name: unit,
      nameTextStyle: { fontSize: 10 },
      axisLabel: { fontSize: 10 },
      max: series.limit_value === null ? undefined : (v: { max: number }) => Math.ceil((Math.max(v.max, series.limit_value as number) * 11) / 10),
    },
    series: [
      {
        name: '监测值',
        type: 'line',
        data: judged,
        showSymbol: false,
        connectNulls: false,
        lineStyle: { width: 1.5, color: LINE },
        itemStyle: { color: LINE },
        markLine:
          series.limit_value === null
            ? undefined
            : {
                symbol: 'none',
                lineStyle: { color: RED, type: 'dashed' },
                label: { show: false }, // the limit and its source are written above the chart
                data: [{ yAxis: series.limit_value }],
              },
      },
      { name: '超标', type: 'scatter', data: over, symbolSize: 6, itemStyle: { color: RED } },
      {
        name: '标记数据',
        type: 'scatter',
        data: flagged.filter((d): d is [number, number, string] => d !== null),
        symbol: 'diamond',
        symbolSize: 7,
        itemStyle: { color: GREY },
      },
    ],
  }
}
