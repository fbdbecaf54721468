import { describe, expect, it } from 'vitest'
import { actionButtons } from '../actions'

describe('actionButtons', () => {
  it('renders only what the server allows, in a fixed order', () => {
    const keys = actionButtons(['request_extension', 'accept', 'submit_rectification']).map((b) => b.key)
    expect(keys).toEqual(['submit_rectification', 'accept', 'request_extension'])
  })

  it('splits review into approve and return', () => {
    const b = actionButtons(['review', 'cancel'])
    expect(b.map((x) => x.key)).toEqual(['review:approve', 'review:return', 'cancel'])
    expect(b.map((x) => x.label)).toEqual(['核查通过', '退回整改', '撤销问题'])
    expect(b.every((x) => x.action === 'review' || x.action === 'cancel')).toBe(true)
  })

  it('ignores unknown actions and empty input', () => {
    expect(actionButtons(['fly_to_moon'])).toEqual([])
    expect(actionButtons([])).toEqual([])
    expect(actionButtons(undefined)).toEqual([])
  })

  it('covers every regulator action', () => {
    const keys = actionButtons(['decide_extension', 'require_review', 'reopen', 'cancel']).map((b) => b.key)
    expect(keys).toEqual(['decide_extension', 'require_review', 'reopen', 'cancel'])
  })
})
