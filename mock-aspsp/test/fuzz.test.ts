/**
 * The fuzz run, small: a few hundred seeded cases over every endpoint of four banks (spec 3.1 to
 * 3.4) as child processes. `npm run fuzz` is the full run (25,000 cases). OB_FUZZ_SEED and
 * OB_FUZZ_RUNS change the seed and the count.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { describeReport, runFuzz } from './fuzz/fuzzer.ts'
import { isFrontChannel, violation } from './fuzz/oracle.ts'

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

describe('the fuzz oracle', () => {
  const answer = (status: number, type: string, body: string, cacheControl = 'no-store') => ({
    status,
    headers: { 'content-type': type, 'cache-control': cacheControl },
    body: Buffer.from(body),
    ms: 1,
  })
  const page = '<!doctype html><html><head><title>This request cannot be completed</title></head></html>'
  const jsonError = '{"error":"invalid_request","error_description":"x"}'

  test('a browser page (/authorize, /consent/...) answers errors with an HTML page', () => {
    const authorize = { target: 'meta' as const, method: 'GET', mustReject: false, path: '/authorize?x=1' }
    assert.equal(violation(answer(400, 'text/html; charset=utf-8', page), authorize), null)
    assert.match(String(violation(answer(400, 'application/json', jsonError), authorize)), /not HTML/)
    assert.match(String(violation(answer(400, 'text/html', '<p>no</p>'), authorize)), /without a title/)
    assert.match(String(violation(answer(400, 'text/html', page, 'private'), authorize)), /no-store/)
    assert.equal(isFrontChannel('POST', '/consent/abc/decision'), true)
    assert.equal(isFrontChannel('PUT', '/authorize'), false)
    assert.equal(isFrontChannel('GET', '/consent/abc/other'), false)
  })

  test('every other endpoint still answers errors with JSON', () => {
    const token = { target: 'token' as const, method: 'POST', mustReject: false, path: '/token' }
    assert.match(String(violation(answer(400, 'text/html', page), token)), /not JSON/)
    assert.equal(violation(answer(400, 'application/json', jsonError), token), null)
  })
})
