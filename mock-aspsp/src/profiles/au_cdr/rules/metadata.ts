/**
 * Rules for the client metadata of a Data Holder registration (CDS 1.36 "Registration Request
 * using JWT", DCR API `ClientRegistration` / `RegistrationProperties`). `registeredMetadata`
 * validates every claim and returns the registration as it is stored and answered: the request's
 * metadata with the Data Holder's defaults, and the SSA's metadata flattened (CDS "Registration
 * Response"). Claims the Data Holder does not support are ignored and not returned.
 */

import type { Bank } from '../../../config/bank.ts'
import type { Json } from '../../../crypto/jose.ts'
import { InvalidClientMetadata, InvalidRedirectUri } from '../../../shared/errors.ts'
import { ALLOWED_JWS_ALGS } from '../../../shared/signed_inputs.ts'
import { REQUEST_ONLY_CLAIMS } from './request.ts'

export const AUTH_METHOD = 'private_key_jwt'
export const GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token'] as const
export const RESPONSE_TYPES = ['code'] as const
export const JARM_ENCRYPTION_ALGS = ['RSA-OAEP', 'RSA-OAEP-256'] as const
export const JARM_ENCRYPTION_ENCS = ['A256GCM', 'A128CBC-HS256'] as const
/** CDS: if `authorization_encrypted_response_alg` is given without `_enc`, the default is A128CBC-HS256. */
const DEFAULT_JARM_ENC = 'A128CBC-HS256'
/** CDS: "If field not present in the request, data holders are expected to respond with an appropriate default value". */
const DEFAULT_REQUEST_OBJECT_ALG = 'PS256'

/** The scopes this (banking) Data Holder supports; SSA scopes outside the list are ignored (CDS). */
export const SUPPORTED_SCOPES = [
  'openid',
  'profile',
  'bank:accounts.basic:read',
  'bank:accounts.detail:read',
  'bank:transactions:read',
  'bank:payees:read',
  'bank:regular_payments:read',
  'common:customer.basic:read',
  'common:customer.detail:read',
  'cdr:registration',
] as const

/** SSA claims returned as top-level metadata (CDS "Registration Response": SSA metadata used is returned). */
export const SSA_METADATA = [
  'client_name',
  'client_description',
  'client_uri',
  'legal_entity_id',
  'legal_entity_name',
  'org_id',
  'org_name',
  'sector_identifier_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'jwks_uri',
  'revocation_uri',
  'recipient_base_uri',
  'software_id',
  'software_roles',
] as const
/** Request claims the Data Holder registers (the rest are ignored, CDS). */
const REQUEST_METADATA = [
  'redirect_uris',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'grant_types',
  'response_types',
  'application_type',
  'id_token_signed_response_alg',
  'id_token_encrypted_response_alg',
  'id_token_encrypted_response_enc',
  'authorization_signed_response_alg',
  'authorization_encrypted_response_alg',
  'authorization_encrypted_response_enc',
  'request_object_signing_alg',
  'software_statement',
] as const

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(x => typeof x === 'string')
const absent = (v: unknown) => v === undefined || v === null || v === ''

/**
 * What a Data Holder that does not insist on the CDS Required claims registers instead (only under
 * the skip-required-metadata deviation): the RFC 7591 §2 defaults, and its only auth method.
 */
const LAX_DEFAULTS: Record<string, unknown> = {
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: AUTH_METHOD,
}

function required(bank: Bank, claims: Json, name: string): unknown {
  const v = claims[name]
  if (!absent(v)) return v
  if (!bank.deviations.has('skip-required-metadata')) {
    throw new InvalidClientMetadata(`${name} is required (CDS Registration Request)`)
  }
  return LAX_DEFAULTS[name]
}

function oneOf(claims: Json, name: string, allowed: readonly string[], lax: boolean): string | undefined {
  const v = claims[name]
  if (absent(v)) return undefined
  if (typeof v !== 'string' || (!allowed.includes(v) && !lax)) {
    throw new InvalidClientMetadata(`${name} ${JSON.stringify(v)} is not supported (allowed: ${allowed.join(', ')})`)
  }
  return v
}

/**
 * CDS: redirect_uris are optional and, if used, "MUST match or be a subset of the redirect_uris as
 * defined in the SSA" (whose URIs are absolute: rules/ssa.ts); omitted, the SSA's are registered.
 */
export function checkRedirectUris(bank: Bank, claims: Json, ssa: Json): string[] {
  const softwareUris = isStringArray(ssa.redirect_uris) ? ssa.redirect_uris : []
  const value = claims.redirect_uris
  if (value === undefined) return [...softwareUris]
  if (!isStringArray(value) || value.length === 0) {
    throw new InvalidRedirectUri(`redirect_uris must be a non-empty array of URIs, got ${JSON.stringify(value)}`)
  }
  for (const [i, uri] of value.entries()) {
    if (bank.deviations.has('refuse-localhost-redirect') && /^https?:\/\/localhost[:/]/i.test(uri)) {
      throw new InvalidRedirectUri(`redirect_uris[${i}] "${uri.slice(0, 300)}" is not allowed: localhost`)
    }
    if (!softwareUris.includes(uri) && !bank.deviations.has('skip-redirect-subset-check')) {
      throw new InvalidRedirectUri(
        `redirect_uris[${i}] "${uri.slice(0, 300)}" is not one of the software statement's redirect_uris; redirect_uris must match or be a subset of them`,
      )
    }
  }
  return [...new Set(value)]
}

/** CDS Client Authentication: private_key_jwt with PS256 or ES256, both required. */
function checkTokenEndpointAuth(bank: Bank, claims: Json, out: Json): void {
  const method = required(bank, claims, 'token_endpoint_auth_method')
  if (method !== undefined && method !== AUTH_METHOD && !bank.deviations.has('accept-unknown-auth-method')) {
    throw new InvalidClientMetadata(
      `token_endpoint_auth_method ${JSON.stringify(method)} is not supported: the only method is private_key_jwt (tls_client_auth SHALL NOT be supported)`,
    )
  }
  if (method !== undefined) out.token_endpoint_auth_method = method
  const alg = claims.token_endpoint_auth_signing_alg
  if (absent(alg)) {
    if (!bank.deviations.has('skip-signing-alg-required')) {
      throw new InvalidClientMetadata('token_endpoint_auth_signing_alg is required (CDS Registration Request)')
    }
    return
  }
  out.token_endpoint_auth_signing_alg = oneOf(
    claims,
    'token_endpoint_auth_signing_alg',
    ALLOWED_JWS_ALGS,
    bank.deviations.has('accept-weak-signing-alg'),
  )
}

/** CDS: grant_types and response_types required; `code` only (Hybrid retired); code needs authorization_code. */
function checkGrantAndResponseTypes(bank: Bank, claims: Json, out: Json): void {
  const lax = bank.deviations.has('accept-unknown-grant-type')
  const grants = required(bank, claims, 'grant_types')
  if (grants !== undefined) {
    if (!isStringArray(grants) || grants.length === 0) {
      throw new InvalidClientMetadata(`grant_types must be a non-empty array, got ${JSON.stringify(grants)}`)
    }
    const unknown = grants.find(g => !(GRANT_TYPES as readonly string[]).includes(g))
    if (unknown && !lax) {
      throw new InvalidClientMetadata(
        `grant_types value "${unknown}" is not supported (supported: ${GRANT_TYPES.join(', ')})`,
      )
    }
    out.grant_types = [...new Set(grants)]
  }
  const responseTypes = required(bank, claims, 'response_types')
  if (responseTypes === undefined) return
  if (!isStringArray(responseTypes) || responseTypes.length === 0) {
    throw new InvalidClientMetadata(`response_types must be a non-empty array, got ${JSON.stringify(responseTypes)}`)
  }
  const other = responseTypes.find(rt => rt !== 'code')
  if (other && !bank.deviations.has('accept-hybrid-response-type')) {
    throw new InvalidClientMetadata(
      `response_types value "${other}" is not supported: only code (Authorization Code Flow; the Hybrid Flow is retired)`,
    )
  }
  out.response_types = [...new Set(responseTypes)]
  if (!(out.grant_types as string[] | undefined)?.includes('authorization_code') && !lax) {
    throw new InvalidClientMetadata(
      'grant_types must contain authorization_code when response_types has code (RFC 7591 §2.1)',
    )
  }
}

/** CDS: id_token_signed_response_alg required (PS256, ES256); id_token encryption SHALL NOT be used with ACF. */
function checkIdToken(bank: Bank, claims: Json, out: Json): void {
  const alg = required(bank, claims, 'id_token_signed_response_alg')
  if (alg !== undefined) {
    out.id_token_signed_response_alg = oneOf(
      claims,
      'id_token_signed_response_alg',
      ALLOWED_JWS_ALGS,
      bank.deviations.has('accept-weak-id-token-alg'),
    )
  }
  if (bank.deviations.has('default-id-token-encryption')) {
    out.id_token_encrypted_response_alg = 'RSA-OAEP'
    out.id_token_encrypted_response_enc = 'A256GCM'
  }
  for (const name of ['id_token_encrypted_response_alg', 'id_token_encrypted_response_enc'] as const) {
    if (absent(claims[name])) continue
    if (bank.deviations.has('accept-id-token-encryption-with-code')) {
      out[name] = claims[name]
    } else if (bank.options.cdr.idTokenEncryptionWithCode === 'refuse') {
      throw new InvalidClientMetadata(
        `${name} is not allowed: ID token encryption SHALL NOT be used for the Authorization Code Flow (response_types code)`,
      )
    }
  }
}

/**
 * CDS / JARM: authorization_signed_response_alg is required for `code` (PS256, ES256; never none);
 * the encryption pair is optional, `_enc` needs `_alg`, `_alg` alone means A128CBC-HS256.
 */
function checkJarm(bank: Bank, claims: Json, out: Json): void {
  const signing = claims.authorization_signed_response_alg
  if (absent(signing)) {
    if (bank.options.cdr.jarmSigningAlgDefault) out.authorization_signed_response_alg = 'PS256'
    else if (!bank.deviations.has('skip-jarm-alg-required')) {
      throw new InvalidClientMetadata(
        'authorization_signed_response_alg is required when response_types has code (JARM; CDS Registration Request)',
      )
    }
  } else {
    out.authorization_signed_response_alg = oneOf(
      claims,
      'authorization_signed_response_alg',
      ALLOWED_JWS_ALGS,
      bank.deviations.has('accept-weak-jarm-alg'),
    )
    if (bank.deviations.has('jarm-alg-always-ps256')) out.authorization_signed_response_alg = 'PS256'
  }
  const alg = claims.authorization_encrypted_response_alg
  const enc = claims.authorization_encrypted_response_enc
  if (absent(alg) && absent(enc)) return
  if (!bank.options.cdr.jarmEncryption) {
    throw new InvalidClientMetadata(
      'authorization_encrypted_response_alg / _enc are not supported: this Data Holder does not encrypt authorisation responses',
    )
  }
  if (absent(alg)) {
    if (!bank.deviations.has('accept-jarm-enc-without-alg')) {
      throw new InvalidClientMetadata(
        'authorization_encrypted_response_enc requires authorization_encrypted_response_alg',
      )
    }
  } else {
    const lax = bank.deviations.has('accept-weak-jarm-encryption')
    out.authorization_encrypted_response_alg = oneOf(
      claims,
      'authorization_encrypted_response_alg',
      JARM_ENCRYPTION_ALGS,
      lax,
    )
    const asked = oneOf(claims, 'authorization_encrypted_response_enc', JARM_ENCRYPTION_ENCS, lax)
    const enc = bank.deviations.has('no-jarm-enc-default') ? asked : (asked ?? DEFAULT_JARM_ENC)
    if (enc !== undefined)
      out.authorization_encrypted_response_enc = bank.deviations.has('jarm-enc-always-a256gcm') ? 'A256GCM' : enc
  }
  if (!absent(enc) && out.authorization_encrypted_response_enc === undefined)
    out.authorization_encrypted_response_enc = enc
}

/** CDS: the client's scopes come from the SSA; scopes the Data Holder does not support are ignored. */
function registeredScope(bank: Bank, claims: Json, ssa: Json): string {
  const source =
    bank.deviations.has('scope-from-request') && typeof claims.scope === 'string' ? claims.scope : ssa.scope
  const scopes = String(source ?? '')
    .split(' ')
    .filter(Boolean)
  const kept = bank.deviations.has('keep-unsupported-ssa-scopes')
    ? scopes
    : scopes.filter(s => (SUPPORTED_SCOPES as readonly string[]).includes(s))
  return [...new Set(kept)].join(' ')
}

/** Validates the request's metadata and returns the registration (without client_id and software_statement). */
export function registeredMetadata(bank: Bank, claims: Json, ssa: Json): Json {
  const out: Json = {}
  out.redirect_uris = checkRedirectUris(bank, claims, ssa)
  checkTokenEndpointAuth(bank, claims, out)
  checkGrantAndResponseTypes(bank, claims, out)
  out.application_type =
    oneOf(claims, 'application_type', ['web'], bank.deviations.has('accept-unknown-application-type')) ?? 'web'
  checkIdToken(bank, claims, out)
  if (
    (out.response_types as string[] | undefined)?.includes('code') ||
    !absent(claims.authorization_signed_response_alg)
  ) {
    checkJarm(bank, claims, out)
  }
  const roAlg = oneOf(
    claims,
    'request_object_signing_alg',
    ALLOWED_JWS_ALGS,
    bank.deviations.has('accept-weak-request-object-alg'),
  )
  if (roAlg !== undefined) out.request_object_signing_alg = roAlg
  else if (!bank.deviations.has('no-request-object-alg-default'))
    out.request_object_signing_alg = DEFAULT_REQUEST_OBJECT_ALG
  for (const name of SSA_METADATA) if (ssa[name] !== undefined) out[name] = ssa[name]
  if (bank.deviations.has('omit-ssa-metadata')) {
    for (const name of ['org_name', 'revocation_uri', 'recipient_base_uri'] as const) delete out[name]
  }
  out.scope = registeredScope(bank, claims, ssa)
  if (bank.deviations.has('echo-unknown-claims')) {
    const known = new Set<string>([...REQUEST_METADATA, ...REQUEST_ONLY_CLAIMS, ...SSA_METADATA, 'scope'])
    // Defined, not assigned: a `__proto__` claim is echoed as a member, not made the prototype.
    for (const [k, v] of Object.entries(claims)) {
      if (!known.has(k))
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
    }
  }
  return out
}
