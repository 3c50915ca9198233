import { MemoryStore } from './memory_store.ts'
import { SqliteStore } from './sqlite_store.ts'
import type { Store } from './store.ts'

/** `memory` or a path to an SQLite file. */
export function openStore(spec: string, sqliteSync: 'normal' | 'full' = 'normal'): Store {
  if (spec === 'memory') return new MemoryStore()
  try {
    return new SqliteStore(spec, sqliteSync)
  } catch (e) {
    // better-sqlite3 loads its native module on first use; it is missing when its install script did not run.
    if (/bindings file|better_sqlite3\.node/.test((e as Error).message)) {
      throw new Error(
        `--store ${spec}: the SQLite store needs better-sqlite3's native module, which is not built here (its install script did not run: \`npm rebuild better-sqlite3\`; npm 11 runs it once approved: \`npm approve-scripts better-sqlite3\`); or start with --store memory`,
      )
    }
    throw e
  }
}
