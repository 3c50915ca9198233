/**
 * The token endpoint's `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core §3.1.3)
 * and `refresh_token` (RFC 6749 §6, RFC 9700 §4.14.2 rotation) grants. Both answer with an
 * access token bound to the client certificate (RFC 8705 §3) and a refresh token; the code grant
 * also with an ID token carrying `openbanking_intent_id`.
 *
 * Registered into `grantHandlers` by `auth_flow.ts`; the token endpoint has authenticated the
 * client and required its certificate before these run.
 */
import { randomBytes } from 'node:crypto'
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import { type Consent, consentExpiry, consentProblem, getConsent } from '../models/consent.ts'
import { epoch, type GrantRecord, type TokenRecord } from '../models/store.ts'
import { CODE_GRANT, type CodeData, codeKey, codeRecord } from '../oauth/authorization.ts'
import { grantTypesOf } from '../oauth/client_info.ts'
import { s256, signIdToken } from '../oauth/id_token.ts'
import { findToken, issueToken, type TokenGrant, tokenProblem } from '../oauth/tokens.ts'
import type { AuthenticatedClient } from '../shared/client_auth.ts'
import { InvalidGrant, InvalidRequest, InvalidScope, UnauthorizedClient } from '../shared/errors.ts'

const FAMILY_GRANT = 'refresh-token-family'
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/

/** What a token of this flow carries besides its scope (read by the accounts API). */
export interface ConsentTokenExtra extends Record<string, unknown> {
  consentId: string
  customerId: string
  accountIds: string[]
  /** Refresh-token lineage: every token issued since the code, revoked together on a replay. */
  family: string
}

function requireGrantType(auth: AuthenticatedClient, grant: string): void {
  if (!grantTypesOf(auth.client).includes(grant)) {
    throw new UnauthorizedClient(`this client is not registered for the ${grant} grant`)
  }
}

/** The consent behind a grant, if it still authorises access for this client. */
function liveConsent(bank: Bank, consentId: string, clientId: string): Consent {
  const consent = getConsent(bank.store, consentId)
  const problem = consentProblem(consent, clientId)
  if (problem !== undefined || !consent) {
    throw new InvalidGrant(`the consent "${consentId}" no longer authorises access (${problem})`)
  }
  return consent
}

/**
 * The hashes of a family's live tokens. Its record also says `revoked` once it is revoked, and then
 * stays (until its tokens would have expired), so that a grant still issuing tokens of the family
 * finds it revoked and hands nothing out (`issuePair`).
 */
const hashesOf = (family: GrantRecord | undefined) => (family?.data.hashes as string[] | undefined) ?? []

/**
 * Revokes every token of a family (a replayed code or refresh token: someone else may hold them;
 * a revoked refresh token: RFC 7009 §2.1), including those a grant in flight is issuing.
 */
function revokeFamily(bank: Bank, family: string, clientId: string): void {
  const record = bank.store.getGrant(FAMILY_GRANT, family)
  for (const hash of hashesOf(record)) bank.store.revokeToken(hash)
  bank.store.putGrant({
    type: FAMILY_GRANT,
    id: family,
    clientId,
    expiresAt: record?.expiresAt ?? epoch() + bank.options.refreshTokenTtl,
    data: { hashes: [], revoked: true },
  })
}

/**
 * What the tokens of this flow rest on, for the endpoints that are not the flow's own
 * (`tokenGrants`, registered by `auth_flow.ts`): a consent that no longer authorises access makes
 * them inactive at /introspect, and a refresh token revoked at /revoke takes its family with it.
 */
export const consentTokenGrant: TokenGrant = {
  problem(bank, record) {
    const consentId = (record.extra as Partial<ConsentTokenExtra> | undefined)?.consentId
    if (typeof consentId !== 'string' || bank.deviations.has('introspection-ignores-consent')) return undefined
    const problem = consentProblem(getConsent(bank.store, consentId), record.clientId)
    return problem === undefined ? undefined : `the consent "${consentId}" no longer authorises access (${problem})`
  },
  revokeWithRefreshToken(bank, refresh) {
    const family = (refresh.extra as Partial<ConsentTokenExtra> | undefined)?.family
    if (typeof family === 'string') revokeFamily(bank, family, refresh.clientId)
  },
}

/** Issues an access and a refresh token of a family and records them in it. */
async function issuePair(
  bank: Bank,
  auth: AuthenticatedClient,
  grant: 'authorization_code' | 'refresh_token',
  scope: string,
  extra: ConsentTokenExtra,
  refreshExpiresAt: number,
) {
  const x5tS256 = auth.cert?.x5tS256 ?? null
  const clientId = auth.client.clientId
  const access = await issueToken(bank, { clientId, grant, scope, x5tS256, extra })
  const refresh = await issueToken(bank, {
    clientId,
    grant,
    scope,
    x5tS256,
    kind: 'refresh',
    ttl: Math.max(1, refreshExpiresAt - epoch()),
    extra,
  })
  const issued = [access.record.hash, refresh.record.hash]
  // From here to the end nothing awaits: the check and the recording are one step. A replay (or a
  // revocation) answered while these tokens were being issued revoked the family: they die with it.
  const family = bank.store.getGrant(FAMILY_GRANT, extra.family)
  if (family?.data.revoked === true) {
    for (const hash of issued) bank.store.revokeToken(hash)
    throw new InvalidGrant(
      `the tokens of this grant were revoked while these were being issued (a replayed ${grant === 'authorization_code' ? 'code' : 'refresh_token'}, or a revocation): none is handed out`,
    )
  }
  // The family keeps its live tokens only: it does not grow with every refresh.
  const live = hashesOf(family).filter(h => tokenProblem(bank.store.getToken(h)) === null)
  bank.store.putGrant({
    type: FAMILY_GRANT,
    id: extra.family,
    clientId,
    expiresAt: Math.max(refreshExpiresAt, access.record.expiresAt),
    data: { hashes: [...live, ...issued] },
  })
  return { access, refresh }
}

/** RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6) and the OB consent. */
export async function authorizationCodeGrant(ctx: Context, params: Record<string, string>, auth: AuthenticatedClient) {
  const bank: Bank = ctx.bank
  const { deviations } = bank
  requireGrantType(auth, 'authorization_code')
  const code = params.code
  if (!code) throw new InvalidRequest('code is required for grant_type authorization_code')
  const record = codeRecord(bank, code)
  const now = epoch()
  if (!record) {
    throw new InvalidGrant(
      `code ${JSON.stringify(code)} is not known to this bank (never issued, or expired and forgotten). No code is issued while the consent waits for the customer on the consent page: approve it in a browser, or start the bank with --auto-approve for headless runs`,
    )
  }
  if (record.expiresAt <= now) {
    throw new InvalidGrant(
      `code expired at ${new Date(record.expiresAt * 1000).toISOString()}; codes live ${bank.options.codeTtl}s (--code-ttl)`,
    )
  }
  const data = record.data as unknown as CodeData
  const { request } = data
  if (record.clientId !== auth.client.clientId && !deviations.has('accept-foreign-code')) {
    throw new InvalidGrant('code was issued to another client')
  }
  if (params.redirect_uri !== request.redirectUri && !deviations.has('skip-code-redirect-uri-check')) {
    throw new InvalidGrant(
      `redirect_uri ${JSON.stringify(params.redirect_uri ?? null)} must be the redirect_uri of the authorization request`,
    )
  }
  if (!deviations.has('skip-pkce-check')) {
    const verifier = params.code_verifier
    if (!verifier)
      throw new InvalidGrant('code_verifier is required: the authorization request carried a code_challenge')
    if (!VERIFIER.test(verifier)) {
      throw new InvalidGrant('code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)')
    }
    if (s256(verifier) !== request.codeChallenge) {
      throw new InvalidGrant('code_verifier does not match the code_challenge (S256) of the authorization request')
    }
  }
  // Single use, decided atomically; a replay also revokes what the first use obtained (RFC 6749 §4.1.2).
  if (!deviations.has('accept-code-reuse') && !bank.store.useOnce(CODE_GRANT, codeKey(code), record.expiresAt)) {
    if (data.family) revokeFamily(bank, data.family, record.clientId)
    throw new InvalidGrant('code has already been used; the tokens issued for it are revoked')
  }
  const consent = liveConsent(bank, request.intentId, request.clientId)
  const family = randomBytes(16).toString('base64url')
  bank.store.putGrant({ ...record, data: { ...record.data, family } })
  const extra: ConsentTokenExtra = {
    consentId: consent.consentId,
    customerId: data.customerId,
    accountIds: data.accountIds,
    family,
  }
  const consentEnd = consentExpiry(consent)
  const refreshExpiresAt = Math.min(now + bank.options.refreshTokenTtl, consentEnd ?? Number.POSITIVE_INFINITY)
  const { access, refresh } = await issuePair(bank, auth, 'authorization_code', request.scope, extra, refreshExpiresAt)
  const idToken = await signIdToken(bank, {
    clientId: auth.client.clientId,
    intentId: request.intentId,
    authTime: data.authTime,
    nonce: request.nonce,
  })
  ctx.body = {
    access_token: access.value,
    token_type: 'Bearer',
    expires_in: access.record.expiresAt - access.record.issuedAt,
    refresh_token: refresh.value,
    id_token: idToken,
    scope: request.scope,
  }
}

/** RFC 6749 §6 with rotation: each refresh token works once; a replay revokes the whole family. */
export async function refreshTokenGrant(ctx: Context, params: Record<string, string>, auth: AuthenticatedClient) {
  const bank: Bank = ctx.bank
  requireGrantType(auth, 'refresh_token')
  const value = params.refresh_token
  if (!value) throw new InvalidRequest('refresh_token is required for grant_type refresh_token')
  const record = findToken(bank, value)
  if (record?.kind !== 'refresh' || record.clientId !== auth.client.clientId) {
    throw new InvalidGrant('refresh_token is not a refresh token of this client')
  }
  const extra = record.extra as ConsentTokenExtra | undefined
  const rotate = !bank.deviations.has('accept-refresh-token-reuse')
  const problem = tokenProblem(record)
  if (problem) {
    // A revoked refresh token coming back is the replay RFC 9700 §4.14.2 warns about.
    if (record.revoked && extra?.family && rotate) revokeFamily(bank, extra.family, record.clientId)
    throw new InvalidGrant(`refresh_token cannot be used: ${problem.replace(/^the token/, 'it')}`)
  }
  if (!extra?.consentId) throw new InvalidGrant('refresh_token was not issued for a consent')
  // Validate, then consume: a request refused for its scope or its consent leaves the refresh
  // token as it was, so the client's corrected retry is not taken for a replay (NEG-TOK-35).
  const consumeFirst = bank.deviations.has('consume-refresh-before-validation')
  if (consumeFirst) useRefreshToken(bank, record, extra, rotate)
  const scope = narrowedScope(record, params.scope)
  liveConsent(bank, extra.consentId, record.clientId)
  if (!consumeFirst) useRefreshToken(bank, record, extra, rotate)
  if (rotate) bank.store.revokeToken(record.hash)
  const { access, refresh } = await issuePair(bank, auth, 'refresh_token', scope, extra, record.expiresAt)
  ctx.body = {
    access_token: access.value,
    token_type: 'Bearer',
    expires_in: access.record.expiresAt - access.record.issuedAt,
    refresh_token: refresh.value,
    scope,
  }
}

/** Single use (RFC 9700 §4.14.2 rotation), decided atomically; a second use revokes the whole family. */
function useRefreshToken(bank: Bank, record: TokenRecord, extra: ConsentTokenExtra, rotate: boolean): void {
  if (rotate && !bank.store.useOnce('refresh-token', record.hash, record.expiresAt)) {
    revokeFamily(bank, extra.family, record.clientId)
    throw new InvalidGrant('refresh_token has already been used; every token issued since is revoked')
  }
}

/** RFC 6749 §6: a refresh may ask for less than was granted, never more. */
function narrowedScope(record: TokenRecord, requested: string | undefined): string {
  if (requested === undefined || requested.trim() === '') return record.scope
  const granted = record.scope.split(' ')
  const asked = [...new Set(requested.trim().split(/ +/))]
  for (const s of asked) {
    if (!granted.includes(s)) {
      throw new InvalidScope(`scope "${s}" was not granted with this refresh token (granted: ${record.scope})`)
    }
  }
  return asked.join(' ')
}
