/**
 * `npm run bench`: our bank against oidc-provider, same flows, same machine, same load generator,
 * with a method that decides on a shared machine.
 *
 * It starts every server at once (ours and the peer for each access-token format, and the bare
 * HTTPS server of the transport floor) and measures in sweeps: one sweep runs every cell
 * (format × scenario × concurrency) once, ours and the peer back to back (which goes first
 * alternates), and the floor at each concurrency. At least `--rounds` sweeps (5); then more, for
 * the cells whose rps or CPU-per-request ratio still has a 95 % interval wider than ±`--precision`
 * % (5), the cells with targets (c=16) first, until `--max-rounds` or the time budget. A cell's
 * rounds are spread over the whole run, so a busy minute touches one of them, not all. The PS256
 * ceiling is measured at the start and at the end; the floor of each cell is priced from it.
 *
 * Flags: --quick (c=16, 3 rounds, short windows: for development) · --rounds N (minimum) ·
 *        --max-rounds N · --warm N (warm-up requests per server and scenario; 5,000) ·
 *        --precision PCT · --budget SECONDS (the whole run; default 540) · --ms N
 *        (per window) · --concurrency 1,16,64 · --scenarios register,token-pkjwt,token-tls,get-register ·
 *        --formats opaque,jwt · --only ours|peer · --no-ceiling · --no-floor · --ours-store memory
 *        (diagnostic) · --cpu-prof (profiles both servers; files in reports/cpu-prof/, read them with
 *        bench/profile_summary.ts) · --loadgen-policy batch|normal (the load generator's
 *        scheduling: SCHED_BATCH by default, so that an answer that wakes it does not also preempt
 *        the server that sent it)
 * Writes reports/bench.json and reports/bench.md. Ports 8800–8999 (BENCH_PORT_BASE, default 8810).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ensurePki } from '../keys/pki.ts'
import type { CeilingResult } from './ceiling.ts'
import {
  clientTls,
  type Job,
  median,
  mtlsAgent,
  parseArgs,
  repoRoot,
  type ServerKind,
  type TokenFormat,
} from './common.ts'
import { LoadGenerator } from './loadgen_client.ts'
import {
  checkTargets,
  consoleTable,
  cryptoPrice,
  type FloorMeasurement,
  type Measurement,
  markdown,
  type Report,
  summarise,
  verdictWord,
  withFloors,
  withTargets,
} from './report.ts'
import { SCENARIOS, type ScenarioId, startFloor, startOurs, startPeer, type Target } from './servers.ts'
import { narrowEnough } from './stats.ts'

const args = parseArgs(process.argv.slice(2))
const quick = args.has('quick')
const list = (name: string, fallback: string) =>
  String(args.get(name) ?? fallback)
    .split(',')
    .filter(Boolean)
const minRounds = Number(args.get('rounds') ?? (quick ? 3 : 5))
const maxRounds = Math.max(minRounds, Number(args.get('max-rounds') ?? (quick ? minRounds : 15)))
const precision = Number(args.get('precision') ?? 5) / 100
const budgetMs = Number(args.get('budget') ?? (quick ? 150 : 540)) * 1000
const durationMs = Number(args.get('ms') ?? (quick ? 600 : 1200))
/** Warm-up per server and scenario: this many requests, or this long, whichever comes first. */
const warmRequests = Number(args.get('warm') ?? (quick ? 1500 : 5000))
const warmMs = quick ? 1500 : 3000
/** Before each timed window, at most this long waiting for every server to go quiet (0: no wait). */
const quietMaxMs = Number(args.get('quiet-ms') ?? 1500)
const concurrencies = list('concurrency', quick ? '16' : '1,16,64').map(Number)
const scenarios = list('scenarios', 'register,token-pkjwt,token-tls,get-register') as ScenarioId[]
const formats = list('formats', 'opaque,jwt') as TokenFormat[]
/** Diagnostic: run our bank on another store (`memory`) to see what the SQLite store costs. */
const oursStore = args.get('ours-store') as string | undefined
const portBase = Number(process.env.BENCH_PORT_BASE ?? 8810)
const reportsDir = path.join(repoRoot, 'reports')
const notes: string[] = []
if (oursStore) notes.push(`our bank ran with --store ${oursStore} (not the SQLite store the targets are about)`)

for (const s of scenarios) if (!(s in SCENARIOS)) throw new Error(`bench: unknown scenario ${s}`)
if (portBase < 8800 || portBase > 8990) throw new Error('bench: BENCH_PORT_BASE must stay within 8800–8990')
if (!(minRounds >= 2)) throw new Error('bench: --rounds must be at least 2 (an interval needs two rounds)')

const oursAvailable = existsSync(path.join(repoRoot, 'mock-aspsp/src/main.ts'))
const sides: ServerKind[] = (
  args.get('only') === 'ours' ? ['ours'] : args.get('only') === 'peer' ? ['peer'] : ['ours', 'peer']
).filter(s => s !== 'ours' || oursAvailable) as ServerKind[]
if (!oursAvailable) notes.push('mock-aspsp/src/main.ts is not on this branch: only the peer was measured.')

const log = (line: string) => console.log(line)
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)
const started = performance.now()
const elapsed = () => performance.now() - started
const loadBefore = loadAverage()
const loadDuring: number[] = []
const pki = await ensurePki({ log })

/** PS256 ceiling in its own process, pinned to CPU 0 when taskset exists. */
function measureCeiling(): CeilingResult | undefined {
  const ms = quick ? 300 : 1000
  const nodeArgs = ['--import', 'tsx', path.join(repoRoot, 'bench/ceiling.ts'), '--json', '--ms', String(ms)]
  const taskset = spawnSync('taskset', ['--version']).status === 0
  const r = taskset
    ? spawnSync('taskset', ['-c', '0', process.execPath, ...nodeArgs], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, BENCH_PINNED: '1' },
      })
    : spawnSync(process.execPath, nodeArgs, { cwd: repoRoot, encoding: 'utf8' })
  if (r.status !== 0) {
    notes.push(`ceiling failed: ${r.stderr.slice(-500)}`)
    return undefined
  }
  const c = JSON.parse(r.stdout.trim().split('\n').pop() as string) as CeilingResult
  log(
    `ceiling (one core${c.pinned ? ', pinned' : ''}): PS256 node:crypto sign ${c.nodeCrypto.signPerSec}/s (${c.nodeCrypto.signCpuUs} µs CPU), ` +
      `verify ${c.nodeCrypto.verifyPerSec}/s (${c.nodeCrypto.verifyCpuUs} µs); jose sign ${c.jose.signPerSec}/s, verify ${c.jose.verifyPerSec}/s`,
  )
  return c
}

const ceilings: CeilingResult[] = []
const ceilingAtStart = args.has('no-ceiling') ? undefined : measureCeiling()
if (ceilingAtStart) ceilings.push(ceilingAtStart)

const agent = mtlsAgent(clientTls(pki), 4)
const loadgenPolicy = String(args.get('loadgen-policy') ?? 'batch')
if (loadgenPolicy !== 'batch' && loadgenPolicy !== 'normal')
  throw new Error('bench: --loadgen-policy is batch or normal')
const loadgen = await LoadGenerator.start({ batch: loadgenPolicy === 'batch' })
notes.push(
  loadgen.policy === 'batch'
    ? 'the load generator ran under SCHED_BATCH: woken by an answer, it waits for a free core instead of preempting the server that answered (--loadgen-policy normal to turn off)'
    : `the load generator ran under the normal policy (${loadgen.policy.normal}): it can preempt the server it measures`,
)
const measurements: Measurement[] = []
const floorRuns: FloorMeasurement[] = []
const memory: Record<string, unknown> = {}
const cpuProfDir = path.join(reportsDir, 'cpu-prof')

/** One cell of the grid: a scenario at a concurrency with one token format. */
interface CellPlan {
  format: TokenFormat
  scenario: ScenarioId
  concurrency: number
  key: string
}
/** Registration and the read do not depend on the token format: they run with the first format's servers only. */
const plan: CellPlan[] = formats.flatMap((format, fi) =>
  scenarios
    .filter(s => s.startsWith('token') || fi === 0)
    .flatMap(scenario =>
      concurrencies.map(concurrency => ({
        format,
        scenario,
        concurrency,
        key: `${format}|${scenario}|${concurrency}`,
      })),
    ),
)

/** How many requests to prepare: enough for the window at the best rate seen, bounded (signing costs ~0.3 ms each). */
function budget(scenario: ScenarioId, estimateRps: number): number {
  const cap = SCENARIOS[scenario].signed ? 25_000 : 300_000
  return Math.max(300, Math.min(cap, Math.ceil((estimateRps * durationMs * 1.3) / 1000) + 100))
}

/** CPU use as cores busy (1.00 = one core) over a window. */
const cpuShare = (cpuMs: number | undefined, elapsedMs: number) =>
  cpuMs === undefined ? '?' : (cpuMs / elapsedMs).toFixed(2)

const job = (
  t: Target,
  scenario: ScenarioId,
  concurrency: number,
  ms: number,
  maxRequests: number,
  quiet?: Job['quiet'],
): Job => ({
  origin: t.origin,
  recipe: t.recipes[scenario],
  concurrency,
  durationMs: ms,
  maxRequests,
  expectStatus: SCENARIOS[scenario].expectStatus,
  serverPid: t.pid,
  ...(quiet ? { quiet } : {}),
})
/** Node flags for a server: a CPU profile into its own folder with --cpu-prof. */
function profileArgs(kind: ServerKind, format: TokenFormat): string[] {
  if (!args.has('cpu-prof')) return []
  const dir = path.join(cpuProfDir, `${kind}-${format}-${Date.now()}`)
  mkdirSync(dir, { recursive: true })
  notes.push(
    `CPU profiles of ${kind === 'ours' ? 'our bank' : 'the peer'} (${format} tokens): ${path.relative(repoRoot, dir)}/`,
  )
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`]
}

const servers = new Map<TokenFormat, Partial<Record<ServerKind, Target>>>()
let floor: Awaited<ReturnType<typeof startFloor>> | undefined
/** The best rate seen per side and cell (or scenario, before a cell's first round): it sizes the prepared requests. */
const estimates = new Map<string, number>()
/** Wall time of each cell's last pair of windows, for the time budget. */
const pairMs = new Map<string, number>()
let sweeps = 0
try {
  if (!args.has('no-floor')) floor = await startFloor(agent, portBase + 10)
  for (const [fi, format] of formats.entries()) {
    const targets: Partial<Record<ServerKind, Target>> = {}
    if (sides.includes('ours')) {
      targets.ours = await startOurs(pki, agent, {
        port: portBase + 1 + fi * 2,
        format,
        nodeArgs: profileArgs('ours', format),
        ...(oursStore ? { store: oursStore } : {}),
      })
    }
    if (sides.includes('peer')) {
      targets.peer = await startPeer(pki, agent, portBase + fi * 2, format, { nodeArgs: profileArgs('peer', format) })
    }
    servers.set(format, targets)
  }
  log(`servers started: ${formats.map(f => `${f} (${Object.keys(servers.get(f) ?? {}).join(', ')})`).join('; ')}`)
  // Every server of the run (and the floor): the quiet wait before each timed window watches them all.
  const quiet: Job['quiet'] =
    quietMaxMs > 0
      ? {
          pids: [...servers.values()]
            .flatMap(targets => Object.values(targets).map(t => t.pid))
            .concat(floor ? [floor.pid] : []),
          maxMs: quietMaxMs,
        }
      : undefined

  // Warm-up per server and scenario, and a first rate estimate: V8 tiers the hot code up by how
  // often it runs, so a server that serves fewer requests a second (PS256 JWT tokens) takes longer
  // to reach its steady state; windows of up to 1 s until `warmRequests` or `warmMs`.
  for (const { format, scenario } of plan.filter(
    (p, i, all) => all.findIndex(q => q.format === p.format && q.scenario === p.scenario) === i,
  )) {
    for (const s of sides) {
      const t = servers.get(format)?.[s] as Target
      let served = 0
      let spentMs = 0
      let best = 0
      while (served < warmRequests && spentMs < warmMs) {
        const r = await loadgen.run(job(t, scenario, 16, Math.min(1000, durationMs), warmRequests - served))
        served += r.completed
        spentMs += r.elapsedMs
        best = Math.max(best, r.rps)
        if (r.errors > 0) log(`  warm-up ${s} ${scenario} ${format}: ${r.errors} errors, first: ${r.firstError}`)
        if (r.completed === 0) break
      }
      estimates.set(`${s}|${format}|${scenario}`, best)
    }
  }

  const roundsOf = (key: string) =>
    measurements.filter(m => `${m.format}|${m.scenario}|${m.concurrency}` === key && m.server === sides[0]).length
  /** Whether a cell's rps and CPU ratios are as precise as asked (always, with one side only). */
  const settled = (key: string) => {
    if (sides.length < 2) return true
    const cell = summarise(measurements.filter(m => `${m.format}|${m.scenario}|${m.concurrency}` === key))[0]
    return narrowEnough(cell?.ratios.rps, precision) && narrowEnough(cell?.ratios.cpu, precision)
  }

  for (let sweep = 0; ; sweep++) {
    const mandatory = sweep < minRounds
    const active = mandatory
      ? plan
      : plan
          .filter(p => roundsOf(p.key) < maxRounds && !settled(p.key))
          // The cells with targets first: the budget may end the run before the others.
          .sort((a, b) => Number(b.concurrency === 16) - Number(a.concurrency === 16))
    if (active.length === 0) break
    // An extra sweep only when one of its cells still fits in the budget (its last pair of
    // windows as the estimate): a sweep that could measure nothing ends the run.
    if (!mandatory && !active.some(p => elapsed() + (pairMs.get(p.key) ?? 0) <= budgetMs)) {
      notes.push(
        `time budget (${budgetMs / 1000} s) reached after ${sweep} sweeps; ${active.length} cell(s) still wider than ±${precision * 100} %`,
      )
      break
    }
    sweeps = sweep + 1
    loadDuring.push(loadAverage()[0] as number)
    log(
      `\n== sweep ${sweep + 1}${mandatory ? '' : ' (extra rounds)'}: ${active.length} cell(s), 1-minute load ${loadDuring.at(-1)}, ${(elapsed() / 1000).toFixed(0)} s so far`,
    )
    if (floor && sweep < minRounds) {
      for (const concurrency of concurrencies) {
        const result = await loadgen.run({
          origin: floor.origin,
          recipe: floor.recipe,
          concurrency,
          durationMs,
          maxRequests: 300_000,
          expectStatus: 200,
          serverPid: floor.pid,
          ...(quiet ? { quiet } : {}),
        })
        floorRuns.push({ concurrency, round: sweep, result })
        log(
          `  floor        c=${String(concurrency).padEnd(3)} ${result.rps.toFixed(0).padStart(6)}/s  p99 ${result.p99Ms.toFixed(2)} ms  cpu server ${cpuShare(result.serverCpuMs, result.elapsedMs)}`,
        )
      }
    }
    for (const cell of active) {
      if (!mandatory && elapsed() + (pairMs.get(cell.key) ?? 0) > budgetMs) continue
      const pairStart = performance.now()
      const order = sweep % 2 === 0 ? sides : [...sides].reverse()
      for (const s of order) {
        const t = servers.get(cell.format)?.[s] as Target
        const estimate =
          estimates.get(`${s}|${cell.key}`) ?? estimates.get(`${s}|${cell.format}|${cell.scenario}`) ?? 1000
        const result = await loadgen.run(
          job(t, cell.scenario, cell.concurrency, durationMs, budget(cell.scenario, estimate), quiet),
        )
        measurements.push({
          format: cell.format,
          scenario: cell.scenario,
          server: s,
          concurrency: cell.concurrency,
          round: sweep,
          result,
        })
        estimates.set(`${s}|${cell.key}`, Math.max(estimates.get(`${s}|${cell.key}`) ?? 0, result.rps))
        log(
          `  ${cell.scenario.padEnd(12)} ${cell.format.padEnd(6)} c=${String(cell.concurrency).padEnd(3)} ${s.padEnd(4)} ` +
            `${result.rps.toFixed(0).padStart(6)}/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms` +
            `  cpu server ${cpuShare(result.serverCpuMs, result.elapsedMs)} loadgen ${cpuShare(result.loadgenCpuMs, result.elapsedMs)}` +
            `  n=${result.completed}${result.errors ? `  errors=${result.errors} (${result.firstError})` : ''}`,
        )
      }
      pairMs.set(cell.key, performance.now() - pairStart)
    }
  }
} finally {
  for (const [format, targets] of servers) {
    for (const [k, t] of Object.entries(targets)) {
      const mem = await t.stop()
      memory[`${k} (${format} tokens)`] = mem && { peakRssMb: Math.round(mem.hwmMb), lastRssMb: Math.round(mem.rssMb) }
    }
  }
  await floor?.stop()
  await loadgen.stop()
  await agent.close()
}

const ceilingAtEnd = args.has('no-ceiling') ? undefined : measureCeiling()
if (ceilingAtEnd) ceilings.push(ceilingAtEnd)
const loadAfter = loadAverage()
const busiest = Math.max(loadBefore[0] ?? 0, loadAfter[0] ?? 0, ...loadDuring)
if (busiest > os.cpus().length) {
  notes.push(
    `the machine was busy with other work (1-minute load average up to ${busiest} on ${os.cpus().length} cores): ` +
      'absolute rates are low and noisy; the paired ratios and their intervals say how far they can be trusted',
  )
}
const price = cryptoPrice(ceilings)
const cells = withTargets(withFloors(summarise(measurements), floorRuns, price, os.cpus().length), price)
/** The last `npm run bench:memory` result, when there is one: the RSS target is measured there. */
function lastMemoryRun(): { peakRssMb: number; date: string; count: number } | undefined {
  const file = path.join(reportsDir, 'bench-memory.json')
  if (!existsSync(file)) return undefined
  const m = JSON.parse(readFileSync(file, 'utf8')) as { date: string; count: number; ours?: { peakRssMb: number } }
  return m.ours && m.count >= 100_000 ? { peakRssMb: m.ours.peakRssMb, date: m.date, count: m.count } : undefined
}
const waits = measurements.flatMap(m => (m.result.quietMs === undefined ? [] : [m.result.quietMs]))
if (waits.length > 0) {
  notes.push(
    `before each timed window, the servers were given up to ${quietMaxMs} ms to go quiet (≤ 10 % of a core over 100 ms): ` +
      `median wait ${median(waits).toFixed(0)} ms, ${waits.filter(w => w >= quietMaxMs).length} of ${waits.length} windows waited the whole ${quietMaxMs} ms`,
  )
}
const memoryRun = lastMemoryRun()
if (memoryRun) notes.push(`RSS after 100,000 registrations: from npm run bench:memory of ${memoryRun.date}`)
const targets = checkTargets(cells, {
  ...(memoryRun ? { oursRss100k: memoryRun.peakRssMb } : {}),
  ...(price ? { price } : {}),
})
const version = (pkg: string) =>
  (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version
const report: Report = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    oidcProvider: version('oidc-provider'),
    undici: version('undici'),
    quick,
    loadAverageBefore: loadBefore,
    loadAverageDuring: loadDuring,
    loadAverageAfter: loadAfter,
    minRounds,
    maxRounds,
    precisionPct: precision * 100,
    sweeps,
    budgetSeconds: budgetMs / 1000,
    wallSeconds: Math.round(elapsed() / 1000),
    durationMs,
    concurrencies,
    formats,
    scenarios,
    loadgenPolicy: loadgen.policy === 'batch' ? 'SCHED_BATCH' : 'SCHED_OTHER',
  },
  ceilings,
  ...(price ? { price } : {}),
  memory,
  cells,
  targets,
  notes,
}
mkdirSync(reportsDir, { recursive: true })
writeFileSync(
  path.join(reportsDir, 'bench.json'),
  `${JSON.stringify({ ...report, floorRuns, measurements }, null, 2)}\n`,
)
writeFileSync(path.join(reportsDir, 'bench.md'), markdown(report))

log(`\n${consoleTable(cells)}\n`)
for (const t of targets) log(`${verdictWord(t.verdict).padEnd(9)}  ${t.name}: ${t.actual} (target ${t.expected})`)
for (const [k, v] of Object.entries(memory)) log(`peak RSS ${k}: ${JSON.stringify(v)}`)
for (const n of notes) log(`note: ${n}`)
log(`\n${(elapsed() / 1000).toFixed(0)} s; wrote reports/bench.json and reports/bench.md`)
