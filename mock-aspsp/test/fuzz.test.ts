/**
 * The fuzz run, small: a few hundred seeded cases over every endpoint of four banks (spec 3.1 to
 * 3.4) as child processes. `npm run fuzz` is the full run (25,000 cases). OB_FUZZ_SEED and
 * OB_FUZZ_RUNS change the seed and the count.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeReport, runFuzz } from './fuzz/fuzzer.ts'

const runs = Number(process.env.OB_FUZZ_RUNS ?? 600)

test(`fuzz: ${runs} seeded cases keep the contract (no 5xx, JSON errors with registered codes, no hang, no crash)`, {
  timeout: 180_000,
}, async () => {
  const report = await runFuzz({
    seed: Number(process.env.OB_FUZZ_SEED ?? 20_260_601),
    numRuns: runs,
    timeLimitMs: 60_000,
    ports: [9220, 9239],
    rssMarginMb: 64,
  })
  console.log(describeReport(report))
  assert.deepEqual(report.problems, [], report.propertyFailure?.reproduce)
  // Not vacuous: the run did reach the endpoints (a time-limit stop still leaves most cases run).
  assert.ok(report.casesRun >= runs / 2, `only ${report.casesRun} of ${runs} cases ran`)
  for (const target of ['register', 'manage', 'token', 'introspect', 'revoke', 'meta', 'raw']) {
    assert.ok((report.byTarget[target] ?? 0) > 0, `no ${target} case ran`)
  }
})
