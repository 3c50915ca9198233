/**
 * Proof that a run split into shards and merged is the run: the same spec files once in one run,
 * and in two shards (`npm run conformance -- --shard=i/2`, each into its own report folder) merged
 * by `npm run conformance:merge`. The merged conformance summary (totals, per project, every test's
 * outcome and checks, catalogue coverage), JUnit totals and Allure results must equal the single
 * run's, and the HTML report must exist.
 *
 * The files: the official tool's scenarios, the authorization code flow with the browser project,
 * the binding and management refusals — every kind of project, outcome (a skip with its reason
 * included) and check, in about a sixth of the suite's time. `OB_SHARD_FILES` names others.
 *
 * Run by `npm test` (step "shards"): node --import tsx --test scripts/shard_merge.ts
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ConformanceSummary } from '../fixtures/reporters/summary.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outDir = path.join(root, 'reports', 'shards')
const FILES = (
  process.env.OB_SHARD_FILES ??
  'tests/dcr/official.spec.ts tests/auth-code tests/negative/binding.spec.ts tests/negative/management.spec.ts'
)
  .split(/\s+/)
  .filter(Boolean)

interface Run {
  dir: string
  code: number | null
  output: string
}

function run(script: string, args: string[], dir: string): Run {
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: root,
    env: { ...process.env, OB_REPORTS_DIR: dir },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  return { dir, code: r.status, output: `${r.stdout}\n${r.stderr}` }
}

const summaryOf = (r: Run) =>
  JSON.parse(readFileSync(path.join(r.dir, 'conformance.json'), 'utf8')) as ConformanceSummary

/** What must not change when a run is sharded: everything but times, dates and worker numbers. */
function comparable(s: ConformanceSummary) {
  return {
    status: s.status,
    totals: s.totals,
    projects: s.projects.map(p => ({ name: p.name, target: p.target, totals: p.totals })),
    // Tests that tie in the summary's order (same id and auth method) may come in another order.
    tests: s.tests.map(t => JSON.stringify({ ...t, durationMs: undefined })).sort(),
    coverage: s.coverage,
  }
}

/** `<testsuites tests= failures= skipped= errors=>` of a JUnit file. */
function junitTotals(dir: string): Record<string, string> {
  const xml = readFileSync(path.join(dir, 'junit.xml'), 'utf8')
  const head = /<testsuites\b([^>]*)>/.exec(xml)?.[1] ?? ''
  return Object.fromEntries(
    [...head.matchAll(/(\w+)="([^"]*)"/g)].filter(m => m[1] !== 'time').map(m => [m[1] as string, m[2] as string]),
  )
}

/** Allure results: test name and status, sorted. */
function allureResults(dir: string): string[] {
  const results = path.join(dir, 'allure-results')
  return readdirSync(results)
    .filter(f => f.endsWith('-result.json'))
    .map(f => {
      const r = JSON.parse(readFileSync(path.join(results, f), 'utf8')) as { fullName?: string; status?: string }
      return `${r.fullName} ${r.status}`
    })
    .sort()
}

let single: Run
let shards: Run[]
let merged: Run

before(() => {
  rmSync(outDir, { recursive: true, force: true })
  const conformance = path.join(root, 'scripts/conformance.mjs')
  single = run(conformance, FILES, path.join(outDir, 'one'))
  shards = [1, 2].map(i => run(conformance, [...FILES, `--shard=${i}/2`], path.join(outDir, `shard${i}`)))
  merged = run(
    path.join(root, 'scripts/conformance_merge.mjs'),
    shards.map(s => s.dir),
    path.join(outDir, 'merged'),
  )
})

test('the single run and both shards pass, and each shard ran part of the tests', () => {
  for (const r of [single, ...shards]) assert.equal(r.code, 0, r.output)
  const [one, a, b] = [single, ...shards].map(r => summaryOf(r).totals.tests)
  assert.ok(a && b && one, 'every run ran tests')
  assert.equal((a as number) + (b as number), one, 'the shards split the tests between them')
  assert.ok(a < (one as number) && b < (one as number))
})

test('conformance:merge gives the single run’s summary: totals, projects, tests, checks, coverage', () => {
  assert.equal(merged.code, 0, merged.output)
  assert.deepEqual(comparable(summaryOf(merged)), comparable(summaryOf(single)))
  const verdict = (r: Run) => /^Conformance: .*$/m.exec(r.output)?.[0]
  assert.equal(verdict(merged), verdict(single))
})

test('conformance:merge gives the single run’s JUnit totals and Allure results, and an HTML report', () => {
  assert.deepEqual(junitTotals(merged.dir), junitTotals(single.dir))
  assert.deepEqual(allureResults(merged.dir), allureResults(single.dir))
  const html = path.join(merged.dir, 'html', 'index.html')
  assert.ok(existsSync(html) && statSync(html).size > 10_000, `${html} is a report`)
})
