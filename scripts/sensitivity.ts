/**
 * `npm run test:sensitivity`: testing the tests. Every named deviation of the mock bank breaks one
 * rule (mock-aspsp/src/profiles/uk_ob/deviations/; the AU CDR profile's in
 * mock-aspsp/src/profiles/au_cdr/deviations.ts, named here `au-cdr:<name>`); the suite must notice
 * each, for the right reason. Both profiles are judged by the same rules; an AU bank runs the AU tests.
 *
 * Each bank runs in its own process (the esbuild bundle `npm start` builds), started here in
 * bounded batches; one Playwright run per batch (one worker each, two batches at a time) has a
 * project per bank:
 * - `reference`: the conformant mock, running every test that guards a deviation of the run
 *   (`reference:au-cdr`: the conformant AU Data Holder, for the AU deviations);
 * - `deviation:<name>`: the mock with that deviation, running the tests that carry its guard ids;
 * - `anti-bank:<name>`: the mock refusing every registration, every token request, every
 *   management call, or answering nothing (`dead`), running the tests its `passesNone` selects.
 *
 * A deviation is caught when, for every id in its `caughtBy`, a test carrying that id passed
 * against the reference and fails against the deviant bank at a check whose title names one of the
 * deviation's `refs`: not at a `control:` step, not in a `precondition:`, not by a connection
 * error or a timeout, not inconclusive. An anti-bank holds when no test its `passesNone` names
 * passed against it, but those its `mayPass` excuses (by id, or by area or tag like a `passesNone` selector)
 * that sent none of the requests it refuses. A full run also requires every applicable catalogue id,
 * and every AU reference behaviour (fixtures/catalogue/cdr_behaviours.ts), to be proven by a
 * deviation caught at one of its tests, or to be declared unbreakable with the reason.
 *
 * Prints the tables and writes reports/sensitivity/sensitivity.{json,md}; exit code 0 only when
 * everything holds.
 *
 * Options: `--only a,b` (some deviations or anti-banks), `--port <first port>` (default 8700),
 * `--batch <banks per Playwright run>` (default 20), `--streams <Playwright runs at a time>`
 * (default 2), `--without ID,...` (leave out the tests
 * carrying these ids, as if deleted: the deviations they guard must then be NOT CAUGHT),
 * `--impostor dead|none|dead,none` (the harness's own test: every deviant bank replaced by the
 * dead anti-bank, by nothing listening at all, or each by the two in turn; nothing may then be caught).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import { CDR_BEHAVIOURS } from '../fixtures/catalogue/cdr_behaviours.ts'
import { CATALOGUE } from '../fixtures/catalogue/checks.ts'
import { auMockArgs, mockArgs, type SensitivityProject } from '../fixtures/targets/projects.ts'
import { ensurePki } from '../keys/pki.ts'
import { CDR_DEVIATIONS, CDR_UNBREAKABLE_BEHAVIOURS } from '../mock-aspsp/src/profiles/au_cdr/deviations.ts'
import type { ProfileDeviation, ProfileName } from '../mock-aspsp/src/profiles/profile.ts'
import { DEVIATIONS, type Deviation, UNBREAKABLE } from '../mock-aspsp/src/profiles/uk_ob/deviations/index.ts'
import { buildMock } from './start.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const defaultOutDir = path.join(root, 'reports', 'sensitivity')

// ---------------------------------------------------------------------------------------------
// Reading Playwright's JSON report

interface PwError {
  message?: string
}
export interface PwStep {
  title: string
  error?: PwError
  steps?: PwStep[]
}
interface PwResult {
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted'
  attachments?: { name: string }[]
  duration?: number
  error?: PwError
  errors?: PwError[]
  steps?: PwStep[]
  annotations?: { type: string; description?: string }[]
}
interface PwTest {
  projectName: string
  results: PwResult[]
  annotations: { type: string; description?: string }[]
}
interface PwSpec {
  title: string
  file?: string
  tags?: string[]
  tests: PwTest[]
}
export interface PwSuite {
  title?: string
  file?: string
  specs?: PwSpec[]
  suites?: PwSuite[]
}
export interface PwReport {
  suites: PwSuite[]
}

export type Outcome = 'passed' | 'failed' | 'inconclusive' | 'timed out' | 'interrupted' | 'skipped' | 'not run'

/** A failing check step: its title, the references its title ends with, where it sat. */
export interface FailedCheck {
  title: string
  refs: string[]
  /** Set when the step is (or sits in) a positive control or a precondition. */
  within?: 'control' | 'precondition'
  message: string
  /** The error is the connection's (refused, reset, hung up, timed out), not an answer of the bank. */
  connection: boolean
}

/** One test run against one bank. */
export interface TestRun {
  /** The test across projects: file › describe titles › title. */
  key: string
  title: string
  project: string
  /** Catalogue or scenario ids the test carries: its title's and its `covers` annotations'. */
  ids: string[]
  /** The id prefix of its title (`NEG-TOK`, `POS-REG`, `DCR`, `FMT`), `-` when it has none. */
  area: string
  tags: string[]
  outcome: Outcome
  /** Failing check steps, innermost first. */
  checks: FailedCheck[]
  /** The first error message of the test. */
  error?: string
  /** The requests it sent, as its recorded exchanges name them (`POST /register`). */
  requests: string[]
  /** The AU reference behaviours it proves (`behaviour` annotations: `CDR-B08`). */
  behaviours: string[]
}

/** The id a test title starts with (`NEG-JWT-07 rejects ...` → `NEG-JWT-07`). */
export function titleId(title: string): string | undefined {
  return /^((?:NEG-[A-Z]+|POS-[A-Z]+|FMT|DCR|AUTH-[A-Z]+|AU-DCR)-\d+)\b/.exec(title)?.[1]
}

/** The area of an id: `NEG-TOK-07` → `NEG-TOK`, `DCR-004` → `DCR`. */
export const areaOf = (id: string | undefined) => (id ? id.replace(/-\d+$/, '') : '-')

/**
 * The areas of the AU tests, whose ids all read `AU-DCR-n`: named by the first of these tags a test
 * carries (its describe block's, or its own), after the UK area it is the AU form of.
 */
export const AU_AREAS: readonly (readonly [tag: string, area: string])[] = [
  ['@register', 'AU-REGISTER'], // the mock CDR Register's API (AU-DCR-001…009, 143)
  ['@discovery', 'AU-DISC'],
  ['@tls', 'AU-TLS'], // mutual TLS and the TLS policy (150…156)
  ['@format', 'AU-FMT'], // error and answer formats (140…142)
  ['@auth-code', 'AU-CODE'], // PAR, authorize, code redemption (120…127)
  ['@security', 'AU-SEC'], // what the security review of the AU mock found (170…172)
  ['@token', 'AU-TOK'], // the Data Holder's token endpoint (100…109)
  ['@management', 'AU-MGMT'], // GET, PUT, DELETE /register/{ClientId} refused (080…090)
  ['@positive', 'AU-REG'], // registrations accepted, read, updated, deleted (011…023, 075)
  ['@negative', 'AU-REG-NEG'], // registrations refused (030…076, 160)
]

/** The area of a test: its id's (`NEG-TOK`), or for an AU test the one its tags name (`AU-TOK`). */
export function areaOfTest(id: string | undefined, tags: readonly string[]): string {
  const area = areaOf(id)
  if (area !== 'AU-DCR') return area
  return AU_AREAS.find(([tag]) => tags.includes(tag))?.[1] ?? area
}

/**
 * The references a step title ends with: `... [RFC7591-3.2.2]` → `['RFC7591-3.2.2']`,
 * `... [RFC6749-5.2, NEG-TOK-27]` → both; none when the title has no such bracket.
 */
export function refsOf(title: string): string[] {
  const m = /\[([^\]]+)\]\s*$/.exec(title)
  return m?.[1]
    ? m[1]
        .split(',')
        .map(s => s.trim())
        .filter(s => /^[A-Za-z][\w.-]*$/.test(s))
    : []
}

/** Errors of the connection rather than answers of the bank: no catch may rest on them. */
const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|socket hang up|disconnected before secure TLS|apiRequestContext[\w.]*: Timeout|Request context disposed|Target page, context or browser has been closed/i

export const isConnectionError = (message: string) => CONNECTION_ERROR.test(message)

function stepKind(title: string): FailedCheck['within'] {
  if (/^control:/i.test(title)) return 'control'
  if (/^precondition:/i.test(title)) return 'precondition'
  return undefined
}

/** The failing check steps of a result, innermost first: a step with an error and references. */
export function failedChecks(steps: readonly PwStep[] = [], within?: FailedCheck['within']): FailedCheck[] {
  const out: FailedCheck[] = []
  for (const step of steps) {
    const here = within ?? stepKind(step.title)
    const inner = failedChecks(step.steps, here)
    out.push(...inner)
    if (!step.error) continue
    const refs = refsOf(step.title)
    // A step whose failure is already told by a referenced step inside it adds nothing.
    if (refs.length === 0 || inner.length > 0) continue
    const message = stripVTControlCharacters(step.error.message ?? '')
    out.push({
      title: step.title,
      refs,
      ...(here ? { within: here } : {}),
      message: message.split('\n')[0] ?? '',
      connection: isConnectionError(message),
    })
  }
  return out
}

const INCONCLUSIVE = /^(Error: )?inconclusive:/i

/** A failed test is inconclusive when it says so (annotation) or when every error it has is an `inconclusive:` one. */
function outcomeOf(result: PwResult | undefined, annotations: readonly { type: string }[]): Outcome {
  if (!result) return 'not run'
  if (result.status === 'skipped') return 'skipped'
  if (result.status === 'timedOut') return 'timed out'
  if (result.status === 'interrupted') return 'interrupted'
  if (result.status === 'passed') return 'passed'
  const errors = (result.errors ?? (result.error ? [result.error] : [])).map(e =>
    stripVTControlCharacters(e.message ?? ''),
  )
  if (annotations.some(a => a.type === 'inconclusive')) return 'inconclusive'
  if (errors.length > 0 && errors.every(e => INCONCLUSIVE.test(e))) return 'inconclusive'
  return 'failed'
}

/** An exchange attached to a test: `03 POST /register → 400` (fixtures/test.ts). */
const EXCHANGE = /^\d+ (.+?) → /
const isString = (v: unknown): v is string => typeof v === 'string'

/** Every test run of a report. */
export function readRuns(report: PwReport): TestRun[] {
  const out: TestRun[] = []
  const visit = (suite: PwSuite, file: string | undefined, path: string[]) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests) {
        const result = t.results[t.results.length - 1]
        const annotations = [...t.annotations, ...(result?.annotations ?? [])]
        const id = titleId(spec.title)
        const listed = (type: string) =>
          annotations.filter(a => a.type === type).flatMap(a => (a.description ?? '').split(/[\s,]+/).filter(Boolean))
        const covers = listed('covers')
        const error = stripVTControlCharacters(result?.errors?.[0]?.message ?? result?.error?.message ?? '')
        const tags = (spec.tags ?? []).map(tag => (tag.startsWith('@') ? tag : `@${tag}`))
        out.push({
          key: [file ?? spec.file ?? '', ...path, spec.title].join(' › '),
          title: spec.title,
          project: t.projectName,
          ids: [...new Set([id, ...covers].filter((x): x is string => !!x))],
          area: areaOfTest(id, tags),
          tags,
          outcome: outcomeOf(result, annotations),
          checks: failedChecks(result?.steps),
          requests: [...new Set((result?.attachments ?? []).map(a => EXCHANGE.exec(a.name)?.[1]).filter(isString))],
          behaviours: [...new Set(listed('behaviour'))],
          ...(error ? { error: error.split('\n')[0] } : {}),
        })
      }
    }
    for (const child of suite.suites ?? []) {
      visit(child, file ?? child.file, child.file && !file ? path : [...path, child.title ?? ''])
    }
  }
  for (const s of report.suites) visit(s, s.file, [])
  return out
}

// ---------------------------------------------------------------------------------------------
// Judging deviations (rule 4)

export interface GuardVerdict {
  id: string
  caught: boolean
  /** The test that caught it, the failing check's title and the reference that matched. */
  test?: string
  check?: string
  ref?: string
  /** Why no test of this id caught the deviation. */
  why?: string
}

export interface DeviationVerdict {
  deviation: string
  area: string
  caughtBy: string[]
  refs: string[]
  guards: GuardVerdict[]
  caught: boolean
  /** The deviant bank's process ended during the run (its exit and last error lines). */
  bankExit?: string
}

/** Why one run does not catch the deviation (undefined when it does). */
function whyNotCaught(run: TestRun, reference: TestRun | undefined, refs: readonly string[]): string | undefined {
  if (reference?.outcome !== 'passed') {
    return `did not pass against the conformant mock (${reference?.outcome ?? 'not run'}${reference?.error ? `: ${reference.error}` : ''})`
  }
  if (run.outcome === 'passed') return 'passed against the deviant bank'
  if (run.outcome !== 'failed') return `${run.outcome}${run.error ? `: ${run.error}` : ''}`
  if (run.checks.some(c => !c.within && !c.connection && c.refs.some(r => refs.includes(r)))) return undefined
  const first = run.checks[0]
  if (!first) return `failed outside any check: ${run.error ?? 'no error message'}`
  if (first.within === 'control') return `failed at the control: ${first.title}`
  if (first.within === 'precondition') return `failed in a precondition: ${first.title}`
  if (first.connection) return `failed by a connection error at ${first.title}: ${first.message}`
  return `failed at a check of another rule: ${first.title}`
}

export function judgeDeviation(
  name: string,
  d: Pick<SelfTestDeviation, 'area' | 'caughtBy' | 'refs'>,
  runs: readonly TestRun[],
  reference: ReadonlyMap<string, TestRun>,
  bankExit?: string,
): DeviationVerdict {
  const mine = runs.filter(r => r.project === `deviation:${name}`)
  const guards = d.caughtBy.map((id): GuardVerdict => {
    const tests = mine.filter(r => r.ids.includes(id))
    if (tests.length === 0) return { id, caught: false, why: 'no test carrying this id ran against the deviant bank' }
    const reasons: string[] = []
    for (const t of tests) {
      const why = whyNotCaught(t, reference.get(t.key), d.refs)
      if (why === undefined) {
        const check = t.checks.find(c => !c.within && !c.connection && c.refs.some(r => d.refs.includes(r)))
        return { id, caught: true, test: t.title, check: check?.title, ref: check?.refs.find(r => d.refs.includes(r)) }
      }
      reasons.push(`${t.title}: ${why}`)
    }
    return {
      id,
      caught: false,
      why: reasons.slice(0, 3).join('; ') + (reasons.length > 3 ? ` (+${reasons.length - 3})` : ''),
    }
  })
  return {
    deviation: name,
    area: d.area,
    caughtBy: [...d.caughtBy],
    refs: [...d.refs],
    guards,
    caught: guards.length > 0 && guards.every(g => g.caught),
    ...(bankExit ? { bankExit } : {}),
  }
}

// ---------------------------------------------------------------------------------------------
// Judging anti-banks

export interface AreaCount {
  area: string
  passed: number
  inconclusive: number
  failed: number
  skipped: number
}

export interface AntiBankVerdict {
  bank: string
  passesNone: string[]
  areas: AreaCount[]
  /** Tests that passed although `passesNone` names them (and no `mayPass` excuses them). */
  violations: string[]
  /** Tests that passed as `mayPass` allows: `key (why)`. */
  excused: string[]
  holds: boolean
  bankExit?: string
}

/** What an anti-bank must not let pass: see `Deviation.passesNone`, `refuses`, `mayPass`. */
export type AntiBankRule = Pick<Deviation, 'passesNone' | 'refuses' | 'mayPass'>

/** The `passesNone` selector of every test (the dead banks': a bank that answers nothing passes nothing). */
const everyTest = (selector: string) => selector.trim() === '*'

/** Whether a test falls under a `passesNone` selector (`NEG-TOK`, `@negative`, `NEG-TLS @token`; `*` is every test). */
export function selects(selector: string, run: Pick<TestRun, 'area' | 'tags'>): boolean {
  if (everyTest(selector)) return true
  return selector
    .split(/\s+/)
    .filter(Boolean)
    .every(part => (part.startsWith('@') ? run.tags.includes(part) : run.area === part))
}

export function judgeAntiBank(
  name: string,
  rule: AntiBankRule,
  runs: readonly TestRun[],
  bankExit?: string,
): AntiBankVerdict {
  const passesNone = rule.passesNone ?? []
  const mine = runs.filter(r => r.project === `anti-bank:${name}`)
  const byArea = new Map<string, AreaCount>()
  for (const r of mine) {
    const c = byArea.get(r.area) ?? { area: r.area, passed: 0, inconclusive: 0, failed: 0, skipped: 0 }
    byArea.set(r.area, c)
    if (r.outcome === 'passed') c.passed++
    else if (r.outcome === 'inconclusive') c.inconclusive++
    else if (r.outcome === 'skipped') c.skipped++
    else c.failed++
  }
  const named = mine.filter(r => r.outcome === 'passed' && passesNone.some(s => selects(s, r)))
  // A test may pass when its verdict does not rest on the refused operation: it says so in
  // `mayPass` and, in this run, sent none of the requests the bank refuses.
  const why = (r: TestRun) => {
    const key = Object.keys(rule.mayPass ?? {}).find(k => r.ids.includes(k) || selects(k, r))
    const sent = r.requests.filter(q => rule.refuses?.includes(q))
    return key && sent.length === 0 ? rule.mayPass?.[key] : undefined
  }
  const violations = named.filter(r => why(r) === undefined).map(r => r.key)
  const excused = named.filter(r => why(r) !== undefined).map(r => `${r.key} (${why(r)})`)
  return {
    bank: name,
    passesNone: [...passesNone],
    areas: [...byArea.values()].sort((a, b) => a.area.localeCompare(b.area)),
    violations: [...new Set(violations)],
    excused: [...new Set(excused)],
    holds: mine.length > 0 && violations.length === 0,
    ...(bankExit ? { bankExit } : {}),
  }
}

// ---------------------------------------------------------------------------------------------
// The catalogue: which deviation proves each id

export interface Proof {
  id: string
  check: string
  provenBy: string[]
  /** Why the id cannot be broken in the mock (declared in deviations.ts). */
  unbreakable?: string
}

export function catalogueProofs(verdicts: readonly DeviationVerdict[]): Proof[] {
  return CATALOGUE.filter(c => !c.notApplicable).map(c => {
    const provenBy = verdicts.filter(v => v.guards.some(g => g.id === c.id && g.caught)).map(v => v.deviation)
    const reason = (UNBREAKABLE as Record<string, string | undefined>)[c.id]
    return { id: c.id, check: c.check, provenBy, ...(reason ? { unbreakable: reason } : {}) }
  })
}

/** An AU reference behaviour and the deviations caught at one of its tests in this run. */
export interface BehaviourProof {
  id: string
  behaviour: string
  provenBy: string[]
  /** Why no deviation can prove it (declared in the AU registry). */
  unbreakable?: string
}

/**
 * For each of the AU reference behaviours (fixtures/catalogue/cdr_behaviours.ts), the deviations
 * caught at a test that maps itself to it (its `behaviour` annotation, as the runs carry it).
 */
export function behaviourProofs(verdicts: readonly DeviationVerdict[], runs: readonly TestRun[]): BehaviourProof[] {
  const testIds = new Map<string, Set<string>>()
  for (const r of runs) {
    for (const b of r.behaviours) testIds.set(b, new Set([...(testIds.get(b) ?? []), ...r.ids]))
  }
  return CDR_BEHAVIOURS.map(b => {
    const ids = testIds.get(b.id) ?? new Set<string>()
    const provenBy = verdicts.filter(v => v.guards.some(g => g.caught && ids.has(g.id))).map(v => v.deviation)
    const reason = CDR_UNBREAKABLE_BEHAVIOURS[b.id]
    return { id: b.id, behaviour: b.behaviour, provenBy, ...(reason ? { unbreakable: reason } : {}) }
  })
}

// ---------------------------------------------------------------------------------------------
// The report

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ')

export interface Summary {
  seconds: number
  batches: { banks: number; seconds: number }[]
  deviations: DeviationVerdict[]
  antiBanks: AntiBankVerdict[]
  /** Only for a full run (every deviation). */
  catalogue?: Proof[]
  /** Only for a full run: the AU reference behaviours and the deviations that prove them. */
  behaviours?: BehaviourProof[]
}

/** A catalogue id or behaviour is accounted for when a deviation proves it or it is declared unbreakable. */
const accounted = (p: { provenBy: readonly string[]; unbreakable?: string }) =>
  p.provenBy.length > 0 || p.unbreakable !== undefined

export function ok(s: Summary): boolean {
  return (
    s.deviations.every(v => v.caught) &&
    s.antiBanks.every(a => a.holds) &&
    (s.catalogue ?? []).every(accounted) &&
    (s.behaviours ?? []).every(accounted)
  )
}

export function markdown(s: Summary): string {
  const caught = s.deviations.filter(v => v.caught).length
  const lines = ['# Sensitivity of the conformance suite', '']
  if (s.deviations.length) {
    lines.push(
      `**${caught} of ${s.deviations.length} deviations caught by the check of their rule** (${((100 * caught) / s.deviations.length).toFixed(1)} %).`,
    )
  }
  if (s.catalogue) {
    const proven = s.catalogue.filter(p => p.provenBy.length > 0).length
    const unbreakable = s.catalogue.filter(p => p.provenBy.length === 0 && p.unbreakable).length
    lines.push(
      `**${proven} of ${s.catalogue.length} applicable catalogue ids proven by a deviation**${unbreakable ? ` (${unbreakable} declared unbreakable in the mock)` : ''}.`,
    )
  }
  if (s.behaviours) {
    const proven = s.behaviours.filter(p => p.provenBy.length > 0).length
    const unbreakable = s.behaviours.filter(p => p.provenBy.length === 0 && p.unbreakable).length
    lines.push(
      `**${proven} of ${s.behaviours.length} AU reference behaviours proven by a deviation**${unbreakable ? ` (${unbreakable} declared unbreakable)` : ''}.`,
    )
  }
  const held = s.antiBanks.filter(a => a.holds).length
  if (s.antiBanks.length) lines.push(`**${held} of ${s.antiBanks.length} anti-banks pass no test they must not.**`)
  const batches = s.batches.map(b => `${b.banks} banks ${b.seconds.toFixed(0)} s`).join(', ')
  lines.push('', `Wall time ${s.seconds.toFixed(0)} s (${s.batches.length} batches: ${batches}).`, '')

  if (s.antiBanks.length) {
    lines.push(
      '## Anti-banks',
      '',
      'Each runs the tests it is judged on (those its "must pass no" selects). Tests by area: passed / inconclusive / failed (skipped).',
      '',
    )
    const areas = [...new Set(s.antiBanks.flatMap(a => a.areas.map(x => x.area)))].sort()
    lines.push(
      `| Area | ${s.antiBanks.map(a => a.bank).join(' | ')} |`,
      `|---|${s.antiBanks.map(() => '---').join('|')}|`,
    )
    for (const area of areas) {
      const row = s.antiBanks.map(a => {
        const c = a.areas.find(x => x.area === area)
        return c ? `${c.passed} / ${c.inconclusive} / ${c.failed}${c.skipped ? ` (${c.skipped})` : ''}` : '—'
      })
      lines.push(`| ${area} | ${row.join(' | ')} |`)
    }
    lines.push('')
    for (const a of s.antiBanks) {
      const verdict = a.holds
        ? 'holds'
        : `**VIOLATED**: ${a.violations.length} test(s) passed${a.bankExit ? `; the bank ${a.bankExit}` : ''}`
      const which = a.passesNone.some(everyTest) ? '' : `${a.passesNone.join(', ')} `
      lines.push(`- \`${a.bank}\` must pass no ${which}test: ${verdict}`)
      for (const v of a.violations) lines.push(`  - passed: ${v}`)
      for (const e of a.excused) lines.push(`  - passed, and may: ${e}`)
    }
    lines.push('')
  }

  if (s.deviations.length) {
    lines.push('## Deviations', '', '| Deviation | Area | Guarded by | Refs | Verdict | Failing check or why not |')
    lines.push('|---|---|---|---|---|---|')
    for (const v of s.deviations) {
      const detail = v.guards
        .map(g => (g.caught ? `${g.id}: ${g.check} — ref ${g.ref} (test: ${g.test})` : `${g.id}: ${g.why}`))
        .join('<br>')
      const verdict = v.caught ? 'caught' : `**NOT CAUGHT**${v.bankExit ? ` (bank ${v.bankExit})` : ''}`
      lines.push(
        `| ${v.deviation} | ${v.area} | ${v.caughtBy.join(', ')} | ${v.refs.join(', ')} | ${verdict} | ${cell(detail)} |`,
      )
    }
    lines.push('')
  }

  if (s.behaviours) {
    lines.push(
      '## AU reference behaviours and the deviations that prove them',
      '',
      'A behaviour is proven by the deviations caught in this run at a test that maps itself to it.',
      '',
      '| Id | Behaviour | Proven by |',
      '|---|---|---|',
    )
    for (const p of s.behaviours) {
      const by = p.provenBy.length
        ? p.provenBy.join(', ')
        : p.unbreakable
          ? `— cannot be broken in the mock: ${p.unbreakable}`
          : '**not proven**: no test of it caught a deviation in this run'
      lines.push(`| ${p.id} | ${cell(p.behaviour)} | ${cell(by)} |`)
    }
    lines.push('')
  }

  if (s.catalogue) {
    lines.push('## Catalogue ids and the deviations that prove them', '', '| Id | Check | Proven by |', '|---|---|---|')
    for (const p of s.catalogue) {
      const by = p.provenBy.length
        ? p.provenBy.join(', ')
        : p.unbreakable
          ? `cannot be broken in the mock: ${p.unbreakable}`
          : '**not proven**'
      const check = p.check.replaceAll('`', '')
      lines.push(`| ${p.id} | ${cell(check.length > 80 ? `${check.slice(0, 79)}…` : check)} | ${cell(by)} |`)
    }
    lines.push('')
  }
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------
// Running the banks

/** A deviation of either profile, as the self-test reads it (the UK registry's shape). */
export type SelfTestDeviation = ProfileDeviation

/** One deviation of one profile: `id` is its name, `au-cdr:<name>` for an AU one. */
export interface SelfTestCase {
  id: string
  profile: ProfileName
  /** The name the bank knows it by (`--deviation <name>`). */
  name: string
  deviation: SelfTestDeviation
}

/** Every deviation of every profile, UK first. */
export function selfTestCases(): SelfTestCase[] {
  const uk = Object.entries(DEVIATIONS as Record<string, Deviation>).map(([name, deviation]) => ({
    id: name,
    profile: 'uk-ob' as const,
    name,
    deviation,
  }))
  const au = Object.entries(CDR_DEVIATIONS as Record<string, SelfTestDeviation>).map(([name, deviation]) => ({
    id: `au-cdr:${name}`,
    profile: 'au-cdr' as const,
    name,
    deviation,
  }))
  return [...uk, ...au]
}

interface Args {
  only: SelfTestCase[] | undefined
  port: number
  batch: number
  streams: number
  without: string[]
  /** What stands in for the deviant banks, in turn (the harness's own test). */
  impostor: Impostor[] | undefined
  outDir: string
}

const fail = (message: string): never => {
  throw new Error(message)
}

export function parseArgs(argv: string[]): Args {
  const args: Args = {
    only: undefined,
    port: Number(process.env.OB_SENSITIVITY_PORT ?? 8700),
    batch: Number(process.env.OB_SENSITIVITY_BATCH ?? 20),
    streams: Number(process.env.OB_SENSITIVITY_STREAMS ?? 2),
    without: [],
    impostor: undefined,
    outDir: process.env.OB_SENSITIVITY_DIR ?? defaultOutDir,
  }
  const list = (v: string | undefined) => (v ?? '').split(',').filter(Boolean)
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--only') {
      const all = selfTestCases()
      args.only = list(argv[++i]).map(
        n => all.find(c => c.id === n) ?? fail(`--only: unknown deviation "${n}" (an AU one is au-cdr:<name>)`),
      )
    } else if (a === '--port') {
      args.port = Number(argv[++i])
    } else if (a === '--batch') {
      args.batch = Number(argv[++i])
    } else if (a === '--streams') {
      args.streams = Number(argv[++i])
    } else if (a === '--without') {
      args.without = list(argv[++i])
    } else if (a === '--impostor') {
      const v = argv[++i]
      const kinds = list(v)
      if (!kinds.length || kinds.some(k => k !== 'dead' && k !== 'none'))
        throw new Error(`--impostor: "${v}" is not dead, none or both`)
      args.impostor = kinds as Impostor[]
    } else if (a === '--out') {
      args.outDir = path.resolve(argv[++i] ?? '')
    } else {
      throw new Error(
        `unknown option "${a}" (--only a,b; --port n; --batch n; --streams n; --without ids; --impostor dead,none)`,
      )
    }
  }
  for (const [name, v] of [
    ['--batch', args.batch],
    ['--streams', args.streams],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`)
  }
  return args
}

/**
 * The tests run against a deviation: those whose title carries one of its guarded ids. A PUT twin of
 * a POST case (`NEG-MGMT-24 PUT ... (NEG-JWT-07)`) names the case's id in brackets only: it carries
 * NEG-MGMT-24, and runs only where that id is guarded.
 */
export function grepFor(caughtBy: readonly string[]): string {
  return `\\b(?:${[...new Set(caughtBy)].join('|')})\\b(?!\\))`
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The tests an anti-bank runs: those its `passesNone` selects, the only ones it is judged on, as a
 * grep over what Playwright matches (project, file, describe and test titles, tags). It may take in
 * a few more (an id in a describe title), never fewer: an area is the leading id of a test's title,
 * an AU area its tag (`AU_AREAS`), and a tag is the test's or a describe block's.
 */
export function grepOfSelectors(selectors: readonly string[]): string {
  const tag = (t: string) => `(?=.*${escapeRegExp(t)}(?![\\w-]))`
  const part = (p: string) => {
    if (p.startsWith('@')) return tag(p)
    const auTag = AU_AREAS.find(([, area]) => area === p)?.[0]
    return auTag ? tag(auTag) : `(?=.*\\b${escapeRegExp(p)}-\\d)`
  }
  if (selectors.some(everyTest)) return '^'
  return selectors.map(s => `^${s.split(/\s+/).filter(Boolean).map(part).join('')}`).join('|')
}

/** One bank of the run: its project, the deviation it runs (none for a reference), its tests. */
interface Bank {
  project: string
  profile: ProfileName
  deviations: string[]
  /** The spec version it speaks and the management operations switched off (a deviation's `needs`). */
  specVersion: SpecVersion
  disabled: Operation[]
  port: number
  grep?: string
  /** Not started at all: nothing listens on its port (the impostor `none`). */
  absent?: boolean
}

type Impostor = 'dead' | 'none'
type Operation = 'get' | 'put' | 'delete'
type SpecVersion = SensitivityProject['specVersion']

/** The spec version of the self-test's banks, unless a deviation needs another. */
const SPEC: SpecVersion = '3.3'

/** The bank configuration a deviation needs (profile, spec version, operations switched off). */
function configOf(c: SelfTestCase | undefined): {
  profile: ProfileName
  specVersion: SpecVersion
  disabled: Operation[]
} {
  const needs = c?.deviation.needs
  return {
    profile: c?.profile ?? 'uk-ob',
    specVersion: needs?.spec ?? SPEC,
    disabled: [...(needs?.disable ?? [])].sort(),
  }
}
/** A configuration as a key: `''` for the default one, `au-cdr`, `spec=3.4`, `disable=delete`, ... */
function needsKey(c: SelfTestCase): string {
  const { profile, specVersion, disabled } = configOf(c)
  return [
    profile !== 'uk-ob' ? profile : '',
    specVersion !== SPEC ? `spec=${specVersion}` : '',
    disabled.length ? `disable=${disabled.join(',')}` : '',
  ]
    .filter(Boolean)
    .join(';')
}
/** The conformant reference a deviation is judged against: the mock in the same configuration. */
const referenceFor = (key: string) => (key ? `reference:${key}` : 'reference')

interface RunningBank {
  bank: Bank
  child?: ChildProcess
  /** Set when the process ended before it was stopped. */
  exit?: string
  stderr: string[]
}

/** Starts one bank from the bundle; resolves once it listens. */
function startBank(bundle: string, bank: Bank): Promise<RunningBank> {
  const running: RunningBank = { bank, stderr: [] }
  // The banks are configured by their arguments alone, never by the OB_MOCK_* of the caller.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OB_MOCK_')))
  const argv = [
    bundle,
    // As the webServer starts the suite's mocks.
    ...(bank.profile === 'au-cdr' ? auMockArgs(bank.port) : mockArgs(bank.port, bank.specVersion)),
    ...bank.deviations.flatMap(d => ['--deviation', d]),
    ...(bank.disabled.length ? ['--disable', bank.disabled.join(',')] : []),
  ]
  const child = spawn(process.execPath, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  running.child = child
  child.stderr?.on('data', (b: Buffer) => {
    running.stderr.push(b.toString())
    if (running.stderr.length > 20) running.stderr.shift()
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bank.project}: the bank did not listen within 90 s`)), 90_000)
    let out = ''
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString()
      if (out.includes('listening on')) {
        clearTimeout(timer)
        child.stdout?.removeAllListeners('data')
        child.stdout?.resume()
        resolve(running)
      }
    })
    child.on('exit', (code, signal) => {
      running.exit = `exited (${signal ?? `code ${code}`}): ${running.stderr.join('').trim().split('\n').slice(-3).join(' / ')}`
      clearTimeout(timer)
      reject(new Error(`${bank.project}: ${running.exit}`))
    })
  })
}

async function stopBank(b: RunningBank): Promise<void> {
  const child = b.child
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  child.removeAllListeners('exit')
  await new Promise<void>(resolve => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** Runs Playwright over a plan; resolves with its JSON report. */
async function runPlaywright(plan: SensitivityProject[], outDir: string, n: number): Promise<PwReport> {
  const planFile = path.join(outDir, `plan-${n}.json`)
  const resultsFile = path.join(outDir, `results-${n}.json`)
  writeFileSync(planFile, JSON.stringify(plan, null, 2))
  // One worker per run (each project then starts one worker, not one per file), several runs at once;
  // each run has its own output folder (Playwright empties it when it starts).
  const output = path.join(outDir, `test-results-${n}`)
  // Playwright's CLI run by this Node directly: `npx` would spend half a CPU second finding it, per run.
  const cli = fileURLToPath(import.meta.resolve('@playwright/test/cli'))
  const child = spawn(process.execPath, [cli, 'test', '--reporter=json', '--workers=1', `--output=${output}`], {
    cwd: root,
    env: {
      ...process.env,
      OB_SENSITIVITY_PLAN: planFile,
      OB_REPORTS_DIR: outDir,
      PLAYWRIGHT_JSON_OUTPUT_NAME: resultsFile,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', () => resolve())
  })
  return JSON.parse(readFileSync(resultsFile, 'utf8')) as PwReport
}

/** Deals the banks into batches of at most `size`: the long runs (references, anti-banks) one per batch. */
export function batchesOf<T>(long: readonly T[], short: readonly T[], size: number): T[][] {
  const count = Math.max(long.length, Math.ceil((long.length + short.length) / size))
  const out: T[][] = Array.from({ length: count }, (_, i) => (i < long.length ? [long[i] as T] : []))
  for (const b of short) {
    const fewest = out.reduce((min, batch) => (batch.length < min.length ? batch : min))
    fewest.push(b)
  }
  return out.filter(b => b.length > 0)
}

/** Banks started at the same time. */
const STARTING_AT_ONCE = 4

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  const cases = args.only ?? selfTestCases()
  const deviations = cases.filter(c => c.deviation.area !== 'anti-bank')
  const antiBanks = cases.filter(c => c.deviation.area === 'anti-bank')
  const started = Date.now()
  await ensurePki({ log: line => console.error(line) })
  const bundle = await buildMock()
  rmSync(args.outDir, { recursive: true, force: true })
  mkdirSync(args.outDir, { recursive: true })

  /** The impostor of the i-th deviant bank (`none`: nothing is started on its port). */
  const impostorOf = (i: number) => args.impostor?.[i % args.impostor.length]
  const keys = [...new Set(deviations.map(needsKey))]
  const banks: Bank[] = [
    // One conformant reference per set of needs, running the tests that guard those deviations.
    ...keys.map(key => {
      const mine = deviations.filter(c => needsKey(c) === key)
      return {
        project: referenceFor(key),
        deviations: [],
        ...configOf(mine[0]),
        grep: grepFor(mine.flatMap(c => c.deviation.caughtBy)),
      }
    }),
    // An anti-bank runs the tests of its profile it is judged on (its `passesNone`).
    ...antiBanks.map(c => ({
      project: `anti-bank:${c.id}`,
      deviations: [c.name],
      ...configOf(c),
      disabled: [],
      ...(c.deviation.passesNone?.length ? { grep: grepOfSelectors(c.deviation.passesNone) } : {}),
    })),
    ...deviations.map((c, i) => ({
      project: `deviation:${c.id}`,
      // Both profiles know the dead anti-bank.
      deviations: args.impostor ? ['dead'] : [c.name],
      absent: impostorOf(i) === 'none',
      ...configOf(c),
      grep: grepFor(c.deviation.caughtBy),
    })),
  ].map((b, i) => ({ ...b, port: args.port + i }))

  const runs: TestRun[] = []
  const exits = new Map<string, string>()
  const grepInvert = args.without.length ? grepFor(args.without) : undefined
  const long = banks.filter(b => !b.project.startsWith('deviation:'))
  const batches = batchesOf(
    long,
    banks.filter(b => b.project.startsWith('deviation:')),
    args.batch,
  )
  const timings: Summary['batches'] = []
  /** Starts a batch's banks, runs Playwright over them, stops them. */
  const runBatch = async (batch: Bank[], n: number) => {
    const t0 = Date.now()
    const toStart = batch.filter(b => !b.absent)
    const running: RunningBank[] = []
    try {
      // A few at a time: dozens of Node processes starting at once on two cores starve each other.
      for (let j = 0; j < toStart.length; j += STARTING_AT_ONCE) {
        const started = await Promise.allSettled(toStart.slice(j, j + STARTING_AT_ONCE).map(b => startBank(bundle, b)))
        for (const r of started) if (r.status === 'fulfilled') running.push(r.value)
        const failed = started.find(r => r.status === 'rejected')
        if (failed) throw failed.reason
      }
      const plan: SensitivityProject[] = batch.map(b => ({
        ...(b.profile !== 'uk-ob' ? { profile: b.profile } : {}),
        project: b.project,
        port: b.port,
        specVersion: b.specVersion,
        ...(b.disabled.length ? { disabled: b.disabled } : {}),
        ...(b.grep ? { grep: b.grep } : {}),
        ...(grepInvert ? { grepInvert } : {}),
      }))
      runs.push(...readRuns(await runPlaywright(plan, args.outDir, n)))
      for (const r of running) if (r.exit) exits.set(r.bank.project, r.exit)
    } finally {
      await Promise.all(running.map(stopBank))
    }
    const seconds = (Date.now() - t0) / 1000
    timings.push({ banks: batch.length, seconds })
    console.error(`sensitivity: batch ${n}/${batches.length}: ${batch.length} banks in ${seconds.toFixed(1)} s`)
  }
  // `streams` batches at a time, each taking the next batch when it is done.
  let next = 0
  const stream = async () => {
    while (next < batches.length) {
      const n = next++
      await runBatch(batches[n] as Bank[], n + 1)
    }
  }
  await Promise.all(Array.from({ length: Math.min(args.streams, batches.length) }, stream))

  const references = new Map(
    keys.map(key => [key, new Map(runs.filter(r => r.project === referenceFor(key)).map(r => [r.key, r]))]),
  )
  const summary: Summary = {
    seconds: (Date.now() - started) / 1000,
    batches: timings,
    deviations: deviations.map(c =>
      judgeDeviation(c.id, c.deviation, runs, references.get(needsKey(c)) ?? new Map(), exits.get(`deviation:${c.id}`)),
    ),
    antiBanks: antiBanks.map(c => judgeAntiBank(c.id, c.deviation, runs, exits.get(`anti-bank:${c.id}`))),
  }
  if (!args.only && !args.without.length && !args.impostor) {
    summary.catalogue = catalogueProofs(summary.deviations)
    summary.behaviours = behaviourProofs(summary.deviations, runs)
  }
  writeFileSync(path.join(args.outDir, 'sensitivity.json'), JSON.stringify(summary, null, 2))
  const md = markdown(summary)
  writeFileSync(path.join(args.outDir, 'sensitivity.md'), md)
  console.log(md)
  console.log(`sensitivity: report in ${path.relative(process.cwd(), path.join(args.outDir, 'sensitivity.md'))}`)
  return ok(summary) ? 0 : 1
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then(
    code => process.exit(code),
    e => {
      console.error(`sensitivity: ${(e as Error).message}`)
      process.exit(2)
    },
  )
}
