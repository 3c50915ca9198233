/**
 * `npm run bench`: our bank against oidc-provider, same flows, same machine, same load generator.
 *
 * For each access-token format (opaque, then PS256 JWT) it starts both servers, registers their
 * clients, and for each scenario and concurrency measures ours and the peer alternately, several
 * rounds, reporting medians. First it measures the machine: the PS256 ceiling on one core and the transport floor (a bare HTTPS server).
 *
 * Flags: --quick (short smoke run) · --rounds N · --ms N (per measurement) · --concurrency 1,16,64 ·
 *        --scenarios register,token-pkjwt,token-tls,get-register · --formats opaque,jwt ·
 *        --only ours|peer · --no-ceiling · --no-floor · --ours-store memory (diagnostic) · --cpu-prof (profiles both servers; files in reports/cpu-prof/, read them with bench/profile_summary.ts)
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
import { checkTargets, consoleTable, type Measurement, markdown, type Report, summarise } from './report.ts'
import { SCENARIOS, type ScenarioId, startFloor, startOurs, startPeer, type Target } from './servers.ts'

const args = parseArgs(process.argv.slice(2))
const quick = args.has('quick')
const list = (name: string, fallback: string) =>
  String(args.get(name) ?? fallback)
    .split(',')
    .filter(Boolean)
const roundCount = Number(args.get('rounds') ?? (quick ? 1 : 2))
const durationMs = Number(args.get('ms') ?? (quick ? 800 : 2500))
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

const oursAvailable = existsSync(path.join(repoRoot, 'mock-aspsp/src/main.ts'))
const sides: ServerKind[] = (
  args.get('only') === 'ours' ? ['ours'] : args.get('only') === 'peer' ? ['peer'] : ['ours', 'peer']
).filter(s => s !== 'ours' || oursAvailable) as ServerKind[]
if (!oursAvailable) notes.push('mock-aspsp/src/main.ts is not on this branch: only the peer was measured.')

const log = (line: string) => console.log(line)
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)
const loadBefore = loadAverage()
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
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as CeilingResult
}

const ceiling = args.has('no-ceiling') ? undefined : measureCeiling()
if (ceiling) {
  log(
    `ceiling (one core${ceiling.pinned ? ', pinned' : ''}): PS256 sign/s node:crypto ${ceiling.nodeCrypto.signPerSec}, jose ${ceiling.jose.signPerSec}; ` +
      `verify/s node:crypto ${ceiling.nodeCrypto.verifyPerSec}, jose ${ceiling.jose.verifyPerSec}`,
  )
}

const agent = mtlsAgent(clientTls(pki), 4)
const loadgen = await LoadGenerator.start()
const measurements: Measurement[] = []
const memory: Record<string, unknown> = {}
const cpuProfDir = path.join(reportsDir, 'cpu-prof')

/** Scenarios worth running for a format: registration and the read do not depend on it, so they run once. */
const scenariosFor = (first: boolean) => scenarios.filter(s => s.startsWith('token') || first)

/** How many requests to prepare: enough for the time at the warm-up rate, bounded (signing costs ~0.3 ms each). */
function budget(scenario: ScenarioId, estimateRps: number): number {
  const cap = SCENARIOS[scenario].signed ? 25_000 : 300_000
  return Math.max(300, Math.min(cap, Math.ceil((estimateRps * durationMs * 1.3) / 1000) + 100))
}

/** CPU use as cores busy (1.00 = one core) over a window. */
const cpuShare = (cpuMs: number | undefined, elapsedMs: number) =>
  cpuMs === undefined ? '?' : (cpuMs / elapsedMs).toFixed(2)

const job = (t: Target, scenario: ScenarioId, concurrency: number, ms: number, maxRequests: number): Job => ({
  origin: t.origin,
  recipe: t.recipes[scenario],
  concurrency,
  durationMs: ms,
  maxRequests,
  expectStatus: SCENARIOS[scenario].expectStatus,
  serverPid: t.pid,
})

/** The transport floor: the same client against a bare HTTPS server (no OAuth), at concurrency 16. */
async function measureFloor() {
  const floor = await startFloor(agent, portBase + 10)
  try {
    const samples: { rps: number; p50Ms: number; p99Ms: number; serverCpuUsPerReq: number }[] = []
    for (let round = 0; round < Math.max(2, roundCount); round++) {
      const r = await loadgen.run({
        origin: floor.origin,
        recipe: floor.recipe,
        concurrency: 16,
        durationMs: Math.min(durationMs, 2000),
        maxRequests: 200_000,
        expectStatus: 200,
        serverPid: floor.pid,
      })
      samples.push({
        rps: Math.round(r.rps),
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        serverCpuUsPerReq: Math.round(((r.serverCpuMs ?? Number.NaN) * 1000) / Math.max(1, r.completed)),
      })
    }
    const rps = median(samples.map(r => r.rps))
    log(
      `transport floor (bare node:https + mTLS, c=16): ${rps.toFixed(0)}/s, rounds ${samples.map(r => r.rps).join(', ')}`,
    )
    return { concurrency: 16, rps, rounds: samples }
  } finally {
    await floor.stop()
  }
}

let floor: Awaited<ReturnType<typeof measureFloor>> | undefined
try {
  if (!args.has('no-floor')) floor = await measureFloor()
  for (const [fi, format] of formats.entries()) {
    const targets: Partial<Record<ServerKind, Target>> = {}
    try {
      if (sides.includes('ours')) {
        // One folder per server run: node writes one profile per thread (main, and tsx's loader thread).
        const profDir = path.join(cpuProfDir, `ours-${format}-${Date.now()}`)
        const nodeArgs = args.has('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []
        if (nodeArgs.length) {
          mkdirSync(profDir, { recursive: true })
          notes.push(`CPU profiles of our bank (${format} tokens): ${path.relative(repoRoot, profDir)}/`)
        }
        targets.ours = await startOurs(pki, agent, {
          port: portBase + 1 + fi * 2,
          format,
          nodeArgs,
          ...(oursStore ? { store: oursStore } : {}),
        })
      }
      if (sides.includes('peer')) {
        const profDir = path.join(cpuProfDir, `peer-${format}-${Date.now()}`)
        const nodeArgs = args.has('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []
        if (nodeArgs.length)
          notes.push(`CPU profiles of the peer (${format} tokens): ${path.relative(repoRoot, profDir)}/`)
        targets.peer = await startPeer(pki, agent, portBase + fi * 2, format, nodeArgs)
      }
      log(`\n== token format ${format}: ${Object.keys(targets).join(' and ')} started`)

      for (const scenario of scenariosFor(fi === 0)) {
        // Warm-up (JIT, caches) and a rate estimate that sizes each measurement's prepared requests.
        const estimate: Partial<Record<ServerKind, number>> = {}
        for (const s of sides) {
          const t = targets[s] as Target
          const r = await loadgen.run(job(t, scenario, 16, Math.min(1000, durationMs), quick ? 600 : 2500))
          estimate[s] = r.rps
          if (r.errors > 0) log(`  warm-up ${s} ${scenario}: ${r.errors} errors, first: ${r.firstError}`)
        }
        for (const concurrency of concurrencies) {
          for (let round = 0; round < roundCount; round++) {
            const order = round % 2 === 0 ? sides : [...sides].reverse()
            for (const s of order) {
              const t = targets[s] as Target
              const result = await loadgen.run(
                job(t, scenario, concurrency, durationMs, budget(scenario, estimate[s] ?? 1000)),
              )
              measurements.push({ format, scenario, server: s, concurrency, round, result })
              estimate[s] = Math.max(estimate[s] ?? 0, result.rps)
              log(
                `  ${scenario.padEnd(12)} ${format.padEnd(6)} c=${String(concurrency).padEnd(3)} r${round + 1} ${s.padEnd(4)} ` +
                  `${result.rps.toFixed(0).padStart(6)}/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms` +
                  `  cpu server ${cpuShare(result.serverCpuMs, result.elapsedMs)} loadgen ${cpuShare(result.loadgenCpuMs, result.elapsedMs)}` +
                  `  n=${result.completed}${result.errors ? `  errors=${result.errors} (${result.firstError})` : ''}`,
              )
            }
          }
        }
      }
    } finally {
      for (const [k, t] of Object.entries(targets)) {
        const mem = await t.stop()
        memory[`${k} (${format} tokens)`] = mem && {
          peakRssMb: Math.round(mem.hwmMb),
          lastRssMb: Math.round(mem.rssMb),
        }
      }
    }
  }
} finally {
  await loadgen.stop()
  await agent.close()
}

const loadAfter = loadAverage()
if (Math.max(...loadBefore.slice(0, 1), ...loadAfter.slice(0, 1)) > os.cpus().length + 1) {
  notes.push(
    `the machine was busy with other work (1-minute load average ${loadBefore[0]} before, ${loadAfter[0]} after, on ` +
      `${os.cpus().length} cores): absolute rates are low and noisy; the paired ratios and CPU per request hold up better`,
  )
}
const cells = summarise(measurements)
/** The last `npm run bench:memory` result, when there is one: the RSS target is measured there. */
function lastMemoryRun(): { peakRssMb: number; date: string; count: number } | undefined {
  const file = path.join(reportsDir, 'bench-memory.json')
  if (!existsSync(file)) return undefined
  const m = JSON.parse(readFileSync(file, 'utf8')) as { date: string; count: number; ours?: { peakRssMb: number } }
  return m.ours && m.count >= 100_000 ? { peakRssMb: m.ours.peakRssMb, date: m.date, count: m.count } : undefined
}
const memoryRun = lastMemoryRun()
if (memoryRun) notes.push(`RSS after 100,000 registrations: from npm run bench:memory of ${memoryRun.date}`)
const targets = checkTargets(cells, memoryRun?.peakRssMb)
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
    loadAverageAfter: loadAfter,
    rounds: roundCount,
    durationMs,
    concurrencies,
    formats,
    scenarios,
  },
  ...(ceiling ? { ceiling } : {}),
  ...(floor ? { floor } : {}),
  memory,
  cells,
  targets,
  notes,
}
mkdirSync(reportsDir, { recursive: true })
writeFileSync(path.join(reportsDir, 'bench.json'), `${JSON.stringify({ ...report, measurements }, null, 2)}\n`)
writeFileSync(path.join(reportsDir, 'bench.md'), markdown(report))

log(`\n${consoleTable(cells)}\n`)
for (const t of targets)
  log(`${t.pass === null ? 'n/a ' : t.pass ? 'pass' : 'MISS'}  ${t.name}: ${t.actual} (target ${t.expected})`)
for (const [k, v] of Object.entries(memory)) log(`peak RSS ${k}: ${JSON.stringify(v)}`)
for (const n of notes) log(`note: ${n}`)
log(`\nwrote reports/bench.json and reports/bench.md`)
