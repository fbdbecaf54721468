import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ScoreTrend from '../ScoreTrend.vue'

describe('ScoreTrend', () => {
  it('draws one point per report, oldest left, higher scores higher', () => {
    const w = mount(ScoreTrend, { props: { points: [{ label: 'a', score: 60 }, { label: 'b', score: 95 }] } })
    const circles = w.findAll('circle')
    expect(circles).toHaveLength(2)
    const [first, second] = circles.map((c) => ({ x: Number(c.attributes('cx')), y: Number(c.attributes('cy')) }))
    expect(first.x).toBeLessThan(second.x)
    expect(second.y).toBeLessThan(first.y)
    expect(w.find('path').attributes('d')).toMatch(/^M[\d.]+,[\d.]+ L[\d.]+,[\d.]+$/)
  })

  it('keeps out-of-range scores inside the chart', () => {
    const w = mount(ScoreTrend, { props: { points: [{ label: 'a', score: -5 }, { label: 'b', score: 130 }] } })
    for (const c of w.findAll('circle')) {
      const y = Number(c.attributes('cy'))
      expect(y).toBeGreaterThanOrEqual(0)
      expect(y).toBeLessThanOrEqual(90)
    }
  })
})
