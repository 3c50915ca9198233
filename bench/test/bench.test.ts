/**
 * The benchmark's own tests: its statistics and target checks, and the load generator against the
 * peer (oidc-provider) on loopback, bounded to a few hundred requests.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ensurePki, type Pki } from '../../keys/pki.ts'
import { clientTls, type JobResult, median, mtlsAgent, quantile } from '../common.ts'
import { runJob } from '../loadgen.ts'
import { checkTargets, type Measurement, summarise } from '../report.ts'
import { SCENARIOS, startPeer, type Target } from '../servers.ts'

const result = (rps: number, p99Ms: number, errors = 0): JobResult => ({
  completed: 100,
  errors,
  errorKinds: {},
  elapsedMs: 1000,
  rps,
  p50Ms: p99Ms / 2,
  p99Ms,
  prepareMs: 0,
  loadgenCpuMs: 0,
  serverCpuMs: 500,
})

describe('statistics', () => {
  test('quantile takes the nearest rank', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1)
    assert.equal(quantile(sorted, 0.5), 50)
    assert.equal(quantile(sorted, 0.99), 99)
    assert.equal(quantile(sorted, 1), 100)
    assert.ok(Number.isNaN(quantile([], 0.5)))
  })
  test('median of odd and even counts, ignoring NaN', () => {
    assert.equal(median([3, 1, 2]), 2)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    assert.equal(median([Number.NaN, 5]), 5)
  })
})

describe('summary and targets', () => {
  const m = (server: 'ours' | 'peer', scenario: Measurement['scenario'], round: number, rps: number, p99: number) =>
    ({ format: 'opaque', scenario, server, concurrency: 16, round, result: result(rps, p99) }) as Measurement

  test('the ratio is the median of per-round ratios, and a slower bank misses the token target', () => {
    const cells = summarise([
      m('ours', 'token-tls', 0, 6000, 5),
      m('peer', 'token-tls', 0, 5000, 8),
      m('ours', 'token-tls', 1, 8000, 6),
      m('peer', 'token-tls', 1, 5000, 9),
      m('ours', 'token-tls', 2, 7000, 7),
      m('peer', 'token-tls', 2, 5000, 10),
    ])
    assert.equal(cells.length, 1)
    assert.equal(cells[0]?.ours?.rps, 7000)
    assert.equal(cells[0]?.ratio, 7000 / 5000)
    // Paired by round: a noisy round slows both sides, and the ratio stays put.
    const noisy = summarise([
      m('ours', 'token-tls', 0, 3000, 5),
      m('peer', 'token-tls', 0, 1500, 8),
      m('ours', 'token-tls', 1, 8000, 6),
      m('peer', 'token-tls', 1, 4000, 9),
      m('ours', 'token-tls', 2, 6000, 7),
      m('peer', 'token-tls', 2, 3000, 10),
    ])
    assert.equal(noisy[0]?.ratio, 2)
    const targets = checkTargets(cells)
    const rate = targets.find(t => t.name.startsWith('token, tls_client_auth (opaque): rps'))
    assert.equal(rate?.pass, false, 'a 1.4× ratio misses the 1.5× target')
    const p99 = targets.find(t => t.name.startsWith('token, tls_client_auth (opaque): p99'))
    assert.equal(p99?.pass, true)
  })

  test('registration needs 1.0× and the memory target reads the given RSS', () => {
    const cells = summarise([m('ours', 'register', 0, 3000, 20), m('peer', 'register', 0, 3000, 10)])
    const targets = checkTargets(cells, 250)
    assert.equal(targets.find(t => t.name.startsWith('registration: rps'))?.pass, true)
    assert.equal(targets.find(t => t.name.startsWith('registration: p99'))?.pass, false)
    assert.equal(targets.find(t => t.name.startsWith('our RSS'))?.pass, false)
  })
})

describe('load generator against the peer', () => {
  let pki: Pki
  let peer: Target
  const agent = () => mtlsAgent(clientTls(pki), 2)
  let setupAgent: ReturnType<typeof agent>

  before(async () => {
    pki = await ensurePki()
    setupAgent = agent()
    peer = await startPeer(pki, setupAgent, 8890, 'opaque')
  })
  after(async () => {
    await peer?.stop()
    await setupAgent?.close()
  })

  const run = (scenario: keyof typeof SCENARIOS, maxRequests: number, recipe = peer.recipes[scenario]) =>
    runJob(pki, clientTls(pki), {
      origin: peer.origin,
      recipe,
      concurrency: 2,
      durationMs: 5000,
      maxRequests,
      expectStatus: SCENARIOS[scenario].expectStatus,
      serverPid: peer.pid,
    })

  test('tls_client_auth tokens: every request succeeds, bounded by count', async () => {
    const r = await run('token-tls', 60)
    assert.equal(r.completed, 60)
    assert.equal(r.errors, 0, r.firstError)
    assert.ok(r.rps > 0 && r.p50Ms > 0 && r.p99Ms >= r.p50Ms)
    assert.ok((r.serverCpuMs ?? 0) > 0, 'server CPU time is read from /proc')
  })

  test('private_key_jwt tokens: each pre-signed assertion is accepted once', async () => {
    const r = await run('token-pkjwt', 30)
    assert.equal(r.completed, 30)
    assert.equal(r.errors, 0, r.firstError)
  })

  test('registration (JSON) and the read of a registered client succeed', async () => {
    const reg = await run('register', 20)
    assert.equal(reg.errors, 0, reg.firstError)
    const get = await run('get-register', 20)
    assert.equal(get.errors, 0, get.firstError)
  })

  test('rejections are counted as errors with their status', async () => {
    const recipe = { ...peer.recipes['token-tls'], clientId: 'no-such-client' }
    const r = await run('token-tls', 10, recipe)
    assert.equal(r.completed, 10)
    assert.equal(r.errors, 10)
    assert.equal(r.errorKinds['401'], 10)
    assert.equal(r.rps, 0)
  })

  test('the time bound stops a job before its count', async () => {
    const r = await runJob(pki, clientTls(pki), {
      origin: peer.origin,
      recipe: peer.recipes['get-register'],
      concurrency: 1,
      durationMs: 150,
      maxRequests: 1_000_000,
      expectStatus: 200,
    })
    assert.ok(r.completed < 1_000_000 && r.completed > 0)
    assert.ok(r.elapsedMs < 1500, `took ${r.elapsedMs} ms`)
  })
})
