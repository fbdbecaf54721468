// Small form drafts kept in localStorage so text typed on site survives a reload.
import { uuid } from './uuid'

const k = (userId: number, name: string) => `ecocheck.draft.${userId}.${name}`

export function loadDraft<T extends object>(userId: number, name: string, fallback: T): T & { draftId: string } {
  try {
    const raw = localStorage.getItem(k(userId, name))
    if (raw) return { ...fallback, ...(JSON.parse(raw) as T & { draftId: string }) }
  } catch {
    // ignore
  }
  return { ...fallback, draftId: uuid() }
}

export function saveDraft(userId: number, name: string, value: object): void {
  try {
    localStorage.setItem(k(userId, name), JSON.stringify(value))
  } catch {
    // private mode: the form still works
  }
}

export function clearDraft(userId: number, name: string): void {
  try {
    localStorage.removeItem(k(userId, name))
  } catch {
    // ignore
  }
}
