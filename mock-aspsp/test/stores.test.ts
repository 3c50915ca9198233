/** Both store implementations behave the same; the SQLite store keeps what it acknowledged. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { MemoryStore } from '../src/models/memory_store.ts'
import { SqliteStore } from '../src/models/sqlite_store.ts'
import { type ClientRecord, clientTokensRevokedKey, type Store, type TokenRecord } from '../src/models/store.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'store-test-'))
const opened: SqliteStore[] = []
/** An SQLite store in the test folder, remembered so that the folder is removed only once all are closed. */
function sqlite(file: string): SqliteStore {
  const s = new SqliteStore(file)
  opened.push(s)
  return s
}
after(async () => {
  for (const s of opened) s.close()
  // Each store's WAL checkpointer thread lets go of the file shortly after close().
  await Promise.all(opened.map(s => s.whenClosed()))
  rmSync(dir, { recursive: true, force: true })
})
const now = Math.floor(Date.now() / 1000)

const client = (id: string, softwareId = 'sw1'): ClientRecord => ({
  clientId: id,
  softwareId,
  orgId: 'org1',
  issuedAt: now,
  updatedAt: now,
  registration: { redirect_uris: ['https://a.example/cb'], scope: 'openid accounts' },
})
const token = (hash: string, clientId: string, expiresAt = now + 3600): TokenRecord => ({
  hash,
  kind: 'access',
  clientId,
  grant: 'client_credentials',
  scope: 'accounts',
  x5tS256: 'thumb',
  issuedAt: now,
  expiresAt,
  revoked: false,
})

const makers: Array<[string, () => Store]> = [
  ['memory', () => new MemoryStore()],
  ['sqlite', () => sqlite(path.join(dir, `s-${Math.random()}.sqlite`))],
]

for (const [name, make] of makers) {
  describe(`${name} store`, () => {
    it('inserts, reads, updates and counts clients; refuses a duplicate id', () => {
      const s = make()
      s.insertClient(client('c1'))
      s.insertClient(client('c2'))
      assert.deepEqual(s.getClient('c1'), client('c1'))
      assert.equal(s.getClient('nope'), undefined)
      assert.throws(() => s.insertClient(client('c1')))
      assert.equal(s.countClientsOfSoftware('sw1'), 2)
      const changed = { ...client('c1'), registration: { scope: 'openid' }, updatedAt: now + 5 }
      assert.equal(s.updateClient(changed), true)
      assert.deepEqual(s.getClient('c1')?.registration, { scope: 'openid' })
      assert.equal(s.updateClient(client('nope')), false)
      s.close()
    })
    it('deleting a client revokes its tokens (and only its tokens), unless asked to keep them', () => {
      const s = make()
      s.insertClient(client('c1'))
      s.insertClient(client('c2'))
      s.insertToken(token('t1', 'c1'))
      s.insertToken(token('t2', 'c2'))
      assert.equal(s.deleteClient('c1'), true)
      assert.equal(s.getClient('c1'), undefined)
      assert.equal(s.getToken('t1')?.revoked, true)
      assert.equal(s.getToken('t2')?.revoked, false)
      assert.equal(s.deleteClient('c1'), false)
      s.insertToken(token('t3', 'c2'))
      s.deleteClient('c2', { keepTokens: true })
      assert.equal(s.getToken('t3')?.revoked, false)
      s.close()
    })
    it('revokes one token and all tokens of a client', () => {
      const s = make()
      s.insertToken(token('a', 'c1'))
      s.insertToken(token('b', 'c1'))
      s.revokeToken('a')
      assert.equal(s.getToken('a')?.revoked, true)
      assert.equal(s.revokeClientTokens('c1'), 1)
      assert.equal(s.getToken('b')?.revoked, true)
      s.close()
    })
    it('a token it never wrote (a self-contained JWT) is written revoked; a client revocation records when', () => {
      const s = make()
      s.revokeToken('jwt', token('jwt', 'c1'))
      assert.equal(s.getToken('jwt')?.revoked, true)
      assert.equal(s.getToken('jwt')?.clientId, 'c1')
      s.revokeToken('unknown')
      assert.equal(s.getToken('unknown'), undefined, 'without its record there is nothing to write')
      const before = Math.floor(Date.now() / 1000)
      s.revokeClientTokens('c9')
      const mark = s.getToken(clientTokensRevokedKey('c9'))
      assert.ok(mark?.revoked && mark.issuedAt >= before && mark.clientId === 'c9', JSON.stringify(mark))
      s.sweep(now + 10 * 365 * 86400)
      assert.ok(s.getToken(clientTokensRevokedKey('c9')), 'the record of a client revocation is never swept')
      s.close()
    })
    it('useOnce accepts an id once until it expires, per namespace', () => {
      const s = make()
      assert.equal(s.useOnce('n', 'j1', now + 60), true)
      assert.equal(s.useOnce('n', 'j1', now + 60), false)
      assert.equal(s.useOnce('other', 'j1', now + 60), true)
      assert.equal(s.useOnce('n', 'old', now - 10), true)
      assert.equal(s.useOnce('n', 'old', now + 60), true, 'an expired record may be reused')
      s.close()
    })
    it('batch: units of one turn commit together; one that throws is rolled back and rejected alone', async () => {
      const s = make()
      const unit = (id: string) => () => {
        if (!s.useOnce('jti', 'same', now + 60) && id !== 'c1') throw new Error(`replay ${id}`)
        s.insertClient(client(id))
        return id
      }
      const results = await Promise.allSettled([s.batch(unit('c1')), s.batch(unit('c2')), s.batch(() => 'plain')])
      assert.deepEqual(results[0], { status: 'fulfilled', value: 'c1' })
      assert.equal(results[1]?.status, 'rejected')
      assert.match(String((results[1] as PromiseRejectedResult).reason), /replay c2/)
      assert.deepEqual(results[2], { status: 'fulfilled', value: 'plain' })
      assert.ok(s.getClient('c1'))
      assert.equal(s.getClient('c2'), undefined, 'the rejected unit wrote nothing')
      s.close()
    })
    it('grants are taken once', () => {
      const s = make()
      s.putGrant({ type: 'code', id: 'g1', clientId: 'c1', expiresAt: now + 60, data: { a: 1 } })
      assert.deepEqual(s.getGrant('code', 'g1')?.data, { a: 1 })
      assert.deepEqual(s.takeGrant('code', 'g1')?.data, { a: 1 })
      assert.equal(s.takeGrant('code', 'g1'), undefined)
      s.close()
    })
    it('sweep drops expired tokens, identifiers and grants only', () => {
      const s = make()
      s.insertToken(token('old', 'c1', now - 10))
      s.insertToken(token('new', 'c1', now + 60))
      s.useOnce('n', 'old', now - 10)
      s.putGrant({ type: 'code', id: 'old', clientId: 'c1', expiresAt: now - 10, data: {} })
      s.sweep(now)
      assert.equal(s.getToken('old'), undefined)
      assert.ok(s.getToken('new'))
      assert.equal(s.getGrant('code', 'old'), undefined)
      s.close()
    })
  })
}

describe('sqlite store: shared file and group commit', () => {
  it('a client changed by another connection (another bank process) is read afresh', () => {
    const file = path.join(dir, 'shared.sqlite')
    const a = sqlite(file)
    const b = sqlite(file)
    a.insertClient(client('c1'))
    assert.deepEqual(b.getClient('c1')?.registration, client('c1').registration)
    a.updateClient({ ...client('c1'), registration: { scope: 'openid' } })
    assert.deepEqual(b.getClient('c1')?.registration, { scope: 'openid' }, 'the cached record is dropped')
    a.deleteClient('c1')
    assert.equal(b.getClient('c1'), undefined)
    a.close()
    b.close()
  })
  it('tokens of one turn share a commit; flushed() resolves once they are on disk', async () => {
    const file = path.join(dir, 'group.sqlite')
    const a = sqlite(file)
    for (let i = 0; i < 20; i++) a.insertToken(token(`t${i}`, 'c1'))
    assert.equal(a.getToken('t3')?.revoked, false, 'a pending token is readable')
    a.revokeToken('t4')
    await a.flushed()
    const b = sqlite(file)
    assert.equal(b.getToken('t19')?.clientId, 'c1', 'committed: another connection reads it')
    assert.equal(b.getToken('t4')?.revoked, true, 'a revocation made while pending is kept')
    b.close()
    a.close()
  })
  it('records are frozen: a caller cannot change the store behind its back', () => {
    for (const s of [new MemoryStore(), new SqliteStore(':memory:')]) {
      s.insertClient(client('c1'))
      const got = s.getClient('c1')
      assert.throws(() => {
        ;(got?.registration as Record<string, unknown>).scope = 'x'
      }, TypeError)
      s.close()
    }
  })
})

describe('sqlite store durability', () => {
  it('a reopened file has every client and revocation that was acknowledged', () => {
    const file = path.join(dir, 'durable.sqlite')
    const a = sqlite(file)
    for (let i = 0; i < 50; i++) a.insertClient(client(`c${i}`))
    a.insertToken(token('t', 'c1'))
    a.revokeToken('t')
    a.revokeToken('jwt', token('jwt', 'c1'))
    a.deleteClient('c2')
    a.close()
    const b = sqlite(file)
    assert.equal(b.countClientsOfSoftware('sw1'), 49)
    assert.equal(b.getToken('t')?.revoked, true)
    assert.equal(b.getToken('jwt')?.revoked, true)
    assert.ok(b.getToken(clientTokensRevokedKey('c2')), 'the deletion recorded when it revoked the tokens of c2')
    assert.equal(b.getClient('c2'), undefined)
    b.close()
  })
})
