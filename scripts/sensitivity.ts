/**
 * `npm run test:sensitivity`: testing the tests. One mock bank per named deviation (each breaks
 * exactly one rule, see mock-aspsp/src/helpers/deviations.ts), all hosted by this process; one
 * Playwright run with a project per bank, each running the tests that carry the ids guarding the
 * deviation's rule. A deviation is caught when, for EVERY id in its `caughtBy` list, at
 * least one test with that id fails; the run fails if any deviation is not caught that way (so
 * removing a guarding test makes it fail). Prints a table and writes reports/sensitivity.{json,md}.
 *
 * Options: `--only a,b` (some deviations), `--port <first port>` (default 8700), `--without ID,...`
 * (leave out the tests carrying these ids, as if they had been deleted: the run must then fail for
 * the deviations they guard).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SHORT_LIVED_RECIPIENT, SHORT_RECIPIENT_TOKEN_TTL } from '../fixtures/au/target.ts'
import { SHORT_LIVED_TOKEN_TPP, SHORT_TOKEN_TTL_SECONDS } from '../fixtures/targets/loader.ts'
import { ensurePki } from '../keys/pki.ts'
import { DEVIATIONS, type DeviationName } from '../mock-aspsp/src/helpers/deviations.ts'
import { CDR_DEVIATIONS } from '../mock-aspsp/src/profiles/au_cdr/deviations.ts'
import { type RunningMock, startMock } from '../mock-aspsp/src/server.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outDir = path.join(root, 'reports', 'sensitivity')

/** One deviation of one profile: the AU profile's run against the AU mock and the AU tests. */
export interface SensitivityCase {
  profile: 'uk-ob' | 'au-cdr'
  name: string
  area: string
  caughtBy: readonly string[]
  /**
   * The references of the broken rule (AU deviations): a guarding test catches the deviation only by
   * failing at a check whose title names one of them — not in a `control:` or `precondition:` step,
   * not by a connection error, not inconclusive. Without refs (the UK ones, for now) any failure counts.
   */
  refs?: readonly string[]
}

/** Every deviation of every profile, UK first. */
export function sensitivityCases(): SensitivityCase[] {
  return [
    ...Object.entries(DEVIATIONS).map(([name, d]) => ({
      profile: 'uk-ob' as const,
      name,
      area: d.area,
      caughtBy: d.caughtBy,
    })),
    ...Object.entries(CDR_DEVIATIONS).map(([name, d]) => ({
      profile: 'au-cdr' as const,
      name,
      area: d.area,
      caughtBy: d.caughtBy,
      refs: d.refs,
    })),
  ]
}

/** The Playwright project of a case (two profiles may both have a deviation of one name). */
export const projectOf = (c: Pick<SensitivityCase, 'profile' | 'name'>) =>
  c.profile === 'au-cdr' ? `deviation:au-cdr:${c.name}` : `deviation:${c.name}`

/** `--only` names: `au-cdr:<name>` for an AU deviation; a bare name is the UK one (or the AU one if only AU has it). */
function selectCases(only: string[] | undefined): SensitivityCase[] {
  const all = sensitivityCases()
  if (!only) return all
  return only.map(n => {
    const [profile, name] = n.startsWith('au-cdr:') ? ['au-cdr', n.slice('au-cdr:'.length)] : [undefined, n]
    const c = all.find(x => x.name === name && (profile ? x.profile === profile : true))
    if (!c) throw new Error(`--only: unknown deviation "${n}"`)
    return c
  })
}

interface Args {
  only: string[] | undefined
  port: number
  without: string[]
}

function parseArgs(argv: string[]): Args {
  const args: Args = { only: undefined, port: Number(process.env.OB_SENSITIVITY_PORT ?? 8700), without: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--only') {
      args.only = (argv[++i] ?? '').split(',').filter(Boolean)
    } else if (a === '--port') {
      args.port = Number(argv[++i])
    } else if (a === '--without') {
      args.without = (argv[++i] ?? '').split(',').filter(Boolean)
    } else {
      throw new Error(`unknown option "${a}" (--only a,b; --port n)`)
    }
  }
  return args
}

/** The id a test title starts with (`NEG-JWT-07 rejects ...` → `NEG-JWT-07`). */
export function titleId(title: string): string | undefined {
  return /^((?:NEG-[A-Z]+|POS-[A-Z]+|FMT|DCR|AUTH-[A-Z]+|AU-DCR)-\d+)\b/.exec(title)?.[1]
}

/**
 * The tests run against a deviation: those carrying one of its guarded ids (a POST case and its PUT
 * twin, NEG-MGMT-24, both name the id). Running only these keeps the self-test within minutes; a
 * deviation is caught only if every guarded id has a failing test.
 */
export function grepFor(caughtBy: readonly string[]): string {
  return `\\b(?:${[...new Set(caughtBy)].join('|')})\\b`
}

interface PwStep {
  title: string
  error?: { message?: string }
  steps?: PwStep[]
}
interface PwTest {
  projectName: string
  /** Every test is marked expected-to-fail in this run, so the outcome is read from each result. */
  results: {
    status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted'
    steps?: PwStep[]
    annotations?: { type: string }[]
  }[]
  annotations: { type: string; description?: string }[]
}

/** The references a check title ends with: `... [CDS-REG-REQ, RFC7591-3.2.2]` → both. */
export function refsOf(title: string): string[] {
  const m = /\[([^\]]+)\]\s*$/.exec(title)
  return m?.[1] ? m[1].split(',').map(r => r.trim()) : []
}

const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|disconnected before secure TLS/i

/** The references of the failing check steps of a result, leaving out controls, preconditions and connection errors. */
export function failedRefs(steps: readonly PwStep[] = []): Set<string> {
  const out = new Set<string>()
  for (const step of steps) {
    if (/^(control|precondition):/i.test(step.title)) continue
    for (const r of failedRefs(step.steps)) out.add(r)
    if (step.error && !CONNECTION_ERROR.test(step.error.message ?? '')) for (const r of refsOf(step.title)) out.add(r)
  }
  return out
}
interface PwSpec {
  title: string
  tests: PwTest[]
}
export interface PwSuite {
  specs?: PwSpec[]
  suites?: PwSuite[]
}

function* specsOf(suite: PwSuite): Generator<PwSpec> {
  for (const s of suite.specs ?? []) yield s
  for (const child of suite.suites ?? []) yield* specsOf(child)
}

interface Verdict {
  profile: string
  deviation: string
  area: string
  caughtBy: string[]
  ran: number
  failed: string[]
  /** Guard ids with at least one failing test. */
  hit: string[]
  /** Guard ids with no failing test (or no test at all). */
  missed: string[]
  /** Guard ids no test of the run carries. */
  untested: string[]
  caught: boolean
}

export function verdicts(
  report: { suites: PwSuite[] },
  selected: readonly (SensitivityCase | DeviationName)[],
): Verdict[] {
  const cases = selected.map(c =>
    typeof c === 'string'
      ? { profile: 'uk-ob' as const, name: c, area: DEVIATIONS[c].area, caughtBy: DEVIATIONS[c].caughtBy }
      : c,
  )
  const refsOfProject = new Map(cases.filter(c => c.refs).map(c => [projectOf(c), c.refs as readonly string[]]))
  const perProject = new Map<string, { ran: Set<string>; failed: string[]; failedIds: Set<string> }>()
  for (const suite of report.suites) {
    for (const spec of specsOf(suite)) {
      for (const t of spec.tests) {
        const p = perProject.get(t.projectName) ?? { ran: new Set<string>(), failed: [], failedIds: new Set<string>() }
        perProject.set(t.projectName, p)
        const ids = [titleId(spec.title), ...t.annotations.filter(a => a.type === 'covers').map(a => a.description)]
        for (const id of ids) if (id) p.ran.add(id)
        const failed = t.results.filter(r => r.status === 'failed' || r.status === 'timedOut')
        if (failed.length) {
          p.failed.push(spec.title)
          // A deviation with refs is caught only at a failing check of its rule, by a conclusive test.
          const refs = refsOfProject.get(t.projectName)
          const atRule =
            !refs ||
            failed.some(
              r =>
                ![...t.annotations, ...(r.annotations ?? [])].some(a => a.type === 'inconclusive') &&
                [...failedRefs(r.steps)].some(ref => refs.includes(ref)),
            )
          if (atRule) for (const id of ids) if (id) p.failedIds.add(id)
        }
      }
    }
  }
  return cases.map(d => {
    const p = perProject.get(projectOf(d)) ?? {
      ran: new Set<string>(),
      failed: [],
      failedIds: new Set<string>(),
    }
    const caughtBy = [...d.caughtBy]
    const hit = caughtBy.filter(id => p.failedIds.has(id))
    const missed = caughtBy.filter(id => !p.failedIds.has(id))
    return {
      profile: d.profile,
      deviation: d.name,
      area: d.area,
      caughtBy,
      ran: p.ran.size,
      failed: p.failed,
      hit,
      missed,
      untested: caughtBy.filter(id => !p.ran.has(id)),
      caught: missed.length === 0,
    }
  })
}

function markdown(rows: Verdict[], seconds: number): string {
  const caught = rows.filter(r => r.caught).length
  const lines = [
    '# Sensitivity of the conformance suite',
    '',
    `${caught} of ${rows.length} deviations caught by the tests that guard their rule (${((100 * caught) / rows.length).toFixed(1)} %), in ${seconds.toFixed(0)} s.`,
    '',
    '| Profile | Deviation | Area | Guarded by | Failed tests | Guards that failed | Verdict |',
    '|---|---|---|---|---|---|---|',
  ]
  for (const r of rows) {
    const verdict = r.caught
      ? 'caught'
      : r.untested.length
        ? `NOT CAUGHT: no test for ${r.untested.join(', ')}`
        : `NOT CAUGHT by ${r.missed.join(', ')}${r.failed.length ? ' (only other tests failed, or not at a check of the rule)' : ''}`
    lines.push(
      `| ${r.profile} | ${r.deviation} | ${r.area} | ${r.caughtBy.join(', ')} | ${r.failed.length} | ${r.hit.join(', ') || '—'} | ${verdict} |`,
    )
  }
  return `${lines.join('\n')}\n`
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  const cases = selectCases(args.only)
  const started = Date.now()
  const pki = await ensurePki({ log: line => console.error(line) })
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })

  const mocks: RunningMock[] = []
  try {
    const plan = []
    for (const [i, c] of cases.entries()) {
      const port = args.port + i
      // As the webServer starts the suite's mocks: one TPP (one AU recipient) with short-lived tokens.
      const tokenTtlBySoftware: Record<string, number> =
        c.profile === 'au-cdr'
          ? { [SHORT_LIVED_RECIPIENT]: SHORT_RECIPIENT_TOKEN_TTL }
          : { [SHORT_LIVED_TOKEN_TPP]: SHORT_TOKEN_TTL_SECONDS }
      mocks.push(
        await startMock({ port, store: 'memory', pki, profile: c.profile, deviations: [c.name], tokenTtlBySoftware }),
      )
      plan.push({
        ...(c.profile === 'au-cdr' ? { profile: c.profile } : {}),
        deviation: c.name,
        port,
        specVersion: '3.3',
        grep: grepFor(c.caughtBy),
        ...(args.without.length ? { grepInvert: grepFor(args.without) } : {}),
      })
    }
    const planFile = path.join(outDir, 'plan.json')
    writeFileSync(planFile, JSON.stringify(plan, null, 2))
    console.log(
      `sensitivity: ${cases.length} mock banks on ports ${args.port}–${args.port + cases.length - 1}, one deviation each`,
    )

    const resultsFile = path.join(outDir, 'results.json')
    // Asynchronous: the banks answer from this very process while Playwright runs.
    const child = spawn('npx', ['playwright', 'test', '--reporter=json'], {
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
    const rows = verdicts(JSON.parse(readFileSync(resultsFile, 'utf8')), cases)
    const seconds = (Date.now() - started) / 1000
    writeFileSync(path.join(outDir, 'sensitivity.json'), JSON.stringify({ seconds, rows }, null, 2))
    const md = markdown(rows, seconds)
    writeFileSync(path.join(outDir, 'sensitivity.md'), md)
    console.log(md)
    console.log(`sensitivity: report in ${path.relative(process.cwd(), path.join(outDir, 'sensitivity.md'))}`)
    return rows.every(r => r.caught) ? 0 : 1
  } finally {
    await Promise.all(mocks.map(m => m.close()))
  }
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
