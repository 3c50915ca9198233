/**
 * The sensitivity self-test, end to end, on two deviations: with their real deviant banks both are
 * caught at the check of their rule; with one deviant bank replaced by the dead anti-bank and the
 * other by nothing listening at all, nothing is caught and no test reports passed (a test whose
 * worker fixtures failed fails as inconclusive instead of passing without having run).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Summary, TestRun } from '../sensitivity.ts'
import { readRuns } from '../sensitivity.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DEVIATIONS = ['modify-software-statement', 'missing-no-store']
const dirs: string[] = []
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** Runs the self-test on the two deviations; returns its exit code, summary and every test run. */
function selfTest(port: number, ...extra: string[]): { code: number | null; summary: Summary; runs: TestRun[] } {
  const out = mkdtempSync(path.join(os.tmpdir(), 'ob-sensitivity-'))
  dirs.push(out)
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/sensitivity.ts',
      ...['--only', DEVIATIONS.join(','), '--port', String(port), '--out', out],
      ...extra,
    ],
    { cwd: root, encoding: 'utf8', env: process.env, timeout: 180_000 },
  )
  assert.ok(r.status === 0 || r.status === 1, `the self-test could not run (exit ${r.status}):\n${r.stderr}`)
  const summary = JSON.parse(readFileSync(path.join(out, 'sensitivity.json'), 'utf8')) as Summary
  const runs = readRuns(JSON.parse(readFileSync(path.join(out, 'results-1.json'), 'utf8')))
  return { code: r.status, summary, runs }
}

describe('the sensitivity self-test', { timeout: 600_000 }, () => {
  it('catches both deviations at the check of their rule when their banks run', () => {
    const { code, summary } = selfTest(8950)
    assert.equal(code, 0)
    for (const v of summary.deviations) {
      assert.equal(v.caught, true, `${v.deviation}: ${v.guards.map(g => g.why).join('; ')}`)
      for (const g of v.guards) assert.ok(g.check && g.ref && v.refs.includes(g.ref), `${v.deviation}: ${g.check}`)
    }
  })

  it('catches nothing when the deviant banks are the dead anti-bank or not listening at all', () => {
    const { code, summary, runs } = selfTest(8960, '--impostor', 'dead,none')
    assert.equal(code, 1)
    assert.equal(summary.deviations.length, DEVIATIONS.length)
    for (const v of summary.deviations) assert.equal(v.caught, false, `${v.deviation} reported caught`)
    // The reference passed, so only the bank can have made the difference.
    const reference = runs.filter(r => r.project === 'reference')
    assert.ok(reference.length > 0 && reference.every(r => r.outcome === 'passed' || r.outcome === 'skipped'))
    // No test reports passed without having run: each could not reach a verdict.
    const deviant = runs.filter(r => r.project.startsWith('deviation:'))
    assert.ok(deviant.length >= 2)
    for (const r of deviant) assert.equal(r.outcome, 'inconclusive', `${r.project} ${r.title}: ${r.outcome}`)
  })
})
