/**
 * The authorisation request of a Data Holder (CDS 1.36 "Request Object", "Pushed Authorisation",
 * "Authentication Flows"): a request object signed with the client's registered
 * `request_object_signing_alg` by a key of its `jwks_uri`, for the client and this issuer, with
 * `nbf` and an `exp` at most 60 minutes later, response type `code` answered with JARM, a
 * registered redirect URI, PKCE S256, the `openid` scope and never `cdr:registration` (a
 * client_credentials scope); in its `claims` member, the `sharing_duration` (seconds, capped at a
 * year; absent or 0 is once-off access) and the `cdr_arrangement_id` of an arrangement it amends.
 */

import type { Bank } from '../../../config/bank.ts'
import { type Json, joseHeaderProblem, type KeySet } from '../../../crypto/jose.ts'
import { type ClientRecord, epoch } from '../../../models/store.ts'
import { jwksUriOf, redirectUrisOf } from '../../../oauth/client_info.ts'
import { InvalidRequest, InvalidRequestObject, InvalidScope, UnsupportedResponseType } from '../../../shared/errors.ts'
import { ALLOWED_JWS_ALGS, decodeRequestObject } from '../../../shared/signed_inputs.ts'
import { REGISTRATION_SCOPE } from '../actions/client_management.ts'

/** CDS Request Object: "exp ... no longer than 60 minutes after the nbf claim". */
const MAX_LIFETIME = 3600
/** CDS Request Object, Requesting Sharing Duration: "one year" is 365 days of 24 hours. */
export const MAX_SHARING_DURATION = 31_536_000
/** What the ignore-sharing-duration deviation grants every authorisation: 90 days. */
const IGNORED_SHARING_DURATION = 90 * 24 * 3600
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/
/** JARM §2.3.1: `jwt` means `query.jwt` for response type `code`. */
const RESPONSE_MODES = ['jwt', 'query.jwt']

/** A validated authorisation request. */
export interface CdrAuthorizationRequest {
  clientId: string
  redirectUri: string
  scope: string
  state?: string
  nonce?: string
  codeChallenge: string
  /** Seconds of sharing the consumer is asked for, capped at a year; 0: once-off access (no refresh token). */
  sharingDuration: number
  /** The arrangement this authorisation amends (`claims.cdr_arrangement_id`), when one is named. */
  arrangementId?: string
}

async function verifiedClaims(bank: Bank, client: ClientRecord, jws: string): Promise<Json> {
  const decoded = decodeRequestObject(jws)
  const headerProblem = joseHeaderProblem(decoded.header)
  if (headerProblem) throw new InvalidRequestObject(`the request object ${headerProblem}`)
  const registered = client.registration.request_object_signing_alg
  const allowed = typeof registered === 'string' ? [registered] : [...ALLOWED_JWS_ALGS]
  const alg = decoded.header.alg
  if (typeof alg !== 'string' || !allowed.includes(alg) || !(ALLOWED_JWS_ALGS as readonly string[]).includes(alg)) {
    throw new InvalidRequestObject(
      `the request object alg ${JSON.stringify(alg ?? null)} is not the registered request_object_signing_alg (${allowed.join(', ')})`,
    )
  }
  const kid = String(decoded.header.kid ?? '')
  let keys: KeySet
  try {
    keys = await bank.jwks.get(jwksUriOf(client))
  } catch (e) {
    throw new InvalidRequestObject(`the client's jwks_uri could not be read: ${(e as Error).message}`)
  }
  if (keys.verify(decoded.raw, kid, alg) !== 'valid') {
    throw new InvalidRequestObject(`the request object does not verify with key kid "${kid}" of the client's jwks_uri`)
  }
  return decoded.payload
}

/** CDS Request Object: who sent it, to whom, and when (nbf required, exp at most 60 minutes after it). */
function checkRequestObjectClaims(bank: Bank, client: ClientRecord, claims: Json, outer: Record<string, string>) {
  const clientId = client.clientId
  if (claims.client_id !== clientId || claims.iss !== clientId) {
    throw new InvalidRequestObject(`the request object client_id and iss must both be the client_id "${clientId}"`)
  }
  if (outer.client_id !== undefined && outer.client_id !== clientId) {
    throw new InvalidRequest(`client_id "${outer.client_id}" differs from the request object's client_id`)
  }
  const issuer = bank.endpoints.issuer
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!auds.includes(issuer)) {
    throw new InvalidRequestObject(
      `the request object aud ${JSON.stringify(claims.aud ?? null)} must be the issuer "${issuer}"`,
    )
  }
  const now = epoch()
  const skew = bank.options.clockSkew
  const { exp, nbf } = claims
  if (typeof exp !== 'number') throw new InvalidRequestObject('the request object has no exp')
  if (now > exp + skew && !bank.deviations.has('accept-expired-request-object')) {
    throw new InvalidRequestObject(`the request object exp ${exp} has passed (now ${now})`)
  }
  if (!bank.deviations.has('accept-long-lived-request-object')) {
    if (typeof nbf !== 'number') throw new InvalidRequestObject('the request object has no nbf; CDS requires it')
    if (exp - nbf > MAX_LIFETIME) {
      throw new InvalidRequestObject(
        `the request object lives ${exp - nbf}s from nbf to exp; CDS allows at most 60 minutes`,
      )
    }
  }
  if (typeof nbf === 'number' && nbf > now + skew) {
    throw new InvalidRequestObject(`the request object nbf ${nbf} is in the future (now ${now})`)
  }
}

/**
 * The request object's `claims` member (OIDC Core §5.5), where CDS puts `sharing_duration` and
 * `cdr_arrangement_id`: absent, or a JSON object.
 */
function requestedClaims(claims: Json): Json {
  const requested = claims.claims
  if (requested === undefined) return {}
  if (requested === null || typeof requested !== 'object' || Array.isArray(requested)) {
    throw new InvalidRequest(`claims must be a JSON object (OIDC Core section 5.5), got ${JSON.stringify(requested)}`)
  }
  return requested as Json
}

/**
 * CDS Request Object, Requesting Sharing Duration: `claims.sharing_duration` is a number of
 * seconds; zero or absent is once-off access (an access token, no refresh token); over a year is
 * a year; negative fails the authorisation.
 */
function sharingDuration(bank: Bank, requested: Json): number {
  if (bank.deviations.has('ignore-sharing-duration')) return IGNORED_SHARING_DURATION
  const value = requested.sharing_duration
  if (value === undefined || value === null) return 0
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidRequest(
      `claims.sharing_duration must be a number of seconds, got ${JSON.stringify(value)} (CDS Request Object, Requesting Sharing Duration)`,
    )
  }
  if (value < 0) {
    throw new InvalidRequest(
      `claims.sharing_duration ${value} is negative: the authorisation fails (CDS Request Object, Requesting Sharing Duration)`,
    )
  }
  return Math.min(Math.floor(value), MAX_SHARING_DURATION)
}

/** CDS Request Object, Specifying an existing arrangement: `claims.cdr_arrangement_id`, a non-empty string when given. */
function arrangementToAmend(bank: Bank, requested: Json): string | undefined {
  const value = requested.cdr_arrangement_id
  // The deviation ignores the claim: every authorisation opens a new arrangement.
  if (value === undefined || bank.deviations.has('ignore-cdr-arrangement-id')) return undefined
  if (typeof value !== 'string' || value === '') {
    throw new InvalidRequest(
      `claims.cdr_arrangement_id must be a non-empty string, got ${JSON.stringify(value)} (CDS Request Object, Specifying an existing arrangement)`,
    )
  }
  return value
}

/** Validates a request object (pushed to /par) of `client`; `outer` are the form parameters beside it. */
export async function validateCdrRequestObject(
  bank: Bank,
  client: ClientRecord,
  jws: string,
  outer: Record<string, string>,
): Promise<CdrAuthorizationRequest> {
  const claims = await verifiedClaims(bank, client, jws)
  checkRequestObjectClaims(bank, client, claims, outer)
  if (claims.response_type !== 'code') {
    throw new UnsupportedResponseType(
      `response_type ${JSON.stringify(claims.response_type ?? null)} is not supported: only code (CDS Authentication Flows)`,
    )
  }
  if (claims.response_mode !== undefined && !RESPONSE_MODES.includes(String(claims.response_mode))) {
    throw new InvalidRequest(`response_mode ${JSON.stringify(claims.response_mode)} is not supported: JARM (jwt) only`)
  }
  const redirectUri = claims.redirect_uri
  if (typeof redirectUri !== 'string' || !redirectUrisOf(client).includes(redirectUri)) {
    throw new InvalidRequest(
      `redirect_uri ${JSON.stringify(redirectUri ?? null)} is not one of the client's redirect_uris`,
    )
  }
  if (
    claims.code_challenge_method !== 'S256' ||
    typeof claims.code_challenge !== 'string' ||
    !CODE_CHALLENGE.test(claims.code_challenge)
  ) {
    throw new InvalidRequest('code_challenge_method must be S256 with a 43-character code_challenge (PKCE, RFC 7636)')
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []
  if (!scopes.includes('openid')) throw new InvalidScope('scope must include openid')
  if (scopes.includes(REGISTRATION_SCOPE)) {
    throw new InvalidScope(
      `scope "${REGISTRATION_SCOPE}" is not granted through the consumer's authorisation: registration management takes a client_credentials token (CDS Registration Management)`,
    )
  }
  const registered = String(client.registration.scope ?? '').split(' ')
  const unknown = scopes.find(s => !registered.includes(s))
  if (unknown) throw new InvalidScope(`scope "${unknown}" is not among the client's registered scopes`)
  const request: CdrAuthorizationRequest = {
    clientId: client.clientId,
    redirectUri,
    scope: [...new Set(scopes)].join(' '),
    codeChallenge: claims.code_challenge,
    sharingDuration: sharingDuration(bank, requestedClaims(claims)),
  }
  const amended = arrangementToAmend(bank, requestedClaims(claims))
  if (amended !== undefined) request.arrangementId = amended
  if (typeof claims.state === 'string') request.state = claims.state
  if (typeof claims.nonce === 'string') request.nonce = claims.nonce
  return request
}
