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
import { AU_DOC, deviationsDoc } from '../deviations_doc.ts'
import { judgeDeviation, readRuns, selfTestCases, type TestRun } from '../sensitivity.ts'

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
    assert.equal(
      readFileSync(AU_DOC, 'utf8'),
      deviationsDoc('au-cdr'),
      'run: node --import tsx scripts/deviations_doc.ts',
    )
  })
  it('every AU deviation but the anti-banks is guarded by AU tests that exist', () => {
    for (const [name, d] of Object.entries(CDR_DEVIATIONS)) {
      if (d.area === 'anti-bank') continue
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

describe('AU sensitivity verdicts (the same rules as the UK ones)', () => {
  const name = 'au-cdr:accept-expired-request'
  const deviation = CDR_DEVIATIONS['accept-expired-request']
  interface Step {
    title: string
    error?: { message: string }
    steps?: Step[]
  }
  const title = 'AU-DCR-034 refuses a request whose exp has passed'
  /** The guarding test passed against the conformant AU mock and ran against the deviant bank with `steps`. */
  const runs = (steps: Step[], annotations: { type: string }[] = []) =>
    readRuns({
      suites: [
        {
          file: 'au/registration_refusals.spec.ts',
          specs: [
            {
              title,
              tests: [
                { projectName: 'reference:au-cdr', results: [{ status: 'passed' }], annotations: [] },
                {
                  projectName: `deviation:${name}`,
                  results: [{ status: 'failed', steps, annotations, errors: [{ message: 'Error: expect failed' }] }],
                  annotations: [],
                },
              ],
            },
          ],
        },
      ],
    })
  const judge = (all: TestRun[]) =>
    judgeDeviation(
      name,
      deviation,
      all,
      new Map(all.filter(r => r.project === 'reference:au-cdr').map(r => [r.key, r])),
    )
  const failing = { message: 'expected 400, got 201' }
  it('caught at a failing check whose title names a reference of the rule', () => {
    const v = judge(runs([{ title: 'POST /register is refused with 400 [CDS-REG-VAL]', error: failing }]))
    assert.equal(v.caught, true, JSON.stringify(v.guards))
    assert.equal(v.guards[0]?.ref, 'CDS-REG-VAL')
  })
  it('not caught at a check of another rule, in a control, by a connection error, or inconclusive', () => {
    const refused = 'POST /register is refused with 400 [CDS-REG-VAL]'
    const cases: [Step[], { type: string }[]][] = [
      [[{ title: 'the answer matches the schema [CDS-DCR-API]', error: failing }], []],
      [[{ title: 'control: the same request', error: failing, steps: [{ title: refused, error: failing }] }], []],
      [[{ title: refused, error: { message: 'read ECONNRESET' } }], []],
      [[{ title: refused, error: failing }], [{ type: 'inconclusive' }]],
    ]
    for (const [steps, annotations] of cases) {
      assert.equal(judge(runs(steps, annotations)).caught, false, JSON.stringify(steps))
    }
  })
  it('the self-test knows every AU deviation as au-cdr:<name>, with the refs it breaks', () => {
    const au = selfTestCases().filter(c => c.profile === 'au-cdr')
    assert.equal(au.length, Object.keys(CDR_DEVIATIONS).length)
    for (const c of au) {
      assert.equal(c.id, `au-cdr:${c.name}`)
      if (c.deviation.area !== 'anti-bank') assert.ok(c.deviation.refs.length > 0, c.id)
    }
  })
})
