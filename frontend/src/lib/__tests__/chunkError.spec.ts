import { describe, expect, it } from 'vitest'
import { chunkErrorMessage, isChunkLoadError } from '../chunkError'

describe('chunk load errors', () => {
  it('recognises the browsers\' messages for a page whose code cannot be fetched', () => {
    expect(isChunkLoadError(new TypeError('Failed to fetch dynamically imported module: http://x/assets/ItemPage-abc.js'))).toBe(true)
    expect(isChunkLoadError(new TypeError('error loading dynamically imported module'))).toBe(true)
    expect(isChunkLoadError(new TypeError('Importing a module script failed.'))).toBe(true)
    expect(isChunkLoadError(new Error('请求失败'))).toBe(false)
  })

  it('says in Chinese what is unavailable offline, and asks for a reload online', () => {
    expect(chunkErrorMessage(false).message).toContain('离线')
    expect(chunkErrorMessage(false).button).toBe('重试')
    expect(chunkErrorMessage(true).button).toBe('重新加载')
  })
})
