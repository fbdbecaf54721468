import { describe, expect, it } from 'vitest'
import type { Item, Section } from '@/api/types'
import {
  checkRange,
  computeMissing,
  missingFromServer,
  restCompliantCandidates,
  resultForDate,
  resultForNumber,
  todayInShanghai,
  type AnswerFacts,
} from '../answers'

function item(id: number, over: Partial<Item> = {}): Item {
  return {
    id,
    code: `A${id}`,
    section_code: 'S1',
    section_title: '',
    local: false,
    question: `问题${id}`,
    finding: '',
    guidance: '',
    answer_type: 'yes_no_na',
    unit: null,
    range: null,
    choices: null,
    severity: '一般',
    legal_basis: [],
    evidence_rule: 'none',
    time_limit_days: 30,
    ...over,
  }
}

const sections: Section[] = [
  {
    code: 'S1',
    title: '废水',
    items: [
      item(1),
      item(2, { answer_type: 'number', range: { min: 6, max: 9 }, unit: 'pH' }),
      item(3, { evidence_rule: 'photo_always' }),
    ],
  },
  { code: 'S2', title: '危废', items: [item(4, { evidence_rule: 'photo_if_noncompliant' }), item(5, { answer_type: 'photo' })] },
]

const f = (result: AnswerFacts['result'], value: string | null = null, photoCount = 0): AnswerFacts => ({
  result,
  value,
  photoCount,
})

describe('computeMissing', () => {
  it('lists every item when nothing is answered, in checklist order', () => {
    const m = computeMissing(sections, new Map())
    expect(m.map((e) => [e.code, e.reason])).toEqual([
      ['A1', 'unanswered'],
      ['A2', 'unanswered'],
      ['A3', 'unanswered'],
      ['A4', 'unanswered'],
      ['A5', 'unanswered'],
    ])
    expect(m[3].sectionTitle).toBe('危废')
  })

  it('asks for photos per the evidence rule', () => {
    const answers = new Map<number, AnswerFacts>([
      [1, f('compliant')],
      [2, f('compliant', '7.2')],
      [3, f('compliant')], // photo_always without a photo
      [4, f('non_compliant')], // photo_if_noncompliant and non-compliant
      [5, f('compliant', null, 1)], // photo item with its photo
    ])
    expect(computeMissing(sections, answers).map((e) => [e.code, e.reason])).toEqual([
      ['A3', 'evidence'],
      ['A4', 'evidence'],
    ])
  })

  it('is empty when everything is answered with the required photos', () => {
    const answers = new Map<number, AnswerFacts>([
      [1, f('not_applicable')],
      [2, f('non_compliant', '11')],
      [3, f('compliant', null, 2)],
      [4, f('compliant')],
      [5, f('compliant', null, 1)],
    ])
    expect(computeMissing(sections, answers)).toEqual([])
  })

  it('needs a value for value-type items and a photo for photo items', () => {
    const answers = new Map<number, AnswerFacts>([
      [1, f(null, 'x')],
      [2, f('compliant', '')],
      [3, f('not_applicable')],
      [4, f('compliant')],
      [5, f('compliant')],
    ])
    expect(computeMissing(sections, answers).map((e) => [e.code, e.reason])).toEqual([
      ['A1', 'unanswered'],
      ['A2', 'unanswered'],
      ['A5', 'evidence'],
    ])
  })

  it('maps the server 422 details to the same entries', () => {
    const m = missingFromServer(sections, { missing_items: ['A2'], missing_evidence: ['A4', 'ZZ'] })
    expect(m.map((e) => [e.itemId, e.reason])).toEqual([
      [2, 'unanswered'],
      [4, 'evidence'],
    ])
  })
})

describe('number ranges', () => {
  const it2 = sections[0].items[1]
  it('flags values outside the range', () => {
    expect(checkRange(it2, '')).toBe('empty')
    expect(checkRange(it2, 'abc')).toBe('invalid')
    expect(checkRange(it2, '5.9')).toBe('below')
    expect(checkRange(it2, '9.01')).toBe('above')
    expect(checkRange(it2, '6')).toBe('ok')
    expect(resultForNumber(it2, '7')).toBe('compliant')
    expect(resultForNumber(it2, '12')).toBe('non_compliant')
    expect(resultForNumber(it2, '')).toBeNull()
  })
  it('treats an open range as unbounded', () => {
    expect(checkRange({ range: { min: null, max: 100 } }, '-5')).toBe('ok')
    expect(checkRange({ range: null }, '1e9')).toBe('ok')
  })
  it('makes no judgement when a profile-dependent limit is unknown', () => {
    expect(resultForNumber({ range: null, judgement: { kind: 'table', table: 'gb12348_day' } }, '58')).toBeNull()
    expect(resultForNumber({ range: { min: null, max: 60 }, judgement: { kind: 'table' } }, '62')).toBe('non_compliant')
  })
})

describe('dates', () => {
  it('applies expiry and recency rules', () => {
    expect(resultForDate({ rule: 'not_expired' }, '2026-05-01', '2026-04-30')).toBe('compliant')
    expect(resultForDate({ rule: 'not_expired' }, '2026-04-29', '2026-04-30')).toBe('non_compliant')
    expect(resultForDate({ within_days: 30 }, '2026-04-01', '2026-04-30')).toBe('compliant')
    expect(resultForDate({ within_days: 30 }, '2026-03-01', '2026-04-30')).toBe('non_compliant')
    expect(resultForDate(null, '2026-03-01', '2026-04-30')).toBeNull()
  })
  it('uses the Shanghai calendar day', () => {
    expect(todayInShanghai(new Date('2026-03-14T16:30:00Z'))).toBe('2026-03-15')
    expect(todayInShanghai(new Date('2026-03-14T15:59:00Z'))).toBe('2026-03-14')
  })
})

describe('a number whose limit depends on an unknown profile fact', () => {
  it('is judged by the person, never by the app', async () => {
    const { numberNeedsJudging, resultForNumber } = await import('../answers')
    const unknown = { range: null, judgement: { kind: 'noise' } } as never
    expect(numberNeedsJudging(unknown)).toBe(true)
    expect(resultForNumber(unknown, '50')).toBeNull()
    const known = { range: { min: null, max: 65 }, judgement: { kind: 'noise' } } as never
    expect(numberNeedsJudging(known)).toBe(false)
    expect(resultForNumber(known, '70')).toBe('non_compliant')
  })
})

describe('restCompliantCandidates (其余全部合格)', () => {
  const base = { answer_type: 'yes_no_na', evidence_rule: 'photo_if_noncompliant', proof: null, calendar: null } as const
  const items = [
    { ...base, id: 1 },
    { ...base, id: 2 }, // answered already
    { ...base, id: 3, evidence_rule: 'photo_always' as const },
    { ...base, id: 4, proof: { label: '回执', kinds: ['record_no'], on_compliant: true } },
    { ...base, id: 5, answer_type: 'number' as const },
    { ...base, id: 6, calendar: { rows: [], result: 'non_compliant' as const, evidence_ref: null } },
    { ...base, id: 7, calendar: { rows: [], result: null, evidence_ref: null } },
  ]
  it('marks only untouched yes/no items that need no photo, proof or calendar answer', () => {
    const facts = (id: number) => (id === 2 ? { result: 'non_compliant' as const, value: null, photoCount: 1 } : undefined)
    expect(restCompliantCandidates(items as never, facts)).toEqual([1, 7])
  })
})
