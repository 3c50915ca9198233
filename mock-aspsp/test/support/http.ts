/**
 * A small HTTPS client for the robustness tests: one keep-alive agent per client certificate
 * (or none), every request bounded by a timeout, and raw TLS writes for requests Node's own
 * client refuses to send (CR/LF in header values, broken request lines).
 */
import { readFileSync } from 'node:fs'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import type { KeyCert, Pki } from '../../../keys/pki.ts'

export interface HttpResult {
  status: number
  headers: Record<string, string>
  body: Buffer
  /** Milliseconds from sending to the last byte. */
  ms: number
}

export interface RequestInput {
  method: string
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
  timeoutMs?: number
}

/** Thrown when a request gets no complete answer in time: the bank hangs. */
export class HangError extends Error {}

const lower = (h: Record<string, unknown>) => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v)
  }
  return out
}

/** An mTLS client of one bank with one (or no) client certificate. */
export class BankClient {
  readonly agent: https.Agent
  readonly url: URL

  constructor(
    base: string,
    pki: Pki,
    readonly cert: KeyCert | null,
  ) {
    this.url = new URL(base)
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: readFileSync(pki.ca.certPath),
      ...(cert ? { cert: readFileSync(cert.certPath), key: readFileSync(cert.keyPath) } : {}),
    })
  }

  request(input: RequestInput): Promise<HttpResult> {
    const started = performance.now()
    const timeoutMs = input.timeoutMs ?? 10_000
    const headers = { ...input.headers }
    // Node sends a GET/HEAD/DELETE body unframed unless told its length; unframed bodies are raw cases.
    if (input.body !== undefined && !Object.keys(headers).some(k => k.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(Buffer.byteLength(input.body))
    }
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: input.method,
          path: input.path,
          headers,
          servername: this.url.hostname,
        },
        res => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            clearTimeout(timer)
            resolve({
              status: res.statusCode ?? 0,
              headers: lower(res.headers),
              body: Buffer.concat(chunks),
              ms: performance.now() - started,
            })
          })
          res.on('error', fail)
        },
      )
      const timer = setTimeout(() => {
        req.destroy(new HangError(`no complete answer within ${timeoutMs} ms`))
      }, timeoutMs)
      function fail(e: Error) {
        clearTimeout(timer)
        reject(e)
      }
      req.on('error', fail)
      // Without it Nagle's algorithm holds a body written after its headers for a delayed ACK (~40 ms).
      req.on('socket', socket => socket.setNoDelay(true))
      req.end(input.body)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}

/**
 * Sends bytes over a fresh TLS connection, half-closes it, and reads until a complete response,
 * the server's close or the timeout. Parses status, headers and a body framed by
 * Content-Length or chunked encoding.
 */
export function rawRequest(
  base: string,
  pki: Pki,
  cert: KeyCert | null,
  bytes: Buffer,
  timeoutMs = 10_000,
): Promise<HttpResult> {
  const url = new URL(base)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port),
      servername: url.hostname,
      ca: readFileSync(pki.ca.certPath),
      ...(cert ? { cert: readFileSync(cert.certPath), key: readFileSync(cert.keyPath) } : {}),
    })
    const chunks: Buffer[] = []
    let settled = false
    const timer = setTimeout(() => {
      socket.destroy()
      // A parsed, complete answer on a connection the server keeps open is not a hang.
      const parsed = parseResponse(Buffer.concat(chunks), started)
      settle(parsed ? undefined : new HangError(`no complete answer within ${timeoutMs} ms`), parsed)
    }, timeoutMs)
    function settle(err: Error | undefined, res?: HttpResult) {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err || !res) reject(err ?? new Error('no response'))
      else resolve(res)
    }
    // Half-close after the request: a complete request is still answered, an incomplete one is
    // answered as such instead of leaving the server waiting for bytes that never come.
    socket.on('secureConnect', () => socket.end(bytes))
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      const parsed = parseResponse(Buffer.concat(chunks), started)
      if (parsed) {
        socket.destroy()
        settle(undefined, parsed)
      }
    })
    socket.on('end', () => {
      const all = Buffer.concat(chunks)
      const parsed = parseResponse(all, started, true)
      settle(parsed ? undefined : new Error(`connection closed after ${all.length} bytes without a response`), parsed)
    })
    socket.on('error', e => {
      const parsed = parseResponse(Buffer.concat(chunks), started, true)
      settle(parsed ? undefined : e, parsed)
    })
  })
}

/** A complete HTTP/1.1 response in `buf`, or undefined while it is incomplete. */
export function parseResponse(buf: Buffer, started: number, closed = false): HttpResult | undefined {
  // Interim answers (100 Continue) come before the final one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(buf.subarray(0, 16).toString('latin1'))) {
    const next = buf.indexOf('\r\n\r\n')
    if (next < 0) return undefined
    buf = buf.subarray(next + 4)
  }
  const end = buf.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const head = buf.subarray(0, end).toString('latin1').split('\r\n')
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')
  if (!m) return undefined
  const headers: Record<string, string> = {}
  for (const line of head.slice(1)) {
    const i = line.indexOf(':')
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  let rest = buf.subarray(end + 4)
  let body: Buffer
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = []
    for (;;) {
      const nl = rest.indexOf('\r\n')
      if (nl < 0) return undefined
      const size = Number.parseInt(rest.subarray(0, nl).toString('latin1'), 16)
      if (Number.isNaN(size)) return undefined
      if (size === 0) break
      if (rest.length < nl + 2 + size + 2) return undefined
      parts.push(rest.subarray(nl + 2, nl + 2 + size))
      rest = rest.subarray(nl + 2 + size + 2)
    }
    body = Buffer.concat(parts)
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length'])
    if (rest.length < n) return undefined
    body = rest.subarray(0, n)
  } else {
    const status = Number(m[1])
    if (status === 204 || status === 304) body = Buffer.alloc(0)
    else if (closed)
      body = rest // framed by the end of the connection
    else return undefined
  }
  return { status: Number(m[1]), headers, body, ms: performance.now() - started }
}

/**
 * A free TCP port in [lo, hi] on localhost. The project's tests keep to fixed ranges so that
 * parallel runs (benchmark, suites) on one machine do not collide.
 */
export async function freePort(lo: number, hi: number): Promise<number> {
  for (let port = lo; port <= hi; port++) {
    const ok = await new Promise<boolean>(resolve => {
      const s = net.createServer()
      s.once('error', () => resolve(false))
      s.listen(port, 'localhost', () => s.close(() => resolve(true)))
    })
    if (ok) return port
  }
  throw new Error(`no free port in ${lo}-${hi}`)
}

/** Runs `start(port)` on successive ports of [lo, hi] until one is not in use. */
export async function onFreePort<T>(lo: number, hi: number, start: (port: number) => Promise<T>): Promise<T> {
  let last: unknown
  for (let port = lo; port <= hi; port++) {
    try {
      return await start(port)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e
      last = e
    }
  }
  throw new Error(`no free port in ${lo}-${hi}: ${(last as Error)?.message}`)
}
