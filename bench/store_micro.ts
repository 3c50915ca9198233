/**
 * Micro-benchmark of our bank's SQLite store on the token hot path, to explain what the profile
 * shows: the cost per call of `insertToken`, `getClient` and `useOnce` as the bank calls them (one
 * statement, one implicit transaction each), with the slow calls counted (WAL checkpoints), and of
 * the alternatives: a group commit (16 inserts per transaction), no automatic checkpoint on the
 * request thread, synchronous=OFF, an in-memory database, a Map, and a client cache in front of
 * `getClient`. Each token costs two `randomBytes(32)` calls here too (~2 µs).
 *
 * Usage: `node --import tsx bench/store_micro.ts [--n 20000]`. Files go to a temporary folder.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { signerFromFile } from '../fixtures/builders/jose.ts'
import { mintSsa } from '../fixtures/builders/ssa.ts'
import { ensurePki } from '../keys/pki.ts'
import { SqliteStore } from '../mock-aspsp/src/models/sqlite_store.ts'
import type { ClientRecord, TokenRecord } from '../mock-aspsp/src/models/store.ts'
import { parseArgs, quantile } from './common.ts'

const args = parseArgs(process.argv.slice(2))
const n = Number(args.get('n') ?? 20_000)
const dir = mkdtempSync(path.join(tmpdir(), 'bench-store-'))

interface Timing {
  name: string
  usPerOp: number
  p99Us: number
  maxMs: number
  over1ms: number
}

function time(name: string, count: number, op: (i: number) => void): Timing {
  const lat = new Float64Array(count)
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    op(i)
    lat[i] = performance.now() - t0
  }
  const total = performance.now() - start
  const sorted = lat.slice().sort()
  return {
    name,
    usPerOp: (total * 1000) / count,
    p99Us: quantile(sorted, 0.99) * 1000,
    maxMs: sorted[sorted.length - 1] as number,
    over1ms: sorted.filter(x => x > 1).length,
  }
}

const token = (clientId: string): TokenRecord => ({
  hash: randomBytes(32).toString('base64url'),
  kind: 'access',
  clientId,
  grant: 'client_credentials',
  scope: 'accounts',
  x5tS256: randomBytes(32).toString('base64url'),
  issuedAt: 1_800_000_000,
  expiresAt: 1_800_003_600,
  revoked: false,
})

const pki = await ensurePki()
const tpp = pki.tpps.alpha
if (!tpp) throw new Error('store_micro: no TPP alpha')
const ssa = await mintSsa(tpp, {
  issuer: pki.directory.issuer,
  signer: signerFromFile(pki.directory.signing.keyPath, pki.directory.signing.kid),
})
// A registration as big as the bank stores: the response body, with the SSA and its claims.
const registration: Record<string, unknown> = {
  client_id: 'c'.repeat(36),
  client_id_issued_at: 1_800_000_000,
  redirect_uris: tpp.redirectUris,
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'PS256',
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code id_token'],
  software_id: tpp.softwareId,
  scope: 'openid accounts payments',
  software_statement: ssa,
  application_type: 'web',
  id_token_signed_response_alg: 'PS256',
  request_object_signing_alg: 'PS256',
  ...JSON.parse(Buffer.from(ssa.split('.')[1] as string, 'base64url').toString()),
}
const client = (id: string): ClientRecord => ({
  clientId: id,
  softwareId: tpp.softwareId,
  orgId: tpp.orgId,
  issuedAt: 1_800_000_000,
  updatedAt: 1_800_000_000,
  registration: { ...registration, client_id: id },
})

const results: Timing[] = []
try {
  // As the bank does it.
  const store = new SqliteStore(path.join(dir, 'bank.db'))
  for (let i = 0; i < 1000; i++) store.insertClient(client(`client-${i}`))
  results.push(time('insertToken (one commit each, as now)', n, () => store.insertToken(token('client-1'))))
  results.push(time('getClient (SELECT + JSON.parse, as now)', n, i => store.getClient(`client-${i % 1000}`)))
  results.push(
    time('useOnce (one commit each, as now)', n, () =>
      store.useOnce('client-assertion:x', randomBytes(16).toString('hex'), 1_800_000_000),
    ),
  )
  const cache = new Map<string, ClientRecord>()
  results.push(
    time('getClient through a Map cache', n, i => {
      const id = `client-${i % 1000}`
      let c = cache.get(id)
      if (!c) {
        c = store.getClient(id) as ClientRecord
        cache.set(id, c)
      }
      return c
    }),
  )
  store.close()

  // Alternatives, on the bank's own schema (the store creates it).
  const alt = new SqliteStore(path.join(dir, 'alt.db'))
  alt.close()
  const db = new Database(path.join(dir, 'alt.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const insert = db.prepare(
    'INSERT OR REPLACE INTO tokens (hash, kind, client_id, grant_type, scope, x5t_s256, issued_at, expires_at, revoked, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const row = (t: TokenRecord) =>
    [t.hash, t.kind, t.clientId, t.grant, t.scope, t.x5tS256, t.issuedAt, t.expiresAt, 0, null] as const
  const group = db.transaction((ts: TokenRecord[]) => {
    for (const t of ts) insert.run(...row(t))
  })
  const batches = Math.floor(n / 16)
  const g = time('insertToken, 16 per transaction (group commit), per token', batches, () =>
    group(Array.from({ length: 16 }, () => token('client-1'))),
  )
  results.push({ ...g, usPerOp: g.usPerOp / 16 })
  db.pragma('wal_autocheckpoint = 0')
  results.push(
    time('insertToken, one commit each, no automatic checkpoint', n, () => insert.run(...row(token('client-1')))),
  )
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.pragma('wal_autocheckpoint = 1000')
  db.pragma('synchronous = OFF')
  results.push(time('insertToken, one commit each, synchronous=OFF', n, () => insert.run(...row(token('client-1')))))
  db.close()
  // The floor: the same insert without a commit of its own (an in-memory database).
  const mem = new SqliteStore(':memory:')
  results.push(time('insertToken into an in-memory SQLite database', n, () => mem.insertToken(token('client-1'))))
  mem.close()
  const map = new Map<string, TokenRecord>()
  results.push(
    time('insertToken into a Map', n, () => {
      const t = token('client-1')
      map.set(t.hash, t)
    }),
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}

console.log(`SQLite store, ${n.toLocaleString('en-GB')} calls each (better-sqlite3, WAL, synchronous=NORMAL):`)
for (const r of results) {
  console.log(
    `  ${r.name.padEnd(58)} ${r.usPerOp.toFixed(1).padStart(7)} µs/op  p99 ${r.p99Us.toFixed(0).padStart(5)} µs  ` +
      `max ${r.maxMs.toFixed(1).padStart(6)} ms  >1 ms: ${r.over1ms}`,
  )
}
if (args.has('json')) console.log(JSON.stringify(results))
