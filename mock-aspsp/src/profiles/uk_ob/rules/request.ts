/**
 * Rules for the registration request itself (OB DCR "OBClientRegistrationRequest1"): media type,
 * the JWS and its header, the JWT claims iss / iat / exp / aud / jti, and the request signature
 * by the software's key. Each rule is a named function that throws the RFC 7591 error.
 */

import type { Bank } from '../../../config/bank.ts'
import { type DecodedJws, type Json, joseHeaderProblem, type KeySet, keyOutcomeText } from '../../../crypto/jose.ts'
import { InvalidClientMetadata, InvalidSoftwareStatement } from '../../../shared/errors.ts'
import { ALLOWED_JWS_ALGS, checkRequestLifetime } from '../../../shared/signed_inputs.ts'

const EMBEDDED_KEY_HEADERS = ['x5c', 'x5u', 'jwk', 'jku'] as const
const REQUEST_MEDIA_TYPES = ['application/jose', 'application/jwt']
const BASE62_22 = /^[0-9a-zA-Z]{1,22}$/
/** OB OpenAPI: UUIDv4. Hex digits in either case (RFC 4122 §3: case-insensitive on input). */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/** OB DCR Swagger: `consumes: application/jose` (3.2+) or `application/jwt` (3.1); both are accepted. */
export function checkRequestMediaType(bank: Bank, contentType: string | undefined): void {
  if (bank.deviations.has('accept-any-request-content-type')) return
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!REQUEST_MEDIA_TYPES.includes(mediaType)) {
    throw new InvalidClientMetadata(
      `Content-Type must be application/jose or application/jwt (a compact JWS), got "${mediaType || 'none'}"`,
    )
  }
}

/** FAPI 1 Advanced §8.6 and OB DCR "Of JWS & JWKS": PS256/ES256, a kid, no embedded key or key URL. */
export function checkRequestHeader(bank: Bank, header: Json): void {
  const alg = header.alg
  const allowed: readonly string[] = bank.deviations.has('accept-rs256-request')
    ? [...ALLOWED_JWS_ALGS, 'RS256']
    : ALLOWED_JWS_ALGS
  if (typeof alg !== 'string' || !allowed.includes(alg)) {
    throw new InvalidClientMetadata(
      `the registration request JWS alg ${JSON.stringify(alg ?? null)} is not allowed; sign it PS256 or ES256`,
    )
  }
  if (!bank.deviations.has('accept-embedded-key-header')) {
    for (const h of EMBEDDED_KEY_HEADERS) {
      if (h in header) {
        throw new InvalidClientMetadata(
          `the registration request JWS header must not carry "${h}": the key is taken by kid from the software statement's software_jwks_endpoint`,
        )
      }
    }
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new InvalidClientMetadata(
      'the registration request JWS header has no kid; it names the signing key in the software JWKS',
    )
  }
  const problem = joseHeaderProblem(header)
  if (problem) throw new InvalidClientMetadata(`the registration request JWS ${problem}`)
}

function integer(claims: Json, name: string): number | undefined {
  const v = claims[name]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new InvalidClientMetadata(`${name} must be a NumericDate (integer seconds), got ${JSON.stringify(v)}`)
  }
  return v
}

/** OB DCR data dictionary: iss, iat, exp, aud and jti are required, with their formats and times. */
export function checkRequestClaims(bank: Bank, claims: Json, now: number): void {
  const skew = bank.options.clockSkew
  const lax = bank.deviations.has('accept-missing-request-claims')
  for (const name of ['iss', 'iat', 'exp', 'aud', 'jti'] as const) {
    if (claims[name] === undefined && !(lax && name !== 'iss' && name !== 'aud')) {
      throw new InvalidClientMetadata(`${name} is required in the registration request`)
    }
  }
  const iss = claims.iss
  if ((typeof iss !== 'string' || !BASE62_22.test(iss)) && !bank.deviations.has('skip-iss-check')) {
    throw new InvalidClientMetadata(
      `iss must be the software_id, 1 to 22 Base62 characters (^[0-9a-zA-Z]{1,22}$), got ${JSON.stringify(iss)}`,
    )
  }
  const iat = integer(claims, 'iat')
  const exp = integer(claims, 'exp')
  const nbf = integer(claims, 'nbf')
  if (exp !== undefined && now > exp + skew && !bank.deviations.has('accept-expired-request')) {
    throw new InvalidClientMetadata(`exp ${exp} has passed (now ${now}): the registration request has expired`)
  }
  if (iat !== undefined && iat > now + skew && !bank.deviations.has('accept-future-iat')) {
    throw new InvalidClientMetadata(`iat ${iat} is in the future (now ${now}, allowed skew ${skew}s: --clock-skew)`)
  }
  if (nbf !== undefined && nbf > now + skew && !bank.deviations.has('accept-future-iat')) {
    throw new InvalidClientMetadata(`nbf ${nbf} is in the future (now ${now}, allowed skew ${skew}s: --clock-skew)`)
  }
  if (iat !== undefined && exp !== undefined && exp <= iat) {
    throw new InvalidClientMetadata(`exp ${exp} must be after iat ${iat}`)
  }
  checkRequestLifetime(bank, iat, exp, now)
  if (!bank.deviations.has('ignore-request-aud')) {
    const aud = claims.aud
    const { orgId } = bank.pki.aspsp
    const ok = aud === orgId || (!bank.options.strictAudience && aud === bank.endpoints.issuer)
    if (!ok) {
      const expected = bank.options.strictAudience
        ? `"${orgId}"`
        : `"${orgId}" (its directory org id) or "${bank.endpoints.issuer}" (its issuer)`
      throw new InvalidClientMetadata(`aud must name this ASPSP: ${expected}, got ${JSON.stringify(aud)}`)
    }
  }
  const jti = claims.jti
  if (jti !== undefined || !lax) {
    if (typeof jti !== 'string' || (!UUID_V4.test(jti) && !bank.deviations.has('accept-non-uuid-jti'))) {
      throw new InvalidClientMetadata(`jti must be a UUIDv4, got ${JSON.stringify(jti)}`)
    }
  }
}

/** OB DCR data dictionary, iss: "For SSAs issued by the OB Directory, this must be the software_id". */
export function checkIssIsSoftwareId(bank: Bank, claims: Json, ssa: Json): void {
  if (bank.deviations.has('skip-iss-software-id-match') || bank.deviations.has('skip-iss-check')) return
  if (claims.iss !== ssa.software_id) {
    throw new InvalidClientMetadata(
      `iss ${JSON.stringify(claims.iss)} must be the software statement's software_id "${String(ssa.software_id)}"`,
    )
  }
}

/**
 * OB DCR "Of JWS & JWKS": the request is signed by a key of the software, found by kid in the
 * JWKS at the SSA's software_jwks_endpoint (not revoked), and the signature verifies.
 */
export async function checkRequestSignature(bank: Bank, request: DecodedJws, ssa: Json): Promise<void> {
  if (bank.deviations.has('skip-request-signature')) return
  const kid = request.header.kid as string
  const alg = request.header.alg as string
  const url = ssa.software_jwks_endpoint as string
  let keys: KeySet
  try {
    keys = await bank.jwks.get(url)
  } catch (e) {
    throw new InvalidSoftwareStatement(`software_jwks_endpoint could not be read: ${(e as Error).message}`)
  }
  if (!keys.has(kid)) {
    const revokedUrl = ssa.software_jwks_revoked_endpoint
    if (typeof revokedUrl === 'string') {
      const revoked = await bank.jwks.get(revokedUrl).catch(() => undefined)
      if (revoked?.has(kid)) {
        throw new InvalidClientMetadata(
          `the registration request is signed with key kid "${kid}", which the directory lists as revoked`,
        )
      }
    }
    throw new InvalidClientMetadata(
      `the registration request is signed with key kid "${kid}", which is not in the software JWKS at ${url}`,
    )
  }
  const outcome = keys.verify(request.raw, kid, alg)
  if (outcome === 'ambiguous-key') {
    throw new InvalidClientMetadata(
      `the registration request: ${keyOutcomeText(outcome, kid, alg, `the software JWKS at ${url}`)}`,
    )
  }
  if (outcome === 'unusable-key') {
    throw new InvalidClientMetadata(
      `software key kid "${kid}" cannot verify ${alg}: the key is not a key for that algorithm`,
    )
  }
  if (outcome !== 'valid') {
    throw new InvalidClientMetadata(`the registration request signature does not verify with software key kid "${kid}"`)
  }
}

/** OB DCR jti: a request jti is single use while the request is valid (replay → rejected). */
export function checkRequestJtiUnused(bank: Bank, claims: Json, now: number): void {
  if (bank.deviations.has('ignore-request-jti-replay') || typeof claims.jti !== 'string') return
  const exp = typeof claims.exp === 'number' ? claims.exp : now + 3600
  // Remember it at least as long as the request could be accepted, plus the skew.
  const until = Math.max(exp, now) + bank.options.clockSkew
  if (!bank.store.useOnce('registration-request', claims.jti.toLowerCase(), until)) {
    throw new InvalidClientMetadata(`jti "${claims.jti}" has already been used: the registration request is a replay`)
  }
}
