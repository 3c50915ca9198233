/**
 * Turning measurements into the summary: medians per cell, ours / peer ratios, the targets of the
 * issue, and the console and Markdown tables.
 */

import type { CeilingResult } from './ceiling.ts'
import type { JobResult, ServerKind, TokenFormat } from './common.ts'
import { median } from './common.ts'
import { SCENARIOS, type ScenarioId } from './servers.ts'

export interface Measurement {
  format: TokenFormat
  scenario: ScenarioId
  server: ServerKind
  concurrency: number
  round: number
  result: JobResult
}

export interface CellSide {
  rounds: number
  rps: number
  p50Ms: number
  p99Ms: number
  errors: number
  /** Server CPU time per successful request (µs), median: steadier than rps when other work shares the machine. */
  cpuUsPerReq: number
  /** rps of each round, to show the spread. */
  rpsRounds: number[]
}

export interface Cell {
  format: TokenFormat
  scenario: ScenarioId
  concurrency: number
  ours?: CellSide
  peer?: CellSide
  /**
   * ours / peer: the median of the per-round ratios (each round measures the two back to back, so
   * they share whatever else the machine was doing); the ratio of the medians when rounds do not pair.
   */
  ratio?: number
}

export interface TargetCheck {
  name: string
  expected: string
  actual: string
  pass: boolean | null
}

function side(ms: Measurement[]): CellSide | undefined {
  if (ms.length === 0) return undefined
  return {
    rounds: ms.length,
    rps: median(ms.map(m => m.result.rps)),
    p50Ms: median(ms.map(m => m.result.p50Ms)),
    p99Ms: median(ms.map(m => m.result.p99Ms)),
    errors: ms.reduce((n, m) => n + m.result.errors, 0),
    cpuUsPerReq: median(
      ms.map(m =>
        m.result.serverCpuMs === undefined
          ? Number.NaN
          : (m.result.serverCpuMs * 1000) / Math.max(1, m.result.completed - m.result.errors),
      ),
    ),
    rpsRounds: [...ms].sort((a, b) => a.round - b.round).map(m => m.result.rps),
  }
}

/** Groups measurements into cells (format × scenario × concurrency) with medians and ratios. */
export function summarise(measurements: Measurement[]): Cell[] {
  const keys = new Map<string, Cell>()
  for (const m of measurements) {
    const key = `${m.format}|${m.scenario}|${m.concurrency}`
    if (!keys.has(key)) keys.set(key, { format: m.format, scenario: m.scenario, concurrency: m.concurrency })
  }
  return [...keys.values()].map(cell => {
    const of = (server: ServerKind) =>
      side(
        measurements.filter(
          m =>
            m.server === server &&
            m.format === cell.format &&
            m.scenario === cell.scenario &&
            m.concurrency === cell.concurrency,
        ),
      )
    const ours = of('ours')
    const peer = of('peer')
    let ratio: number | undefined
    if (ours && peer) {
      const paired = ours.rpsRounds.length === peer.rpsRounds.length
      ratio = paired ? median(ours.rpsRounds.map((o, i) => o / (peer.rpsRounds[i] as number))) : ours.rps / peer.rps
      if (!Number.isFinite(ratio)) ratio = undefined
    }
    return {
      ...cell,
      ...(ours ? { ours } : {}),
      ...(peer ? { peer } : {}),
      ...(ratio === undefined ? {} : { ratio }),
    }
  })
}

/** The issue's targets, checked at concurrency 16 with the same token format on both sides. */
export function checkTargets(cells: Cell[], oursRss100k?: number): TargetCheck[] {
  const out: TargetCheck[] = []
  for (const c of cells.filter(c => c.concurrency === 16)) {
    const label = `${SCENARIOS[c.scenario].title}${c.scenario.startsWith('token') ? ` (${c.format})` : ''}`
    const min = c.scenario.startsWith('token') ? 1.5 : c.scenario === 'register' ? 1.0 : undefined
    if (min !== undefined) {
      out.push({
        name: `${label}: rps ours/peer at c=16`,
        expected: `≥ ${min.toFixed(1)}×`,
        actual: c.ratio === undefined ? 'not measured' : `${c.ratio.toFixed(2)}×`,
        pass: c.ratio === undefined ? null : c.ratio >= min,
      })
    }
    out.push({
      name: `${label}: p99 at c=16`,
      expected: 'ours ≤ peer',
      actual: c.ours && c.peer ? `${c.ours.p99Ms.toFixed(1)} ms vs ${c.peer.p99Ms.toFixed(1)} ms` : 'not measured',
      pass: c.ours && c.peer ? c.ours.p99Ms <= c.peer.p99Ms : null,
    })
  }
  out.push({
    name: 'our RSS after 100,000 registrations',
    expected: '< 200 MB',
    actual: oursRss100k === undefined ? 'not measured yet (npm run bench:memory)' : `peak ${oursRss100k.toFixed(0)} MB`,
    pass: oursRss100k === undefined ? null : oursRss100k < 200,
  })
  return out
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits })

function row(c: Cell): string[] {
  const lat = (s?: CellSide) => (s ? `${fmt(s.p50Ms, 2)} / ${fmt(s.p99Ms, 2)}` : '–')
  return [
    SCENARIOS[c.scenario].title,
    c.scenario.startsWith('token') || c.scenario === 'get-register' ? c.format : '–',
    String(c.concurrency),
    fmt(c.ours?.rps),
    fmt(c.peer?.rps),
    c.ratio === undefined ? '–' : `${c.ratio.toFixed(2)}×`,
    lat(c.ours),
    lat(c.peer),
    `${fmt(c.ours?.cpuUsPerReq)} / ${fmt(c.peer?.cpuUsPerReq)}`,
    `${c.ours?.errors ?? '–'} / ${c.peer?.errors ?? '–'}`,
  ]
}

const HEAD = [
  'scenario',
  'tokens',
  'c',
  'ours rps',
  'peer rps',
  'ours/peer',
  'ours p50 / p99 ms',
  'peer p50 / p99 ms',
  'server CPU µs/req ours / peer',
  'errors ours / peer',
]

/** A plain-text table for the console. */
export function consoleTable(cells: Cell[]): string {
  const rows = [HEAD, ...cells.map(row)]
  const widths = HEAD.map((_, i) => Math.max(...rows.map(r => (r[i] as string).length)))
  return rows
    .map(r => r.map((v, i) => (i < 3 ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join('  '))
    .join('\n')
}

export interface Report {
  meta: Record<string, unknown>
  ceiling?: CeilingResult
  floor?: { concurrency: number; rps: number; rounds: { rps: number; p50Ms: number; p99Ms: number }[] }
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
      `${String(m.rounds)} round(s) of ${String(m.durationMs)} ms per cell, ours and peer alternating; medians shown`,
    '',
  )
  lines.push(`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`)
  for (const c of report.cells) lines.push(`| ${row(c).join(' | ')} |`)
  lines.push('', '## Targets', '', '| target | expected | measured | result |', '| --- | --- | --- | --- |')
  for (const t of report.targets) {
    lines.push(
      `| ${t.name} | ${t.expected} | ${t.actual} | ${t.pass === null ? 'n/a' : t.pass ? 'pass' : '**miss**'} |`,
    )
  }
  if (report.ceiling) {
    const c = report.ceiling
    lines.push(
      '',
      '## Machine ceiling (PS256, RSA-2048, one core)',
      '',
      '| library | signs/s | verifies/s |',
      '| --- | ---: | ---: |',
      `| node:crypto | ${fmt(c.nodeCrypto.signPerSec)} | ${fmt(c.nodeCrypto.verifyPerSec)} |`,
      `| jose (WebCrypto, ${c.jose.inFlight} in flight) | ${fmt(c.jose.signPerSec)} | ${fmt(c.jose.verifyPerSec)} |`,
      '',
      c.pinned
        ? 'Measured pinned to one CPU with `taskset -c 0`.'
        : 'Not pinned (taskset missing): jose may use more than one core.',
    )
  }
  if (report.floor) {
    lines.push(
      '',
      '## Transport floor',
      '',
      `A bare node:https server with the same mutual-TLS settings, answering a small JSON body: ` +
        `${fmt(report.floor.rps)} requests/s at concurrency ${report.floor.concurrency} (rounds: ` +
        `${report.floor.rounds.map(r => fmt(r.rps)).join(', ')}). It bounds what either server can reach with this client on this machine.`,
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
