/**
 * Software JWKS (the SSA's `software_jwks_endpoint`), fetched through a cache. The bank is asked
 * to fetch a URL a TPP wrote, so the fetch is fenced: allowed hosts only (the directory's keystore
 * and `jwksAllowedHosts`), https only, no redirects, one timeout for the whole exchange, and the
 * body streamed with a size cap (a 200 MB answer is cut at 256 KiB, never held). Each refusal says
 * its cause: the host, TLS verification, the status, the size, the time (OB DCR "Of JWS & JWKS").
 */
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import https from 'node:https'
import { rootCertificates } from 'node:tls'
import { KeySet } from '../crypto/jose.ts'

/** Largest JWKS read, in bytes: the OB keystore's are a few KiB. */
export const MAX_JWKS_BYTES = 256 * 1024

export interface JwksFetchPolicy {
  /** Hosts (`host` or `host:port`, lower case) the bank fetches from. */
  allowedHosts: ReadonlySet<string>
  timeoutMs: number
  maxBytes?: number
  /**
   * Certificates (PEM) trusted beside Node's own roots and `NODE_EXTRA_CA_CERTS` for the server's
   * certificate: the test CA, `--extra-ca` and the CAs of the TPPs' own identities (keys/byo/), so a
   * TPP's keystore under its own CA is read without any environment variable.
   */
  trustedCas?: readonly Buffer[]
}

/** OpenSSL / Node error codes of a failed certificate verification. */
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|SSL_|HOSTNAME/

/** Why `fetch` failed, in words: timeout, TLS verification, connection. */
function fetchFailure(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } }
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timed out after ${timeoutMs} ms`
  const code = err?.code ?? err?.cause?.code
  const message = err?.code ? err.message : err?.cause?.message
  if (typeof code === 'string' && TLS_CODE.test(code)) {
    return `TLS verification of the server failed (${code}: ${message ?? ''})`
  }
  if (code === 'ECONNREFUSED') return 'the connection was refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve'
  const detail = message ?? err?.message ?? String(e)
  return `the request failed (${code ? `${code}: ` : ''}${detail})`
}

/** Reads a body as text, refusing it past `max` bytes without reading further. */
async function boundedText(res: IncomingMessage, max: number): Promise<string> {
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) {
    res.destroy()
    throw new Error(`declares ${declared} bytes; at most ${max} are read`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > max) {
      res.destroy()
      throw new Error(`sent more than ${max} bytes; at most ${max} are read`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Node's roots and `NODE_EXTRA_CA_CERTS` (which an explicit `ca` would otherwise replace). */
function defaultRoots(): string[] {
  const extra = process.env.NODE_EXTRA_CA_CERTS
  const roots = [...rootCertificates]
  if (extra) {
    try {
      roots.push(readFileSync(extra, 'utf8'))
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at start-up.
    }
  }
  return roots
}

/** One GET over node:https (no redirects followed), answered once the headers are in. */
function get(url: URL, signal: AbortSignal, ca: readonly (string | Buffer)[] | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      { signal, headers: { accept: 'application/json' }, ...(ca ? { ca: [...ca] } : {}) },
      resolve,
    )
    req.on('error', reject)
  })
}

/** Fetches JWKS by URL through a cache; `local` answers URLs the bank serves itself. */
export class JwksResolver {
  private readonly cache = new Map<string, { until: number; set: Promise<KeySet> }>()
  private readonly ca: readonly (string | Buffer)[] | undefined

  constructor(
    private readonly ttlSeconds: number,
    /** The JWKS for a URL the bank serves itself, null when that URL names nothing, undefined otherwise. */
    private readonly local: (url: string) => unknown,
    private readonly policy: JwksFetchPolicy,
  ) {
    this.ca = policy.trustedCas?.length ? [...defaultRoots(), ...policy.trustedCas] : undefined
  }

  /** The key set at `url`; throws an Error whose message says why it could not be had. */
  get(url: string): Promise<KeySet> {
    const now = Date.now()
    const hit = this.cache.get(url)
    if (hit && hit.until > now) return hit.set
    const set = this.load(url)
    this.cache.set(url, { until: now + this.ttlSeconds * 1000, set })
    // A failure is not cached: the next request tries again.
    set.catch(() => this.cache.delete(url))
    return set
  }

  private async load(url: string): Promise<KeySet> {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new Error(`"${url}" is not a URL`)
    }
    const local = this.local(url)
    if (local === null) throw new Error(`"${url}" answered HTTP 404`)
    if (local !== undefined) return new KeySet(local)
    if (parsed.protocol !== 'https:') throw new Error(`"${url}" is not an https URL`)
    const { allowedHosts, timeoutMs } = this.policy
    const host = parsed.host.toLowerCase()
    if (!allowedHosts.has(host) && !allowedHosts.has(parsed.hostname.toLowerCase())) {
      throw new Error(
        `"${url}" is not fetched: ${host} is not a host the bank reads software JWKS from (allowed: ${[...allowedHosts].join(', ')}; option jwksAllowedHosts, --jwks-host)`,
      )
    }
    const signal = AbortSignal.timeout(timeoutMs)
    let res: IncomingMessage
    try {
      res = await get(parsed, signal, this.ca)
    } catch (e) {
      throw new Error(`"${url}" could not be fetched: ${fetchFailure(e, timeoutMs)}`)
    }
    const status = res.statusCode ?? 0
    if (status >= 300 && status < 400) {
      res.destroy()
      const to = res.headers.location
      throw new Error(
        `"${url}" answered HTTP ${status}${to ? ` (a redirect to ${to})` : ''}: redirects are not followed`,
      )
    }
    if (status < 200 || status >= 300) {
      res.destroy()
      throw new Error(`"${url}" answered HTTP ${status}`)
    }
    let text: string
    try {
      text = await boundedText(res, this.policy.maxBytes ?? MAX_JWKS_BYTES)
    } catch (e) {
      if (signal.aborted) throw new Error(`"${url}" could not be read: timed out after ${timeoutMs} ms`)
      throw new Error(`"${url}" ${(e as Error).message}`)
    }
    try {
      return new KeySet(JSON.parse(text))
    } catch (e) {
      throw new Error(`"${url}" did not return a JWKS (${(e as Error).message})`)
    }
  }
}
