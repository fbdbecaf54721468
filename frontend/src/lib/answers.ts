// Answer rules shared by the item page and the submit check: range checks, answered, evidence.
import type { AnswerResult, Item, Section } from '@/api/types'

export type RangeStatus = 'empty' | 'invalid' | 'ok' | 'below' | 'above'

export function checkRange(item: Pick<Item, 'range'>, value: string | null | undefined): RangeStatus {
  if (value === null || value === undefined || value.trim() === '') return 'empty'
  const n = Number(value)
  if (!Number.isFinite(n)) return 'invalid'
  const min = item.range?.min
  const max = item.range?.max
  if (min !== null && min !== undefined && n < min) return 'below'
  if (max !== null && max !== undefined && n > max) return 'above'
  return 'ok'
}

export function rangeHint(item: Pick<Item, 'range' | 'unit'>): string {
  const min = item.range?.min
  const max = item.range?.max
  const unit = item.unit ?? ''
  const hasMin = min !== null && min !== undefined
  const hasMax = max !== null && max !== undefined
  if (hasMin && hasMax) return `合理范围 ${min}～${max} ${unit}`.trim()
  if (hasMax) return `不超过 ${max} ${unit}`.trim()
  if (hasMin) return `不低于 ${min} ${unit}`.trim()
  return ''
}

/** A number whose limit depends on a profile fact the server could not determine: the person judges it. */
export function numberNeedsJudging(item: Pick<Item, 'range' | 'judgement'>): boolean {
  return !!item.judgement && !item.range
}

/** Result implied by a number answer: within range is compliant, outside is non-compliant. */
export function resultForNumber(item: Pick<Item, 'range' | 'judgement'>, value: string | null): AnswerResult | null {
  // A profile-dependent limit the server could not determine (e.g. no noise zone on file): no automatic
  // judgement here either — never derive 合格 from the absence of a limit.
  if (numberNeedsJudging(item)) return null
  const s = checkRange(item, value)
  if (s === 'ok') return 'compliant'
  if (s === 'below' || s === 'above') return 'non_compliant'
  return null
}

export interface AnswerFacts {
  result: AnswerResult | null
  value: string | null
  photoCount: number
}

const VALUE_TYPES = new Set(['number', 'date', 'choice', 'text'])

/** Same rule as the server: a result is required, and value-type items need their value too. */
export function isAnswered(item: Pick<Item, 'answer_type'>, a: AnswerFacts | undefined): boolean {
  if (!a || !a.result) return false
  if (a.result === 'not_applicable') return true
  if (VALUE_TYPES.has(item.answer_type)) return a.value !== null && a.value.trim() !== ''
  return true
}

export function needsEvidence(item: Pick<Item, 'evidence_rule' | 'answer_type'>, a: AnswerFacts | undefined): boolean {
  if ((a?.photoCount ?? 0) > 0) return false
  if (a?.result === 'not_applicable') return false
  if (item.evidence_rule === 'photo_always' || item.answer_type === 'photo') return true
  if (item.evidence_rule === 'photo_if_noncompliant') return a?.result === 'non_compliant'
  return false
}

export interface DateRule {
  rule?: string
  within_days?: number
}

/** Result implied by a date answer under the item's date rule (expiry or recency); null if none. */
export function resultForDate(rule: DateRule | null | undefined, value: string | null, today: string): AnswerResult | null {
  if (!rule || !value || !/^\d{4}-\d{2}-\d{2}/.test(value)) return null
  const day = value.slice(0, 10)
  if (rule.rule === 'not_expired') return day >= today ? 'compliant' : 'non_compliant'
  if (typeof rule.within_days === 'number') {
    const diff = Math.round((Date.parse(today) - Date.parse(day)) / 86_400_000)
    return diff >= 0 && diff <= rule.within_days ? 'compliant' : 'non_compliant'
  }
  return null
}

/** Today in Asia/Shanghai as YYYY-MM-DD (deadlines and periods use that one clock). */
export function todayInShanghai(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}

export interface MissingEntry {
  itemId: number
  code: string
  question: string
  sectionTitle: string
  reason: 'unanswered' | 'evidence'
}

/** What still blocks submission, in checklist order. */
export function computeMissing(sections: Section[], answers: Map<number, AnswerFacts>): MissingEntry[] {
  const out: MissingEntry[] = []
  for (const s of sections) {
    for (const item of s.items) {
      const a = answers.get(item.id)
      const base = { itemId: item.id, code: item.code, question: item.question, sectionTitle: s.title }
      if (!isAnswered(item, a)) out.push({ ...base, reason: 'unanswered' })
      else if (needsEvidence(item, a)) out.push({ ...base, reason: 'evidence' })
    }
  }
  return out
}

/** The server's 422 details (item codes) rendered as the same entries. */
export function missingFromServer(
  sections: Section[],
  details: { missing_items?: unknown; missing_evidence?: unknown },
): MissingEntry[] {
  const codes = (v: unknown) => new Set(Array.isArray(v) ? v.map(String) : [])
  const items = codes(details.missing_items)
  const evidence = codes(details.missing_evidence)
  const out: MissingEntry[] = []
  for (const s of sections) {
    for (const item of s.items) {
      const base = { itemId: item.id, code: item.code, question: item.question, sectionTitle: s.title }
      if (items.has(item.code)) out.push({ ...base, reason: 'unanswered' })
      else if (evidence.has(item.code)) out.push({ ...base, reason: 'evidence' })
    }
  }
  return out
}

/**
 * 其余全部合格: the items of a section a tap may mark 合格 — yes/no items not answered yet that need no
 * photo and no proof on 合格, and that the statutory calendar does not answer. Everything else still needs
 * a person to look (a reading, a photo, a receipt).
 */
export function restCompliantCandidates(
  items: Pick<Item, 'id' | 'answer_type' | 'evidence_rule' | 'proof' | 'calendar'>[],
  facts: (itemId: number) => AnswerFacts | undefined,
): number[] {
  return items
    .filter(
      (it) =>
        it.answer_type === 'yes_no_na' &&
        it.evidence_rule !== 'photo_always' &&
        !it.proof?.on_compliant &&
        !it.calendar?.result &&
        !facts(it.id)?.result,
    )
    .map((it) => it.id)
}
