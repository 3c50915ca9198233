/**
 * The authorization request as FAPI 1 Advanced and the OB Security Profile shape it: a request
 * object signed with the client's registered `request_object_signing_alg` (RFC 9101), carrying
 * every parameter, PKCE S256 (RFC 7636), and the `openbanking_intent_id` claim naming an
 * account-access consent that the client created and that awaits authorisation.
 *
 * RFC 6749 §4.1.2.1 decides where an error goes: until the request object's signature has been
 * verified and its `redirect_uri` found among the registered ones, nothing in it can be trusted
 * and the error is shown to the customer (`AuthorizationRequestError` without a target); after
 * that, errors are sent to the client's redirect URI (`RedirectableError`).
 */
import { createHash } from 'node:crypto'
import type { Bank } from '../../../config/bank.ts'
import { type Json, joseHeaderProblem, keyOutcomeText } from '../../../crypto/jose.ts'
import { type Consent, consentExpired, getConsent, isoNow, saveConsent } from '../../../models/consent.ts'
import { type ClientRecord, epoch } from '../../../models/store.ts'
import {
  normaliseResponseType,
  redirectUrisOf,
  requestObjectAlgsOf,
  responseTypesOf,
  scopesOf,
} from '../../../oauth/client_info.ts'
import {
  InvalidRequest,
  InvalidRequestObject,
  InvalidScope,
  OAuthError,
  UnauthorizedClient,
  UnsupportedResponseType,
} from '../../../shared/errors.ts'
import { ALLOWED_JWS_ALGS, decodeRequestObject } from '../../../shared/signed_inputs.ts'

export type ResponseType = 'code' | 'code id_token'
export type ResponseMode = 'query' | 'fragment'

/** A validated authorization request: what the consent page, the code and the tokens are built from. */
export interface AuthorizationRequest {
  clientId: string
  redirectUri: string
  responseType: ResponseType
  responseMode: ResponseMode
  scope: string
  state?: string
  nonce?: string
  /** PKCE S256 challenge. */
  codeChallenge: string
  /** The ConsentId the customer is asked to authorise. */
  intentId: string
}

/** Where errors about a request go once its redirect URI is trusted. */
export interface RedirectTarget {
  uri: string
  mode: ResponseMode
  state?: string
}

/** An authorization error to be sent to the client's redirect URI (RFC 6749 §4.1.2.1). */
export class RedirectableError extends Error {
  constructor(
    readonly error: OAuthError,
    readonly target: RedirectTarget,
  ) {
    super(error.description)
  }
}

const SUPPORTED_RESPONSE_TYPES: readonly string[] = ['code', 'code id_token']
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/** The `openbanking_intent_id` value of the request object's `claims` (id_token or userinfo member). */
function intentIdOf(claims: Json): unknown {
  const requested = claims.claims as Record<string, Record<string, { value?: unknown }> | undefined> | undefined
  if (!requested || typeof requested !== 'object') return undefined
  return requested.id_token?.openbanking_intent_id?.value ?? requested.userinfo?.openbanking_intent_id?.value
}

/**
 * Verifies the request object's signature and returns its claims; throws InvalidRequestObject
 * (never redirectable: an unverified object cannot name a redirect URI).
 */
async function verifiedClaims(bank: Bank, client: ClientRecord, jws: string): Promise<Json> {
  const decoded = decodeRequestObject(jws)
  const { header, payload } = decoded
  const headerProblem = joseHeaderProblem(header)
  if (headerProblem) throw new InvalidRequestObject(`the request object ${headerProblem}`)
  const alg = header.alg
  const registered = requestObjectAlgsOf(client)
  const allowed = registered.length > 0 ? registered : [...ALLOWED_JWS_ALGS]
  if (typeof alg !== 'string' || !allowed.includes(alg) || !(ALLOWED_JWS_ALGS as readonly string[]).includes(alg)) {
    throw new InvalidRequestObject(
      `the request object alg ${JSON.stringify(alg ?? null)} is not the registered request_object_signing_alg (${allowed.join(', ')})`,
    )
  }
  const kid = header.kid
  if (typeof kid !== 'string' || kid === '') throw new InvalidRequestObject('the request object header has no kid')
  let keys: Awaited<ReturnType<Bank['jwks']['get']>>
  try {
    keys = await bank.jwks.get(String(client.registration.software_jwks_endpoint))
  } catch (e) {
    throw new InvalidRequestObject(
      `the software JWKS of client "${client.clientId}" could not be read: ${(e as Error).message}`,
    )
  }
  const outcome = keys.verify(decoded.raw, kid, alg)
  if (outcome === 'ambiguous-key') {
    throw new InvalidRequestObject(
      `the request object: ${keyOutcomeText(outcome, kid, alg, `the software JWKS of client "${client.clientId}"`)}`,
    )
  }
  if (outcome === 'no-such-key' || outcome === 'unusable-key') {
    throw new InvalidRequestObject(
      `the request object is signed with key kid "${kid}", which is not a ${alg} key in the software JWKS of client "${client.clientId}"`,
    )
  }
  if (outcome !== 'valid') {
    throw new InvalidRequestObject(`the request object signature does not verify with key kid "${kid}"`)
  }
  return payload
}

/**
 * Validates a request object (by value at /authorize, or pushed to /par) for `client`; `outer`
 * are the query or form parameters sent beside it. Returns the request, or throws an
 * OAuthError (show it) or a RedirectableError (send it to the client).
 */
export async function validateRequestObject(
  bank: Bank,
  client: ClientRecord,
  jws: string,
  outer: Record<string, string>,
): Promise<AuthorizationRequest> {
  const claims = await verifiedClaims(bank, client, jws)

  const redirectUri = claims.redirect_uri
  if (typeof redirectUri !== 'string' || redirectUri === '') {
    throw new InvalidRequest('the request object has no redirect_uri')
  }
  const responseType = typeof claims.response_type === 'string' ? normaliseResponseType(claims.response_type) : ''
  const state = typeof claims.state === 'string' ? claims.state : undefined
  const defaultMode: ResponseMode = responseType.includes('id_token') ? 'fragment' : 'query'
  const target: RedirectTarget = {
    uri: redirectUri,
    mode: claims.response_mode === 'fragment' || claims.response_mode === 'query' ? claims.response_mode : defaultMode,
    state,
  }
  if (!redirectUrisOf(client).includes(redirectUri)) {
    const error = new InvalidRequest(
      `redirect_uri "${redirectUri}" is not one of the client's registered redirect_uris`,
    )
    if (bank.deviations.has('redirect-to-unregistered-uri') && URL.canParse(redirectUri)) {
      throw new RedirectableError(error, target)
    }
    throw error
  }

  try {
    if (outer.redirect_uri !== undefined && outer.redirect_uri !== redirectUri) {
      throw new InvalidRequest(
        `redirect_uri "${outer.redirect_uri}" differs from the request object's redirect_uri "${redirectUri}"`,
      )
    }
    checkClaims(bank, client, claims, outer)
    const mode = checkResponse(client, claims, responseType, outer)
    const scope = checkScope(client, claims.scope)
    if (responseType === 'code id_token' && (typeof claims.nonce !== 'string' || claims.nonce === '')) {
      throw new InvalidRequest('nonce is required in the request object when response_type is "code id_token"')
    }
    if (claims.code_challenge_method !== 'S256') {
      throw new InvalidRequest(
        `code_challenge_method must be S256, got ${JSON.stringify(claims.code_challenge_method ?? null)} (PKCE, RFC 7636 §4.3)`,
      )
    }
    if (typeof claims.code_challenge !== 'string' || !CODE_CHALLENGE.test(claims.code_challenge)) {
      throw new InvalidRequest('code_challenge must be the 43-character base64url SHA-256 of the code_verifier')
    }
    const intentId = intentIdOf(claims)
    if (typeof intentId !== 'string' || intentId === '') {
      throw new InvalidRequest(
        'claims.id_token.openbanking_intent_id.value is required: it names the consent to authorise',
      )
    }
    usableConsent(bank, client, intentId)
    checkReplay(bank, client, claims, jws)
    const request: AuthorizationRequest = {
      clientId: client.clientId,
      redirectUri,
      responseType: responseType as ResponseType,
      responseMode: mode,
      scope,
      codeChallenge: claims.code_challenge,
      intentId,
    }
    if (state !== undefined) request.state = state
    if (typeof claims.nonce === 'string') request.nonce = claims.nonce
    return request
  } catch (e) {
    if (e instanceof OAuthError) throw new RedirectableError(e, target)
    throw e
  }
}

/** RFC 9101 §4, §5; FAPI 1 Advanced §5.2.2 items 13 and 17: who sent it, to whom, and when. */
function checkClaims(bank: Bank, client: ClientRecord, claims: Json, outer: Record<string, string>): void {
  const clientId = client.clientId
  if (claims.client_id !== clientId) {
    throw new InvalidRequestObject(
      `the request object client_id ${JSON.stringify(claims.client_id ?? null)} must be the client_id "${clientId}"`,
    )
  }
  if (outer.client_id !== undefined && outer.client_id !== clientId) {
    throw new InvalidRequest(`client_id "${outer.client_id}" differs from the request object's client_id`)
  }
  if (claims.iss !== undefined && claims.iss !== clientId) {
    throw new InvalidRequestObject(`the request object iss ${JSON.stringify(claims.iss)} must be the client_id`)
  }
  const issuer = bank.endpoints.issuer
  const aud = claims.aud
  const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
  if (!auds.includes(issuer)) {
    throw new InvalidRequestObject(
      `the request object aud ${JSON.stringify(aud ?? null)} must be the issuer "${issuer}"`,
    )
  }
  const now = epoch()
  const skew = bank.options.clockSkew
  const max = bank.options.maxRequestObjectLifetime
  const { exp, nbf, iat } = claims
  if (typeof exp !== 'number') throw new InvalidRequestObject('the request object has no exp; it is required')
  if (typeof nbf !== 'number') {
    throw new InvalidRequestObject('the request object has no nbf; it is required (FAPI 1 Advanced §5.2.2)')
  }
  if (now > exp + skew && !bank.deviations.has('accept-expired-request-object')) {
    throw new InvalidRequestObject(`the request object exp ${exp} has passed (now ${now})`)
  }
  if (nbf > now + skew) throw new InvalidRequestObject(`the request object nbf ${nbf} is in the future (now ${now})`)
  if (now - nbf > max + skew) {
    throw new InvalidRequestObject(
      `the request object nbf ${nbf} is more than ${max}s in the past (now ${now}; --max-request-object-lifetime)`,
    )
  }
  if (exp - nbf > max) {
    throw new InvalidRequestObject(
      `the request object lives ${exp - nbf}s from nbf to exp; at most ${max}s is accepted (--max-request-object-lifetime)`,
    )
  }
  if (iat !== undefined && (typeof iat !== 'number' || iat > now + skew)) {
    throw new InvalidRequestObject(
      `the request object iat ${JSON.stringify(iat)} must be a NumericDate not in the future`,
    )
  }
}

/** OIDC Core §3.3.2.5 and OAuth 2.0 Multiple Response Types: response_type and response_mode. */
function checkResponse(client: ClientRecord, claims: Json, responseType: string, outer: Record<string, string>) {
  if (!SUPPORTED_RESPONSE_TYPES.includes(responseType)) {
    throw new UnsupportedResponseType(
      `response_type ${JSON.stringify(claims.response_type ?? null)} is not supported (supported: code, code id_token)`,
    )
  }
  if (!responseTypesOf(client).includes(responseType)) {
    throw new UnauthorizedClient(
      `response_type "${responseType}" is not among the client's registered response_types (${responseTypesOf(client).join(', ')})`,
    )
  }
  if (outer.response_type !== undefined && normaliseResponseType(outer.response_type) !== responseType) {
    throw new InvalidRequest(
      `response_type "${outer.response_type}" differs from the request object's response_type "${responseType}"`,
    )
  }
  const mode = claims.response_mode
  if (mode === undefined) return responseType === 'code' ? 'query' : 'fragment'
  if (mode === 'fragment' || (mode === 'query' && responseType === 'code')) return mode
  throw new InvalidRequest(
    `response_mode ${JSON.stringify(mode)} is not supported for response_type "${responseType}" (${responseType === 'code' ? 'query, fragment' : 'fragment'})`,
  )
}

/** OB Security Profile: `openid` plus `accounts` for an account-access consent, within what was registered. */
function checkScope(client: ClientRecord, scope: unknown): string {
  if (typeof scope !== 'string' || scope.trim() === '') {
    throw new InvalidScope('scope is required in the request object (openid accounts)')
  }
  const asked = [...new Set(scope.trim().split(/ +/))]
  if (!asked.includes('openid')) throw new InvalidScope('scope must include openid (OIDC Core §3.1.2.1)')
  const registered = scopesOf(client)
  for (const s of asked) {
    if (s !== 'openid' && !registered.includes(s)) {
      throw new InvalidScope(`scope "${s}" is not among the client's registered scopes (${registered.join(' ')})`)
    }
  }
  if (!asked.includes('accounts')) {
    throw new InvalidScope('scope must include accounts to authorise an account-access consent')
  }
  return asked.join(' ')
}

/**
 * The consent named by an intent id, if the client may ask the customer to authorise it now;
 * throws InvalidRequest otherwise. Unknown ids and other clients' consents get the same answer.
 */
export function usableConsent(bank: Bank, client: ClientRecord, intentId: string): Consent {
  let consent = getConsent(bank.store, intentId)
  if (!consent || consent.clientId !== client.clientId) {
    if (!bank.deviations.has('accept-unknown-intent')) {
      throw new InvalidRequest(`openbanking_intent_id "${intentId}" names no account-access consent of this client`)
    }
    // The deviation: a bank that creates the consent it was not shown.
    const now = isoNow()
    consent = {
      consentId: intentId,
      clientId: client.clientId,
      status: 'AwaitingAuthorisation',
      creationDateTime: now,
      statusUpdateDateTime: now,
      permissions: ['ReadAccountsBasic', 'ReadBalances'],
    }
    saveConsent(bank.store, consent)
  }
  if (consent.status !== 'AwaitingAuthorisation' && !bank.deviations.has('accept-used-intent')) {
    throw new InvalidRequest(
      `openbanking_intent_id "${intentId}" is ${consent.status}; only a consent AwaitingAuthorisation can be authorised`,
    )
  }
  if (consentExpired(consent)) {
    throw new InvalidRequest(`openbanking_intent_id "${intentId}" expired at ${consent.expirationDateTime}`)
  }
  return consent
}

/** RFC 9101 §10.5: one request object, one authorization. Keyed by jti, or by the object itself. */
function checkReplay(bank: Bank, client: ClientRecord, claims: Json, jws: string): void {
  if (bank.deviations.has('accept-replayed-request-object')) return
  const id =
    typeof claims.jti === 'string' && claims.jti !== ''
      ? `jti:${claims.jti}`
      : `sha256:${createHash('sha256').update(jws).digest('base64url')}`
  const until = (claims.exp as number) + bank.options.clockSkew
  if (!bank.store.useOnce(`request-object:${client.clientId}`, id, until)) {
    const what = id.startsWith('jti:') ? `the request object jti "${claims.jti}"` : 'this request object'
    throw new InvalidRequestObject(`${what} has already been used; each authorization needs a new request object`)
  }
}
