// Vitest setup: an in-memory IndexedDB for the offline store specs.
import 'fake-indexeddb/auto'
