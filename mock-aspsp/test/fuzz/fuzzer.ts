/**
 * The fuzz run: the bank as a child process, a seeded fast-check property over every endpoint,
 * each answer checked by the oracle, bounded by a case count and a time limit. Reports the seed,
 * the counts, the bank's memory before and after, and a reproducer for the first failure.
 */
import { appendFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import type { SpecVersion } from '../../../fixtures/builders/registration.ts'
import { ensurePki, type Pki } from '../../../keys/pki.ts'
import { ChildBank, type Exit } from '../support/child_bank.ts'
import { freePort, HangError, type HttpResult, rawRequest } from '../support/http.ts'
import { type FuzzCase, fuzzCase, summarize } from './cases.ts'
import { violation } from './oracle.ts'
import { World, type WorldStats } from './world.ts'

export interface FuzzOptions {
  seed: number
  /** One bank per spec version; each case picks one. */
  specs?: SpecVersion[]
  numRuns: number
  timeLimitMs: number
  /** Port range for the bank. */
  ports: [number, number]
  /** A request with no complete answer by then is a hang. */
  requestTimeoutMs?: number
  /** An answer slower than this fails the case: something is working far too hard. */
  slowMs?: number
  /** Allowed growth of the bank's RSS from the end of the warm-up to the end of the run. */
  rssMarginMb: number
  /** fast-check replay path of a failure (with its seed). */
  path?: string
  log?: (line: string) => void
  progressEvery?: number
}

export interface FuzzFailure {
  message: string
  counterexample: string
  seed: number
  path: string | null
  reproduce: string
}

export interface BankReport {
  spec: SpecVersion
  cases: number
  aliveAtEnd: boolean
  exit: Exit | null
  serverErrorLogLines: number
  networkBlocked: number
  rss: {
    startMb: number
    afterWarmupMb: number
    endMb: number
    growthMb: number
    marginMb: number
    samples: [number, number][]
  }
  world: WorldStats
}

export interface FuzzReport {
  seed: number
  numRunsRequested: number
  timeLimitMs: number
  casesRun: number
  requestsSent: number
  interrupted: boolean
  durationMs: number
  byTarget: Record<string, number>
  statusCounts: Record<string, number>
  propertyFailure: FuzzFailure | null
  banks: BankReport[]
  /** Banks killed and restarted after a hang (each hang is also a failure). */
  restarts: number
  /** The slowest answers, slowest first. */
  slowest: { ms: number; spec: SpecVersion; status: number; case: string }[]
  /** Everything that makes the run fail, in words; empty when it passed. */
  problems: string[]
}

const guard = fileURLToPath(new URL('./network_guard.ts', import.meta.url))
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

/** One bank under fuzz: its process, the fuzzer's view of it, and what it has been through. */
class Target {
  bank!: ChildBank
  world!: World
  cases = 0
  startRss = 0
  warmRss = 0
  samples: [number, number][] = []
  serverErrors = 0
  serverErrorLines: string[] = []
  networkBlocked = 0

  constructor(
    readonly spec: SpecVersion,
    readonly port: number,
    readonly pki: Pki,
  ) {}

  async start(): Promise<void> {
    this.bank = await ChildBank.start({
      port: this.port,
      store: 'memory',
      imports: [guard],
      args: ['--spec', this.spec],
    })
    this.world = new World(this.bank.url, this.pki, this.spec)
    await this.world.fixture('alpha')
    await this.world.fixture('beta')
  }

  /** Tallies what the bank logged so far; call before the process is replaced or stopped. */
  private collect(): void {
    const failed = this.bank.stderr.split('\n').filter(l => l.includes(' failed:'))
    this.serverErrors += failed.length
    // The first lines say what broke (the bank logs the request line and the exception).
    for (const line of failed) if (this.serverErrorLines.length < 5) this.serverErrorLines.push(line.slice(0, 500))
    this.networkBlocked += (this.bank.stderr.match(/network-guard: blocked/g) ?? []).length
  }

  /** kill -9 and start again on the same port (after a hang the event loop is not coming back). */
  async restart(): Promise<void> {
    this.collect()
    this.world.close()
    this.bank.kill('SIGKILL')
    await this.bank.exited
    await this.start()
  }

  async stop(): Promise<Exit> {
    this.collect()
    this.world.close()
    return this.bank.stop()
  }
}

/** Bodies above this may be cut off rather than answered (16 × the bank's default 64 KiB limit). */
const CUT_OFF_BYTES = 16 * 64 * 1024

async function send(
  world: World,
  c: FuzzCase,
  timeoutMs: number,
): Promise<{ res: HttpResult | null; problem: string | null }> {
  if (c.target === 'raw') {
    const cert = c.cert === 'none' ? null : world.clients[c.cert].cert
    const res = await rawRequest(world.url, world.pki, cert, world.raw(c), timeoutMs)
    return {
      res,
      problem: violation(res, { target: 'raw', method: c.method, mustReject: false, path: c.requestTarget }),
    }
  }
  const prepared = await world.prepare(c)
  let res: HttpResult
  try {
    res = await world.clients[prepared.cert].request({ ...prepared.request, timeoutMs })
  } catch (e) {
    // The bank reads an over-limit body up to 16 × its 64 KiB limit to answer 413 cleanly; a
    // client still sending past that may see the connection cut instead (shared/body.ts).
    const size = prepared.request.body ? Buffer.byteLength(prepared.request.body) : 0
    const code = (e as NodeJS.ErrnoException).code ?? ''
    if (size > CUT_OFF_BYTES && ['EPIPE', 'ECONNRESET'].includes(code)) return { res: null, problem: null }
    throw e
  }
  const problem = violation(res, prepared.expectation)
  if (!problem && prepared.after) await prepared.after(res)
  return { res, problem }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => {})
  const timeoutMs = options.requestTimeoutMs ?? 10_000
  const slowMs = options.slowMs ?? 5000
  const slowest: FuzzReport['slowest'] = []
  const specs = options.specs ?? ['3.1', '3.2', '3.3', '3.4']
  const pki = await ensurePki()
  const targets = new Map<SpecVersion, Target>()
  const started = performance.now()
  const byTarget: Record<string, number> = {}
  const statusCounts: Record<string, number> = {}
  let requestsSent = 0
  let casesSeen = 0
  let restarts = 0
  const warmup = Math.min(1000, Math.max(25, Math.floor(options.numRuns / 10 / specs.length)))
  const progressEvery = options.progressEvery ?? 2500

  try {
    let port = options.ports[0]
    for (const spec of specs) {
      port = await freePort(port, options.ports[1])
      targets.set(spec, new Target(spec, port, pki))
      port++
    }
    // Started together: each is a Node process that takes a second or two to come up.
    await Promise.all(
      [...targets.values()].map(async t => {
        await t.start()
        t.startRss = t.bank.rss()
        t.samples.push([0, mb(t.startRss)])
      }),
    )
    log(
      `fuzz: seed ${options.seed}, up to ${options.numRuns} cases or ${options.timeLimitMs / 1000}s, banks ${[...targets.values()].map(t => `${t.spec}@${t.port}`).join(' ')}`,
    )

    const property = fc.asyncProperty(fc.constantFrom(...specs), fuzzCase, async (spec, c) => {
      const t = targets.get(spec) as Target
      if (!t.bank.alive) throw new Error(`the ${spec} bank has exited (${JSON.stringify(t.bank.exit)})`)
      casesSeen++
      t.cases++
      const caseStarted = performance.now()
      let outcome: Awaited<ReturnType<typeof send>>
      try {
        outcome = await send(t.world, c, timeoutMs)
      } catch (e) {
        if (e instanceof HangError) {
          // The bank is stuck: replace it so the rest of the run (and shrinking) can go on.
          restarts++
          await t.restart()
          throw new Error(`hang: ${e.message} (bank ${spec} restarted)`)
        }
        if (!t.bank.alive) throw new Error(`the ${spec} bank died on this case (${JSON.stringify(t.bank.exit)})`)
        throw new Error(`no HTTP answer: ${(e as Error).message}`)
      }
      requestsSent++
      // OB_FUZZ_TRACE=<file>: one line per case (index, spec, status, answer ms, case ms, case), for debugging.
      if (process.env.OB_FUZZ_TRACE) {
        appendFileSync(
          process.env.OB_FUZZ_TRACE,
          `${casesSeen} ${spec} ${outcome.res?.status} ${Math.round(outcome.res?.ms ?? -1)} ${Math.round(performance.now() - caseStarted)} ${summarize(c).slice(0, 200)}\n`,
        )
      }
      const status = outcome.res ? String(outcome.res.status) : 'cut off (body > 1 MiB)'
      byTarget[c.target] = (byTarget[c.target] ?? 0) + 1
      statusCounts[status] = (statusCounts[status] ?? 0) + 1
      if (outcome.problem) throw new Error(outcome.problem)
      if (outcome.res) {
        const ms = Math.round(outcome.res.ms)
        if (slowest.length < 5 || ms > (slowest.at(-1)?.ms ?? 0)) {
          slowest.push({ ms, spec, status: outcome.res.status, case: summarize(c).slice(0, 300) })
          slowest.sort((a, b) => b.ms - a.ms)
          slowest.length = Math.min(slowest.length, 5)
        }
        if (ms > slowMs) throw new Error(`slow: answered in ${ms} ms (limit ${slowMs} ms)`)
      }
      if (!t.bank.alive) throw new Error(`the ${spec} bank exited after answering (${JSON.stringify(t.bank.exit)})`)
      if (t.cases === warmup) {
        t.warmRss = t.bank.rss()
        t.samples.push([t.cases, mb(t.warmRss)])
      } else if (t.cases % progressEvery === 0) {
        t.samples.push([t.cases, mb(t.bank.rss())])
      }
      if (casesSeen % progressEvery === 0) {
        const secs = ((performance.now() - started) / 1000).toFixed(0)
        log(
          `fuzz: ${casesSeen} cases in ${secs}s, RSS ${[...targets.values()].map(x => `${x.spec} ${mb(x.bank.rss())} MB`).join(', ')}`,
        )
      }
    })

    const details = await fc.check(property, {
      seed: options.seed,
      numRuns: options.numRuns,
      ...(options.path ? { path: options.path } : {}),
      plugins: [fc.interruptAfterTimeLimit(options.timeLimitMs)],
    })

    let propertyFailure: FuzzFailure | null = null
    if (details.failed) {
      const [spec, c] = details.counterexample as [SpecVersion, FuzzCase]
      const path = details.counterexamplePath
      propertyFailure = {
        message: String((details.errorInstance as Error)?.message ?? details.errorInstance),
        counterexample: `spec ${spec}: ${summarize(c)}`,
        seed: details.seed,
        path,
        reproduce: `npm run fuzz -- --seed ${details.seed}${path ? ` --path ${path}` : ''}`,
      }
    }

    const problems: string[] = []
    if (propertyFailure) problems.push(`property failed: ${propertyFailure.message}`)
    if (restarts) problems.push(`${restarts} hang(s): banks restarted`)
    const banks: BankReport[] = []
    for (const t of targets.values()) {
      const aliveAtEnd = t.bank.alive
      const endRss = aliveAtEnd ? t.bank.rss() : 0
      t.samples.push([t.cases, mb(endRss)])
      const warm = t.warmRss || t.startRss
      const growthMb = mb(endRss - warm)
      const exit = await t.stop()
      if (!aliveAtEnd) problems.push(`the ${t.spec} bank exited during the run: ${JSON.stringify(exit)}`)
      if (t.serverErrors > 0)
        problems.push(`the ${t.spec} bank logged ${t.serverErrors} server_error(s): ${t.serverErrorLines.join(' | ')}`)
      if (growthMb > options.rssMarginMb) {
        problems.push(
          `the ${t.spec} bank's RSS grew ${growthMb} MB after the warm-up (allowed ${options.rssMarginMb} MB)`,
        )
      }
      banks.push({
        spec: t.spec,
        cases: t.cases,
        aliveAtEnd,
        exit,
        serverErrorLogLines: t.serverErrors,
        networkBlocked: t.networkBlocked,
        rss: {
          startMb: mb(t.startRss),
          afterWarmupMb: mb(warm),
          endMb: mb(endRss),
          growthMb,
          marginMb: options.rssMarginMb,
          samples: t.samples,
        },
        world: t.world.stats,
      })
    }
    return {
      seed: details.seed,
      numRunsRequested: options.numRuns,
      timeLimitMs: options.timeLimitMs,
      casesRun: details.numRuns,
      requestsSent,
      interrupted: details.interrupted,
      durationMs: Math.round(performance.now() - started),
      byTarget,
      statusCounts,
      propertyFailure,
      banks,
      restarts,
      slowest,
      problems,
    }
  } finally {
    for (const t of targets.values()) if (t.bank?.alive) await t.stop()
  }
}

/** The report as a few lines for a terminal. */
export function describeReport(r: FuzzReport): string {
  const lines = [
    `fuzz: seed ${r.seed}: ${r.casesRun} cases (${r.requestsSent} requests incl. shrinking) in ${(r.durationMs / 1000).toFixed(1)}s${r.interrupted ? ' (stopped by the time limit)' : ''}`,
    `  by endpoint: ${Object.entries(r.byTarget)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  statuses: ${Object.entries(r.statusCounts)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ')}`,
  ]
  for (const b of r.banks) {
    lines.push(
      `  bank ${b.spec}: ${b.cases} cases, ${b.aliveAtEnd ? 'alive at the end' : 'DIED'}, RSS ${b.rss.startMb} → ${b.rss.afterWarmupMb} (warm) → ${b.rss.endMb} MB (growth ${b.rss.growthMb} MB, allowed ${b.rss.marginMb}), server_error lines ${b.serverErrorLogLines}, fetches blocked ${b.networkBlocked}, fuzzed registrations accepted and deleted ${b.world.registrationsCleanedUp} (left ${b.world.registrationsLeft})`,
    )
  }
  if (r.restarts) lines.push(`  banks restarted after a hang: ${r.restarts}`)
  lines.push(`  slowest answers: ${r.slowest.map(x => `${x.ms} ms (${x.spec}, ${x.status})`).join(', ')}`)
  if (r.propertyFailure) {
    lines.push(
      `  FAILURE: ${r.propertyFailure.message}`,
      `  counterexample: ${r.propertyFailure.counterexample}`,
      `  reproduce: ${r.propertyFailure.reproduce}`,
    )
  }
  lines.push(r.problems.length ? `fuzz: FAILED (${r.problems.join('; ')})` : 'fuzz: passed')
  return lines.join('\n')
}
