/**
 * Access tokens: opaque random strings or PS256-signed JWTs (RFC 9068), always recorded in the
 * store by their SHA-256 so that they can be revoked, introspected and bound to a certificate
 * (RFC 8705 §3: `cnf.x5t#S256`).
 */
import { hash } from 'node:crypto'
import type { Bank } from '../config/bank.ts'
import { RandomPool, signPs256 } from '../crypto/jose.ts'
import { epoch, type GrantKind, type TokenKind, type TokenRecord } from '../models/store.ts'

const random = new RandomPool()

/** The key of a token in the store: base64url SHA-256 of its value (one-shot: no Hash object per call). */
export const tokenHash = (token: string) => hash('sha256', token, 'base64url')

export interface IssueInput {
  clientId: string
  grant: GrantKind
  scope: string
  /** Thumbprint of the certificate the token is bound to. */
  x5tS256: string | null
  kind?: TokenKind
  ttl?: number
  extra?: Record<string, unknown>
}

/** Issues and records a token; returns its value and record. */
export async function issueToken(bank: Bank, input: IssueInput): Promise<{ value: string; record: TokenRecord }> {
  const now = epoch()
  const kind = input.kind ?? 'access'
  const ttl = input.ttl ?? bank.options.accessTokenTtl
  const x5tS256 = bank.deviations.has('unbound-tokens') ? null : input.x5tS256
  let value: string
  if (kind === 'access' && bank.options.accessTokenFormat === 'jwt') {
    value = await signPs256(
      {
        iss: bank.endpoints.issuer,
        sub: input.clientId,
        aud: bank.endpoints.issuer,
        iat: now,
        exp: now + ttl,
        jti: random.next(16),
        client_id: input.clientId,
        scope: input.scope,
        ...(x5tS256 ? { cnf: { 'x5t#S256': x5tS256 } } : {}),
      },
      bank.signing.key,
      { kid: bank.signing.kid, typ: 'at+jwt' },
    )
  } else {
    value = random.next(32)
  }
  const record: TokenRecord = {
    hash: tokenHash(value),
    kind,
    clientId: input.clientId,
    grant: input.grant,
    scope: input.scope,
    x5tS256,
    issuedAt: now,
    expiresAt: now + ttl,
    revoked: false,
  }
  if (input.extra) record.extra = input.extra
  bank.store.insertToken(record)
  // Handed out only once committed (the store may group the commits of concurrent requests).
  await bank.store.flushed()
  return { value, record }
}

/**
 * The access token lifetime of a software's clients: its entry in `tokenTtlBySoftware` (by
 * software_id, or by the name of a test-PKI TPP), else `accessTokenTtl`.
 */
export function accessTokenTtl(bank: Bank, softwareId: string): number {
  for (const [key, ttl] of Object.entries(bank.options.tokenTtlBySoftware)) {
    if (key === softwareId || bank.pki.tpps[key]?.softwareId === softwareId) return ttl
  }
  return bank.options.accessTokenTtl
}

/** The record of a token value, whatever its state (callers check revoked / expired). */
export function findToken(bank: Bank, value: string): TokenRecord | undefined {
  return bank.store.getToken(tokenHash(value))
}

/** Why a token record cannot be used now, or null when it is live. */
export function tokenProblem(record: TokenRecord | undefined, now = epoch()): string | null {
  if (!record) return 'the token is not known to this server'
  if (record.revoked) return 'the token has been revoked'
  if (record.expiresAt <= now) return `the token expired at ${new Date(record.expiresAt * 1000).toISOString()}`
  return null
}
