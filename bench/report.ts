/**
 * Turning measurements into the summary: per cell (format × scenario × concurrency) each side's
 * medians, the ours / peer ratios with their 95 % intervals (rps, server CPU per request, p99),
 * the floor physics allows and each side's fraction of it; the issue's targets with a verdict
 * (pass / miss / undecided); the console and Markdown tables.
 */

import type { CeilingResult } from './ceiling.ts'
import type { JobResult, ServerKind, TokenFormat } from './common.ts'
import { median } from './common.ts'
import { SCENARIOS, type ScenarioId } from './servers.ts'
import { type Interval, pairedRatios, ratioInterval, type Verdict, verdictAtLeast, verdictAtMost } from './stats.ts'

export interface Measurement {
  format: TokenFormat
  scenario: ScenarioId
  server: ServerKind
  concurrency: number
  /** The sweep this window belongs to: ours and the peer of one cell share it (paired). */
  round: number
  result: JobResult
}

/** A window against the transport floor (the bare HTTPS server) at one concurrency. */
export interface FloorMeasurement {
  concurrency: number
  round: number
  result: JobResult
}

/** Server CPU time per successful request, µs (NaN when the server's CPU was not read). */
export function cpuPerRequest(r: JobResult): number {
  return r.serverCpuMs === undefined ? Number.NaN : (r.serverCpuMs * 1000) / Math.max(1, r.completed - r.errors)
}

export interface RoundFigures {
  round: number
  rps: number
  cpuUs: number
  p99Ms: number
}

export interface CellSide {
  rounds: number
  rps: number
  p50Ms: number
  p99Ms: number
  errors: number
  /** Server CPU time per successful request (µs), median of the rounds. */
  cpuUsPerReq: number
  byRound: RoundFigures[]
}

/** ours / peer, each with its 95 % interval over the paired rounds. */
export interface CellRatios {
  /** ours rps / peer rps: above 1, ours serves more. */
  rps?: Interval
  /** peer CPU per request / ours: above 1, ours spends less CPU on a request. */
  cpu?: Interval
  /** peer p99 / ours p99: at or above 1, ours answers its slowest 1 % at least as fast. */
  p99?: Interval
}

/** The PS256 operations a request of a scenario must do (each a fresh signature over new bytes). */
export interface CryptoWork {
  signs: number
  verifies: number
}

/** The least one side could do in a cell on this machine, and how close it came. */
export interface SideFloor extends CryptoWork {
  /** The crypto priced at the ceiling's CPU time per operation, µs. */
  cryptoUs: number
  /** The transport floor's server CPU per request plus the crypto, µs. */
  cpuUsPerReq: number
  /** The transport floor's rate with the crypto added, spread over min(concurrency, cores) cores. */
  rps: number
  /** This side's rps / the floor's: 1 = at the limit. */
  rpsFraction: number
  /** The floor's CPU per request / this side's: 1 = at the limit. */
  cpuFraction: number
}

export interface CellFloor {
  /** The bare HTTPS server at this concurrency, medians of its rounds. */
  transport: { rps: number; cpuUsPerReq: number; rounds: number }
  ours?: SideFloor
  peer?: SideFloor
}

export interface Cell {
  format: TokenFormat
  scenario: ScenarioId
  concurrency: number
  ours?: CellSide
  peer?: CellSide
  ratios: CellRatios
  floor?: CellFloor
  /** The targets this cell carries, with their intervals and verdicts (`cellTargets`). */
  targets?: TargetCheck[]
}

export interface TargetCheck {
  name: string
  /** What the target asks, in words (`≥ 1.5×`). */
  expected: string
  /** The estimate and its interval, in words. */
  actual: string
  interval?: Interval
  verdict: Verdict
}

function side(ms: Measurement[]): CellSide | undefined {
  if (ms.length === 0) return undefined
  const byRound = [...ms]
    .sort((a, b) => a.round - b.round)
    .map(m => ({ round: m.round, rps: m.result.rps, cpuUs: cpuPerRequest(m.result), p99Ms: m.result.p99Ms }))
  return {
    rounds: ms.length,
    rps: median(ms.map(m => m.result.rps)),
    p50Ms: median(ms.map(m => m.result.p50Ms)),
    p99Ms: median(ms.map(m => m.result.p99Ms)),
    errors: ms.reduce((n, m) => n + m.result.errors, 0),
    cpuUsPerReq: median(byRound.map(r => r.cpuUs)),
    byRound,
  }
}

const series = (s: CellSide | undefined, pick: (r: RoundFigures) => number) =>
  new Map((s?.byRound ?? []).map(r => [r.round, pick(r)] as const))

/** The three ratios of a cell over its paired rounds. */
export function cellRatios(ours: CellSide | undefined, peer: CellSide | undefined): CellRatios {
  if (!ours || !peer) return {}
  const interval = (top: Map<number, number>, bottom: Map<number, number>) =>
    ratioInterval(pairedRatios(top, bottom).map(p => p.ratio))
  const rps = interval(
    series(ours, r => r.rps),
    series(peer, r => r.rps),
  )
  const cpu = interval(
    series(peer, r => r.cpuUs),
    series(ours, r => r.cpuUs),
  )
  const p99 = interval(
    series(peer, r => r.p99Ms),
    series(ours, r => r.p99Ms),
  )
  return { ...(rps ? { rps } : {}), ...(cpu ? { cpu } : {}), ...(p99 ? { p99 } : {}) }
}

const cellKey = (m: { format: TokenFormat; scenario: ScenarioId; concurrency: number }) =>
  `${m.format}|${m.scenario}|${m.concurrency}`

/** Groups measurements into cells (format × scenario × concurrency) with medians and ratios. */
export function summarise(measurements: Measurement[]): Cell[] {
  const groups = new Map<string, Measurement[]>()
  for (const m of measurements) {
    const k = cellKey(m)
    groups.set(k, [...(groups.get(k) ?? []), m])
  }
  return [...groups.values()].map(ms => {
    const { format, scenario, concurrency } = ms[0] as Measurement
    const ours = side(ms.filter(m => m.server === 'ours'))
    const peer = side(ms.filter(m => m.server === 'peer'))
    return {
      format,
      scenario,
      concurrency,
      ...(ours ? { ours } : {}),
      ...(peer ? { peer } : {}),
      ratios: cellRatios(ours, peer),
    }
  })
}

/**
 * The PS256 operations a request must do. Registration (ours): the request's signature, new bytes
 * every time; its SSA is the same bytes for every registration of a software, so one verification
 * serves them all (ours caches it) and it is not counted. The peer's registration is unsigned JSON.
 * A private_key_jwt token: the assertion's signature. A JWT access token: its signature.
 */
export function cryptoWork(scenario: ScenarioId, format: TokenFormat, server: ServerKind): CryptoWork {
  const verifies = scenario === 'token-pkjwt' || (scenario === 'register' && server === 'ours') ? 1 : 0
  const signs = scenario.startsWith('token') && format === 'jwt' ? 1 : 0
  return { signs, verifies }
}

/** CPU µs of one PS256 signature and one verification on this machine (node:crypto, the ceiling). */
export interface CryptoPrice {
  signUs: number
  verifyUs: number
}

/** The cheapest price the ceiling measured in this run (a busy moment only makes an operation dearer). */
export function cryptoPrice(ceilings: CeilingResult[]): CryptoPrice | undefined {
  if (ceilings.length === 0) return undefined
  return {
    signUs: Math.min(...ceilings.map(c => c.nodeCrypto.signCpuUs)),
    verifyUs: Math.min(...ceilings.map(c => c.nodeCrypto.verifyCpuUs)),
  }
}

/**
 * The floor of each cell: the transport floor at the cell's concurrency (a bare node:https server
 * with the same mutual TLS, same client) plus the crypto its requests must do, priced at the
 * ceiling's CPU time per operation. CPU per request: transport + crypto. Rate: the transport
 * floor's, each request taking crypto µs more, spread over min(concurrency, cores) cores.
 */
export function withFloors(
  cells: Cell[],
  floorRuns: FloorMeasurement[],
  price: CryptoPrice | undefined,
  cores: number,
): Cell[] {
  if (!price || floorRuns.length === 0) return cells
  return cells.map(cell => {
    const runs = floorRuns.filter(f => f.concurrency === cell.concurrency)
    if (runs.length === 0) return cell
    const transport = {
      rps: median(runs.map(r => r.result.rps)),
      cpuUsPerReq: median(runs.map(r => cpuPerRequest(r.result))),
      rounds: runs.length,
    }
    const floorOf = (server: ServerKind, s: CellSide | undefined): SideFloor | undefined => {
      if (!s) return undefined
      const work = cryptoWork(cell.scenario, cell.format, server)
      const cryptoUs = work.signs * price.signUs + work.verifies * price.verifyUs
      const cpuUsPerReq = transport.cpuUsPerReq + cryptoUs
      const parallel = Math.max(1, Math.min(cell.concurrency, cores))
      const rps = 1 / (1 / transport.rps + cryptoUs / 1e6 / parallel)
      return {
        ...work,
        cryptoUs,
        cpuUsPerReq,
        rps,
        rpsFraction: s.rps / rps,
        cpuFraction: cpuUsPerReq / s.cpuUsPerReq,
      }
    }
    const ours = floorOf('ours', cell.ours)
    const peer = floorOf('peer', cell.peer)
    return { ...cell, floor: { transport, ...(ours ? { ours } : {}), ...(peer ? { peer } : {}) } }
  })
}

const times = (x: number) => `${x.toFixed(2)}×`
/** `1.62× [1.55–1.70]` */
export function intervalText(i: Interval | undefined, unit = times): string {
  if (!i) return 'not measured'
  if (i.n < 2) return `${unit(i.estimate)} (one round: no interval)`
  return `${unit(i.estimate)} [${unit(i.lo)}–${unit(i.hi)}]`
}

const label = (c: Cell) => `${SCENARIOS[c.scenario].title}${c.scenario.startsWith('token') ? ` (${c.format})` : ''}`

/** What the issue asks of each scenario at concurrency 16: rps and CPU per request, ours over the peer. */
export function minimumRatio(scenario: ScenarioId): number | undefined {
  if (scenario.startsWith('token')) return 1.5
  if (scenario === 'register') return 1.0
  return undefined
}

/**
 * A JWT access token's work beyond its signature, over an opaque token's whole cost (ours, same
 * auth method, c=16): (CPU per JWT request − one signature) / CPU per opaque request, per round
 * (both cells are measured in every sweep), with its interval. At most 1 is the target.
 */
export function jwtOverhead(cells: Cell[], signUs: number, scenario: ScenarioId): Interval | undefined {
  const at = (format: TokenFormat) =>
    cells.find(c => c.scenario === scenario && c.format === format && c.concurrency === 16)?.ours
  const jwt = at('jwt')
  const opaque = at('opaque')
  if (!jwt || !opaque) return undefined
  const beyond = new Map(jwt.byRound.map(r => [r.round, r.cpuUs - signUs] as const))
  return ratioInterval(
    pairedRatios(
      beyond,
      series(opaque, r => r.cpuUs),
    ).map(p => p.ratio),
  )
}

/**
 * The issue's targets a cell carries, each with its interval and verdict: at concurrency 16, rps
 * and CPU per request ours over the peer (registration, token cells), p99 (every scenario), and
 * for a JWT token cell the work beyond its signature over the opaque token's whole cost (ours,
 * same auth method). Other concurrencies carry none.
 */
export function cellTargets(c: Cell, cells: Cell[], price?: CryptoPrice): TargetCheck[] {
  if (c.concurrency !== 16) return []
  const out: TargetCheck[] = []
  const min = minimumRatio(c.scenario)
  if (min !== undefined) {
    out.push({
      name: `${label(c)}: rps ours/peer`,
      expected: `≥ ${min.toFixed(1)}×`,
      actual: intervalText(c.ratios.rps),
      ...(c.ratios.rps ? { interval: c.ratios.rps } : {}),
      verdict: verdictAtLeast(c.ratios.rps, min),
    })
    out.push({
      name: `${label(c)}: server CPU per request, peer/ours`,
      expected: `≥ ${min.toFixed(1)}×`,
      actual: `${intervalText(c.ratios.cpu)} (${fmt(c.ours?.cpuUsPerReq)} vs ${fmt(c.peer?.cpuUsPerReq)} µs)`,
      ...(c.ratios.cpu ? { interval: c.ratios.cpu } : {}),
      verdict: verdictAtLeast(c.ratios.cpu, min),
    })
  }
  out.push({
    name: `${label(c)}: p99, peer/ours`,
    expected: '≥ 1.0× (ours ≤ peer)',
    actual: `${intervalText(c.ratios.p99)} (${fmt(c.ours?.p99Ms, 1)} vs ${fmt(c.peer?.p99Ms, 1)} ms)`,
    ...(c.ratios.p99 ? { interval: c.ratios.p99 } : {}),
    verdict: verdictAtLeast(c.ratios.p99, 1),
  })
  const i = price && c.format === 'jwt' ? jwtOverhead(cells, price.signUs, c.scenario) : undefined
  if (price && i) {
    out.push({
      name: `${SCENARIOS[c.scenario].title}: JWT token's work beyond its signature / opaque token's whole cost (ours)`,
      expected: '≤ 1.0×',
      actual: `${intervalText(i)} (signature ${fmt(price.signUs)} µs)`,
      interval: i,
      verdict: verdictAtMost(i, 1),
    })
  }
  return out
}

/** Every cell with the targets it carries (`cellTargets`). */
export function withTargets(cells: Cell[], price?: CryptoPrice): Cell[] {
  return cells.map(c => ({ ...c, targets: cellTargets(c, cells, price) }))
}

/** The issue's targets: every cell's (at concurrency 16), then the memory target, each with its verdict. */
export function checkTargets(cells: Cell[], extra: { oursRss100k?: number; price?: CryptoPrice } = {}): TargetCheck[] {
  return [
    ...cells.flatMap(c => cellTargets(c, cells, extra.price)),
    {
      name: 'our RSS after 100,000 registrations',
      expected: '< 200 MB',
      actual:
        extra.oursRss100k === undefined
          ? 'not measured yet (npm run bench:memory)'
          : `peak ${extra.oursRss100k.toFixed(0)} MB`,
      verdict: extra.oursRss100k === undefined ? 'n/a' : extra.oursRss100k < 200 ? 'pass' : 'miss',
    },
  ]
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits })

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(0)} %`)

function row(c: Cell): string[] {
  return [
    SCENARIOS[c.scenario].title,
    c.scenario.startsWith('token') ? c.format : '–',
    String(c.concurrency),
    `${fmt(c.ours?.rps)} / ${fmt(c.peer?.rps)}`,
    c.ratios.rps ? intervalText(c.ratios.rps) : '–',
    `${fmt(c.ours?.cpuUsPerReq)} / ${fmt(c.peer?.cpuUsPerReq)}`,
    c.ratios.cpu ? intervalText(c.ratios.cpu) : '–',
    `${fmt(c.ours?.p99Ms, 1)} / ${fmt(c.peer?.p99Ms, 1)}`,
    `${c.ours?.rounds ?? 0} / ${c.peer?.rounds ?? 0}`,
    `${pct(c.floor?.ours?.rpsFraction)} / ${pct(c.floor?.ours?.cpuFraction)}`,
    `${c.ours?.errors ?? '–'} / ${c.peer?.errors ?? '–'}`,
  ]
}

const HEAD = [
  'scenario',
  'tokens',
  'c',
  'rps ours / peer',
  'rps ours/peer [95 %]',
  'CPU µs/req ours / peer',
  'CPU peer/ours [95 %]',
  'p99 ms ours / peer',
  'rounds',
  'ours of floor rps / CPU',
  'errors',
]

/** A plain-text table for the console. */
export function consoleTable(cells: Cell[]): string {
  const rows = [HEAD, ...cells.map(row)]
  const widths = HEAD.map((_, i) => Math.max(...rows.map(r => (r[i] as string).length)))
  return rows
    .map(r => r.map((v, i) => (i < 3 ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join('  '))
    .join('\n')
}

export const verdictWord = (v: Verdict) =>
  v === 'pass' ? 'pass' : v === 'miss' ? 'MISS' : v === 'undecided' ? 'undecided' : 'n/a'

export interface Report {
  meta: Record<string, unknown>
  ceilings: CeilingResult[]
  price?: CryptoPrice
  memory: Record<string, unknown>
  cells: Cell[]
  targets: TargetCheck[]
  notes: string[]
}

/** The Markdown report. */
export function markdown(report: Report): string {
  const lines: string[] = []
  const m = report.meta
  lines.push('# Benchmark: our bank vs oidc-provider', '')
  lines.push(
    `${String(m.date)} · node ${String(m.node)} · ${String(m.cores)} cores (${String(m.cpu)}) · oidc-provider ${String(m.oidcProvider)} · ` +
      `windows of ${String(m.durationMs)} ms, at least ${String(m.minRounds)} rounds per cell (up to ${String(m.maxRounds)} while an interval is wider than ±${String(m.precisionPct)} %), ` +
      `ours and the peer back to back, order alternating · ${String(m.wallSeconds)} s · 1-minute load average ${JSON.stringify(m.loadAverageBefore)} before, ${JSON.stringify(m.loadAverageAfter)} after`,
    '',
    'Ratios are geometric means of the per-round ratios with their 95 % interval (Student t on the log ratios). ' +
      'A target passes when its whole interval meets it, misses when its whole interval falls short, and is undecided otherwise.',
    '',
  )
  lines.push(`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`)
  for (const c of report.cells) lines.push(`| ${row(c).join(' | ')} |`)
  lines.push(
    '',
    '## Targets (c=16)',
    '',
    '| target | expected | measured [95 %] | verdict |',
    '| --- | --- | --- | --- |',
  )
  for (const t of report.targets) {
    const v = verdictWord(t.verdict)
    lines.push(`| ${t.name} | ${t.expected} | ${t.actual} | ${t.verdict === 'miss' ? `**${v}**` : v} |`)
  }
  if (report.price) {
    lines.push(
      '',
      '## Distance to the limit',
      '',
      `The floor of a cell: the transport floor at its concurrency (a bare node:https server, same mutual TLS, same client, measured in every sweep) ` +
        `plus the PS256 work each request must do, priced at the ceiling's CPU time per operation in this run: ` +
        `one signature ${fmt(report.price.signUs)} µs, one verification ${fmt(report.price.verifyUs)} µs (node:crypto, one core). ` +
        'CPU per request: transport + crypto. Rate: the transport floor with each request taking the crypto time more, spread over min(c, cores) cores. ' +
        'A fraction of 100 % is the limit.',
      '',
      '| scenario | tokens | c | crypto (sign / verify) | transport rps / CPU µs | floor rps / CPU µs (ours) | ours: of floor rps / of floor CPU | peer: of floor rps / of floor CPU |',
      '| --- | --- | --- | --- | ---: | ---: | ---: | ---: |',
    )
    for (const c of report.cells) {
      const f = c.floor
      if (!f) continue
      lines.push(
        `| ${SCENARIOS[c.scenario].title} | ${c.scenario.startsWith('token') ? c.format : '–'} | ${c.concurrency} | ` +
          `${f.ours ? `${f.ours.signs} / ${f.ours.verifies}` : '–'} | ${fmt(f.transport.rps)} / ${fmt(f.transport.cpuUsPerReq)} | ` +
          `${fmt(f.ours?.rps)} / ${fmt(f.ours?.cpuUsPerReq)} | ${pct(f.ours?.rpsFraction)} / ${pct(f.ours?.cpuFraction)} | ` +
          `${pct(f.peer?.rpsFraction)} / ${pct(f.peer?.cpuFraction)} |`,
      )
    }
  }
  if (report.ceilings.length) {
    lines.push(
      '',
      '## Machine ceiling (PS256, RSA-2048, one core)',
      '',
      '| when | library | signs/s | verifies/s | CPU µs / sign | CPU µs / verify |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    )
    report.ceilings.forEach((c, i) => {
      const when = i === 0 ? 'start' : 'end'
      lines.push(
        `| ${when} | node:crypto | ${fmt(c.nodeCrypto.signPerSec)} | ${fmt(c.nodeCrypto.verifyPerSec)} | ${fmt(c.nodeCrypto.signCpuUs, 1)} | ${fmt(c.nodeCrypto.verifyCpuUs, 1)} |`,
        `| ${when} | jose (WebCrypto, ${c.jose.inFlight} in flight) | ${fmt(c.jose.signPerSec)} | ${fmt(c.jose.verifyPerSec)} | ${fmt(c.jose.signCpuUs, 1)} | ${fmt(c.jose.verifyCpuUs, 1)} |`,
      )
    })
    lines.push(
      '',
      report.ceilings[0]?.pinned
        ? 'Measured pinned to one CPU with `taskset -c 0`.'
        : 'Not pinned (taskset missing): jose may use more than one core.',
    )
  }
  lines.push('', '## Memory (peak RSS, VmHWM)', '')
  for (const [k, v] of Object.entries(report.memory)) lines.push(`- ${k}: ${JSON.stringify(v)}`)
  if (report.notes.length) {
    lines.push('', '## Notes', '')
    for (const n of report.notes) lines.push(`- ${n}`)
  }
  return `${lines.join('\n')}\n`
}
