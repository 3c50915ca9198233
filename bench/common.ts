/**
 * Shared pieces of the benchmark: the scenario names, the job a load generator runs, its result,
 * the mutual-TLS client material, statistics helpers and a tiny mTLS HTTP client for set-up calls.
 */
import { readFileSync } from 'node:fs'
import type https from 'node:https'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, type Dispatcher, request } from 'undici'
import type { Pki } from '../keys/pki.ts'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export type TokenFormat = 'opaque' | 'jwt'
export type ServerKind = 'ours' | 'peer'

/** What one request of a measurement is; every body that needs a signature is built before the timed window. */
export type Recipe =
  /** OB DCR: `POST /register`, compact JWS signed by the TPP, with an SSA; a fresh `jti` per request. */
  | { kind: 'register-ob'; path: string; tpp: string; ssa: string; aud: string }
  /** RFC 7591: `POST` of the client metadata as JSON (the same body every time). */
  | { kind: 'register-json'; path: string; body: Record<string, unknown> }
  /** client_credentials with `private_key_jwt`: a pre-signed assertion (fresh `jti`) per request. */
  | {
      kind: 'token-pkjwt'
      path: string
      tpp: string
      clientId: string
      aud: string
      scope: string
      extra?: Record<string, string>
    }
  /** client_credentials with `tls_client_auth`: the transport certificate authenticates; the body names the client. */
  | { kind: 'token-tls'; path: string; clientId: string; scope: string; extra?: Record<string, string> }
  /** RFC 7592 read: `GET /register/:id` with a Bearer token. */
  | { kind: 'get'; path: string; bearer: string }

export interface Job {
  /** `https://localhost:port` */
  origin: string
  recipe: Recipe
  concurrency: number
  durationMs: number
  /** Upper bound on requests; also the number of bodies built beforehand. */
  maxRequests: number
  /** Status that counts as success. */
  expectStatus: number
  /** The server's process id, to read its CPU time around the timed window. */
  serverPid?: number
  /**
   * Before the clock starts, wait until these processes (every server of the run) are idle, or
   * `maxMs`: what the previous window left them doing (a full collection, a WAL checkpoint)
   * would otherwise land in this one.
   */
  quiet?: { pids: number[]; maxMs: number }
}

export interface JobResult {
  completed: number
  errors: number
  /** Error count by status (or `net:<code>` for transport errors). */
  errorKinds: Record<string, number>
  firstError?: string
  elapsedMs: number
  rps: number
  p50Ms: number
  p99Ms: number
  /** Time spent building (and signing) the bodies before the timed window. */
  prepareMs: number
  /** CPU time the load generator used in the timed window. */
  loadgenCpuMs: number
  /** How long the load generator waited for the servers to go quiet before the clock (`quiet`). */
  quietMs?: number
  /** CPU time the server used in the timed window (when the job names its pid). */
  serverCpuMs?: number
}

/** Paths of the mutual-TLS material every client of the benchmark presents. */
export interface TlsFiles {
  certPath: string
  keyPath: string
  caPath: string
}

/** The TPP transport certificate (alpha) and the directory CA, as the load generator presents them. */
export function clientTls(pki: Pki, tpp = 'alpha'): TlsFiles {
  const t = pki.tpps[tpp]
  if (!t) throw new Error(`bench: no TPP ${tpp} in the PKI`)
  return { certPath: t.transport.certPath, keyPath: t.transport.keyPath, caPath: pki.ca.certPath }
}

/**
 * The server side of the benchmark's mutual TLS, one definition for the peer and the transport
 * floor: the test server certificate, a client certificate requested and checked by the
 * application (as our bank does), keep-alive 30 s.
 */
export function serverTls(pki: Pki): https.ServerOptions {
  return {
    key: readFileSync(pki.server.keyPath),
    cert: readFileSync(pki.server.certPath),
    ca: readFileSync(pki.ca.certPath),
    requestCert: true,
    rejectUnauthorized: false,
    keepAliveTimeout: 30_000,
  }
}

/** An undici dispatcher that presents the client certificate, trusts the test CA and keeps connections alive. */
export function mtlsAgent(tls: TlsFiles, connections: number): Agent {
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: {
      cert: readFileSync(tls.certPath),
      key: readFileSync(tls.keyPath),
      ca: readFileSync(tls.caPath),
      servername: 'localhost',
    },
  })
}

export interface SimpleResponse {
  status: number
  text: string
  json: <T = Record<string, unknown>>() => T
}

/** One request over mutual TLS (set-up calls, not measured). */
export async function call(
  dispatcher: Dispatcher,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SimpleResponse> {
  const res = await request(url, {
    dispatcher,
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: init.headers,
    body: init.body,
  })
  const text = await res.body.text()
  return { status: res.statusCode, text, json: <T>() => JSON.parse(text) as T }
}

/** The `q`-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i] as number
}

/** The median of some numbers (mean of the middle two when even); NaN for none. */
export function median(values: number[]): number {
  const v = values.filter(x => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return Number.NaN
  const mid = v.length >> 1
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2
}

/** Resident set size and its peak (kB → MB) of a process, from /proc; null once it has gone. */
export function procMemory(pid: number): { rssMb: number; hwmMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN)
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 }
  } catch {
    return null
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms; null once it has gone. */
export function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
  } catch {
    return null
  }
}
/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100

/** Processes are quiet when together they used at most one clock tick (10 ms) in 100 ms: 10 % of a core. */
const QUIET_STEP_MS = 100
const QUIET_CPU_MS = 1000 / CLOCK_TICKS

/** Waits until `pids` are quiet (or `maxMs` passed); returns how long it waited. */
export async function waitQuiet(pids: number[], maxMs: number): Promise<number> {
  const start = performance.now()
  const total = () => pids.reduce((sum, pid) => sum + (procCpuMs(pid) ?? 0), 0)
  let before = total()
  while (performance.now() - start < maxMs) {
    await new Promise(r => setTimeout(r, QUIET_STEP_MS))
    const now = total()
    if (now - before <= QUIET_CPU_MS) break
    before = now
  }
  return performance.now() - start
}

/** Parses `--name value` and `--flag` arguments. */
export function parseArgs(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (!a.startsWith('--')) continue
    const eq = a.indexOf('=')
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1))
    else if (argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('--'))
      out.set(a.slice(2), argv[++i] as string)
    else out.set(a.slice(2), true)
  }
  return out
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
