/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`, e.g. `npm run bench -- --cpu-prof`) and prints
 * where the time went: self time per function and per module (a project file or an npm package),
 * and inclusive time of the project's own functions.
 *
 * Usage: `node --import tsx bench/profile_summary.ts <file.cpuprofile> [--top 25]`
 */
import { readFileSync } from 'node:fs'
import { parseArgs, repoRoot } from './common.ts'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** `pkg` for node_modules files, the repo-relative path for ours, `node:` internals, or the V8 pseudo-frame. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] as string)
  }
  if (url.startsWith('node:')) return url
  return url.replace(`file://${repoRoot}/`, '')
}

export interface ProfileSummary {
  totalMs: number
  idleMs: number
  byFunction: { name: string; selfMs: number }[]
  byModule: { name: string; selfMs: number }[]
  ownInclusive: { name: string; totalMs: number }[]
}

export function summariseProfile(profile: Profile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  }
  const fn = new Map<string, number>()
  const mod = new Map<string, number>()
  const own = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const [id, ms] of self) {
    const n = byId.get(id) as ProfileNode
    const { functionName, url, lineNumber } = n.callFrame
    total += ms
    if (functionName === '(idle)') idle += ms
    const m = moduleOf(url, functionName)
    const key = `${functionName || '(anonymous)'} ${m}${url ? `:${lineNumber + 1}` : ''}`
    fn.set(key, (fn.get(key) ?? 0) + ms)
    mod.set(m, (mod.get(m) ?? 0) + ms)
    // Inclusive time of our own functions: charge each distinct own frame on the stack once.
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = (byId.get(cur) as ProfileNode).callFrame
      if (!f.url.includes(repoRoot) || f.url.includes('node_modules')) continue
      const k = `${f.functionName || '(anonymous)'} ${moduleOf(f.url, f.functionName)}:${f.lineNumber + 1}`
      if (seen.has(k)) continue
      seen.add(k)
      own.set(k, (own.get(k) ?? 0) + ms)
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
  return {
    totalMs: total,
    idleMs: idle,
    byFunction: sorted(fn).map(([name, selfMs]) => ({ name, selfMs })),
    byModule: sorted(mod).map(([name, selfMs]) => ({ name, selfMs })),
    ownInclusive: sorted(own).map(([name, totalMs]) => ({ name, totalMs })),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2))
  const file = process.argv.slice(2).find(a => !a.startsWith('--') && a.endsWith('.cpuprofile'))
  if (!file) throw new Error('usage: profile_summary.ts <file.cpuprofile> [--top N]')
  const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(args.get('top') ?? 25))
  const busy = s.totalMs - s.idleMs
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)}%`
  console.log(
    `${file}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (percentages of busy)`,
  )
  console.log('\nself time by module:')
  for (const m of s.byModule) console.log(`  ${pct(m.selfMs)}  ${m.name}`)
  console.log('\nself time by function:')
  for (const f of s.byFunction) console.log(`  ${pct(f.selfMs)}  ${f.name}`)
  console.log('\ninclusive time of our own functions:')
  for (const f of s.ownInclusive) console.log(`  ${pct(f.totalMs)}  ${f.name}`)
}
