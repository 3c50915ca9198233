/**
 * Durability, small: kill -9 the bank during concurrent registrations, restart it on the same
 * SQLite file, and find every acknowledged registration again. `npm run durability` is the full
 * run (1,000 registrations). The same run on the memory store is the control: it must lose them.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runDurability } from './durability/durability.ts'

test('SQLite store: no registration acknowledged with 201 is lost to a kill -9', { timeout: 120_000 }, async () => {
  const r = await runDurability({ registrations: 200, killAfter: 60, connectionsPerTpp: 32, ports: [9260, 9269] })
  console.log(
    `durability: ${r.acknowledged} acknowledged, ${r.retrievableAndWorking} retrievable and working, ${r.lost} lost, ${r.inFlightUnknown} without an answer (${r.committedWithoutAcknowledgement} committed anyway)`,
  )
  assert.ok(r.acknowledged >= 60, 'the bank was killed only after 60 acknowledgements')
  assert.ok(r.inFlightUnknown > 0, 'the kill came while registrations were still in flight')
  assert.deepEqual(r.rejected, [])
  assert.equal(r.lost, 0, `lost: ${r.lostClientIds.join(', ')}`)
  assert.equal(r.retrievableAndWorking, r.acknowledged)
})

test('control: the same check on the memory store does report the registrations as lost', {
  timeout: 120_000,
}, async () => {
  const r = await runDurability({
    registrations: 100,
    killAfter: 30,
    connectionsPerTpp: 32,
    ports: [9270, 9279],
    store: 'memory',
  })
  assert.ok(r.acknowledged >= 30)
  assert.equal(r.lost, r.acknowledged)
})
