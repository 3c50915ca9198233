/**
 * The AU CDR ids hang together: every AU test id is unique, every AU deviation is guarded by AU
 * tests that exist, every one of the 57 reference behaviours is claimed by an AU test and proven by
 * a deviation (or declared unbreakable); the AU anti-banks and behaviour proofs are judged as the UK's.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  buildBehaviourCoverage,
  CDR_BEHAVIOURS,
  renderBehaviourCoverage,
} from '../../fixtures/catalogue/cdr_behaviours.ts'
import { CDR_DEVIATIONS, CDR_UNBREAKABLE_BEHAVIOURS } from '../../mock-aspsp/src/profiles/au_cdr/deviations.ts'
import { AU_DOC, deviationsDoc } from '../deviations_doc.ts'
import {
  type AntiBankRule,
  AU_AREAS,
  areaOfTest,
  behaviourProofs,
  judgeAntiBank,
  judgeDeviation,
  type PwReport,
  readRuns,
  selfTestCases,
  type TestRun,
} from '../sensitivity.ts'

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tests/au')
const sources = readdirSync(dir)
  .filter(f => f.endsWith('.spec.ts'))
  .map(f => readFileSync(path.join(dir, f), 'utf8'))
  .join('\n')
/** Ids as the tests declare them: in a title (`'AU-DCR-011 ...`) or in a case table (`id: 'AU-DCR-030'`). */
const declared = [...sources.matchAll(/(?:test\(\s*[`'"]|id: ')(AU-DCR-\d{3})\b/g)].map(m => m[1] as string)

/** The behaviours each AU test id claims in the sources (its title's or its case's `behaviour` numbers). */
function claimsById(): Map<string, string[]> {
  const at = [...sources.matchAll(/(?:test\(\s*[`'"]|id: ')(AU-DCR-\d{3})\b/g)]
  const out = new Map<string, string[]>()
  for (const [i, m] of at.entries()) {
    const segment = sources.slice(m.index, at[i + 1]?.index ?? sources.length)
    const claimed = [...segment.matchAll(/behaviour(?:s: \[|\()([\d,\s]+)[\])]/g)].flatMap(b =>
      (b[1] as string).split(',').map(n => `CDR-B${n.trim().padStart(2, '0')}`),
    )
    out.set(m[1] as string, claimed)
  }
  return out
}

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
  it('each behaviour is proven by an AU deviation one of its tests guards, or declared unbreakable with the reason', () => {
    const claims = claimsById()
    const guarded = new Set(Object.values(CDR_DEVIATIONS).flatMap(d => d.caughtBy as readonly string[]))
    const unproven = CDR_BEHAVIOURS.map(b => b.id).filter(
      id => ![...claims].some(([test, bs]) => bs.includes(id) && guarded.has(test)),
    )
    assert.deepEqual(unproven, Object.keys(CDR_UNBREAKABLE_BEHAVIOURS).sort())
    for (const why of Object.values(CDR_UNBREAKABLE_BEHAVIOURS)) assert.ok(why.length > 40, why)
  })
})

describe('AU behaviours proven by a deviation', () => {
  const listed = (title: string, behaviours: string) => ({
    title,
    file: 'tests/au/x.spec.ts',
    annotations: [{ type: 'behaviour', description: behaviours }],
  })
  it('the coverage table names the deviations guarded by the tests of a behaviour, or why there are none', () => {
    const c = buildBehaviourCoverage([
      listed('AU-DCR-034 refuses a request whose exp has passed', 'CDR-B35'),
      listed('AU-DCR-073 answers an SSA whose redirect URIs are on different hosts', 'CDR-B29'),
    ])
    const row = (id: string) => c.rows.find(r => r.behaviour.id === id)
    assert.deepEqual(row('CDR-B35')?.provenBy, ['au-cdr:accept-expired-request'])
    assert.equal(row('CDR-B29')?.provenBy.length, 0)
    assert.equal(row('CDR-B29')?.unproven, CDR_UNBREAKABLE_BEHAVIOURS['CDR-B29'])
    assert.equal(row('CDR-B01')?.unproven, 'no AU test maps to it')
    assert.equal(c.proven, 1)
    const run = renderBehaviourCoverage(c)
    assert.match(run, /1 of 57 behaviours proven by a deviation/)
    assert.match(run, /\| Proven by \| Runs \|/)
    assert.match(run, /\| CDR-B35 \|.*\| au-cdr:accept-expired-request \|/)
    assert.match(run, /\| CDR-B01 \|.*\| — no AU test maps to it \|/)
    const listing = renderBehaviourCoverage(c, { listing: true })
    assert.match(listing, /\(listed, not run\); 1 of 57 behaviours proven by a deviation/)
    assert.doesNotMatch(listing, /Runs/)
  })
  it('the sensitivity report counts a behaviour proven only by a deviation caught at one of its tests', () => {
    const runs = readRuns({
      suites: [
        {
          file: 'au/registration_refusals.spec.ts',
          specs: [
            {
              title: 'AU-DCR-034 refuses a request whose exp has passed',
              tests: [
                {
                  projectName: 'reference:au-cdr',
                  annotations: [{ type: 'behaviour', description: 'CDR-B35' }],
                  results: [{ status: 'passed' }],
                },
              ],
            },
          ],
        },
      ],
    })
    const verdict = (caught: boolean) => ({
      deviation: 'au-cdr:accept-expired-request',
      area: 'request-jwt',
      caughtBy: ['AU-DCR-034'],
      refs: ['CDS-REG-VAL'],
      guards: [{ id: 'AU-DCR-034', caught }],
      caught,
    })
    const proof = (caught: boolean) => behaviourProofs([verdict(caught)], runs).find(p => p.id === 'CDR-B35')
    assert.deepEqual(proof(true)?.provenBy, ['au-cdr:accept-expired-request'])
    assert.deepEqual(proof(false)?.provenBy, [])
    const b29 = behaviourProofs([], runs).find(p => p.id === 'CDR-B29')
    assert.equal(b29?.unbreakable, CDR_UNBREAKABLE_BEHAVIOURS['CDR-B29'])
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

describe('AU anti-banks (judged as the UK ones)', () => {
  it('reads the area of an AU test from its tags, the first of AU_AREAS it carries; a UK id keeps its own', () => {
    assert.equal(areaOfTest('AU-DCR-101', ['@au-cdr', '@token', '@negative']), 'AU-TOK')
    assert.equal(areaOfTest('AU-DCR-124', ['@au-cdr', '@auth-code', '@negative', '@token']), 'AU-CODE')
    assert.equal(areaOfTest('AU-DCR-143', ['@au-cdr', '@format', '@register', '@negative']), 'AU-REGISTER')
    assert.equal(areaOfTest('AU-DCR-034', ['@au-cdr', '@dcr', '@negative']), 'AU-REG-NEG')
    assert.equal(areaOfTest('AU-DCR-170', ['@au-cdr', '@security', '@negative', '@token']), 'AU-SEC')
    assert.equal(areaOfTest('AU-DCR-011', ['@au-cdr', '@dcr', '@positive']), 'AU-REG')
    assert.equal(areaOfTest('AU-DCR-999', ['@au-cdr']), 'AU-DCR')
    assert.equal(areaOfTest('NEG-TOK-07', ['@token', '@negative']), 'NEG-TOK')
  })
  it('each AU anti-bank names the tests it must pass none of, the requests it refuses, and excuses only AU ids or areas', () => {
    const areas = new Set(AU_AREAS.map(([, area]) => area))
    const anti = Object.entries(CDR_DEVIATIONS).filter(([, d]) => d.area === 'anti-bank')
    assert.deepEqual(anti.map(([n]) => n).sort(), [
      'dead',
      'refuse-every-management-call',
      'refuse-every-registration',
      'refuse-every-token-request',
    ])
    for (const [name, d] of anti) {
      const rule = d as { passesNone?: readonly string[]; refuses?: readonly string[]; mayPass?: object }
      assert.ok((rule.passesNone ?? []).length > 0, name)
      if (name !== 'dead') assert.ok((rule.refuses ?? []).length > 0, `${name} names the requests it refuses`)
      for (const key of Object.keys(rule.mayPass ?? {}))
        assert.ok(declared.includes(key) || areas.has(key), `${name}: mayPass "${key}" is no AU id or area`)
    }
  })

  /** One AU test's run against `project`: its outcome, tags and the requests it recorded. */
  const run = (project: string, title: string, tags: string[], requests: string[], status = 'passed') =>
    ({
      suites: [
        {
          file: 'au/some.spec.ts',
          specs: [
            {
              title,
              tags,
              tests: [
                {
                  projectName: project,
                  annotations: [],
                  results: [{ status, attachments: requests.map((q, i) => ({ name: `0${i + 1} ${q} → 400` })) }],
                },
              ],
            },
          ],
        },
      ],
    }) as PwReport
  const judgeOne = (name: keyof typeof CDR_DEVIATIONS, report: PwReport) =>
    judgeAntiBank(`au-cdr:${name}`, CDR_DEVIATIONS[name] as AntiBankRule, readRuns(report))

  it('excuses a test of an area named in mayPass only while it sent none of the refused requests', () => {
    const project = 'anti-bank:au-cdr:refuse-every-registration'
    const register = ['au-cdr', 'register', 'negative']
    const title = 'AU-DCR-004 refuses GetSoftwareStatementAssertion without a token'
    const registerOnly = judgeOne(
      'refuse-every-registration',
      run(project, title, register, ['GET /cdr-register/v1/…']),
    )
    assert.equal(registerOnly.holds, true)
    assert.equal(registerOnly.excused.length, 1)
    const registered = judgeOne('refuse-every-registration', run(project, title, register, ['POST /register']))
    assert.equal(registered.holds, false)
    const refusal = run(project, 'AU-DCR-034 refuses a request whose exp has passed', ['au-cdr', 'dcr', 'negative'], [])
    assert.equal(judgeOne('refuse-every-registration', refusal).holds, false)
  })
  it('the token anti-bank must pass no token refusal, code redemption refusal or management refusal', () => {
    const project = 'anti-bank:au-cdr:refuse-every-token-request'
    const violations = [
      ['AU-DCR-102 refuses a client assertion whose aud is another server', ['au-cdr', 'token', 'negative']],
      ['AU-DCR-124 refuses a code with the wrong code_verifier (PKCE)', ['au-cdr', 'auth-code', 'negative', 'token']],
      ['AU-DCR-085 refuses an invalid access token: 401 invalid_token', ['au-cdr', 'dcr', 'management', 'negative']],
    ] as const
    for (const [title, tags] of violations) {
      assert.equal(judgeOne('refuse-every-token-request', run(project, title, [...tags], [])).holds, false, title)
    }
    // A PAR refusal rests on /par, which this bank answers for real.
    const par = run(
      project,
      'AU-DCR-127 refuses a pushed request object whose exp has passed',
      ['au-cdr', 'auth-code', 'negative'],
      ['POST /par'],
    )
    assert.equal(judgeOne('refuse-every-token-request', par).holds, true)
  })
})
