/**
 * Instructions per request, counted by valgrind's callgrind: a measure that does not move when
 * other work shares the machine (five test suites on two cores leave CPU time per request 2–4×
 * higher and noisy; the instruction count of the same request stays within a percent).
 *
 * For each token format it starts the server (ours, or the peer with `--peer`) under
 * `valgrind --tool=callgrind`, registers the clients, and per scenario: a warm-up, then counters
 * zeroed once every connection is open, `--n` requests, and a dump. Reported: instructions per
 * request, all threads (the thread pool's signatures, the GC's helpers, the checkpointer), and the
 * functions that executed most of them (`callgrind_annotate`; JIT-compiled JavaScript has no
 * symbol and shows as `???`).
 *
 * What it does not count: the kernel's side of system calls (socket writes, fsync, futex wake-ups)
 * and cache misses. It runs the server ~50× slower, so anything timed (group commits of one
 * event-loop turn, the CRL's once-a-second look) batches differently than at full speed: compare
 * two versions of the bank with the same flags (concurrency 1 by default: one request per turn).
 *
 * Usage: `node --import tsx bench/instructions.ts [--scenarios token-tls,register] [--formats opaque,jwt]
 *        [--n 600] [--warm 1500] [--concurrency 1] [--peer] [--top 12]`; writes reports/instructions.json.
 * Ports: BENCH_PORT_BASE + 40 and 41.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ensurePki } from '../keys/pki.ts'
import { buildMock } from '../scripts/start.mjs'
import { clientTls, mtlsAgent, parseArgs, repoRoot, type ServerKind, type TokenFormat } from './common.ts'
import { runJob } from './loadgen.ts'
import { SCENARIOS, type ScenarioId, startOurs, startPeer, type Target } from './servers.ts'

const args = parseArgs(process.argv.slice(2))
const list = (name: string, fallback: string) =>
  String(args.get(name) ?? fallback)
    .split(',')
    .filter(Boolean)
const scenarios = list('scenarios', 'register,token-pkjwt,token-tls,get-register') as ScenarioId[]
const formats = list('formats', 'opaque,jwt') as TokenFormat[]
const n = Number(args.get('n') ?? 600)
const warm = Number(args.get('warm') ?? 1500)
const concurrency = Number(args.get('concurrency') ?? 1)
const top = Number(args.get('top') ?? 12)
const side: ServerKind = args.has('peer') ? 'peer' : 'ours'
const portBase = Number(process.env.BENCH_PORT_BASE ?? 8810) + 40

if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('instructions: valgrind is not installed')
for (const s of scenarios) if (!(s in SCENARIOS)) throw new Error(`instructions: unknown scenario ${s}`)

export interface InstructionCount {
  side: ServerKind
  format: TokenFormat
  scenario: ScenarioId
  requests: number
  errors: number
  instructionsPerRequest: number
  /** Of which the main thread (the event loop). */
  mainThreadPerRequest: number
  /** Of which the other threads: thread pool (async signatures), V8's compiler and GC helpers, the checkpointer. */
  otherThreadsPerRequest: number
  /** The functions with the most instructions of their own, per request. */
  topFunctions: { name: string; perRequest: number }[]
}

/** Runs callgrind_control against the server process (valgrind's pid: the wrapper execs nothing). */
function control(pid: number, ...flags: string[]): void {
  const r = spawnSync('callgrind_control', [...flags, String(pid)], { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`callgrind_control ${flags.join(' ')} failed: ${r.stderr || r.stdout}`)
}

/** Ir of one callgrind file, and its top functions by self cost (from callgrind_annotate). */
function readThreadDump(file: string): { total: number; functions: { name: string; ir: number }[] } {
  const total = Number(/^(?:summary|totals):\s+(\d+)/m.exec(readFileSync(file, 'utf8'))?.[1] ?? 0)
  const annotate = spawnSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  const functions: { name: string; ir: number }[] = []
  for (const line of annotate.stdout.split('\n')) {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.+)$/.exec(line)
    if (!m || line.includes('PROGRAM TOTALS')) continue
    const ir = Number(m[1]?.replaceAll(',', ''))
    // Frames that only carry their callees' cost (the event loop, a thread's start) are not "own" work.
    if (ir >= total * 0.97) continue
    functions.push({ name: (m[2] as string).trim(), ir })
  }
  return { total, functions }
}

/**
 * A dump's instructions per request: the main thread (`-01`, the event loop) and the others (the
 * thread pool, V8's compiler and GC helpers, the store's checkpointer), with the top functions.
 */
function readDump(dir: string, stem: string, requests: number) {
  const files = readdirSync(dir).filter(f => f.startsWith(`${stem}-`))
  if (files.length === 0) throw new Error(`instructions: no callgrind output ${stem}-* in ${dir}`)
  let main = 0
  let others = 0
  const all: { name: string; ir: number }[] = []
  for (const f of files) {
    const { total, functions } = readThreadDump(path.join(dir, f))
    if (f.endsWith('-01')) main += total
    else others += total
    all.push(...functions)
  }
  const merged = new Map<string, number>()
  for (const f of all) merged.set(f.name, (merged.get(f.name) ?? 0) + f.ir)
  return {
    instructionsPerRequest: (main + others) / requests,
    mainThreadPerRequest: main / requests,
    otherThreadsPerRequest: others / requests,
    topFunctions: [...merged]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ir]) => ({ name, perRequest: ir / requests })),
  }
}

const pki = await ensurePki({ log: console.log })
await buildMock()
const agent = mtlsAgent(clientTls(pki), 2)
const outDir = mkdtempSync(path.join(tmpdir(), 'bench-callgrind-'))
const results: InstructionCount[] = []
try {
  for (const [fi, format] of formats.entries()) {
    const prefix = `${side}-${format}`
    const launch = {
      wrapper: [
        'valgrind',
        '--tool=callgrind',
        `--callgrind-out-file=${path.join(outDir, `${prefix}.%p`)}`,
        '--dump-instr=no',
        '--vgdb=yes',
        '--separate-threads=yes',
      ],
      // Tier up after less work than usual, so that the warm-up ends with optimised code, as
      // it would after a few seconds at full speed (V8 counts bytecode executed, not time).
      nodeArgs: ['--interrupt-budget=8192'],
      readyTimeoutMs: 600_000,
    }
    console.log(`starting ${side} (${format} tokens) under callgrind: a minute or two`)
    const target: Target =
      side === 'ours'
        ? await startOurs(pki, agent, { port: portBase + 1, format, ...launch })
        : await startPeer(pki, agent, portBase, format, launch)
    try {
      let dumps = 0
      for (const scenario of scenarios.filter(s => s.startsWith('token') || fi === 0)) {
        const job = (maxRequests: number) => ({
          origin: target.origin,
          recipe: target.recipes[scenario],
          concurrency,
          durationMs: 3_600_000,
          maxRequests,
          expectStatus: SCENARIOS[scenario].expectStatus,
        })
        await runJob(pki, clientTls(pki), job(warm))
        const r = await runJob(pki, clientTls(pki), job(n), { beforeClock: async () => control(target.pid, '-z') })
        control(target.pid, '-d', `${scenario}-${format}`)
        const counted = readDump(outDir, `${prefix}.${target.pid}.${++dumps}`, r.completed)
        results.push({ side, format, scenario, requests: r.completed, errors: r.errors, ...counted })
        console.log(
          `${side} ${scenario.padEnd(12)} ${format.padEnd(6)} ${(counted.instructionsPerRequest / 1000).toFixed(0).padStart(6)} k instructions/request` +
            ` (main thread ${(counted.mainThreadPerRequest / 1000).toFixed(0)} k, others ${(counted.otherThreadsPerRequest / 1000).toFixed(0)} k)` +
            `  (n=${r.completed}${r.errors ? `, errors ${r.errors}: ${r.firstError}` : ''})`,
        )
        for (const f of counted.topFunctions) {
          console.log(`    ${(f.perRequest / 1000).toFixed(1).padStart(8)} k  ${f.name.slice(0, 140)}`)
        }
      }
    } finally {
      await target.stop()
    }
  }
} finally {
  await agent.close()
}
mkdirSync(path.join(repoRoot, 'reports'), { recursive: true })
writeFileSync(
  path.join(repoRoot, 'reports', `instructions-${side}.json`),
  `${JSON.stringify({ date: new Date().toISOString(), concurrency, n, warm, results }, null, 2)}\n`,
)
console.log(`wrote reports/instructions-${side}.json (callgrind files in ${outDir})`)
