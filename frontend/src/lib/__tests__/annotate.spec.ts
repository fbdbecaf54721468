import { describe, expect, it } from 'vitest'
import {
  addPoint, arrowHead, beginStroke, commit, dragBox, fitScale, renderStrokes, toImagePoint, toStroke, undo,
  type Draft, type Point, type Stroke, type StrokeContext,
} from '../annotate'

/** Records every drawing call with its arguments, and the style in force at each stroke(). */
function fakeContext() {
  const calls: { op: string; args: unknown[] }[] = []
  const strokes: { lineWidth: number; strokeStyle: unknown; lineCap: string; lineJoin: string }[] = []
  const rec = (op: string) => (...args: unknown[]) => void calls.push({ op, args })
  const ctx: StrokeContext = {
    lineWidth: 1,
    strokeStyle: '#000',
    lineCap: 'butt',
    lineJoin: 'miter',
    beginPath: rec('beginPath'),
    moveTo: rec('moveTo'),
    lineTo: rec('lineTo'),
    quadraticCurveTo: rec('quadraticCurveTo'),
    ellipse: rec('ellipse'),
    save: rec('save'),
    restore: rec('restore'),
    stroke: () => {
      calls.push({ op: 'stroke', args: [] })
      strokes.push({ lineWidth: ctx.lineWidth, strokeStyle: ctx.strokeStyle, lineCap: ctx.lineCap, lineJoin: ctx.lineJoin })
    },
  }
  return { ctx, calls, strokes }
}

function drag(tool: Draft['tool'], pts: Point[], slop = 0): Stroke | null {
  let d = beginStroke(tool, pts[0], 4)
  for (const p of pts.slice(1)) d = addPoint(d, p)
  return toStroke(d, slop)
}

describe('coordinate mapping', () => {
  const image = { width: 1920, height: 1440 }
  it('fits the image inside the stage (the limiting side wins)', () => {
    expect(fitScale(image, { width: 374, height: 700 })).toBeCloseTo(374 / 1920)
    expect(fitScale(image, { width: 2000, height: 360 })).toBeCloseTo(360 / 1440)
    expect(fitScale({ width: 0, height: 10 }, { width: 100, height: 100 })).toBe(0)
    expect(fitScale(image, { width: 0, height: 100 })).toBe(0)
  })
  it('maps a client position on the canvas box to image pixels', () => {
    const box = { left: 8, top: 100, width: 374, height: 280.5 }
    expect(toImagePoint(8, 100, box, image)).toEqual({ x: 0, y: 0 })
    expect(toImagePoint(8 + 374, 100 + 280.5, box, image)).toEqual({ x: 1920, y: 1440 })
    const mid = toImagePoint(8 + 187, 100 + 140.25, box, image)
    expect(mid.x).toBeCloseTo(960)
    expect(mid.y).toBeCloseTo(720)
    const p = toImagePoint(8 + 37.4, 100 + 28.05, box, image)
    expect(p.x).toBeCloseTo(192)
    expect(p.y).toBeCloseTo(144)
  })
  it('clamps a pointer that left the canvas to its edge', () => {
    const box = { left: 10, top: 10, width: 100, height: 50 }
    expect(toImagePoint(-50, 500, box, { width: 200, height: 100 })).toEqual({ x: 0, y: 100 })
    expect(toImagePoint(500, -5, box, { width: 200, height: 100 })).toEqual({ x: 200, y: 0 })
  })
  it('maps to the origin for an unmeasured box instead of dividing by zero', () => {
    expect(toImagePoint(5, 5, { left: 0, top: 0, width: 0, height: 0 }, image)).toEqual({ x: 0, y: 0 })
  })
})

describe('strokes', () => {
  it('a pen keeps its points in order and skips moves shorter than minStep', () => {
    let d = beginStroke('pen', { x: 0, y: 0 }, 4)
    d = addPoint(d, { x: 1, y: 0 }, 2)
    d = addPoint(d, { x: 3, y: 0 }, 2)
    d = addPoint(d, { x: 3, y: 1 }, 2)
    d = addPoint(d, { x: 3, y: 5 }, 2)
    expect(d.points).toEqual([{ x: 0, y: 0 }, { x: 3, y: 0 }, { x: 3, y: 5 }])
  })
  it('addPoint does not change the draft it was given', () => {
    const d = beginStroke('pen', { x: 0, y: 0 }, 4)
    const d2 = addPoint(d, { x: 9, y: 9 })
    expect(d.points).toHaveLength(1)
    expect(d2.points).toHaveLength(2)
  })
  it('a circle or arrow draft keeps only the start and the current point', () => {
    let d = beginStroke('circle', { x: 5, y: 5 }, 4)
    for (const p of [{ x: 10, y: 10 }, { x: 20, y: 30 }, { x: 40, y: 12 }]) d = addPoint(d, p)
    expect(d.points).toEqual([{ x: 5, y: 5 }, { x: 40, y: 12 }])
  })
  it('a circle from a drag in any direction has a positive box covering the drag', () => {
    const a = { x: 100, y: 200 }
    for (const b of [{ x: 150, y: 260 }, { x: 40, y: 260 }, { x: 150, y: 120 }, { x: 30, y: 110 }]) {
      const s = drag('circle', [a, { x: (a.x + b.x) / 2, y: a.y }, b])
      expect(s?.kind).toBe('circle')
      if (s?.kind !== 'circle') continue
      expect(s.w).toBeGreaterThan(0)
      expect(s.h).toBeGreaterThan(0)
      expect(s).toMatchObject({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x), h: Math.abs(b.y - a.y) })
    }
    expect(dragBox({ x: 9, y: 3 }, { x: 1, y: 7 })).toEqual({ x: 1, y: 3, w: 8, h: 4 })
  })
  it('a tap with no movement adds no stroke, whatever the tool', () => {
    for (const tool of ['pen', 'circle', 'arrow'] as const) {
      const d = beginStroke(tool, { x: 50, y: 50 }, 4)
      expect(toStroke(d)).toBeNull()
      expect(commit([], addPoint(d, { x: 50, y: 50 }))).toEqual([])
      // a jitter within the slop is still a tap
      expect(commit([], addPoint(d, { x: 52, y: 51 }), 5)).toEqual([])
    }
  })
  it('a flat drag is not a circle (one side within the slop)', () => {
    expect(drag('circle', [{ x: 0, y: 0 }, { x: 100, y: 2 }], 5)).toBeNull()
    expect(drag('circle', [{ x: 0, y: 0 }, { x: 100, y: 20 }], 5)?.kind).toBe('circle')
  })
  it('a pen that wanders off and back is still a stroke', () => {
    const s = drag('pen', [{ x: 0, y: 0 }, { x: 30, y: 0 }, { x: 0, y: 1 }], 5)
    expect(s?.kind).toBe('pen')
  })
  it('an arrow goes from where the pointer went down to where it was lifted', () => {
    expect(drag('arrow', [{ x: 1, y: 2 }, { x: 5, y: 5 }, { x: 40, y: 50 }])).toMatchObject({
      kind: 'arrow', from: { x: 1, y: 2 }, to: { x: 40, y: 50 }, width: 4,
    })
  })
  it('commit appends without touching the old list; undo removes only the last stroke', () => {
    const one = commit([], addPoint(beginStroke('pen', { x: 0, y: 0 }, 4), { x: 20, y: 20 }))
    const two = commit(one, addPoint(beginStroke('circle', { x: 10, y: 10 }, 4), { x: 60, y: 80 }))
    const three = commit(two, addPoint(beginStroke('arrow', { x: 0, y: 0 }, 4), { x: 90, y: 0 }))
    expect(one).toHaveLength(1)
    expect(three.map((s) => s.kind)).toEqual(['pen', 'circle', 'arrow'])
    const undone = undo(three)
    expect(undone).toEqual(two)
    expect(three).toHaveLength(3)
    expect(undo(undo(undone))).toEqual([])
    expect(undo([])).toEqual([])
  })
})

describe('renderStrokes', () => {
  it('scales points, box and line width from image pixels to the context', () => {
    const { ctx, calls, strokes } = fakeContext()
    const pen: Stroke = { kind: 'pen', width: 10, color: '#f00', points: [{ x: 100, y: 100 }, { x: 200, y: 300 }] }
    const circle: Stroke = { kind: 'circle', width: 8, color: '#0f0', x: 100, y: 200, w: 400, h: 200 }
    renderStrokes(ctx, [pen, circle], 0.5)
    expect(calls.filter((c) => c.op === 'moveTo')[0].args).toEqual([50, 50])
    expect(calls.filter((c) => c.op === 'lineTo')[0].args).toEqual([100, 150])
    expect(calls.find((c) => c.op === 'ellipse')!.args).toEqual([150, 150, 100, 50, 0, 0, Math.PI * 2])
    expect(strokes).toEqual([
      { lineWidth: 5, strokeStyle: '#f00', lineCap: 'round', lineJoin: 'round' },
      { lineWidth: 4, strokeStyle: '#0f0', lineCap: 'round', lineJoin: 'round' },
    ])
    // each stroke in its own save/restore, so styles do not leak
    expect(calls.filter((c) => c.op === 'save')).toHaveLength(2)
    expect(calls.filter((c) => c.op === 'restore')).toHaveLength(2)
  })
  it('a long pen line is smoothed through midpoints and ends on its last point', () => {
    const { ctx, calls } = fakeContext()
    const points = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 20, y: 10 }, { x: 30, y: 10 }]
    renderStrokes(ctx, [{ kind: 'pen', width: 4, color: '#f00', points }], 1)
    const curves = calls.filter((c) => c.op === 'quadraticCurveTo')
    expect(curves.map((c) => c.args)).toEqual([[10, 0, 15, 5], [20, 10, 25, 10]])
    expect(calls.filter((c) => c.op === 'lineTo').at(-1)!.args).toEqual([30, 10])
  })
  it('an arrow draws its shaft to the tip and two barbs behind it', () => {
    const { ctx, calls } = fakeContext()
    renderStrokes(ctx, [{ kind: 'arrow', width: 4, color: '#f00', from: { x: 0, y: 0 }, to: { x: 100, y: 0 } }], 2)
    const lines = calls.filter((c) => c.op === 'lineTo').map((c) => c.args)
    expect(lines).toContainEqual([200, 0])
    const [b1, b2] = arrowHead({ x: 0, y: 0 }, { x: 200, y: 0 }, 8)
    expect(b1.x).toBeLessThan(200)
    expect(b2.x).toBeLessThan(200)
    expect(b1.y).toBeCloseTo(-b2.y)
    expect(Math.hypot(200 - b1.x, b1.y)).toBeCloseTo(32)
  })
  it('draws nothing for no strokes', () => {
    const { ctx, calls } = fakeContext()
    renderStrokes(ctx, [], 1)
    expect(calls).toEqual([])
  })
})
