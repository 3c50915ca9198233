/**
 * Access tokens: opaque random strings or PS256-signed JWTs (RFC 9068), always recorded in the
 * store by their SHA-256 so that they can be revoked, introspected and bound to a certificate
 * (RFC 8705 §3: `cnf.x5t#S256`).
 */
import { createHash, randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { epoch, type GrantKind, type TokenKind, type TokenRecord } from '../models/store.ts'
import type { Bank } from './bank.ts'

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url')

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
    const jwt = new SignJWT({
      client_id: input.clientId,
      scope: input.scope,
      ...(x5tS256 ? { cnf: { 'x5t#S256': x5tS256 } } : {}),
    })
      .setProtectedHeader({ alg: 'PS256', kid: bank.signing.kid, typ: 'at+jwt' })
      .setIssuer(bank.endpoints.issuer)
      .setSubject(input.clientId)
      .setAudience(bank.endpoints.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(randomBytes(16).toString('base64url'))
    value = await jwt.sign(bank.signing.key)
  } else {
    value = randomBytes(32).toString('base64url')
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
