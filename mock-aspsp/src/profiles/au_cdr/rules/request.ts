/**
 * Rules for the registration request JWT of a Data Holder (CDS 1.36 "Registration Request using
 * JWT", "Registration Validation"): the media type, the JWS and its header, the claims iss / iat /
 * exp / jti / aud, and the signature by a key of the SSA's `jwks_uri`. Each rule is a named
 * function that throws the RFC 7591 error (or 415 for the media type) and can be switched to its
 * deviation (`../deviations.ts`).
 */

import type { Bank } from '../../../config/bank.ts'
import { type DecodedJws, type Json, joseHeaderProblem, KeySet } from '../../../crypto/jose.ts'
import { InvalidClientMetadata, UnsupportedMediaType } from '../../../shared/errors.ts'
import { ALLOWED_JWS_ALGS, checkRequestLifetime, parseRequestJws } from '../../../shared/signed_inputs.ts'

export const REQUEST_MEDIA_TYPE = 'application/jwt'
/** Claims of the request JWT itself: never client metadata, never returned (RFC 7591 §3.2.1). */
export const REQUEST_ONLY_CLAIMS = ['iss', 'iat', 'exp', 'aud', 'jti', 'nbf'] as const

/** CDS: "using the application/jwt content type"; anything else is 415 Unsupported Media Type. */
export function checkMediaType(bank: Bank, contentType: string | undefined): void {
  if (bank.deviations.has('accept-any-request-content-type')) return
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (mediaType !== REQUEST_MEDIA_TYPE) {
    throw new UnsupportedMediaType(
      `Content-Type must be ${REQUEST_MEDIA_TYPE} (CDS Registration Request), got "${mediaType || 'none'}"`,
    )
  }
}

/** RFC 7519: the body is a compact JWS whose header and payload are JSON objects (the UK rule, shared). */
export const parseRequest = (bank: Bank, body: string): DecodedJws => parseRequestJws(body, bank)

/** CDS: signed with the algorithms of FAPI 1 Advanced §8.6 (PS256, ES256); a kid names the key; no `crit`, no `b64`. */
export function checkRequestHeader(bank: Bank, header: Json): void {
  const allowed: readonly string[] = bank.deviations.has('accept-rs256-request')
    ? [...ALLOWED_JWS_ALGS, 'RS256']
    : ALLOWED_JWS_ALGS
  if (typeof header.alg !== 'string' || !allowed.includes(header.alg)) {
    throw new InvalidClientMetadata(
      `the registration request alg ${JSON.stringify(header.alg ?? null)} is not allowed; sign it PS256 or ES256 (FAPI 1 Advanced §8.6)`,
    )
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new InvalidClientMetadata("the registration request header has no kid; it names a key of the SSA's jwks_uri")
  }
  const problem = joseHeaderProblem(header)
  if (problem) throw new InvalidClientMetadata(`the registration request ${problem}`)
}

/**
 * CDS "Registration Validation": the request is verified against a key of the JWKS at the SSA's
 * `jwks_uri`, found by kid. The JWKS cannot be read: 400, never a 5xx.
 */
export async function checkRequestSignature(bank: Bank, request: DecodedJws, ssa: Json): Promise<void> {
  if (bank.deviations.has('skip-request-signature')) return
  const kid = String(request.header.kid)
  const alg = String(request.header.alg)
  let keys: KeySet
  if (bank.deviations.has('trust-embedded-key-header') && typeof request.header.jwk === 'object') {
    keys = new KeySet({ keys: [{ ...(request.header.jwk as Json), kid }] })
  } else {
    const url = String(ssa.jwks_uri)
    try {
      keys = await bank.jwks.get(url)
    } catch (e) {
      throw new InvalidClientMetadata(`the software statement's jwks_uri could not be read: ${(e as Error).message}`)
    }
    if (!keys.has(kid)) {
      throw new InvalidClientMetadata(
        `the registration request is signed with key kid "${kid}", which is not in the JWKS at the software statement's jwks_uri ${url}`,
      )
    }
  }
  const outcome = keys.verify(request.raw, kid, alg)
  if (outcome !== 'valid') {
    throw new InvalidClientMetadata(
      outcome === 'unusable-key'
        ? `key kid "${kid}" of the jwks_uri cannot verify ${alg}`
        : `the registration request signature does not verify with key kid "${kid}"`,
    )
  }
}

function numericDate(claims: Json, name: string): number | undefined {
  const v = claims[name]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new InvalidClientMetadata(`${name} must be a NumericDate (integer seconds), got ${JSON.stringify(v)}`)
  }
  return v
}

/**
 * CDS "Registration Request using JWT": iss (the software product id, = the SSA's software_id),
 * iat, exp, jti and aud (the Data Holder's issuer) are required; exp not passed and iat not in the
 * future, within the clock skew (RFC 7519 §4.1.4, §4.1.6).
 */
export function checkRequestClaims(bank: Bank, claims: Json, ssa: Json, now: number): void {
  const lax = bank.deviations.has('accept-missing-request-claims')
  for (const name of ['iss', 'iat', 'exp', 'jti', 'aud'] as const) {
    const missing = claims[name] === undefined || claims[name] === ''
    if (missing && !(lax && (name === 'iat' || name === 'exp' || name === 'jti'))) {
      if (name === 'aud' && bank.deviations.has('ignore-request-aud')) continue
      throw new InvalidClientMetadata(`${name} is required in the registration request (CDS Registration Request)`)
    }
  }
  if (claims.iss !== ssa.software_id && !bank.deviations.has('skip-iss-software-id-match')) {
    throw new InvalidClientMetadata(
      `iss ${JSON.stringify(claims.iss)} must be the software product id, the software statement's software_id "${String(ssa.software_id)}"`,
    )
  }
  const issuer = bank.endpoints.issuer
  if (claims.aud !== issuer && !bank.deviations.has('ignore-request-aud')) {
    throw new InvalidClientMetadata(
      `aud must be this Data Holder's issuer "${issuer}", got ${JSON.stringify(claims.aud ?? null)}`,
    )
  }
  const skew = bank.options.clockSkew
  const iat = numericDate(claims, 'iat')
  const exp = numericDate(claims, 'exp')
  const nbf = numericDate(claims, 'nbf')
  if (exp !== undefined && now > exp + skew && !bank.deviations.has('accept-expired-request')) {
    throw new InvalidClientMetadata(`exp ${exp} has passed (now ${now}): the registration request has expired`)
  }
  for (const [name, t] of [
    ['iat', iat],
    ['nbf', nbf],
  ] as const) {
    if (t !== undefined && t > now + skew && !bank.deviations.has('accept-future-iat')) {
      throw new InvalidClientMetadata(`${name} ${t} is in the future (now ${now}, allowed skew ${skew}s)`)
    }
  }
  if (iat !== undefined && exp !== undefined && exp <= iat) {
    throw new InvalidClientMetadata(`exp ${exp} must be after iat ${iat}`)
  }
  // A request lives at most maxRequestLifetime: its jti is remembered that long, not for ever.
  checkRequestLifetime(bank, iat, exp, now)
  if (claims.jti !== undefined && typeof claims.jti !== 'string') {
    throw new InvalidClientMetadata(`jti must be a string, got ${JSON.stringify(claims.jti)}`)
  }
}

/** CDS: jti is "used to prevent reuse of the token": single use while the request could be accepted. */
export function useRequestJti(bank: Bank, claims: Json, now: number): void {
  if (bank.deviations.has('ignore-request-jti-replay') || typeof claims.jti !== 'string') return
  const exp = typeof claims.exp === 'number' ? claims.exp : now + 3600
  if (!bank.store.useOnce('cdr-registration-request', claims.jti, Math.max(exp, now) + bank.options.clockSkew)) {
    throw new InvalidClientMetadata(`jti "${claims.jti}" has already been used: the registration request is a replay`)
  }
}
