import { describe, expect, it, vi } from 'vitest'
import { shareReport } from '../reportFile'

describe('sharing a report', () => {
  it('uses the Web Share API with the verification link where the browser has it', async () => {
    const share = vi.fn(async () => undefined)
    const nav = { share } as unknown as Navigator
    expect(await shareReport('报告', '说明', 'https://x/verify/t', nav)).toBe('shared')
    expect(share).toHaveBeenCalledWith({ title: '报告', text: '说明', url: 'https://x/verify/t' })
  })

  it('a cancelled share is not an error', async () => {
    const nav = { share: async () => Promise.reject(Object.assign(new Error('x'), { name: 'AbortError' })) } as unknown as Navigator
    expect(await shareReport('报告', '说明', 'u', nav)).toBe('cancelled')
  })

  it('copies the link where there is no Web Share API', async () => {
    const writeText = vi.fn(async () => undefined)
    const nav = { clipboard: { writeText } } as unknown as Navigator
    expect(await shareReport('报告', '说明', 'https://x/verify/t', nav)).toBe('copied')
    expect(writeText).toHaveBeenCalledWith('https://x/verify/t')
  })
})
