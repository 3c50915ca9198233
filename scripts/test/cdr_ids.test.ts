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
import { verdicts } from '../sensitivity.ts'

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

describe('AU sensitivity verdicts', () => {
  const auCase = {
    profile: 'au-cdr' as const,
    name: 'accept-expired-request',
    area: 'request-jwt',
    caughtBy: ['AU-DCR-034'],
    refs: ['CDS-REG-REQ'],
  }
  interface Step {
    title: string
    error?: { message: string }
    steps?: Step[]
  }
  const run = (steps: Step[], annotations: { type: string }[] = []) => ({
    suites: [
      {
        specs: [
          {
            title: 'AU-DCR-034 refuses a request whose exp has passed',
            tests: [
              {
                projectName: 'deviation:au-cdr:accept-expired-request',
                results: [{ status: 'failed' as const, steps, annotations }],
                annotations: [],
              },
            ],
          },
        ],
      },
    ],
  })
  const failing = { message: 'expected 400, got 201' }
  it('caught at a failing check whose title names a reference of the rule', () => {
    const [v] = verdicts(run([{ title: 'POST /register is refused with 400 [CDS-REG-REQ]', error: failing }]), [auCase])
    assert.equal(v?.caught, true)
  })
  it('not caught at a check of another rule, in a control, by a connection error, or inconclusive', () => {
    const refused = 'POST /register is refused with 400 [CDS-REG-REQ]'
    const cases: [Step[], { type: string }[]][] = [
      [[{ title: 'the answer matches the schema [CDS-DCR-API]', error: failing }], []],
      [[{ title: 'control: the same request', error: failing, steps: [{ title: refused, error: failing }] }], []],
      [[{ title: refused, error: { message: 'read ECONNRESET' } }], []],
      [[{ title: refused, error: failing }], [{ type: 'inconclusive' }]],
    ]
    for (const [steps, annotations] of cases) {
      const [v] = verdicts(run(steps, annotations), [auCase])
      assert.equal(v?.caught, false, JSON.stringify(steps))
    }
  })
})
