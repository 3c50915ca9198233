/**
 * The benchmark's own tests: its statistics (intervals, verdicts), the floors and target checks, and the load generator against the
 * peer (oidc-provider) on loopback, bounded to a few hundred requests.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { ensurePki, type Pki } from '../../keys/pki.ts'
import { clientTls, type JobResult, median, mtlsAgent, quantile, waitQuiet } from '../common.ts'
import { GcCounter } from '../gc.ts'
import { runJob } from '../loadgen.ts'
import { LoadGenerator, schedBatch } from '../loadgen_client.ts'
import {
  type Cell,
  checkTargets,
  cryptoWork,
  jwtOverhead,
  type Measurement,
  summarise,
  withFloors,
  withTargets,
} from '../report.ts'
import { SCENARIOS, startPeer, type Target } from '../servers.ts'
import { narrowEnough, pairedRatios, ratioInterval, t975, verdictAtLeast, verdictAtMost } from '../stats.ts'

const result = (rps: number, p99Ms: number, errors = 0, serverCpuMs = 500): JobResult => ({
  completed: 100,
  errors,
  errorKinds: {},
  elapsedMs: 1000,
  rps,
  p50Ms: p99Ms / 2,
  p99Ms,
  prepareMs: 0,
  loadgenCpuMs: 0,
  serverCpuMs,
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

describe('intervals and verdicts', () => {
  test('t quantiles: the table, and towards 1.96 beyond 30 degrees of freedom', () => {
    assert.equal(t975(1), 12.706)
    assert.equal(t975(4), 2.776)
    assert.ok(Math.abs(t975(60) - 2.0) < 0.002)
    assert.ok(t975(1000) > 1.96 && t975(1000) < 1.965)
    assert.equal(t975(0), Number.POSITIVE_INFINITY)
  })

  test('the interval of paired ratios is the geometric mean ± t · sd / √n on the log scale', () => {
    const i = ratioInterval([2, 0.5]) as NonNullable<ReturnType<typeof ratioInterval>>
    assert.equal(i.n, 2)
    assert.ok(Math.abs(i.estimate - 1) < 1e-12, 'a 2× and a 0.5× round cancel out')
    // log ratios ±ln 2: sd = ln 2 · √2, half-width = 12.706 · sd / √2 = 12.706 · ln 2.
    assert.ok(Math.abs(Math.log(i.hi) - 12.706 * Math.LN2) < 1e-9)
    assert.ok(Math.abs(i.lo * i.hi - 1) < 1e-9)
    const tight = ratioInterval([1.6, 1.61, 1.59, 1.6, 1.6]) as NonNullable<ReturnType<typeof ratioInterval>>
    assert.ok(tight.halfWidth < 0.01, `±${tight.halfWidth}`)
    assert.ok(narrowEnough(tight, 0.05))
    assert.ok(!narrowEnough(i, 0.05))
    assert.equal(ratioInterval([1.5])?.halfWidth, Number.POSITIVE_INFINITY, 'one round gives no interval')
    assert.equal(ratioInterval([]), undefined)
  })

  test('a target passes only when the whole interval meets it, misses when all of it falls short', () => {
    const at = (lo: number, hi: number) => ({ n: 5, estimate: Math.sqrt(lo * hi), lo, hi, halfWidth: hi / lo - 1 })
    assert.equal(verdictAtLeast(at(1.52, 1.7), 1.5), 'pass')
    assert.equal(verdictAtLeast(at(1.3, 1.45), 1.5), 'miss')
    assert.equal(verdictAtLeast(at(1.45, 1.6), 1.5), 'undecided')
    assert.equal(verdictAtMost(at(0.8, 0.95), 1), 'pass')
    assert.equal(verdictAtMost(at(1.05, 1.2), 1), 'miss')
    assert.equal(verdictAtMost(at(0.9, 1.1), 1), 'undecided')
    assert.equal(verdictAtLeast(undefined, 1), 'n/a')
  })

  test('rounds pair by their index; a round one side lacks is left out', () => {
    const pairs = pairedRatios(
      new Map([
        [0, 10],
        [1, 20],
        [2, 30],
      ]),
      new Map([
        [0, 5],
        [2, 10],
      ]),
    )
    assert.deepEqual(pairs, [
      { round: 0, ratio: 2 },
      { round: 2, ratio: 3 },
    ])
  })
})

describe('summary, floors and targets', () => {
  const m = (
    server: 'ours' | 'peer',
    scenario: Measurement['scenario'],
    round: number,
    rps: number,
    p99: number,
    cpuMs = 500,
    format: 'opaque' | 'jwt' = 'opaque',
  ) => ({ format, scenario, server, concurrency: 16, round, result: result(rps, p99, 0, cpuMs) }) as Measurement

  test('ratios come from paired rounds: a busy round slows both sides and the ratio stays put', () => {
    const cells = summarise([
      m('ours', 'token-tls', 0, 3000, 5, 300),
      m('peer', 'token-tls', 0, 1500, 8, 600),
      m('ours', 'token-tls', 1, 8000, 6, 300),
      m('peer', 'token-tls', 1, 4000, 9, 600),
      m('ours', 'token-tls', 2, 6000, 7, 300),
      m('peer', 'token-tls', 2, 3000, 10, 600),
    ])
    assert.equal(cells.length, 1)
    const c = cells[0] as Cell
    assert.equal(c.ours?.rps, 6000)
    assert.ok(Math.abs((c.ratios.rps?.estimate ?? 0) - 2) < 1e-9)
    assert.ok((c.ratios.rps?.halfWidth ?? 1) < 1e-9, 'identical per-round ratios: no spread')
    assert.ok(Math.abs((c.ratios.cpu?.estimate ?? 0) - 2) < 1e-9, 'peer CPU / ours')
    const targets = checkTargets(cells)
    assert.equal(targets.find(t => t.name.startsWith('token, tls_client_auth (opaque): rps'))?.verdict, 'pass')
    assert.equal(targets.find(t => t.name.includes('(opaque): server CPU'))?.verdict, 'pass')
    assert.equal(targets.find(t => t.name.includes('(opaque): p99'))?.verdict, 'pass')
  })

  test('a slower bank misses; a noisy one straddling the target is undecided', () => {
    const slow = summarise([
      m('ours', 'token-tls', 0, 6000, 5),
      m('peer', 'token-tls', 0, 5000, 8),
      m('ours', 'token-tls', 1, 6100, 5),
      m('peer', 'token-tls', 1, 5000, 8),
    ])
    assert.equal(checkTargets(slow).find(t => t.name.includes('rps'))?.verdict, 'miss')
    const noisy = summarise([
      m('ours', 'token-tls', 0, 9000, 5),
      m('peer', 'token-tls', 0, 5000, 8),
      m('ours', 'token-tls', 1, 6000, 5),
      m('peer', 'token-tls', 1, 5000, 8),
      m('ours', 'token-tls', 2, 8000, 5),
      m('peer', 'token-tls', 2, 5000, 8),
    ])
    assert.equal(checkTargets(noisy).find(t => t.name.includes('rps'))?.verdict, 'undecided')
  })

  test('registration needs 1.0× on rps and CPU; the memory target reads the given RSS', () => {
    const cells = summarise([
      m('ours', 'register', 0, 3000, 20, 400),
      m('peer', 'register', 0, 2900, 10, 450),
      m('ours', 'register', 1, 3000, 21, 400),
      m('peer', 'register', 1, 3100, 11, 452),
    ])
    const targets = checkTargets(cells, { oursRss100k: 250 })
    assert.equal(targets.find(t => t.name.startsWith('registration: rps'))?.verdict, 'undecided')
    assert.equal(targets.find(t => t.name.startsWith('registration: server CPU'))?.verdict, 'pass')
    assert.equal(targets.find(t => t.name.startsWith('registration: p99'))?.verdict, 'miss')
    assert.equal(targets.find(t => t.name.startsWith('our RSS'))?.verdict, 'miss')
  })

  test("a JWT token's work beyond its signature is compared with an opaque token's whole cost, round by round", () => {
    // CPU per request: result() counts 100 requests, so cpuMs 50 is 500 µs per request.
    const cells = summarise([
      m('ours', 'token-tls', 0, 3000, 5, 16, 'opaque'),
      m('ours', 'token-tls', 1, 3000, 5, 17, 'opaque'),
      m('ours', 'token-tls', 0, 2000, 5, 50, 'jwt'),
      m('ours', 'token-tls', 1, 2000, 5, 51, 'jwt'),
    ])
    const i = jwtOverhead(cells, 300, 'token-tls')
    // (500 − 300) / 160 and (510 − 300) / 170
    assert.ok(i && Math.abs(i.estimate - Math.sqrt((200 / 160) * (210 / 170))) < 1e-9)
    const target = checkTargets(cells, { price: { signUs: 300, verifyUs: 30 } }).find(t => t.name.includes('beyond'))
    assert.equal(target?.verdict, 'miss')
    const cheap = checkTargets(cells, { price: { signUs: 420, verifyUs: 30 } }).find(t => t.name.includes('beyond'))
    assert.equal(cheap?.verdict, 'pass')
  })

  test('each cell carries its own targets with their verdicts; only c=16 cells have targets', () => {
    const at64 = (r: Measurement) => ({ ...r, concurrency: 64 })
    const cells = withTargets(
      summarise([
        m('ours', 'token-tls', 0, 3000, 5, 16, 'opaque'),
        m('peer', 'token-tls', 0, 1000, 9, 48, 'opaque'),
        m('ours', 'token-tls', 1, 3100, 5, 17, 'opaque'),
        m('peer', 'token-tls', 1, 1000, 9, 51, 'opaque'),
        m('ours', 'token-tls', 0, 2000, 5, 50, 'jwt'),
        m('peer', 'token-tls', 0, 1000, 9, 90, 'jwt'),
        m('ours', 'token-tls', 1, 2000, 5, 51, 'jwt'),
        m('peer', 'token-tls', 1, 1000, 9, 66, 'jwt'),
        at64(m('ours', 'token-tls', 0, 3000, 5, 16, 'opaque')),
        at64(m('peer', 'token-tls', 0, 1000, 9, 48, 'opaque')),
      ]),
      { signUs: 300, verifyUs: 30 },
    )
    const cell = (format: string, c: number) => cells.find(x => x.format === format && x.concurrency === c) as Cell
    const opaque = cell('opaque', 16).targets ?? []
    assert.deepEqual(
      opaque.map(t => [t.name.split(': ')[1], t.verdict]),
      [
        ['rps ours/peer', 'pass'],
        ['server CPU per request, peer/ours', 'pass'],
        ['p99, peer/ours', 'pass'],
      ],
    )
    const jwt = cell('jwt', 16).targets ?? []
    assert.equal(jwt.find(t => t.name.includes('server CPU'))?.verdict, 'undecided')
    assert.equal(jwt.find(t => t.name.includes('beyond'))?.verdict, 'miss')
    assert.deepEqual(cell('opaque', 64).targets, [])
    assert.equal(checkTargets(cells).length, opaque.length + jwt.length - 1 + 1, 'no price: no JWT target; plus RSS')
  })

  test('the floor adds the crypto a request must do to the transport floor, and each side gets its fraction', () => {
    assert.deepEqual(cryptoWork('register', 'opaque', 'ours'), { signs: 0, verifies: 1 })
    assert.deepEqual(cryptoWork('register', 'opaque', 'peer'), { signs: 0, verifies: 0 })
    assert.deepEqual(cryptoWork('token-pkjwt', 'jwt', 'peer'), { signs: 1, verifies: 1 })
    assert.deepEqual(cryptoWork('get-register', 'jwt', 'ours'), { signs: 0, verifies: 0 })
    const cells = summarise([
      m('ours', 'token-pkjwt', 0, 2000, 5, 80, 'jwt'),
      m('peer', 'token-pkjwt', 0, 1000, 5, 90, 'jwt'),
    ])
    const floorRun = { concurrency: 16, round: 0, result: { ...result(10_000, 1, 0, 10), completed: 100 } }
    const [cell] = withFloors(cells, [floorRun], { signUs: 300, verifyUs: 30 }, 2)
    const f = cell?.floor
    assert.equal(f?.transport.cpuUsPerReq, 100)
    assert.equal(f?.ours?.cryptoUs, 330)
    assert.equal(f?.ours?.cpuUsPerReq, 430)
    // 1 / (1/10000 + 330 µs / 2 cores) = 1 / (100 µs + 165 µs)
    assert.ok(Math.abs((f?.ours?.rps ?? 0) - 1e6 / 265) < 1e-6)
    assert.ok(Math.abs((f?.ours?.rpsFraction ?? 0) - 2000 / (1e6 / 265)) < 1e-9)
    assert.ok(Math.abs((f?.ours?.cpuFraction ?? 0) - 430 / 800) < 1e-9)
  })
})

describe('GC counts from --trace-gc-nvp', () => {
  // Lines as Node 20 prints them (shortened): the event loop's isolate collects first.
  const main = '[10498:0xe29a0a0]'
  const worker = '[10498:0x7f9928000f00]'
  const scavenge = (isolate: string, pause: number, promoted: number) =>
    `${isolate}      251 ms: pause=${pause} mutator=44.9 gc=s reduce_memory=0 allocated=4596968 promoted=${promoted} semi_space_copied=1024 nodes_promoted=1\n`
  const markCompact = (isolate: string, pause: number) =>
    `${isolate}     8155 ms: pause=${pause} mutator=8093.5 gc=mc reduce_memory=1 time_to_safepoint=0.00\n`

  test('counts the event loop isolate only, across chunks cut mid-line', () => {
    const c = new GcCounter()
    const text = [
      scavenge(main, 0.5, 1000),
      markCompact(worker, 3.6),
      scavenge(worker, 0.2, 99_999),
      scavenge(main, 1.5, 3000),
      markCompact(main, 4),
      'mock-aspsp: UK OB DCR 3.3 bank listening\n',
    ].join('')
    c.feed(text.slice(0, 100))
    c.feed(text.slice(100, 333))
    c.feed(text.slice(333))
    assert.deepEqual(c.snapshot(), { promoted: 4000, scavenges: 2, markCompacts: 1, pauseMs: 6 })
  })

  test('a line still being written is not counted until it ends', () => {
    const c = new GcCounter()
    const line = scavenge(main, 1, 500)
    c.feed(line.slice(0, -1))
    assert.equal(c.snapshot().scavenges, 0)
    c.feed('\n')
    assert.deepEqual(c.snapshot(), { promoted: 500, scavenges: 1, markCompacts: 0, pauseMs: 1 })
  })
})

describe('quiet wait before a window', () => {
  /** A node process that spins until stopped: a server still busy after a window. */
  const spinner = () => spawn(process.execPath, ['-e', 'for (;;);'])
  const stop = async (c: ChildProcess) => {
    if (c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise(r => c.once('exit', r))
    c.kill('SIGKILL')
    await exited
  }

  test('waits while a process is busy, and no longer', async () => {
    const child = spinner()
    try {
      const start = performance.now()
      let stoppedAt = Number.POSITIVE_INFINITY
      // The test decides when the process goes quiet (SIGSTOP: no CPU at all), not a clock in the child.
      const timer = setTimeout(() => {
        stoppedAt = performance.now() - start
        child.kill('SIGSTOP')
      }, 600)
      const waited = await waitQuiet([child.pid as number], 20_000)
      clearTimeout(timer)
      assert.ok(waited >= stoppedAt, `returned after ${waited.toFixed(0)} ms while the process still spun`)
      assert.ok(waited < 20_000, 'did not see the process go quiet: it waited until its limit')
    } finally {
      await stop(child)
    }
  })

  test('gives up at its limit when a process stays busy', async () => {
    const child = spinner()
    try {
      const waited = await waitQuiet([child.pid as number], 500)
      // The process never goes quiet: any return is the limit; "soon after it" allows for a loaded machine.
      assert.ok(waited >= 500 && waited < 5_000, `waited ${waited.toFixed(0)} ms with a limit of 500 ms`)
    } finally {
      await stop(child)
    }
  })
})

describe('load generator scheduling', () => {
  /** The scheduling policy of every thread of a process, from /proc (0 normal, 3 SCHED_BATCH). */
  const policies = (pid: number) =>
    readdirSync(`/proc/${pid}/task`).map(tid => {
      const sched = readFileSync(`/proc/${pid}/task/${tid}/sched`, 'utf8')
      return Number(/^policy\s*:\s*(\d+)/m.exec(sched)?.[1])
    })

  const chrt = spawnSync('chrt', ['--version']).status === 0
  const skip = chrt
    ? false
    : 'chrt (util-linux) is not installed: the benchmark then runs its load generator under the normal policy'

  test('under SCHED_BATCH when asked, every thread; the normal policy otherwise', { skip }, async () => {
    const batch = await LoadGenerator.start({ batch: true })
    const normal = await LoadGenerator.start()
    try {
      assert.equal(batch.policy, 'batch')
      const inBatch = policies(batch.pid)
      assert.ok(inBatch.length > 1, `one thread listed: ${inBatch}`)
      assert.deepEqual([...new Set(inBatch)], [3], `policies of the batch load generator's threads: ${inBatch}`)
      assert.deepEqual(normal.policy, { normal: 'not asked for' })
      assert.deepEqual([...new Set(policies(normal.pid))], [0])
    } finally {
      await batch.stop()
      await normal.stop()
    }
  })

  test('a process that cannot be changed: the reason, not a throw', { skip }, () => {
    const problem = schedBatch(2 ** 22 + 1)
    assert.ok(problem && problem.length > 0, 'no reason given for a pid that does not exist')
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
