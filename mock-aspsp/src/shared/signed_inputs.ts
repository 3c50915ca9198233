/**
 * The signed inputs of DCR and of the authorization request, decoded the same way in every profile:
 * the registration request, the software statement (with the bank's cache of verified ones) and
 * the request object, each a compact JWS; a malformed one is refused with the error of its place.
 * Each profile's rules (`profiles/<name>/rules/`) then check what they hold.
 */
import type { Bank, BoundedMap } from '../config/bank.ts'
import { type DecodedJws, decodeJws, JwsFormatError } from '../crypto/jose.ts'
import { InvalidClientMetadata, InvalidRequestObject, InvalidSoftwareStatement, ServerError } from './errors.ts'

/** FAPI 1 Advanced §8.6: the JWS algorithms of every signed input (PS256, ES256). */
export const ALLOWED_JWS_ALGS = ['PS256', 'ES256'] as const

/** The body must be a compact JWS whose header and payload are JSON objects. */
export function parseRequestJws(body: unknown, bank?: Bank): DecodedJws {
  const crash = bank?.deviations.has('crash-on-malformed-jws')
  if (typeof body !== 'string' || body.trim() === '') {
    if (crash) throw new ServerError()
    throw new InvalidClientMetadata('the registration request body is empty; it must be a compact JWS')
  }
  try {
    return decodeJws(body, 'the registration request')
  } catch (e) {
    if (e instanceof JwsFormatError) throw crash ? new ServerError() : new InvalidClientMetadata(e.message)
    throw e
  }
}

/**
 * A software statement from a profile's cache of verified ones, if `raw` is one: looked up by its
 * signature (hashing 342 characters, not the whole ~3 KB statement, on every registration), and a
 * hit only when it is the very same string.
 */
export function verifiedSsa(verified: BoundedMap<DecodedJws>, raw: string): DecodedJws | undefined {
  const hit = verified.get(ssaCacheKey(raw))
  return hit?.raw === raw ? hit : undefined
}

/** The key of a verified software statement in a profile's cache: its signature. */
export const ssaCacheKey = (raw: string) => raw.slice(raw.lastIndexOf('.') + 1)

/**
 * A `software_statement` as a compact JWS: the one verified before (`verified`, the profile's
 * cache), or decoded now; a malformed one is `invalid_software_statement` (both profiles).
 */
export function decodeSoftwareStatement(
  bank: Bank,
  ssa: string,
  verified: BoundedMap<DecodedJws> = bank.verifiedSsas,
): DecodedJws {
  const known = verifiedSsa(verified, ssa)
  if (known) return known
  try {
    return decodeJws(ssa, 'software_statement')
  } catch (e) {
    if (e instanceof JwsFormatError) {
      throw bank.deviations.has('crash-on-malformed-jws') ? new ServerError() : new InvalidSoftwareStatement(e.message)
    }
    throw e
  }
}

/** A request object's parts; a malformed one is InvalidRequestObject (every profile's rule). */
export function decodeRequestObject(jws: string): ReturnType<typeof decodeJws> {
  try {
    return decodeJws(jws, 'the request object')
  } catch (e) {
    if (e instanceof JwsFormatError) throw new InvalidRequestObject(e.message)
    throw e
  }
}

/**
 * A request is short-lived: valid for at most `maxRequestLifetime` (`exp` − `iat`; without `iat`,
 * `exp` − now). With `exp` not passed, that also refuses a negative or ancient `iat` and an `exp`
 * of 1e20, and bounds how long the request's `jti` must be remembered (catalogue NEG-JWT-15).
 */
export function checkRequestLifetime(bank: Bank, iat: number | undefined, exp: number | undefined, now: number): void {
  if (exp === undefined || bank.deviations.has('accept-unbounded-request-lifetime')) return
  const max = bank.options.maxRequestLifetime
  const from = iat ?? now
  if (exp - from > max + bank.options.clockSkew) {
    throw new InvalidClientMetadata(
      `exp ${exp} is ${exp - from}s after ${iat === undefined ? 'now' : `iat ${iat}`}: a registration request may be valid for at most ${max}s (option maxRequestLifetime, --max-request-lifetime)`,
    )
  }
}
