/**
 * Checks of the transport layer: a request refused at the TLS handshake or with an HTTP error
 * (either is a valid refusal where the catalogue says so; the report records which), and the
 * TLS policy of an endpoint probed with node:tls directly (FAPI 1 Advanced §8.5, RFC 9325).
 */
import tls from 'node:tls'
import { expect, test } from '@playwright/test'
import { type Exchange, outcomeOf, requestName } from '../../fixtures/clients/exchange.ts'
import type { HandshakeProof } from '../../fixtures/controls.ts'
import { recordAnswer } from './annotations.ts'
import { mediaType, proveTlsRefusal } from './http.ts'

const errorOf = (ex: Exchange): unknown =>
  ex.kind === 'response' && typeof ex.json === 'object' && ex.json !== null
    ? (ex.json as Record<string, unknown>).error
    : undefined

/**
 * Stops the test unless the request was refused at the TLS handshake (an alert refusing the
 * certificate, proven by a control handshake to the same origin: `proof`) or with one of the
 * `statuses`; records which way (`rejected-by=TLS alert certificate required` or
 * `rejected-by=HTTP 400 invalid_request`).
 */
export async function ensureRefusedAtTlsOrHttp(
  ex: Exchange,
  statuses: readonly number[],
  ref: string,
  proof: HandshakeProof,
) {
  const proven = ex.kind === 'tls-failure' ? await proveTlsRefusal(ex, proof) : undefined
  await test.step(
    `${requestName(ex.request)} is refused at the TLS handshake or with HTTP ${statuses.join('/')} [${ref}]`,
    async () => {
      if (ex.kind === 'tls-failure') {
        recordAnswer('rejected-by', proven as string)
        return
      }
      expect(statuses, `expected a refused handshake or HTTP ${statuses.join('/')}, got ${outcomeOf(ex)}`).toContain(
        ex.status,
      )
      const error = errorOf(ex)
      recordAnswer('rejected-by', `HTTP ${ex.status}${typeof error === 'string' ? ` ${error}` : ''}`)
    },
    { box: true },
  )
}

/**
 * An HTTP refusal of a request whose certificate was refused says why: a JSON body with an
 * `error` code (a 401 may come without a body, RFC 6750 §3) and no `client_id` (OIDF
 * EnsureContentTypeJson, CheckNoClientIdFromDynamicRegistrationEndpoint). Nothing to check after
 * a refused handshake.
 */
export async function checkTransportRefusalBody(ex: Exchange, ref: string) {
  if (ex.kind === 'tls-failure') return
  await test.step(
    `the refusal is a JSON error without client_id [${ref}]`,
    async () => {
      if (ex.status === 401 && ex.text.trim() === '') return
      expect
        .soft(mediaType(ex.headers['content-type']), `Content-Type was ${JSON.stringify(ex.headers['content-type'])}`)
        .toBe('application/json')
      const error = errorOf(ex)
      expect.soft(typeof error === 'string' && error !== '', `error was ${JSON.stringify(error ?? null)}`).toBe(true)
      const body = (typeof ex.json === 'object' && ex.json !== null ? ex.json : {}) as Record<string, unknown>
      expect.soft(body.client_id, `client_id was ${JSON.stringify(body.client_id)}`).toBeUndefined()
    },
    { box: true },
  )
}

/** What a TLS handshake attempt came to. */
export type Handshake = { ok: true; protocol: string; cipher: string } | { ok: false; message: string }

export interface HandshakeOptions {
  minVersion?: tls.SecureVersion
  maxVersion?: tls.SecureVersion
  /** OpenSSL cipher list (TLS 1.2 and below). */
  ciphers?: string
  /** The client certificate and key to present (banks that demand one at the handshake). */
  cert?: Buffer
  key?: Buffer
}

/** Opens a TLS connection to `origin` (https://host:port) and closes it; never throws. */
export function probeHandshake(origin: string, opts: HandshakeOptions): Promise<Handshake> {
  const url = new URL(origin)
  return new Promise(resolve => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port || 443),
      servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
      // The policy is under test here, not the server certificate (the suite checks that elsewhere).
      rejectUnauthorized: false,
      ...opts,
    })
    socket.setTimeout(10_000, () => socket.destroy(new Error('no handshake within 10 s')))
    socket.once('secureConnect', () => {
      resolve({ ok: true, protocol: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher().name })
      socket.end()
    })
    socket.once('error', e => resolve({ ok: false, message: e.message.split('\n')[0] ?? String(e) }))
  })
}

/** FAPI 1 Advanced §8.5: the endpoint refuses a handshake it must not accept. */
export async function checkHandshakeRefused(origin: string, what: string, opts: HandshakeOptions, ref: string) {
  await test.step(
    `${origin} refuses ${what} [${ref}]`,
    async () => {
      const h = await probeHandshake(origin, opts)
      expect.soft(h.ok, h.ok ? `${origin} negotiated ${h.protocol} with ${h.cipher}` : '').toBe(false)
    },
    { box: true },
  )
}

/** The endpoint completes a handshake it must accept; returns what was negotiated. */
export async function checkHandshakeAccepted(
  origin: string,
  what: string,
  opts: HandshakeOptions,
  ref: string,
): Promise<Handshake> {
  return test.step(
    `${origin} accepts ${what} [${ref}]`,
    async () => {
      const h = await probeHandshake(origin, opts)
      expect.soft(h.ok, h.ok ? '' : `${origin} refused ${what}: ${h.message}`).toBe(true)
      return h
    },
    { box: true },
  )
}
