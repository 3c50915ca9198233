/**
 * Access tokens: opaque random strings or PS256-signed JWTs (RFC 9068), bound to a certificate
 * (RFC 8705 §3: `cnf.x5t#S256`). Every token is recorded in the store by its SHA-256, so that it
 * can be revoked and introspected, except a client-credentials JWT: that one carries all its
 * record (client, software, scope, binding, times) and is known by its signature, as a JWT access
 * token is meant to be; the store records only its revocation (`revokeToken` with the record) and
 * the revocation of all its client's tokens (`revokeClientTokens`: by issue time). Its answer
 * needs no commit, as for the peer of the benchmark (oidc-provider does not store JWT access tokens).
 */
import { hash } from 'node:crypto'
import { type Bank, BoundedMap } from '../config/bank.ts'
import { decodeJws, type Json, RandomPool, signPs256 } from '../crypto/jose.ts'
import { clientTokensRevokedKey, epoch, type GrantKind, type TokenKind, type TokenRecord } from '../models/store.ts'

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
  const jwt = kind === 'access' && bank.options.accessTokenFormat === 'jwt'
  const softwareId = input.extra?.softwareId
  const selfContained = jwt && input.grant === 'client_credentials' && typeof softwareId === 'string'
  if (jwt) {
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
        ...(selfContained ? { [GRANT_CLAIM]: 'client_credentials', [SOFTWARE_CLAIM]: softwareId } : {}),
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
  // Known by its signature (`findToken`): nothing to write.
  if (selfContained) return { value, record }
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

/**
 * The record of a token value, whatever its state (callers check revoked / expired): the store's,
 * or the one a self-contained client-credentials JWT of this bank carries.
 */
export function findToken(bank: Bank, value: string): TokenRecord | undefined {
  const key = tokenHash(value)
  return bank.store.getToken(key) ?? selfContainedToken(bank, value, key)
}

/** The private claims of a self-contained client-credentials JWT: its grant, and its client's software (introspection). */
const GRANT_CLAIM = 'grant_type'
const SOFTWARE_CLAIM = 'software_id'

interface SelfContained {
  clientId: string
  softwareId: string
  scope: string
  x5tS256: string | null
  iat: number
  exp: number
}

/** Per bank, the tokens whose signature verified (a bearer token is presented many times): bounded. */
const verifiedTokens = new WeakMap<Bank, BoundedMap<SelfContained>>()

/**
 * A client-credentials JWT access token of this bank, as a record: signed PS256 by the bank's key
 * (header `typ` at+jwt and the key's kid) with every claim of its record, for a client this store
 * knows, and revoked when its client's tokens were revoked at or after its issue
 * (`revokeClientTokens`: a deletion does that, unless the tokens-survive-delete deviation).
 * Anything else is not a token of this bank: undefined.
 */
function selfContainedToken(bank: Bank, value: string, key: string): TokenRecord | undefined {
  let claims = verifiedTokens.get(bank)?.get(key)
  if (!claims) {
    claims = verifiedClaims(bank, value)
    if (!claims) return undefined
    let cache = verifiedTokens.get(bank)
    if (!cache) {
      cache = new BoundedMap(1024)
      verifiedTokens.set(bank, cache)
    }
    cache.set(key, claims)
  }
  const revokedAt = bank.store.getToken(clientTokensRevokedKey(claims.clientId))?.issuedAt
  const revoked = revokedAt !== undefined && claims.iat <= revokedAt
  // A client this store does not know: not a token of this bank (a deleted client's were revoked).
  if (!revoked && !bank.store.getClient(claims.clientId) && !bank.deviations.has('tokens-survive-delete'))
    return undefined
  return {
    hash: key,
    kind: 'access',
    clientId: claims.clientId,
    grant: 'client_credentials',
    scope: claims.scope,
    x5tS256: claims.x5tS256,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
    revoked,
    extra: { softwareId: claims.softwareId },
  }
}

/** The claims of a client-credentials JWT this bank signed, or undefined. */
function verifiedClaims(bank: Bank, value: string): SelfContained | undefined {
  if (value.split('.', 4).length !== 3) return undefined
  let header: Json
  let payload: Json
  try {
    ;({ header, payload } = decodeJws(value, 'the access token'))
  } catch {
    return undefined
  }
  if (header.alg !== 'PS256' || header.typ !== 'at+jwt' || header.kid !== bank.signing.kid) return undefined
  const { client_id: clientId, sub, scope, iat, exp, cnf } = payload
  const softwareId = payload[SOFTWARE_CLAIM]
  const x5t = cnf === undefined ? null : (cnf as Json | null)?.['x5t#S256']
  if (
    payload[GRANT_CLAIM] !== 'client_credentials' ||
    typeof clientId !== 'string' ||
    sub !== clientId ||
    typeof softwareId !== 'string' ||
    typeof scope !== 'string' ||
    !Number.isInteger(iat) ||
    !Number.isInteger(exp) ||
    (x5t !== null && typeof x5t !== 'string')
  )
    return undefined
  if (bank.signing.publicKeys.verify(value, bank.signing.kid, 'PS256') !== 'valid') return undefined
  return { clientId, softwareId, scope, x5tS256: x5t, iat: iat as number, exp: exp as number }
}

/**
 * A grant whose tokens rest on more than themselves (the UK consent and refresh-token family:
 * `auth_flow.ts` registers it in `tokenGrants`). A flow that has none registers nothing.
 */
export interface TokenGrant {
  /**
   * Why a token that is live by itself authorises nothing any more (its consent was revoked or
   * has expired), or undefined: introspection then answers it inactive (RFC 7662 §2.2).
   */
  problem(bank: Bank, record: TokenRecord): string | undefined
  /** Revokes every token of the grant `refresh` was issued for (RFC 7009 §2.1). */
  revokeWithRefreshToken(bank: Bank, refresh: TokenRecord): void
}

/** The token grants of the flows this process serves (filled on import, as `grantHandlers` is). */
export const tokenGrants: TokenGrant[] = []

/** Why a live token's grant no longer authorises it (`TokenGrant.problem`), or undefined. */
export function grantProblem(bank: Bank, record: TokenRecord): string | undefined {
  for (const grant of tokenGrants) {
    const problem = grant.problem(bank, record)
    if (problem !== undefined) return problem
  }
  return undefined
}

/** Why a token record cannot be used now, or null when it is live. */
export function tokenProblem(record: TokenRecord | undefined, now = epoch()): string | null {
  if (!record) return 'the token is not known to this server'
  if (record.revoked) return 'the token has been revoked'
  if (record.expiresAt <= now) return `the token expired at ${new Date(record.expiresAt * 1000).toISOString()}`
  return null
}
