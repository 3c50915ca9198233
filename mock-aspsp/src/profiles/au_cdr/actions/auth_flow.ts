/**
 * The token side of a Data Holder, enough for a registered data recipient to get tokens and manage
 * its registration (CDS 1.36 "Client Authentication", "Tokens", "Pushed Authorisation",
 * "Authentication Flows"):
 *
 * - `POST /token`: `private_key_jwt` only; client credentials (scope `cdr:registration`),
 *   authorization code (PKCE S256) and refresh token; tokens bound to the client certificate and
 *   living `accessTokenTtl` (2 to 10 minutes);
 * - `POST /par`: a signed request object; 201 with a single-use `request_uri`;
 * - `GET /authorize`: the pushed request only; this mock has no customer pages: it approves at once
 *   as its test customer and answers with a JARM response (`response`, signed with the registered
 *   `authorization_signed_response_alg`, encrypted when the client registered encryption);
 * - `POST /arrangements/revoke`: ends a CDR arrangement and its tokens;
 * - `POST /introspect`: the client's own refresh tokens (never access tokens);
 * - `GET /userinfo`: the subject of a token with `openid`.
 */
import { createHash, randomUUID } from 'node:crypto'
import { CompactEncrypt, importJWK, type JWK, SignJWT } from 'jose'
import type { Context } from 'koa'
import { authorizationParams, PAR_URN } from '../../../actions/authorize.ts'
import { activeIntrospection, introspectionRequest } from '../../../actions/introspect.ts'
import { answerPushedRequest, readPushedRequest } from '../../../actions/par.ts'
import type { Bank } from '../../../config/bank.ts'
import { type ClientRecord, epoch, type TokenRecord } from '../../../models/store.ts'
import { codeKey, issueCode } from '../../../oauth/authorization.ts'
import { grantTypesOf, jwksUriOf } from '../../../oauth/client_info.ts'
import { s256 } from '../../../oauth/id_token.ts'
import { findToken, issueToken, type TokenGrant, tokenProblem } from '../../../oauth/tokens.ts'
import { bearerToken } from '../../../shared/bearer.ts'
import { readForm } from '../../../shared/body.ts'
import { type AuthenticatedClient, authenticateClient } from '../../../shared/client_auth.ts'
import {
  AccessDenied,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  InvalidRequestUri,
  InvalidScope,
  InvalidToken,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '../../../shared/errors.ts'
import { CDS_ERRORS, CdsError } from '../errors.ts'
import { refuseRemovedProduct, requireActiveProduct } from '../rules/participant_status.ts'
import { type CdrAuthorizationRequest, validateCdrRequestObject } from '../rules/request_object.ts'
import { cdr } from '../state.ts'
import { REGISTRATION_SCOPE } from './client_management.ts'

const PAR_GRANT = 'cdr-pushed-request'
const CODE_GRANT = 'cdr-authorization-code'
const ARRANGEMENT_GRANT = 'cdr-arrangement'
/** Scopes a client credentials token may carry (CDS: registration management). */
const CLIENT_CREDENTIALS_SCOPES = [REGISTRATION_SCOPE]
/** The mock's one customer: it approves every authorisation at once. */
const CUSTOMER = 'mock-customer-1'
/** JARM §2.1: the response lives briefly; ten minutes at most. */
const JARM_TTL = 300

const sha256 = (v: string) => createHash('sha256').update(v).digest('base64url')

/** CDS Tokens: 2 to 10 minutes; per software or per recipient (by name) through `tokenTtlBySoftware`. */
function accessTtl(bank: Bank, client: ClientRecord): number {
  if (bank.deviations.has('long-lived-access-tokens')) return 3600
  for (const [key, ttl] of Object.entries(bank.options.tokenTtlBySoftware)) {
    if (key === client.softwareId || bank.pki.cdr.recipients[key]?.brandId === client.orgId) return ttl
  }
  return bank.options.accessTokenTtl
}

/** The recipient's subject identifier for the customer: pairwise, per software product (CDS Identifiers). */
const subjectFor = (client: ClientRecord) => sha256(`${client.softwareId}:${CUSTOMER}`)

type GrantHandler = (ctx: Context, params: Record<string, string>, auth: AuthenticatedClient) => Promise<void>

function requireGrant(auth: AuthenticatedClient, grant: string): void {
  if (!grantTypesOf(auth.client).includes(grant)) {
    throw new UnauthorizedClient(`this client is not registered for the ${grant} grant`)
  }
}

async function tokenAnswer(
  ctx: Context,
  access: { value: string; record: TokenRecord },
  more: Record<string, unknown>,
) {
  ctx.body = {
    access_token: access.value,
    token_type: 'Bearer',
    expires_in: access.record.expiresAt - access.record.issuedAt,
    scope: access.record.scope,
    ...more,
  }
}

/** Client credentials: `cdr:registration` only (data scopes need the customer's authorisation). */
const clientCredentials: GrantHandler = async (ctx, params, auth) => {
  const bank: Bank = ctx.bank
  requireGrant(auth, 'client_credentials')
  const registered = String(auth.client.registration.scope ?? '').split(' ')
  const allowed = CLIENT_CREDENTIALS_SCOPES.filter(s => registered.includes(s))
  const asked = params.scope?.trim() ? [...new Set(params.scope.trim().split(/ +/))] : allowed
  const refused = asked.find(s => !allowed.includes(s))
  if (refused && !bank.deviations.has('grant-unrequested-scope')) {
    throw new InvalidScope(
      `scope "${refused}" is not available with client_credentials (available: ${allowed.join(' ') || 'none'})`,
    )
  }
  const access = await issueToken(bank, {
    clientId: auth.client.clientId,
    grant: 'client_credentials',
    scope: asked.join(' '),
    x5tS256: auth.cert?.x5tS256 ?? null,
    ttl: accessTtl(bank, auth.client),
    extra: { softwareId: auth.client.softwareId },
  })
  await tokenAnswer(ctx, access, {})
}

/** Signs an ID token with the client's registered id_token_signed_response_alg. */
async function idToken(bank: Bank, client: ClientRecord, authTime: number, nonce: string | undefined) {
  const alg = client.registration.id_token_signed_response_alg === 'ES256' ? 'ES256' : 'PS256'
  const key = cdr(bank).holderKeys[alg]
  const now = epoch()
  return new SignJWT({ auth_time: authTime, acr: 'urn:cds.au:cdr:2', ...(nonce ? { nonce } : {}) })
    .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(bank.endpoints.issuer)
    .setSubject(subjectFor(client))
    .setAudience(client.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + bank.options.accessTokenTtl)
    .sign(key.key)
}

interface CodeData {
  request: CdrAuthorizationRequest
  /** The arrangement the code's tokens are issued under: the one named by the request (amended), or a new one. */
  arrangementId: string
  authTime: number
}

/** The tokens of an arrangement (their hashes), recorded so that its revocation can end them. */
const hashesOf = (grant: { data: Record<string, unknown> } | undefined) =>
  (grant?.data.hashes as string[] | undefined) ?? []

/** The open arrangement `id` of `clientId`, or undefined (unknown, ended, lapsed or another client's). */
function arrangementOf(bank: Bank, id: string, clientId: string) {
  const record = bank.store.getGrant(ARRANGEMENT_GRANT, id)
  return record && record.clientId === clientId && record.expiresAt > epoch() ? record : undefined
}

/**
 * Opens an arrangement for `lifetime` seconds (the code is redeemed: its tokens are being issued);
 * one already open keeps its tokens. Returns the hashes of the tokens it had.
 */
function openArrangement(bank: Bank, arrangementId: string, clientId: string, lifetime: number): string[] {
  const hashes = hashesOf(bank.store.getGrant(ARRANGEMENT_GRANT, arrangementId))
  bank.store.putGrant({
    type: ARRANGEMENT_GRANT,
    id: arrangementId,
    clientId,
    expiresAt: epoch() + lifetime,
    data: { hashes },
  })
  return hashes
}

/** Ends an arrangement: every token issued under it revoked, the arrangement forgotten. */
function endArrangement(bank: Bank, arrangementId: string): void {
  const record = bank.store.takeGrant(ARRANGEMENT_GRANT, arrangementId)
  for (const hash of hashesOf(record)) bank.store.revokeToken(hash)
}

/**
 * `POST /revoke` of a refresh token (RFC 7009 §2.1: "SHOULD also invalidate all access tokens
 * based on the same authorization grant"): the other tokens of its arrangement are revoked with
 * it (registered in `tokenGrants` by the profile, `index.ts`). The arrangement stays (CDS: the consumer ends it at /arrangements/revoke); a grant in flight
 * finds its presented refresh token revoked and hands nothing out (`issueForArrangement`).
 */
export const arrangementTokenGrant: TokenGrant = {
  problem: () => undefined,
  revokeWithRefreshToken(bank, refresh) {
    const id = refresh.extra?.arrangementId
    const arrangement = typeof id === 'string' ? bank.store.getGrant(ARRANGEMENT_GRANT, id) : undefined
    if (arrangement?.clientId !== refresh.clientId) return
    for (const hash of hashesOf(arrangement)) bank.store.revokeToken(hash)
  },
}

/**
 * Issues tokens of an open arrangement: an access token, and a refresh token living `refreshTtl`
 * seconds when one is asked for (none for once-off access, CDS Request Object; none on a refresh:
 * CDS Tokens "MUST NOT cycle refresh tokens", the `presented` one is answered). Issuing waits for the store's commit;
 * if meanwhile the arrangement was revoked (or the code replayed, or the refresh token revoked),
 * the new tokens are revoked at once and the grant is refused: a revocation is never undone by a
 * grant that was in flight. The arrangement keeps the hashes of its live tokens only, so that it
 * does not grow with every refresh.
 */
async function issueForArrangement(
  bank: Bank,
  auth: AuthenticatedClient,
  arrangementId: string,
  scope: string,
  grant: 'authorization_code' | 'refresh_token',
  refreshTtl: number | undefined,
  presented?: { value: string; hash: string },
) {
  const x5tS256 = auth.cert?.x5tS256 ?? null
  const extra = { arrangementId, subject: subjectFor(auth.client) }
  const clientId = auth.client.clientId
  const access = await issueToken(bank, { clientId, grant, scope, x5tS256, ttl: accessTtl(bank, auth.client), extra })
  const refresh =
    refreshTtl !== undefined && refreshTtl > 0
      ? await issueToken(bank, { clientId, grant, scope, x5tS256, kind: 'refresh', ttl: refreshTtl, extra })
      : undefined
  const issued = [access.record.hash, ...(refresh ? [refresh.record.hash] : [])]
  // From here to the end nothing awaits: the check and the recording are one step.
  const open = bank.store.getGrant(ARRANGEMENT_GRANT, arrangementId)
  const presentedProblem = presented ? tokenProblem(bank.store.getToken(presented.hash)) : null
  if (!open || presentedProblem) {
    for (const hash of issued) bank.store.revokeToken(hash)
    throw new InvalidGrant(`the arrangement ${arrangementId} was revoked while its tokens were being issued`)
  }
  const live = hashesOf(open).filter(h => tokenProblem(bank.store.getToken(h)) === null)
  bank.store.putGrant({ ...open, data: { ...open.data, hashes: [...live, ...issued] } })
  if (presented && refresh) bank.store.revokeToken(presented.hash)
  return { access, refreshToken: refresh?.value ?? presented?.value }
}

/** RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6); the answer carries the `cdr_arrangement_id` (CDS Tokens). */
const authorizationCode: GrantHandler = async (ctx, params, auth) => {
  const bank: Bank = ctx.bank
  requireGrant(auth, 'authorization_code')
  if (!params.code) throw new InvalidRequest('code is required for grant_type authorization_code')
  const record = bank.store.getGrant(CODE_GRANT, codeKey(params.code))
  if (!record || record.expiresAt <= epoch()) throw new InvalidGrant('code is unknown or expired')
  if (record.clientId !== auth.client.clientId) throw new InvalidGrant('code was issued to another client')
  const data = record.data as unknown as CodeData
  if (params.redirect_uri !== data.request.redirectUri) {
    throw new InvalidGrant('redirect_uri must be the redirect_uri of the authorisation request')
  }
  if (!bank.deviations.has('skip-pkce-check')) {
    if (!params.code_verifier || s256(params.code_verifier) !== data.request.codeChallenge) {
      throw new InvalidGrant('code_verifier does not match the code_challenge (S256) of the authorisation request')
    }
  }
  // Single use, decided atomically; a replay also ends what the first use obtained (RFC 6749 §4.1.2).
  if (!bank.deviations.has('accept-code-reuse') && !bank.store.useOnce(CODE_GRANT, record.id, record.expiresAt)) {
    endArrangement(bank, data.arrangementId)
    throw new InvalidGrant('code has already been used; the tokens issued for it are revoked')
  }
  const { sharingDuration, arrangementId: amended } = data.request
  // CDS Request Object: an amended arrangement must still be the client's (it may have been revoked since PAR).
  if (amended !== undefined && !arrangementOf(bank, amended, auth.client.clientId)) {
    throw new InvalidGrant(
      `claims.cdr_arrangement_id "${amended}" of the authorisation request is no longer an arrangement of this client (revoked or lapsed since PAR): an arrangement that is not the client's MUST be rejected (CDS Request Object)`,
    )
  }
  // Once-off access (sharing_duration 0) lives as long as its access token; else the sharing duration.
  const lifetime = Math.max(sharingDuration, accessTtl(bank, auth.client))
  const earlier = openArrangement(bank, data.arrangementId, auth.client.clientId, lifetime)
  const { access, refreshToken: refresh } = await issueForArrangement(
    bank,
    auth,
    data.arrangementId,
    data.request.scope,
    'authorization_code',
    sharingDuration,
  )
  // CDS Request Object: the amended arrangement's earlier tokens are revoked once the new ones are issued.
  if (amended !== undefined) for (const hash of earlier) bank.store.revokeToken(hash)
  await tokenAnswer(ctx, access, {
    refresh_token: refresh,
    id_token: await idToken(bank, auth.client, data.authTime, data.request.nonce),
    cdr_arrangement_id: data.arrangementId,
  })
}

/**
 * RFC 6749 §6: a new access token of the same arrangement. CDS Tokens: "Data Holders MUST NOT cycle
 * refresh tokens": the refresh token stays the same until it expires or is revoked, and the answer
 * gives it back unchanged (the `rotate-refresh-tokens` deviation issues a new one each time).
 */
const refreshToken: GrantHandler = async (ctx, params, auth) => {
  const bank: Bank = ctx.bank
  requireGrant(auth, 'refresh_token')
  const value = params.refresh_token
  const record = value ? findToken(bank, value) : undefined
  if (!value || record?.kind !== 'refresh' || record.clientId !== auth.client.clientId || tokenProblem(record)) {
    throw new InvalidGrant('refresh_token is not a live refresh token of this client')
  }
  const arrangementId = String(record.extra?.arrangementId)
  const { access, refreshToken: refresh } = await issueForArrangement(
    bank,
    auth,
    arrangementId,
    record.scope,
    'refresh_token',
    // The deviation cycles the refresh token: the new one ends when the presented one would have.
    bank.deviations.has('rotate-refresh-tokens') ? record.expiresAt - epoch() : undefined,
    { value, hash: record.hash },
  )
  await tokenAnswer(ctx, access, { refresh_token: refresh, cdr_arrangement_id: arrangementId })
}

const GRANTS: Record<string, GrantHandler> = {
  client_credentials: clientCredentials,
  authorization_code: authorizationCode,
  refresh_token: refreshToken,
}

/** `POST /token`. */
export async function cdrToken(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  // The anti-bank answers as a Data Holder that cannot authenticate the client: nothing names the deviation.
  if (bank.deviations.has('refuse-every-token-request')) throw new InvalidClient('client authentication failed')
  const params = await readForm(ctx, bank.options.maxBodyBytes, 'token')
  if (!params.grant_type) throw new InvalidRequest('grant_type is required')
  const handler = Object.hasOwn(GRANTS, params.grant_type) ? GRANTS[params.grant_type] : undefined
  if (!handler) {
    throw new UnsupportedGrantType(
      `grant_type "${params.grant_type}" is not supported (supported: ${Object.keys(GRANTS).join(', ')})`,
    )
  }
  const auth = await authenticateClient(ctx, params, bank.endpoints.token)
  // CDS Transport Security: MTLS is the holder-of-key mechanism; every token is bound (RFC 8705 §3).
  if (!auth.cert && !bank.deviations.has('unbound-tokens')) {
    throw new InvalidRequest('a trusted client certificate is required: access tokens are bound to it (RFC 8705 §3)')
  }
  // The code and refresh grants authorise disclosure: an ACTIVE software product only.
  if (params.grant_type === 'client_credentials') await refuseRemovedProduct(bank, auth.client)
  else await requireActiveProduct(bank, auth.client, `the ${params.grant_type} grant`)
  await handler(ctx, params, auth)
}

/** `POST /par` (RFC 9126; CDS "Pushed Authorisation"): a signed request object, validated now. */
export async function cdrPar(ctx: Context): Promise<void> {
  const { bank, params, client } = await readPushedRequest(ctx)
  await requireActiveProduct(bank, client, 'a pushed authorisation request')
  if (params.request === undefined) {
    throw new InvalidRequest('request is required: a signed request object (CDS Request Object)')
  }
  const request = await validateCdrRequestObject(bank, client, params.request, params)
  checkAmendedArrangement(bank, client, request)
  answerPushedRequest(ctx, bank, PAR_GRANT, client.clientId, request)
}

/**
 * CDS Request Object: a `cdr_arrangement_id` that is not recognised, or not related to this client
 * (and so not to the consumer), MUST be rejected.
 */
function checkAmendedArrangement(bank: Bank, client: ClientRecord, request: CdrAuthorizationRequest): void {
  const id = request.arrangementId
  if (id !== undefined && !arrangementOf(bank, id, client.clientId)) {
    throw new InvalidRequest(
      `claims.cdr_arrangement_id "${id}" is not an arrangement of this client: an unknown arrangement, or another client's, MUST be rejected (CDS Request Object)`,
    )
  }
}

/** The JARM response (JARM §2.1): signed with the registered alg, then encrypted when the client asked for it. */
async function jarmResponse(bank: Bank, client: ClientRecord, params: Record<string, string | undefined>) {
  const alg = client.registration.authorization_signed_response_alg === 'ES256' ? 'ES256' : 'PS256'
  const key = cdr(bank).holderKeys[alg]
  const now = epoch()
  const claims: Record<string, unknown> = {
    iss: bank.endpoints.issuer,
    aud: client.clientId,
    iat: now,
    exp: now + JARM_TTL,
  }
  for (const [k, v] of Object.entries(params)) if (v !== undefined) claims[k] = v
  const signed = await new SignJWT(claims).setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' }).sign(key.key)
  const encAlg = client.registration.authorization_encrypted_response_alg
  if (typeof encAlg !== 'string' || bank.deviations.has('plain-jarm-when-encryption-registered')) return signed
  const keys = await bank.jwks.get(jwksUriOf(client)).catch(e => {
    throw new InvalidRequest(
      `the client's jwks_uri could not be read for its JARM encryption key: ${(e as Error).message}`,
    )
  })
  const jwk = keys.jwks().find(k => k.use === 'enc' && k.kty === 'RSA')
  if (!jwk)
    throw new InvalidRequest("the client's jwks_uri has no RSA encryption key (use: enc) for its JARM responses")
  const enc = String(client.registration.authorization_encrypted_response_enc ?? 'A128CBC-HS256')
  try {
    return await new CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({ alg: encAlg, enc, kid: jwk.kid, cty: 'JWT' })
      .encrypt(await importJWK(jwk as JWK, encAlg))
  } catch (e) {
    // The key is the recipient's to get right (size, parameters): a 400 naming it, never a 5xx.
    throw new InvalidRequest(
      `the RSA encryption key kid ${JSON.stringify(jwk.kid ?? null)} of the client's jwks_uri cannot encrypt its JARM response with ${encAlg}: ${(e as Error).message}`,
    )
  }
}

/** The pushed request behind `/authorize` (CDS: request objects only through PAR, each request_uri once). */
async function pushedRequest(
  bank: Bank,
  client: ClientRecord,
  params: Record<string, string>,
): Promise<CdrAuthorizationRequest> {
  if (params.request !== undefined) {
    if (!bank.deviations.has('allow-authorize-without-par')) {
      throw new InvalidRequest(
        'request is not accepted here: push the request object to the PAR endpoint first (require_pushed_authorization_requests)',
      )
    }
    return validateCdrRequestObject(bank, client, params.request, params)
  }
  const uri = params.request_uri
  if (!uri)
    throw new InvalidRequest('request_uri is required: push the authorisation request to the PAR endpoint first')
  const id = uri.startsWith(PAR_URN) ? uri.slice(PAR_URN.length) : ''
  // Whose it is is checked before it is taken: a stranger's client_id must not use it up.
  const record = bank.store.getGrant(PAR_GRANT, id)
  if (!record || record.expiresAt <= epoch() || record.clientId !== client.clientId) {
    throw new InvalidRequestUri(`request_uri "${uri}" is unknown, expired, already used or pushed by another client`)
  }
  if (!bank.deviations.has('accept-par-reuse')) bank.store.takeGrant(PAR_GRANT, id)
  return record.data.request as CdrAuthorizationRequest
}

/** `GET /authorize`: approves at once (no customer pages in this mock) and redirects with a JARM response. */
export async function cdrAuthorize(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  // A repeated parameter is an error (RFC 6749 §3.1), not "the last one wins".
  const params = await authorizationParams(ctx)
  const client = params.client_id ? bank.store.getClient(params.client_id) : undefined
  if (!client) throw new InvalidRequest(`client_id ${JSON.stringify(params.client_id ?? null)} is not registered`)
  await requireActiveProduct(bank, client, 'the authorisation')
  const request = await pushedRequest(bank, client, params)
  checkAmendedArrangement(bank, client, request)
  const data: CodeData = { request, arrangementId: request.arrangementId ?? randomUUID(), authTime: epoch() }
  const code = issueCode(bank, CODE_GRANT, client.clientId, data)
  const url = new URL(request.redirectUri)
  if (bank.deviations.has('unsigned-authorization-response')) {
    url.searchParams.set('code', code)
    if (request.state !== undefined) url.searchParams.set('state', request.state)
    url.searchParams.set('iss', bank.endpoints.issuer)
  } else {
    url.searchParams.set('response', await jarmResponse(bank, client, { code, state: request.state }))
  }
  ctx.set('Cache-Control', 'no-store')
  ctx.status = 302
  ctx.redirect(url.toString())
}

/** `POST /arrangements/revoke` (CDS "CDR Arrangement Revocation"): ends the arrangement and its tokens. */
export async function revokeArrangement(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const params = await readForm(ctx, bank.options.maxBodyBytes, 'arrangement revocation')
  const { client } = await authenticateClient(ctx, params, `${bank.endpoints.issuer}/arrangements/revoke`)
  // Consent withdrawal stays open to an INACTIVE product; a REMOVED one's consents are gone.
  await refuseRemovedProduct(bank, client)
  const id = params.cdr_arrangement_id
  const record = id ? bank.store.getGrant(ARRANGEMENT_GRANT, id) : undefined
  if (!record || record.clientId !== client.clientId) {
    throw new CdsError(
      422,
      CDS_ERRORS.invalidArrangement,
      `cdr_arrangement_id ${JSON.stringify(id ?? null)} is not an arrangement of this client`,
    )
  }
  endArrangement(bank, record.id)
  ctx.status = 204
}

/**
 * `POST /introspect` (RFC 7662; CDS Tokens, Token Introspection End Point): the client's own live
 * refresh tokens, with their arrangement's `cdr_arrangement_id`. "Introspection of Access Tokens
 * and ID Tokens MUST NOT be supported": they, like anything else, are `{"active": false}`.
 */
export async function cdrIntrospect(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const { auth, record } = await introspectionRequest(ctx)
  await refuseRemovedProduct(bank, auth.client)
  const kinds = bank.deviations.has('introspect-access-tokens') ? ['refresh', 'access'] : ['refresh']
  if (!record || !kinds.includes(record.kind) || record.clientId !== auth.client.clientId || tokenProblem(record)) {
    ctx.body = { active: false }
    return
  }
  ctx.body = { ...activeIntrospection(bank, record), cdr_arrangement_id: String(record.extra?.arrangementId ?? '') }
}

/** `GET /userinfo` (OIDC Core §5.3): the subject of an `openid` access token. */
export async function userinfo(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const token = bearerToken(ctx)
  if (!token.scope.split(' ').includes('openid'))
    throw new InvalidToken('the access token was not granted the openid scope')
  const client = bank.store.getClient(token.clientId)
  if (client) {
    await requireActiveProduct(bank, client, 'disclosure to this access token', {
      inactive: d => new AccessDenied(d),
      removed: d => new InvalidToken(d),
    })
  }
  ctx.body = { sub: String(token.extra?.subject ?? '') }
}
