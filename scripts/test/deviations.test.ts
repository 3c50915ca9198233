/** The deviation registry is well formed, its documentation current, and the self-test judges catches by rule 4. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { AUTH_CODE_IDS } from '../../fixtures/catalogue/auth_code_checks.ts'
import { CATALOGUE, CATALOGUE_IDS } from '../../fixtures/catalogue/checks.ts'
import { proofOf } from '../../fixtures/catalogue/proofs.ts'
import { DEVIATIONS, deviation, UNBREAKABLE } from '../../mock-aspsp/src/profiles/uk_ob/deviations/index.ts'
import { DOC, deviationsDoc, PROVEN_BY, provenByJson } from '../deviations_doc.ts'
import {
  batchesOf,
  failedChecks,
  grepFor,
  grepOfSelectors,
  judgeAntiBank,
  judgeDeviation,
  type PwStep,
  readRuns,
  refsOf,
  selects,
  titleId,
} from '../sensitivity.ts'

describe('deviation registry', () => {
  it('has at least 40 deviations, each naming a rule, a clause, catalogue or scenario ids and the refs it breaks', () => {
    const entries = Object.entries(DEVIATIONS)
    assert.ok(entries.length >= 40, `${entries.length} deviations`)
    for (const [name, d] of entries.map(([n]) => [n, deviation(n as keyof typeof DEVIATIONS)] as const)) {
      assert.match(name, /^[a-z0-9-]+$/)
      assert.ok(d.breaks.length > 10 && d.clause.length > 3, name)
      if (d.area === 'anti-bank') {
        assert.ok((d.passesNone ?? []).length > 0, `${name}: an anti-bank names the tests that must not pass`)
        continue
      }
      assert.ok(d.caughtBy.length > 0, `${name} names no guarding test`)
      assert.ok(d.refs.length > 0, `${name} names no reference of the rule it breaks`)
      for (const ref of d.refs) assert.match(ref, /^[A-Za-z][\w.-]*$/, `${name}: ref "${ref}"`)
      for (const id of d.caughtBy) {
        assert.ok(
          CATALOGUE_IDS.has(id) || AUTH_CODE_IDS.has(id) || /^(DCR|AUTH-[A-Z]+)-\d+$/.test(id),
          `${name}: "${id}" is neither a catalogue id nor a scenario id`,
        )
      }
    }
  })
  it('names, for every applicable catalogue id, a deviation its tests must catch, or why none can be', () => {
    const unproven = CATALOGUE.filter(c => !c.notApplicable && proofOf(c.id).provenBy.length === 0)
    assert.deepEqual(
      unproven.map(c => c.id).filter(id => !proofOf(id).unbreakable),
      [],
    )
  })
  it('declares unbreakable only catalogue ids, each with its reason', () => {
    for (const [id, why] of Object.entries(UNBREAKABLE)) {
      assert.ok(CATALOGUE_IDS.has(id), id)
      assert.ok(why.length > 20, `${id}: say why`)
    }
  })
  it('mock-aspsp/DEVIATIONS.md and fixtures/catalogue/proven_by.json are generated from it and current', () => {
    assert.equal(readFileSync(DOC, 'utf8'), deviationsDoc(), 'run: node --import tsx scripts/deviations_doc.ts')
    assert.equal(readFileSync(PROVEN_BY, 'utf8'), provenByJson(), 'run: node --import tsx scripts/deviations_doc.ts')
  })
})

describe('sensitivity helpers', () => {
  it('reads the id at the start of a test title', () => {
    assert.equal(titleId('NEG-JWT-07 rejects a request whose exp has passed'), 'NEG-JWT-07')
    assert.equal(titleId('DCR-004 Dynamically create ...'), 'DCR-004')
    assert.equal(titleId('rejects something'), undefined)
  })
  it('runs the tests carrying a guarded id; the PUT twins of POST cases only where NEG-MGMT-24 is guarded', () => {
    const re = new RegExp(grepFor(['NEG-JWT-07', 'DCR-004']))
    const twin = 'NEG-MGMT-24 PUT rejects a request whose exp has passed (NEG-JWT-07)'
    assert.ok(re.test('NEG-JWT-07 rejects a request whose exp has passed'))
    assert.equal(re.test(twin), false)
    assert.ok(new RegExp(grepFor(['NEG-MGMT-24'])).test(twin))
    assert.ok(re.test('DCR-004 Dynamically create'))
    assert.equal(re.test('NEG-JWT-01 rejects application/json'), false)
    assert.equal(re.test('DCR-005 Dynamically retrieve'), false)
    assert.equal(re.test('NEG-JWT-070 a longer id'), false)
  })
  it('reads the references a check title ends with', () => {
    assert.deepEqual(refsOf('POST /register is refused with 400 [RFC7591-3.2.2]'), ['RFC7591-3.2.2'])
    assert.deepEqual(refsOf('status rule [RFC6749-5.2, NEG-TOK-27]'), ['RFC6749-5.2', 'NEG-TOK-27'])
    assert.deepEqual(refsOf('precondition: a registered client'), [])
    assert.deepEqual(refsOf('[RFC7591-3.2.2] in front only'), [])
  })
  it('deals the banks into batches of bounded size, the long runs one per batch', () => {
    const batches = batchesOf(['ref', 'anti1', 'anti2'], ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'], 4)
    assert.deepEqual(
      batches.map(b => b[0]),
      ['ref', 'anti1', 'anti2'],
    )
    assert.ok(batches.every(b => b.length <= 4))
    assert.deepEqual(batches.flat().sort(), ['anti1', 'anti2', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'ref'])
    assert.deepEqual(
      batchesOf([], ['a', 'b', 'c'], 2).map(b => b.length),
      [2, 1],
    )
  })
  it("runs against an anti-bank the tests its passesNone selects, by Playwright's title path with tags", () => {
    // What Playwright matches a project's grep against: project, file, describe titles and tags, title, tags.
    const title = (file: string, describe: string, test: string) =>
      `anti-bank:x ${file} ${describe} ${test}`.replaceAll(/\s+/g, ' ')
    const tok = title('negative/token.spec.ts', 'NEG-TOK token endpoint @token', 'NEG-TOK-07 refuses a sub @negative')
    const tls = title(
      'negative/tls.spec.ts',
      'NEG-TLS mutual TLS',
      'NEG-TLS-03 refuses a token without a cert @negative @token',
    )
    const jwt = title('negative/request_jwt.spec.ts', 'on POST /register @dcr @negative', 'NEG-JWT-07 rejects exp @jwt')
    const au = (tags: string) => title('au/token.spec.ts', `AU CDR: tokens ${tags}`, 'AU-DCR-102 refuses aud @negative')
    const matches = (selectors: string[], s: string) => new RegExp(grepOfSelectors(selectors)).test(s)
    assert.ok(matches(['NEG-TOK'], tok))
    assert.equal(matches(['NEG-TOK'], jwt), false)
    assert.ok(matches(['NEG-TLS @token'], tls))
    assert.equal(
      matches(['NEG-TLS @token'], title('negative/tls.spec.ts', 'NEG-TLS mutual TLS', 'NEG-TLS-01 @negative')),
      false,
    )
    assert.ok(matches(['@negative'], jwt))
    assert.equal(
      matches(['@negative'], title('dcr/official.spec.ts', 'DCR', 'DCR-004 registers @dcr @positive')),
      false,
    )
    assert.ok(matches(['AU-TOK'], au('@au-cdr @token')))
    assert.ok(matches(['@management @negative', '@token @negative'], au('@au-cdr @token')))
    assert.equal(matches(['@management @negative'], au('@au-cdr @token')), false)
    assert.equal(matches(['@token'], au('@au-cdr @tokens')), false)
    // `*` (the dead banks): every test, positive ones too.
    assert.ok(matches(['*'], title('dcr/official.spec.ts', 'DCR', 'DCR-004 registers @dcr @positive')))
  })
  it('selects the tests an anti-bank must not pass by area, tag or both', () => {
    const tok = { area: 'NEG-TLS', tags: ['@negative', '@token'] }
    assert.ok(selects('NEG-TLS @token', tok))
    assert.ok(selects('@negative', tok))
    assert.equal(selects('NEG-TLS @token', { area: 'NEG-TLS', tags: ['@negative'] }), false)
    assert.equal(selects('NEG-TOK', tok), false)
    assert.ok(selects('*', { area: 'POS-REG', tags: ['@positive'] }))
  })
})

// ---------------------------------------------------------------------------------------------
// Rule 4, on reports shaped as Playwright's JSON reporter writes them

const REFUSAL = 'POST /register is refused with 400 [RFC7591-3.2.2]'
const step = (title: string, error?: string, steps?: PwStep[]): PwStep => ({
  title,
  ...(error ? { error: { message: error } } : {}),
  ...(steps ? { steps } : {}),
})
type Status = 'passed' | 'failed' | 'timedOut'
const spec = (
  project: string,
  status: Status,
  steps: PwStep[] = [],
  opts: { title?: string; annotations?: { type: string; description?: string }[]; error?: string } = {},
) => ({
  title: opts.title ?? 'NEG-JWT-07 rejects a request whose exp has passed',
  tags: ['dcr', 'negative'],
  tests: [
    {
      projectName: project,
      annotations: opts.annotations ?? [],
      results: [{ status, steps, ...(opts.error ? { errors: [{ message: opts.error }] } : {}) }],
    },
  ],
})
const report = (...specs: ReturnType<typeof spec>[]) => ({
  suites: [{ title: 'negative/request_jwt.spec.ts', file: 'negative/request_jwt.spec.ts', specs }],
})
const DEV = 'deviation:accept-expired-request'
const d = { area: 'request-jwt' as const, caughtBy: ['NEG-JWT-07'], refs: ['RFC7591-3.2.2'] }

function judge(deviant: ReturnType<typeof spec>, reference = spec('reference', 'passed', [step(REFUSAL)])) {
  const runs = readRuns(report(reference, deviant))
  const ref = new Map(runs.filter(r => r.project === 'reference').map(r => [r.key, r]))
  return judgeDeviation('accept-expired-request', d, runs, ref)
}

describe('sensitivity verdicts (rule 4)', () => {
  it('catches at a failing check whose title names one of the refs, and names the check', () => {
    const v = judge(spec(DEV, 'failed', [step(REFUSAL, 'expected 400, got HTTP 201')]))
    assert.equal(v.caught, true)
    assert.equal(v.guards[0]?.check, REFUSAL)
    assert.equal(v.guards[0]?.ref, 'RFC7591-3.2.2')
  })
  it('does not catch at a check of another rule', () => {
    const v = judge(spec(DEV, 'failed', [step('the token is refused [RFC6749-5.2]', 'expected 400, got 200')]))
    assert.equal(v.caught, false)
    assert.match(v.guards[0]?.why ?? '', /another rule/)
  })
  it('does not catch at the control or in a precondition, even at a check with the right ref', () => {
    for (const [title, why] of [
      ['control: the same request without its fault', /control/],
      ['precondition: a registered client', /precondition/],
    ] as const) {
      const v = judge(spec(DEV, 'failed', [step(title, 'boom', [step(REFUSAL, 'expected 201, got HTTP 400')])]))
      assert.equal(v.caught, false, title)
      assert.match(v.guards[0]?.why ?? '', why)
    }
  })
  it('a deviation "caught" only by a connection error is NOT CAUGHT', () => {
    for (const message of [
      'Error: POST /register: expected an HTTP response, but the TLS connection failed: socket hang up',
      'apiRequestContext.fetch: read ECONNRESET',
      'apiRequestContext.fetch: connect ECONNREFUSED 127.0.0.1:8701',
      'apiRequestContext.fetch: Client network socket disconnected before secure TLS connection was established',
      'apiRequestContext.fetch: Timeout 30000ms exceeded.',
    ]) {
      const v = judge(spec(DEV, 'failed', [step(REFUSAL, message)]))
      assert.equal(v.caught, false, message)
      assert.match(v.guards[0]?.why ?? '', /connection error/, message)
    }
  })
  it('does not catch a timed-out or inconclusive test, nor one that failed outside any check', () => {
    assert.equal(judge(spec(DEV, 'timedOut', [step(REFUSAL, 'expected 400, got 201')])).caught, false)
    const inconclusive = spec(DEV, 'failed', [step(REFUSAL, 'expected 400, got 201')], {
      annotations: [{ type: 'inconclusive', description: 'the control request was refused' }],
    })
    assert.equal(judge(inconclusive).caught, false)
    const outside = judge(spec(DEV, 'failed', [], { error: 'Error: precondition failed: registering a client' }))
    assert.equal(outside.caught, false)
    assert.match(outside.guards[0]?.why ?? '', /outside any check/)
  })
  it('does not catch unless the same test passed against the conformant mock in the same run', () => {
    const deviant = spec(DEV, 'failed', [step(REFUSAL, 'expected 400, got HTTP 201')])
    const v = judge(deviant, spec('reference', 'failed', [step(REFUSAL, 'expected 400, got HTTP 500')]))
    assert.equal(v.caught, false)
    assert.match(v.guards[0]?.why ?? '', /conformant mock/)
    const runs = readRuns(report(deviant))
    assert.equal(judgeDeviation('accept-expired-request', d, runs, new Map()).caught, false)
  })
  it('is caught only when every guarded id is caught; a guarded id without a test is not', () => {
    const two = { ...d, caughtBy: ['NEG-JWT-07', 'DCR-004'] }
    const runs = readRuns(
      report(spec('reference', 'passed', [step(REFUSAL)]), spec(DEV, 'failed', [step(REFUSAL, 'got 201')])),
    )
    const ref = new Map(runs.filter(r => r.project === 'reference').map(r => [r.key, r]))
    const v = judgeDeviation('accept-expired-request', two, runs, ref)
    assert.equal(v.caught, false)
    assert.deepEqual(
      v.guards.map(g => [g.id, g.caught]),
      [
        ['NEG-JWT-07', true],
        ['DCR-004', false],
      ],
    )
    assert.match(v.guards[1]?.why ?? '', /no test/)
  })
  it('reads the innermost referenced check of nested steps', () => {
    const checks = failedChecks([
      step('Register software client fails on expired claims', 'got 201', [step(REFUSAL, 'got 201')]),
    ])
    assert.deepEqual(
      checks.map(c => c.title),
      [REFUSAL],
    )
  })
})

describe('anti-bank verdicts', () => {
  const anti = 'anti-bank:refuse-every-registration'
  it('counts passed / inconclusive / failed per area and flags a named test that passed', () => {
    const runs = readRuns(
      report(
        spec(anti, 'passed'),
        spec(anti, 'failed', [], {
          title: 'NEG-JWT-05 rejects alg none',
          error: 'inconclusive: the control was refused',
        }),
        spec(anti, 'failed', [step(REFUSAL, 'x')], { title: 'POS-REG-01 registers a client' }),
      ),
    )
    const v = judgeAntiBank('refuse-every-registration', { passesNone: ['@negative'] }, runs)
    assert.equal(v.holds, false)
    assert.equal(v.violations.length, 1)
    assert.deepEqual(
      v.areas.map(a => [a.area, a.passed, a.inconclusive, a.failed]),
      [
        ['NEG-JWT', 1, 1, 0],
        ['POS-REG', 0, 0, 1],
      ],
    )
  })
  it('lets a test it names pass only when mayPass says why and the test sent none of the refused requests', () => {
    const rule = {
      passesNone: ['NEG-BIND'],
      refuses: ['POST /token'],
      mayPass: { 'NEG-BIND-05': 'a registration refusal' },
    }
    const sent = (...names: string[]) => names.map((n, i) => ({ name: `0${i + 1} ${n} → 400` }))
    const run = (title: string, attachments: { name: string }[]) => {
      const s = spec('anti-bank:refuse-every-token-request', 'passed', [], { title })
      ;(s.tests[0]?.results[0] as { attachments?: unknown }).attachments = attachments
      return s
    }
    const registrationOnly = readRuns(report(run('NEG-BIND-05 refuses false', sent('POST /register'))))
    const excused = judgeAntiBank('refuse-every-token-request', rule, registrationOnly)
    assert.equal(excused.holds, true)
    assert.equal(excused.excused.length, 1)
    const calledToken = readRuns(report(run('NEG-BIND-05 refuses false', sent('POST /register', 'POST /token'))))
    assert.equal(judgeAntiBank('refuse-every-token-request', rule, calledToken).holds, false)
    const other = readRuns(report(run('NEG-BIND-02 refuses another token', sent('GET /accounts'))))
    assert.equal(judgeAntiBank('refuse-every-token-request', rule, other).holds, false)
  })
  it('does not hold when nothing ran against it', () => {
    assert.equal(judgeAntiBank('dead', { passesNone: ['@negative'] }, []).holds, false)
  })
})
