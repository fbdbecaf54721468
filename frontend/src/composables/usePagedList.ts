// A list page's data: one page at a time from the server, "more" appends the next, a reload (filter
// changed) starts again from page 1. A reply that arrives after a newer request started is dropped,
// so quickly switching filters never shows the older filter's rows. A failed "more" keeps the rows
// already shown and can be retried.
import { computed, onMounted, ref, watch, type Ref, type WatchSource } from 'vue'
import { ApiError } from '@/api/http'

export interface ListPage<T> {
  items: T[]
  total: number
  total_capped?: boolean
}

export interface PagedListOptions {
  perPage?: number
  /** Reload from page 1 when any of these change. */
  watch?: WatchSource[]
  /** Load when the page mounts (default true). */
  immediate?: boolean
}

export function usePagedList<T>(fetchPage: (page: number, perPage: number) => Promise<ListPage<T>>, options: PagedListOptions = {}) {
  const perPage = options.perPage ?? 50
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const capped = ref(false)
  const page = ref(0) // pages shown so far
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')
  const exhausted = ref(false) // the last reply was a short page: nothing after it
  const finished = computed(() => loaded.value && !error.value && (exhausted.value || items.value.length >= total.value))
  let generation = 0

  async function fetchInto(target: number) {
    const mine = ++generation
    loading.value = true
    error.value = ''
    try {
      const res = await fetchPage(target, perPage)
      if (mine !== generation) return
      items.value = target === 1 ? res.items : [...items.value, ...res.items]
      page.value = target
      total.value = res.total
      capped.value = Boolean(res.total_capped)
      exhausted.value = res.items.length < perPage
    } catch (e) {
      if (mine === generation) error.value = e instanceof ApiError ? e.message : '加载失败'
    } finally {
      if (mine === generation) {
        loading.value = false
        loaded.value = true
      }
    }
  }

  /** From page 1 (first load, filter changed, pull to refresh). */
  const load = () => fetchInto(1)
  /** The next page (or, after a failure, the page that failed). */
  async function more() {
    if (finished.value || loading.value) return
    await fetchInto(page.value + 1)
  }

  if (options.immediate !== false) onMounted(() => void load())
  if (options.watch?.length) watch(options.watch, () => void load())
  return { items, total, capped, page, loaded, loading, error, finished, load, more }
}
