import { MemoryStore } from './memory_store.ts'
import { SqliteStore } from './sqlite_store.ts'
import type { Store } from './store.ts'

/** `memory` or a path to an SQLite file. */
export function openStore(spec: string, sqliteSync: 'normal' | 'full' = 'normal'): Store {
  return spec === 'memory' ? new MemoryStore() : new SqliteStore(spec, sqliteSync)
}
