import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import { ApiError } from '@/api/http'
import { usePagedList, type ListPage } from '../usePagedList'

const rows = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ id: from + i }))

/** A fetcher whose replies the test releases by hand, in any order. */
function manual() {
  const calls: { page: number; resolve: (p: ListPage<{ id: number }>) => void; reject: (e: unknown) => void }[] = []
  const fetchPage = (page: number) =>
    new Promise<ListPage<{ id: number }>>((resolve, reject) => calls.push({ page, resolve, reject }))
  return { calls, fetchPage }
}

describe('usePagedList', () => {
  it('appends pages and stops at the total', async () => {
    const { calls, fetchPage } = manual()
    const list = usePagedList(fetchPage, { perPage: 2, immediate: false })
    const first = list.load()
    calls[0].resolve({ items: rows(2), total: 3 })
    await first
    expect(list.items.value.map((r) => r.id)).toEqual([1, 2])
    expect(list.finished.value).toBe(false)
    const second = list.more()
    expect(calls[1].page).toBe(2)
    calls[1].resolve({ items: rows(1, 3), total: 3 })
    await second
    expect(list.items.value.map((r) => r.id)).toEqual([1, 2, 3])
    expect(list.finished.value).toBe(true)
    await list.more()
    expect(calls).toHaveLength(2) // nothing after the end
  })

  it('drops a reply that arrives after a newer request started (filter changed)', async () => {
    const { calls, fetchPage } = manual()
    const filter = ref('a')
    const list = usePagedList(fetchPage, { perPage: 10, immediate: false, watch: [filter] })
    const old = list.load()
    filter.value = 'b'
    await nextTick() // the watcher starts the newer load
    expect(calls).toHaveLength(2)
    calls[1].resolve({ items: rows(1, 100), total: 1 })
    calls[0].resolve({ items: rows(5), total: 5 }) // the older filter's reply comes last
    await old
    await Promise.resolve()
    expect(list.items.value.map((r) => r.id)).toEqual([100])
    expect(list.total.value).toBe(1)
  })

  it('keeps the rows when a later page fails, and retries that page', async () => {
    const { calls, fetchPage } = manual()
    const list = usePagedList(fetchPage, { perPage: 2, immediate: false })
    const first = list.load()
    calls[0].resolve({ items: rows(2), total: 4 })
    await first
    const failing = list.more()
    calls[1].reject(new ApiError(503, 'unavailable', '服务暂不可用'))
    await failing
    expect(list.items.value).toHaveLength(2)
    expect(list.error.value).toBe('服务暂不可用')
    expect(list.finished.value).toBe(false)
    const retry = list.more()
    expect(calls[2].page).toBe(2) // the same page again, not page 3
    calls[2].resolve({ items: rows(2, 3), total: 4 })
    await retry
    expect(list.items.value.map((r) => r.id)).toEqual([1, 2, 3, 4])
    expect(list.error.value).toBe('')
  })
})
