// Photo annotation (画笔 / 圈选 / 箭头) as plain data: strokes live in image pixels (the full-resolution
// output), so the same list draws on the on-screen canvas (scale = display / image) and on the final
// JPEG (scale 1). No DOM here beyond the 2D context handed to renderStrokes.

export interface Point {
  x: number
  y: number
}
export interface Size {
  width: number
  height: number
}
/** The canvas's box on screen (getBoundingClientRect's fields). */
export interface Box extends Size {
  left: number
  top: number
}

export type Tool = 'pen' | 'circle' | 'arrow'

interface StrokeBase {
  /** line width in image pixels */
  width: number
  color: string
}
export interface PenStroke extends StrokeBase {
  kind: 'pen'
  points: Point[]
}
/** An ellipse inscribed in the box (x, y, w, h), w and h > 0. */
export interface CircleStroke extends StrokeBase {
  kind: 'circle'
  x: number
  y: number
  w: number
  h: number
}
export interface ArrowStroke extends StrokeBase {
  kind: 'arrow'
  from: Point
  to: Point
}
export type Stroke = PenStroke | CircleStroke | ArrowStroke

/** A stroke being drawn: where the pointer went down and every point since. */
export interface Draft {
  tool: Tool
  width: number
  color: string
  points: Point[]
}

export const STROKE_COLOR = '#ff2d2d'
/** line width and "this was a tap, not a drag" distance, both in display (CSS) pixels */
export const DISPLAY_LINE_WIDTH = 4
export const TAP_SLOP = 4

/** Display scale: how many CSS pixels one image pixel takes when the image fits inside `box`. */
export function fitScale(image: Size, box: Size): number {
  if (!(image.width > 0) || !(image.height > 0) || !(box.width > 0) || !(box.height > 0)) return 0
  return Math.min(box.width / image.width, box.height / image.height)
}

/** A pointer's client position on the canvas box → image pixels, clamped to the image. */
export function toImagePoint(clientX: number, clientY: number, box: Box, image: Size): Point {
  if (!(box.width > 0) || !(box.height > 0)) return { x: 0, y: 0 }
  const x = ((clientX - box.left) / box.width) * image.width
  const y = ((clientY - box.top) / box.height) * image.height
  return { x: clamp(x, 0, image.width), y: clamp(y, 0, image.height) }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y)
}

export function beginStroke(tool: Tool, at: Point, width: number, color = STROKE_COLOR): Draft {
  return { tool, width, color, points: [{ ...at }] }
}

/**
 * The pointer moved to `p`. A pen keeps every point at least `minStep` from the last one; a circle or
 * an arrow only needs where it started and where the pointer is now.
 */
export function addPoint(draft: Draft, p: Point, minStep = 0): Draft {
  const last = draft.points[draft.points.length - 1]
  if (draft.tool === 'pen') {
    if (last && dist(last, p) < minStep) return draft
    return { ...draft, points: [...draft.points, { ...p }] }
  }
  return { ...draft, points: [draft.points[0] ?? { ...p }, { ...p }] }
}

/** The box of a drag from a to b, whichever way it went: x, y top-left, w and h ≥ 0. */
export function dragBox(a: Point, b: Point): { x: number; y: number; w: number; h: number } {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x), h: Math.abs(b.y - a.y) }
}

/**
 * The finished stroke, or null when the pointer never went further than `slop` image pixels from where
 * it went down (a tap draws nothing). A circle needs both sides over the slop, else it would be a line.
 */
export function toStroke(draft: Draft, slop = 0): Stroke | null {
  const pts = draft.points
  const first = pts[0]
  if (!first || pts.length < 2) return null
  const far = pts.some((p) => dist(p, first) > slop)
  if (!far) return null
  const { width, color } = draft
  const last = pts[pts.length - 1]
  if (draft.tool === 'pen') return { kind: 'pen', width, color, points: pts.map((p) => ({ ...p })) }
  if (draft.tool === 'arrow') return { kind: 'arrow', width, color, from: { ...first }, to: { ...last } }
  const box = dragBox(first, last)
  if (box.w <= slop || box.h <= slop) return null
  return { kind: 'circle', width, color, ...box }
}

/** The list with the draft's stroke on the end (unchanged when the draft was a tap). */
export function commit(strokes: readonly Stroke[], draft: Draft, slop = 0): Stroke[] {
  const s = toStroke(draft, slop)
  return s ? [...strokes, s] : [...strokes]
}

/** Remove the last stroke only. */
export function undo(strokes: readonly Stroke[]): Stroke[] {
  return strokes.slice(0, -1)
}

/** The arrow head's two barb ends for a shaft from → to, drawn with line width `width`. */
export function arrowHead(from: Point, to: Point, width: number): [Point, Point] {
  const len = Math.max(width * 4, 10)
  const angle = Math.atan2(to.y - from.y, to.x - from.x)
  const spread = Math.PI / 7
  return [
    { x: to.x - len * Math.cos(angle - spread), y: to.y - len * Math.sin(angle - spread) },
    { x: to.x - len * Math.cos(angle + spread), y: to.y - len * Math.sin(angle + spread) },
  ]
}

/** The subset of CanvasRenderingContext2D renderStrokes uses (a fake in unit tests). */
export type StrokeContext = Pick<
  CanvasRenderingContext2D,
  'beginPath' | 'moveTo' | 'lineTo' | 'quadraticCurveTo' | 'ellipse' | 'stroke' | 'save' | 'restore'
> & { lineWidth: number; strokeStyle: CanvasRenderingContext2D['strokeStyle']; lineCap: CanvasLineCap; lineJoin: CanvasLineJoin }

/** Draw strokes (image pixels) on a context whose pixels are `scale` image pixels each. */
export function renderStrokes(ctx: StrokeContext, strokes: readonly Stroke[], scale: number): void {
  for (const s of strokes) {
    ctx.save()
    ctx.lineWidth = s.width * scale
    ctx.strokeStyle = s.color
    ctx.lineCap = 'round'
    ctx.lineJoin = 'round'
    ctx.beginPath()
    if (s.kind === 'pen') {
      const p = s.points.map((q) => ({ x: q.x * scale, y: q.y * scale }))
      ctx.moveTo(p[0].x, p[0].y)
      if (p.length === 2) ctx.lineTo(p[1].x, p[1].y)
      // a smooth line through the midpoints, each point the control point
      for (let i = 1; i < p.length - 1; i++) {
        const mid = { x: (p[i].x + p[i + 1].x) / 2, y: (p[i].y + p[i + 1].y) / 2 }
        ctx.quadraticCurveTo(p[i].x, p[i].y, mid.x, mid.y)
      }
      if (p.length > 2) ctx.lineTo(p[p.length - 1].x, p[p.length - 1].y)
    } else if (s.kind === 'circle') {
      ctx.ellipse((s.x + s.w / 2) * scale, (s.y + s.h / 2) * scale, (s.w / 2) * scale, (s.h / 2) * scale, 0, 0, Math.PI * 2)
    } else {
      const from = { x: s.from.x * scale, y: s.from.y * scale }
      const to = { x: s.to.x * scale, y: s.to.y * scale }
      const [b1, b2] = arrowHead(from, to, s.width * scale)
      ctx.moveTo(from.x, from.y)
      ctx.lineTo(to.x, to.y)
      ctx.moveTo(b1.x, b1.y)
      ctx.lineTo(to.x, to.y)
      ctx.lineTo(b2.x, b2.y)
    }
    ctx.stroke()
    ctx.restore()
  }
}
