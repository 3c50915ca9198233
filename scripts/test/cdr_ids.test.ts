/**
 * The AU CDR ids hang together: every AU test id is unique, every AU deviation is guarded by AU
 * tests that exist, and every one of the 57 reference behaviours is claimed by an AU test.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CDR_BEHAVIOURS } from '../../fixtures/catalogue/cdr_behaviours.ts'
import { CDR_DEVIATIONS } from '../../mock-aspsp/src/profiles/au_cdr/deviations.ts'
import { AU_DOC, auDeviationsDoc } from '../au_deviations_doc.ts'

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tests/au')
const sources = readdirSync(dir)
  .filter(f => f.endsWith('.spec.ts'))
  .map(f => readFileSync(path.join(dir, f), 'utf8'))
  .join('\n')
/** Ids as the tests declare them: in a title (`'AU-DCR-011 ...`) or in a case table (`id: 'AU-DCR-030'`). */
const declared = [...sources.matchAll(/(?:test\(\s*[`'"]|id: ')(AU-DCR-\d{3})\b/g)].map(m => m[1] as string)

describe('AU CDR ids', () => {
  it('every AU test id is declared once', () => {
    const twice = declared.filter((id, i) => declared.indexOf(id) !== i)
    assert.deepEqual(twice, [])
    assert.ok(declared.length >= 90, `${declared.length} AU test ids`)
  })
  it('mock-aspsp/DEVIATIONS-au-cdr.md is generated from the AU registry and current', () => {
    assert.equal(readFileSync(AU_DOC, 'utf8'), auDeviationsDoc(), 'run: node --import tsx scripts/au_deviations_doc.ts')
  })
  it('every AU deviation is guarded by AU tests that exist', () => {
    for (const [name, d] of Object.entries(CDR_DEVIATIONS)) {
      assert.ok(d.caughtBy.length > 0, name)
      for (const id of d.caughtBy) assert.ok(declared.includes(id), `${name}: ${id} is not an AU test`)
    }
  })
  it('each of the 57 reference behaviours is claimed by an AU test', () => {
    const claimed = new Set(
      [...sources.matchAll(/behaviour(?:s: \[|\()([\d,\s]+)[\])]/g)].flatMap(m =>
        (m[1] as string).split(',').map(n => `CDR-B${n.trim().padStart(2, '0')}`),
      ),
    )
    const unclaimed = CDR_BEHAVIOURS.map(b => b.id).filter(id => !claimed.has(id))
    assert.equal(CDR_BEHAVIOURS.length, 57)
    assert.deepEqual(unclaimed, [])
  })
})
