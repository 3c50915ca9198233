/**
 * `npm run bench:memory`: 100,000 registrations against our bank (SQLite store), then its resident
 * memory. Same load generator as `npm run bench` (signed OB requests with an SSA, fresh `jti` each,
 * prepared in batches before each timed batch), concurrency 16.
 *
 * Flags: --count N (default 100000; --quick: 5000) · --batch N (default 10000) · --peer (the same
 * number of JSON registrations against oidc-provider, for comparison).
 * Writes reports/bench-memory.json. Ports 8800–8999 (BENCH_PORT_BASE, default 8810; uses base + 20/21).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { ensurePki } from '../keys/pki.ts'
import { clientTls, mtlsAgent, parseArgs, repoRoot, type ServerKind } from './common.ts'
import { LoadGenerator } from './loadgen_client.ts'
import { startOurs, startPeer, type Target } from './servers.ts'

const args = parseArgs(process.argv.slice(2))
const count = Number(args.get('count') ?? (args.has('quick') ? 5000 : 100_000))
const batch = Number(args.get('batch') ?? 10_000)
const portBase = Number(process.env.BENCH_PORT_BASE ?? 8810) + 20
const pki = await ensurePki({ log: console.log })
const agent = mtlsAgent(clientTls(pki), 2)
const loadgen = await LoadGenerator.start()
const results: Record<string, unknown> = { count, concurrency: 16, date: new Date().toISOString() }

async function fill(kind: ServerKind, target: Target) {
  const started = performance.now()
  let done = 0
  let errors = 0
  let firstError: string | undefined
  let busyMs = 0
  const samples: { registrations: number; rssMb: number }[] = []
  while (done + errors < count) {
    const n = Math.min(batch, count - done - errors)
    const r = await loadgen.run({
      origin: target.origin,
      recipe: target.recipes.register,
      concurrency: 16,
      durationMs: 600_000,
      maxRequests: n,
      expectStatus: 201,
    })
    done += r.completed - r.errors
    errors += r.errors
    firstError ??= r.firstError
    busyMs += r.elapsedMs
    const mem = target.memory()
    samples.push({ registrations: done, rssMb: Math.round(mem?.rssMb ?? Number.NaN) })
    console.log(
      `${kind}: ${done} registered, ${errors} errors, RSS ${mem?.rssMb.toFixed(0)} MB (peak ${mem?.hwmMb.toFixed(0)} MB)`,
    )
  }
  const mem = await target.stop()
  results[kind] = {
    registered: done,
    errors,
    ...(firstError ? { firstError } : {}),
    rpsWhileLoading: Math.round(done / (busyMs / 1000)),
    wallSeconds: Math.round((performance.now() - started) / 1000),
    rssAfterMb: Math.round(mem?.rssMb ?? Number.NaN),
    peakRssMb: Math.round(mem?.hwmMb ?? Number.NaN),
    samples,
  }
}

try {
  await fill('ours', await startOurs(pki, agent, { port: portBase + 1, format: 'opaque' }))
  if (args.has('peer')) await fill('peer', await startPeer(pki, agent, portBase, 'opaque'))
} finally {
  await loadgen.stop()
  await agent.close()
}

const ours = results.ours as { peakRssMb: number; rssAfterMb: number; errors: number }
const pass = ours.peakRssMb < 200 && ours.errors === 0
console.log(
  `\nours after ${count.toLocaleString('en-GB')} registrations: RSS ${ours.rssAfterMb} MB, peak ${ours.peakRssMb} MB ` +
    `(target < 200 MB): ${pass ? 'pass' : 'MISS'}`,
)
mkdirSync(path.join(repoRoot, 'reports'), { recursive: true })
writeFileSync(path.join(repoRoot, 'reports', 'bench-memory.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log('wrote reports/bench-memory.json')
