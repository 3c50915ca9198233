/**
 * Certificate-bound access tokens (RFC 8705 §3): the thumbprint of a presented certificate, the
 * `cnf` confirmation of a token (in a JWT access token or in its introspection), and its check.
 */
import { createHash, X509Certificate } from 'node:crypto'
import { expect, test } from '@playwright/test'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import { bodyOf } from './registration.ts'

/** RFC 8705 §3.1: base64url (no padding) of the SHA-256 of the DER certificate (the leaf, where a chain is given). */
export function certThumbprint(pem: Buffer | string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url')
}

/** The payload of a JWT access token (RFC 9068), or undefined for an opaque token. */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'))
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Where a token's confirmation can be read: its own payload when it is a JWT, else the answer of
 * its introspection (RFC 7662 §2.2, RFC 8705 §3.2).
 */
export function cnfSource(token: string, introspection?: Exchange): { from: string; claims: Record<string, unknown> } {
  const payload = jwtPayload(token)
  if (payload) return { from: 'the JWT access token', claims: payload }
  return introspection ? introspectionCnf(introspection) : { from: 'the introspection answer', claims: {} }
}

/** The confirmation as an introspection answer gives it (RFC 8705 §3.2). */
export function introspectionCnf(ex: Exchange): { from: string; claims: Record<string, unknown> } {
  return { from: 'the introspection answer', claims: bodyOf(ex) }
}

/** RFC 8705 §3.1: `cnf.x5t#S256` is the 43-character base64url SHA-256 thumbprint of the presented certificate (NEG-BIND-01). */
export async function checkCnfThumbprint(source: { from: string; claims: Record<string, unknown> }, expected: string) {
  await test.step(
    `cnf.x5t#S256 in ${source.from} is the thumbprint of the presented certificate [RFC8705-3.1]`,
    async () => {
      const cnf = source.claims.cnf as Record<string, unknown> | undefined
      const x5t = cnf?.['x5t#S256']
      expect(cnf, `${source.from} carries no cnf: the token is not bound to the certificate`).toBeDefined()
      expect
        .soft(
          typeof x5t === 'string' && /^[A-Za-z0-9_-]{43}$/.test(x5t),
          `cnf.x5t#S256 ${JSON.stringify(x5t ?? null)} is not 43 base64url characters without padding (a hex or padded value is not RFC 8705 form)`,
        )
        .toBe(true)
      expect.soft(x5t, 'cnf.x5t#S256 is not the thumbprint of the certificate presented').toBe(expected)
    },
    { box: true },
  )
}

/** RFC 7662 §2.2: the introspection answer says whether the token is active. */
export async function checkIntrospectionActive(ex: Exchange, active: boolean) {
  await test.step(
    `the introspection answer is active: ${active} [RFC7662-2.2]`,
    async () => {
      const got = bodyOf(ex).active
      expect.soft(got, `active was ${JSON.stringify(got ?? null)}`).toBe(active)
    },
    { box: true },
  )
}
