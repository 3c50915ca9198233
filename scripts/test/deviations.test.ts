/** The deviation registry is well formed and its generated documentation is current. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { AUTH_CODE_IDS } from '../../fixtures/catalogue/auth_code_checks.ts'
import { CATALOGUE_IDS } from '../../fixtures/catalogue/checks.ts'
import { DEVIATIONS } from '../../mock-aspsp/src/helpers/deviations.ts'
import { DOC, deviationsDoc } from '../deviations_doc.ts'
import { grepFor, titleId, verdicts } from '../sensitivity.ts'

describe('deviation registry', () => {
  it('has at least 40 deviations, each naming a rule, a clause and catalogue or scenario ids', () => {
    const entries = Object.entries(DEVIATIONS)
    assert.ok(entries.length >= 40, `${entries.length} deviations`)
    for (const [name, d] of entries) {
      assert.match(name, /^[a-z0-9-]+$/)
      assert.ok(d.breaks.length > 10 && d.clause.length > 3, name)
      assert.ok(d.caughtBy.length > 0, `${name} names no guarding test`)
      for (const id of d.caughtBy) {
        assert.ok(
          CATALOGUE_IDS.has(id) || AUTH_CODE_IDS.has(id) || /^(DCR|AUTH-[A-Z]+)-\d+$/.test(id),
          `${name}: "${id}" is neither a catalogue id nor a scenario id`,
        )
      }
    }
  })
  it('mock-aspsp/DEVIATIONS.md is generated from it and current', () => {
    assert.equal(readFileSync(DOC, 'utf8'), deviationsDoc(), 'run: node --import tsx scripts/deviations_doc.ts')
  })
})

describe('sensitivity helpers', () => {
  it('reads the id at the start of a test title', () => {
    assert.equal(titleId('NEG-JWT-07 rejects a request whose exp has passed'), 'NEG-JWT-07')
    assert.equal(titleId('DCR-004 Dynamically create ...'), 'DCR-004')
    assert.equal(titleId('rejects something'), undefined)
  })
  it('runs the tests carrying a guarded id, POST cases and their PUT twins', () => {
    const re = new RegExp(grepFor(['NEG-JWT-07', 'DCR-004']))
    assert.ok(re.test('NEG-JWT-07 rejects a request whose exp has passed'))
    assert.ok(re.test('NEG-MGMT-24 PUT rejects a request whose exp has passed (NEG-JWT-07)'))
    assert.ok(re.test('DCR-004 Dynamically create'))
    assert.equal(re.test('NEG-JWT-01 rejects application/json'), false)
    assert.equal(re.test('DCR-005 Dynamically retrieve'), false)
    assert.equal(re.test('NEG-JWT-070 a longer id'), false)
  })
})

describe('sensitivity verdicts', () => {
  const test = (title: string, status: 'passed' | 'failed') => ({
    title,
    tests: [{ projectName: 'deviation:accept-expired-request', results: [{ status }], annotations: [] }],
  })
  it('caught only when every guarded id has a failing test', () => {
    const both = verdicts({ suites: [{ specs: [test('DCR-004 x', 'failed'), test('NEG-JWT-07 y', 'failed')] }] }, [
      'accept-expired-request',
    ])
    assert.equal(both[0]?.caught, true)
    const one = verdicts({ suites: [{ specs: [test('DCR-004 x', 'failed'), test('NEG-JWT-07 y', 'passed')] }] }, [
      'accept-expired-request',
    ])
    assert.equal(one[0]?.caught, false)
    assert.deepEqual(one[0]?.missed, ['NEG-JWT-07'])
  })
  it('a guarded id without any test (a deleted test) is not caught', () => {
    const gone = verdicts({ suites: [{ specs: [test('DCR-004 x', 'failed')] }] }, ['accept-expired-request'])
    assert.equal(gone[0]?.caught, false)
    assert.deepEqual(gone[0]?.untested, ['NEG-JWT-07'])
  })
})
