/**
 * Diagnostic: where a server's CPU per request goes, thread by thread, for variants of our bank
 * (and the peer) on one scenario, in alternating windows. `npm run bench` says how fast; this
 * says which thread pays: the event loop ("main"), libuv's thread pool and V8's helpers (all
 * named "node" on Linux), from /proc/<pid>/task/<tid>/stat around each window, with the context
 * switches per request (voluntary: the thread went idle and was woken; involuntary: it was
 * preempted).
 *
 * A variant is a set of environment variables for the bank process, `+`-joined
 * (`UV_THREADPOOL_SIZE=4`, `OB_MOCK_HEAP_CEILING=0+NODE_OPTIONS=--trace-gc`); `base` is none.
 * Every variant is compared with the first, per window pair, as the benchmark does (geometric
 * mean and 95 % interval of the per-round ratios).
 *
 * Usage: node --import tsx bench/threads.ts [--scenario token-tls] [--formats opaque,jwt]
 *        [--variants base,UV_THREADPOOL_SIZE=4] [--rounds 5] [--ms 1500] [--c 16] [--peer]
 *        [--perf] (perf record -F 2999 of each window into /tmp/threads-<variant>-<round>.data;
 *        run the bank with NODE_OPTIONS=--perf-basic-prof in the variant to name its JIT frames)
 *        [--gc] (every server under --trace-gc-nvp: per request, the bytes its event loop's
 *        scavenges promoted to the old generation, and full collections per 1,000 requests)
 *        [--loadgen-policy normal] (the load generator, this process, runs under SCHED_BATCH otherwise)
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { ensurePki } from '../keys/pki.ts'
import { clientTls, median, mtlsAgent, parseArgs, type TokenFormat } from './common.ts'
import { GcCounter } from './gc.ts'
import { runJob } from './loadgen.ts'
import { schedBatch } from './loadgen_client.ts'
import { intervalText } from './report.ts'
import { SCENARIOS, type ScenarioId, startOurs, startPeer, type Target } from './servers.ts'
import { pairedRatios, ratioInterval } from './stats.ts'

const args = parseArgs(process.argv.slice(2))
const scenario = String(args.get('scenario') ?? 'token-tls') as ScenarioId
const formats = String(args.get('formats') ?? 'opaque,jwt').split(',') as TokenFormat[]
const variants = String(args.get('variants') ?? 'base').split(',')
const rounds = Number(args.get('rounds') ?? 5)
const concurrency = Number(args.get('c') ?? 16)
const ms = Number(args.get('ms') ?? 1500)
if (!(scenario in SCENARIOS)) throw new Error(`threads: unknown scenario ${scenario}`)
if (!(rounds >= 2)) throw new Error('threads: --rounds must be at least 2 (an interval needs two rounds)')

/** CPU ms (user, sys) and context switches of each thread, keyed `<main|node> <what>#<tid>`. */
function threadCounters(pid: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // utime and stime are fields 14 and 15 of stat, in clock ticks (10 ms).
      out.set(`${name} user#${tid}`, Number(fields[11]) * 10)
      out.set(`${name} sys#${tid}`, Number(fields[12]) * 10)
      out.set(`${name} woken#${tid}`, Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1]) / 1000)
      out.set(`${name} preempted#${tid}`, Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1]) / 1000)
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out
}

/** The change of each counter, summed over the threads of one name. */
function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [key, value] of after) {
    const name = key.split('#')[0] as string
    out[name] = (out[name] ?? 0) + value - (before.get(key) ?? 0)
  }
  return out
}

const isCpu = (name: string) => name.endsWith(' user') || name.endsWith(' sys')

const gcOn = args.has('gc')
const gcCounters = new Map<string, GcCounter>()
/** Node flags and output hook of a server, for --gc. */
function gcLaunch(label: string) {
  if (!gcOn) return {}
  const counter = new GcCounter()
  gcCounters.set(label, counter)
  return { nodeArgs: ['--trace-gc-nvp'], onOutput: (text: string) => counter.feed(text) }
}

const pki = await ensurePki({ log: () => {} })
const agent = mtlsAgent(clientTls(pki), 4)
const tls = clientTls(pki)
const targets: { target: Target; label: string; format: TokenFormat }[] = []
let port = Number(process.env.BENCH_PORT_BASE ?? 8810) + 60
for (const format of formats) {
  for (const variant of variants) {
    const saved = { ...process.env }
    for (const setting of variant === 'base' ? [] : variant.split('+')) {
      const eq = setting.indexOf('=')
      if (eq <= 0) throw new Error(`threads: a variant is NAME=value[+NAME=value…], got "${setting}"`)
      process.env[setting.slice(0, eq)] = setting.slice(eq + 1)
    }
    try {
      targets.push({
        target: await startOurs(pki, agent, { port: port++, format, ...gcLaunch(`${format}:${variant}`) }),
        label: `${format}:${variant}`,
        format,
      })
    } finally {
      process.env = saved
    }
  }
  if (args.has('peer'))
    targets.push({
      target: await startPeer(pki, agent, port++, format, gcLaunch(`${format}:peer`)),
      label: `${format}:peer`,
      format,
    })
}

// The load generator is this process: under SCHED_BATCH, as in `npm run bench` (after the servers
// started, so that they do not inherit it).
if (args.get('loadgen-policy') !== 'normal') {
  const problem = schedBatch(process.pid)
  console.log(problem ? `load generator: normal policy (${problem})` : 'load generator: SCHED_BATCH')
}

const spec = SCENARIOS[scenario]
const window = (t: Target, durationMs: number, maxRequests: number) =>
  runJob(pki, tls, {
    origin: t.origin,
    recipe: t.recipes[scenario],
    concurrency,
    durationMs,
    maxRequests,
    expectStatus: spec.expectStatus,
    serverPid: t.pid,
  })

interface Sums {
  requests: number
  counters: Record<string, number>
  rps: Map<number, number>
  cpuUs: Map<number, number>
  p99: Map<number, number>
  gc: { promoted: number; scavenges: number; markCompacts: number; pauseMs: number }
}
const sums = new Map<string, Sums>()
for (const { target } of targets) await window(target, 3000, 6000) // warm-up
for (let round = 0; round < rounds; round++) {
  for (const { target, label } of round % 2 ? [...targets].reverse() : targets) {
    const before = threadCounters(target.pid)
    const gcBefore = gcCounters.get(label)?.snapshot()
    let perf: ChildProcess | undefined
    if (args.has('perf')) {
      const file = `/tmp/threads-${label.replace(/[^\w.=-]+/g, '_')}-${round}.data`
      perf = spawn('perf', ['record', '-F', '2999', '-e', 'cpu-clock', '-p', String(target.pid), '-o', file], {
        stdio: 'ignore',
      })
      await new Promise(r => setTimeout(r, 300))
    }
    const result = await window(target, ms, 20_000)
    if (perf) {
      const exited = new Promise(r => perf.once('exit', r))
      perf.kill('SIGINT')
      await exited
      console.log(`perf ${label} round ${round}: ${result.completed} requests (divide the samples by this)`)
    }
    if (result.errors) console.log(`${label}: ${result.errors} errors, first: ${result.firstError}`)
    const counters = delta(before, threadCounters(target.pid))
    const s: Sums = sums.get(label) ?? {
      requests: 0,
      counters: {},
      rps: new Map(),
      cpuUs: new Map(),
      p99: new Map(),
      gc: { promoted: 0, scavenges: 0, markCompacts: 0, pauseMs: 0 },
    }
    sums.set(label, s)
    const gcAfter = gcCounters.get(label)?.snapshot()
    if (gcBefore && gcAfter)
      for (const k of Object.keys(s.gc) as (keyof Sums['gc'])[]) s.gc[k] += gcAfter[k] - gcBefore[k]
    s.requests += result.completed
    s.rps.set(round, result.rps)
    s.p99.set(round, result.p99Ms)
    const cpuMs = Object.entries(counters)
      .filter(([name]) => isCpu(name))
      .reduce((a, [, v]) => a + v, 0)
    s.cpuUs.set(round, (cpuMs * 1000) / result.completed)
    for (const [name, v] of Object.entries(counters)) s.counters[name] = (s.counters[name] ?? 0) + v
  }
}

for (const [label, s] of sums) {
  const per = (v: number) => (v * 1000) / s.requests
  const threads = Object.entries(s.counters)
    .filter(([, v]) => v > 0)
    .map(([name, v]) => `${name} ${isCpu(name) ? per(v).toFixed(0) : per(v).toFixed(2)}`)
    .join(', ')
  const total = Object.entries(s.counters)
    .filter(([name]) => isCpu(name))
    .reduce((a, [, v]) => a + v, 0)
  console.log(`${label}\n  rps ${[...s.rps.values()].map(x => x.toFixed(0)).join(' ')}`)
  console.log(`  p99 ms ${[...s.p99.values()].map(x => x.toFixed(1)).join(' ')}`)
  console.log(`  per request: CPU ${per(total).toFixed(0)} µs (${threads}; CPU in µs, switches in count)`)
  if (gcOn) {
    const { promoted, scavenges, markCompacts, pauseMs } = s.gc
    const perK = (v: number) => ((v * 1000) / s.requests).toFixed(1)
    console.log(
      `  GC of the event loop: ${(promoted / s.requests / 1024).toFixed(2)} KB promoted per request, ` +
        `${perK(scavenges)} scavenges and ${perK(markCompacts)} full collections per 1,000 requests, ` +
        `pauses ${per(pauseMs).toFixed(1)} µs per request`,
    )
  }
}
for (const format of formats) {
  const [first, ...others] = targets.filter(t => t.format === format).map(t => t.label)
  const base = sums.get(first as string) as Sums
  for (const label of others) {
    const s = sums.get(label) as Sums
    const ratio = (a: Map<number, number>, b: Map<number, number>) =>
      intervalText(ratioInterval(pairedRatios(a, b).map(p => p.ratio)))
    console.log(
      `${label} / ${first}: CPU per request ${ratio(s.cpuUs, base.cpuUs)}, rps ${ratio(s.rps, base.rps)}, ` +
        `p99 ${ratio(s.p99, base.p99)} (median CPU ${median([...s.cpuUs.values()]).toFixed(0)} vs ${median([...base.cpuUs.values()]).toFixed(0)} µs)`,
    )
  }
}
for (const { target } of targets) await target.stop()
process.exit(0)
