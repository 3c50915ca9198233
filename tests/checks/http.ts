/**
 * HTTP-level checks: status, media type, caching, authentication challenge, empty bodies.
 *
 * Naming: `ensure*` stops the test when it fails (what follows would be meaningless);
 * `check*` and `validate*` record a failure and let the test go on (`expect.soft`).
 * Each runs as a boxed step whose title ends with the spec clause it enforces.
 */
import { expect, test } from '@playwright/test'
import { type Exchange, outcomeOf, type ResponseExchange, requestName } from '../../fixtures/clients/exchange.ts'
import type { HandshakeProof } from '../../fixtures/controls.ts'
import { recordAnswer } from './annotations.ts'

const what = (ex: Exchange) => requestName(ex.request)

/** Asserts that the exchange produced an HTTP response (not a certificate refused at the handshake) and returns it. */
export function responseOf(ex: Exchange): ResponseExchange {
  if (ex.kind === 'tls-failure') {
    expect(ex.kind, `${what(ex)}: expected an HTTP response, but the server ${outcomeOf(ex)}`).toBe('response')
  }
  return ex as ResponseExchange
}

/** Stops the test unless the status is exactly `expected`. */
export async function ensureStatus(ex: Exchange, expected: number, ref = 'RFC9110-15') {
  await test.step(
    `${what(ex)} answers HTTP ${expected} [${ref}]`,
    async () => {
      const res = responseOf(ex)
      expect(res.status, `${what(ex)}: expected HTTP ${expected}, got ${outcomeOf(ex)}`).toBe(expected)
    },
    { box: true },
  )
}

/** Records a failure (and lets the test go on) unless the status is exactly `expected`. */
export async function checkStatus(ex: Exchange, expected: number, ref = 'RFC9110-15') {
  await test.step(
    `${what(ex)} answers HTTP ${expected} [${ref}]`,
    async () => {
      const status = ex.kind === 'response' ? ex.status : undefined
      expect.soft(status, `${what(ex)}: expected HTTP ${expected}, got ${outcomeOf(ex)}`).toBe(expected)
    },
    { box: true },
  )
}

/** A JSON media type when there is a body at all (RFC 6750 §3 lets a 401 come without one). */
export async function checkJsonContentTypeIfBody(ex: Exchange, ref = 'RFC6750-3') {
  if (ex.kind === 'response' && ex.text.trim() === '') return
  await checkJsonContentType(ex, ref)
}

/** How a check may accept a refused handshake: only as proven by a control handshake to the same origin. */
export interface TlsRefusalOption {
  /** A refused client certificate (TLS alert) counts as a refusal, once this control proves it. */
  tlsRefusal?: HandshakeProof
}

/**
 * A refused handshake counts only when its alert refuses the certificate (the client records it)
 * and a handshake to the same origin with a valid certificate completes (the control, run here,
 * before the check that accepts the refusal). Returns the answer to record.
 */
export async function proveTlsRefusal(ex: Exchange & { kind: 'tls-failure' }, proof: HandshakeProof): Promise<string> {
  await proof(ex.request.url)
  return `TLS alert ${ex.alert}`
}

/**
 * Stops the test unless the request was refused with one of `allowed` statuses, or (when
 * `tlsRefusal` is given) at the TLS handshake. Records which answer the target gave.
 */
export async function ensureRejected(
  ex: Exchange,
  allowed: readonly number[],
  opts: TlsRefusalOption & { ref?: string } = {},
) {
  const ways = [...allowed.map(String), ...(opts.tlsRefusal ? ['a refused client certificate'] : [])].join(' or ')
  const proven = ex.kind === 'tls-failure' && opts.tlsRefusal ? await proveTlsRefusal(ex, opts.tlsRefusal) : undefined
  await test.step(
    `${what(ex)} is refused with ${ways} [${opts.ref ?? 'RFC9110-15'}]`,
    async () => {
      if (ex.kind === 'tls-failure') {
        expect(proven, `${what(ex)}: expected HTTP ${allowed.join(' or ')}, got ${outcomeOf(ex)}`).toBeDefined()
        recordAnswer('rejected-by', proven as string)
        return
      }
      expect(allowed, `${what(ex)}: expected ${ways}, got ${outcomeOf(ex)}`).toContain(ex.status)
      if (allowed.length > 1 || opts.tlsRefusal) recordAnswer('rejected-by', `HTTP ${ex.status}`)
    },
    { box: true },
  )
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined
}

/** RFC 7591 §3.2.1/§3.2.2, RFC 7592 §2.1: registration answers are JSON (`application/json`, charset allowed). */
export async function checkJsonContentType(ex: Exchange, ref = 'RFC7591-3.2') {
  await test.step(
    `${what(ex)} answers with Content-Type application/json [${ref}]`,
    async () => {
      const res = responseOf(ex)
      expect
        .soft(mediaType(res.headers['content-type']), `Content-Type was ${JSON.stringify(res.headers['content-type'])}`)
        .toBe('application/json')
    },
    { box: true },
  )
}

/** RFC 6749 §5.1, RFC 7591 §3.2.1: answers carrying credentials or errors are not cached. */
export async function checkNoStore(ex: Exchange, ref = 'RFC6749-5.1') {
  await test.step(
    `${what(ex)} answers with Cache-Control: no-store [${ref}]`,
    async () => {
      const res = responseOf(ex)
      const directives = (res.headers['cache-control'] ?? '').split(',').map(d => d.trim().toLowerCase())
      expect
        .soft(directives, `Cache-Control was ${JSON.stringify(res.headers['cache-control'] ?? null)}`)
        .toContain('no-store')
    },
    { box: true },
  )
}

/** The auth-params of a `WWW-Authenticate: Bearer ...` challenge (RFC 6750 §3), or undefined if there is none. */
export function bearerChallenge(header: string | undefined): Record<string, string> | undefined {
  if (!header) return undefined
  const m = /(?:^|,\s*)Bearer(?:\s+(.*))?$/i.exec(header.trim())
  if (!m) return undefined
  const params: Record<string, string> = {}
  for (const p of (m[1] ?? '').matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[(p[1] ?? '').toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1')
  }
  return params
}

/** RFC 6750 §3: a 401 carries a Bearer challenge, with `error` when the token was refused. */
export async function checkWwwAuthenticateBearer(ex: Exchange, error?: string) {
  await test.step(
    `${what(ex)} answers with WWW-Authenticate: Bearer${error ? ` error="${error}"` : ''} [RFC6750-3]`,
    async () => {
      const res = responseOf(ex)
      const header = res.headers['www-authenticate']
      const params = bearerChallenge(header)
      expect
        .soft(params, `WWW-Authenticate was ${JSON.stringify(header ?? null)}, expected a Bearer challenge`)
        .toBeDefined()
      if (params && error) {
        expect.soft(params.error, `WWW-Authenticate error was ${JSON.stringify(params.error ?? null)}`).toBe(error)
      }
    },
    { box: true },
  )
}

/** RFC 7592 §2.3, RFC 9110 §15.3.5: 204 No Content has no body. */
export async function checkEmptyBody(ex: Exchange, ref = 'RFC7592-2.3') {
  await test.step(
    `${what(ex)} answers with an empty body [${ref}]`,
    async () => {
      const res = responseOf(ex)
      expect.soft(res.text, 'the body should be empty').toBe('')
    },
    { box: true },
  )
}
