/**
 * Rules for the client metadata of a registration request (OB DCR data dictionary per spec
 * version, RFC 7591 §2, RFC 8705 §2.1, OIDC Registration §2, FAPI 1 Advanced). `registeredMetadata`
 * validates every field and returns the metadata as it will be registered and returned.
 *
 * Unknown members are ignored (RFC 7591 §2: "MUST ignore any client metadata ... it does not
 * understand"); known members with the wrong type or value are refused.
 */

import type { Bank } from '../../../config/bank.ts'
import { CIBA_GRANT } from '../../../config/spec.ts'
import type { Json } from '../../../crypto/jose.ts'
import { DnSyntaxError, parseDn, sameDn } from '../../../pki/dn.ts'
import { certOwnershipProblem } from '../../../shared/cert_owner.ts'
import { InvalidClientMetadata, InvalidRedirectUri, UnapprovedSoftwareStatement } from '../../../shared/errors.ts'
import type { ClientCert } from '../../../shared/mtls.ts'
import { ALLOWED_JWS_ALGS } from '../../../shared/signed_inputs.ts'

/** OB DCR §Data Mapping: the scopes each directory role allows, plus `openid`. */
export const ROLE_SCOPES: Record<string, string> = {
  AISP: 'accounts',
  PISP: 'payments',
  CBPII: 'fundsconfirmations',
}
export const SUPPORTED_SCOPES = ['openid', 'accounts', 'payments', 'fundsconfirmations'] as const
export const RESPONSE_TYPES = ['code', 'code id_token'] as const
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0'])
const ENCRYPTION_METADATA = [
  'id_token_encrypted_response_alg',
  'id_token_encrypted_response_enc',
  'userinfo_encrypted_response_alg',
  'userinfo_encrypted_response_enc',
  'request_object_encryption_alg',
  'request_object_encryption_enc',
  'authorization_encrypted_response_alg',
  'authorization_encrypted_response_enc',
] as const
const SAN_METADATA = [
  'tls_client_auth_san_dns',
  'tls_client_auth_san_uri',
  'tls_client_auth_san_ip',
  'tls_client_auth_san_email',
] as const
const URI_METADATA = ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'initiate_login_uri'] as const
/** Client metadata the software statement defines (as software_client_name, software_logo_uri, ...). */
const SSA_OWNED_METADATA = ['client_name', 'logo_uri', 'client_uri', 'policy_uri', 'tos_uri'] as const
/** Request JWT claims that are not client metadata and never appear in a response (RFC 7591 §3.2.1). */
export const REQUEST_ONLY_CLAIMS = ['iss', 'iat', 'exp', 'aud', 'jti', 'nbf'] as const

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(x => typeof x === 'string')

/** OB DCR redirect_uris: https, no localhost, no fragment, ≤ 256, a subset of the SSA's. */
export function checkRedirectUris(bank: Bank, claims: Json, ssa: Json): string[] {
  const softwareUris = (ssa.software_redirect_uris ?? []) as string[]
  const value = claims.redirect_uris
  if (value === undefined) {
    // OB DCR: "If the redirect_uris metadata element is omitted ..., the entire contents of the
    // software_redirect_uris element in the SSA are considered to be requested".
    if (softwareUris.length === 0) {
      throw new InvalidRedirectUri('redirect_uris is omitted and the software statement has no software_redirect_uris')
    }
    return bank.deviations.has('omitted-redirect-uris-registered-empty') ? [] : [...softwareUris]
  }
  if (typeof value === 'string' && bank.deviations.has('accept-redirect-uris-string')) return value.split(',')
  if (!isStringArray(value) || value.length === 0) {
    throw new InvalidRedirectUri(
      `redirect_uris must be a non-empty JSON array of strings, got ${JSON.stringify(value)}`,
    )
  }
  value.forEach((uri, i) => {
    const at = `redirect_uris[${i}] "${uri.slice(0, 300)}"`
    if (uri.length > 256 && !bank.deviations.has('allow-long-redirect-uri'))
      throw new InvalidRedirectUri(`${at} is longer than 256 characters`)
    let url: URL
    try {
      url = new URL(uri)
    } catch {
      if (bank.deviations.has('accept-relative-redirect-uri')) url = new URL(uri, 'https://relative.invalid/')
      else throw new InvalidRedirectUri(`${at} is not an absolute URL`)
    }
    if (url.protocol !== 'https:' && !bank.deviations.has('allow-http-redirect')) {
      throw new InvalidRedirectUri(`${at} must use the https scheme`)
    }
    const host = url.hostname.toLowerCase()
    if ((LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost')) && !bank.deviations.has('allow-loopback-redirect')) {
      throw new InvalidRedirectUri(`${at} must not point at localhost or a loopback address`)
    }
    if (uri.includes('#') && !bank.deviations.has('allow-redirect-fragment')) {
      throw new InvalidRedirectUri(`${at} must not contain a fragment (RFC 6749 §3.1.2)`)
    }
    const anyUri = softwareUris.length === 0 && bank.deviations.has('accept-ssa-without-redirect-uris')
    if (!softwareUris.includes(uri) && !anyUri && !bank.deviations.has('skip-redirect-subset-check')) {
      throw new InvalidRedirectUri(
        `${at} is not one of the software statement's software_redirect_uris; redirect_uris must be a subset of them`,
      )
    }
  })
  return bank.deviations.has('register-first-redirect-uri-only') ? value.slice(0, 1) : [...new Set(value)]
}

/** FAPI: private_key_jwt or tls_client_auth, as this bank offers; the signing alg or DN each needs. */
function checkAuthMethod(bank: Bank, claims: Json, out: Json, cert: ClientCert | null): void {
  const method =
    claims.token_endpoint_auth_method ?? (bank.deviations.has('default-auth-method') ? 'private_key_jwt' : undefined)
  if (method === undefined) throw new InvalidClientMetadata('token_endpoint_auth_method is required')
  const offered: readonly string[] = bank.options.authMethods
  if (typeof method !== 'string' || (!offered.includes(method) && !bank.deviations.has('accept-unknown-auth-method'))) {
    throw new InvalidClientMetadata(
      `token_endpoint_auth_method ${JSON.stringify(method)} is not supported; this bank offers ${offered.join(', ')}`,
    )
  }
  out.token_endpoint_auth_method = method

  const alg = claims.token_endpoint_auth_signing_alg
  if (method === 'private_key_jwt') {
    if (alg === undefined) {
      if (!bank.deviations.has('skip-signing-alg-required')) {
        throw new InvalidClientMetadata(
          'token_endpoint_auth_signing_alg is required when token_endpoint_auth_method is private_key_jwt',
        )
      }
    } else if (
      typeof alg !== 'string' ||
      (!(ALLOWED_JWS_ALGS as readonly string[]).includes(alg) && !bank.deviations.has('accept-weak-signing-alg'))
    ) {
      throw new InvalidClientMetadata(
        `token_endpoint_auth_signing_alg ${JSON.stringify(alg)} is not allowed; use PS256 or ES256 (FAPI)`,
      )
    } else {
      out.token_endpoint_auth_signing_alg = alg
    }
  }

  const { dnClaim } = bank.profile
  const otherDnClaim = dnClaim === 'tls_client_auth_dn' ? 'tls_client_auth_subject_dn' : 'tls_client_auth_dn'
  if (claims[otherDnClaim] !== undefined) {
    throw new InvalidClientMetadata(
      `${otherDnClaim} is not defined in spec ${bank.profile.version}; the subject DN goes in ${dnClaim}`,
    )
  }
  for (const san of SAN_METADATA) {
    if (claims[san] !== undefined && !bank.deviations.has('accept-tls-san-metadata')) {
      throw new InvalidClientMetadata(`${san} is not supported: this bank matches tls_client_auth on ${dnClaim} only`)
    }
  }
  const dn = claims[dnClaim]
  if (method === 'tls_client_auth') {
    if (dn === undefined) {
      if (bank.deviations.has('skip-tls-dn-required')) return
      throw new InvalidClientMetadata(`${dnClaim} is required when token_endpoint_auth_method is tls_client_auth`)
    }
    if (typeof dn !== 'string') throw new InvalidClientMetadata(`${dnClaim} must be a string`)
    if (!bank.deviations.has('skip-subject-dn-syntax')) checkDnSyntax(bank, dn)
    checkDnIdentifiesCert(bank, dnClaim, dn, cert)
    out[dnClaim] = dn
  } else if (dn !== undefined) {
    if (bank.deviations.has('register-dn-with-private-key-jwt')) out[dnClaim] = dn
    else
      throw new InvalidClientMetadata(`${dnClaim} must be set only when token_endpoint_auth_method is tls_client_auth`)
  }
}

/** RFC 4514 syntax, the version's length limit and pattern of a registered subject DN. */
function checkDnSyntax(bank: Bank, dn: string): void {
  const { dnClaim } = bank.profile
  if (dn.length === 0 || dn.length > bank.profile.dnMaxLength) {
    throw new InvalidClientMetadata(`${dnClaim} must be a string of 1 to ${bank.profile.dnMaxLength} characters`)
  }
  if (bank.profile.dnPattern && !bank.profile.dnPattern.test(dn)) {
    throw new InvalidClientMetadata(
      `${dnClaim} "${dn}" does not match the spec ${bank.profile.version} pattern (RFC 4514, starting with CN=)`,
    )
  }
  try {
    parseDn(dn)
  } catch (e) {
    if (e instanceof DnSyntaxError) throw new InvalidClientMetadata(`${dnClaim} is not an RFC 4514 DN: ${e.message}`)
    throw e
  }
}

/**
 * RFC 8705 §2.1.2: the subject DN is "the expected subject distinguished name of the certificate"
 * the client will present. It must name the certificate presented with this very request (same
 * subject after RFC 4514 / RFC 4517 normalisation): else any TPP could register another
 * organisation's DN, and that organisation's certificate would then authenticate as its client
 * (catalogue NEG-META-38).
 */
function checkDnIdentifiesCert(bank: Bank, dnClaim: string, dn: string, cert: ClientCert | null): void {
  const { deviations } = bank
  if (!cert || deviations.has('register-any-subject-dn') || deviations.has('skip-dn-match')) return
  let parsed: ReturnType<typeof parseDn> | undefined
  try {
    parsed = parseDn(dn)
  } catch {
    // Not a DN at all (syntax is checkDnSyntax's business): it names no certificate.
  }
  if (!parsed || !sameDn(parsed, cert.subject)) {
    throw new InvalidClientMetadata(
      `${dnClaim} "${dn}" does not identify the transport certificate presented with this request (subject "${cert.subjectText}"): register the subject DN of the certificate the client will present (RFC 8705 section 2.1.2)`,
    )
  }
}

/** OB DCR grant_types (1..*, the version's enum) and response_types (code, code id_token). */
function checkGrantAndResponseTypes(bank: Bank, claims: Json, out: Json): void {
  const given = claims.grant_types
  // The deviation takes a missing or empty grant_types as RFC 7591's default instead of refusing it.
  const empty = given === undefined || (Array.isArray(given) && given.length === 0)
  const grants = empty && bank.deviations.has('default-empty-grant-types') ? ['authorization_code'] : given
  if (grants === undefined) throw new InvalidClientMetadata('grant_types is required')
  if (!isStringArray(grants) || grants.length === 0) {
    throw new InvalidClientMetadata(`grant_types must be a non-empty array of strings, got ${JSON.stringify(grants)}`)
  }
  for (const g of grants) {
    if (!bank.profile.grantTypes.includes(g) && !bank.deviations.has('accept-unknown-grant-type')) {
      throw new InvalidClientMetadata(
        `grant_types value "${g}" is not supported in spec ${bank.profile.version} (allowed: ${bank.profile.grantTypes.join(', ')})`,
      )
    }
  }
  out.grant_types = [...new Set(grants)]

  // OB DCR: response_types defaults to `code id_token`, which means something only to a client of
  // the authorization endpoint: a client without the authorization_code grant registers none.
  const responseTypes = claims.response_types ?? (grants.includes('authorization_code') ? ['code id_token'] : [])
  if (!isStringArray(responseTypes)) {
    throw new InvalidClientMetadata(`response_types must be an array of strings, got ${JSON.stringify(responseTypes)}`)
  }
  for (const rt of responseTypes) {
    if (
      !(RESPONSE_TYPES as readonly string[]).includes(rt) &&
      !bank.deviations.has('accept-unsupported-response-type')
    ) {
      throw new InvalidClientMetadata(`response_types value "${rt}" is not supported (allowed: code, code id_token)`)
    }
  }
  const consistent = grants.includes('authorization_code') || bank.deviations.has('skip-grant-response-consistency')
  if (responseTypes.length > 0 && !consistent) {
    throw new InvalidClientMetadata(
      'response_types needs the authorization_code grant type in grant_types (RFC 7591 §2.1)',
    )
  }
  // The OB response schema has response_types with at least one item: none is left out.
  if (responseTypes.length > 0) out.response_types = [...new Set(responseTypes)]
}

/** OB DCR scope: the version's shape, supported scopes only, and within the SSA's roles. */
function checkScope(bank: Bank, claims: Json, ssa: Json, out: Json): void {
  const roles = (ssa.software_roles ?? []) as string[]
  const allowed = new Set(['openid', ...roles.map(r => ROLE_SCOPES[r]).filter((s): s is string => !!s)])
  let scopes: string[]
  const value = claims.scope
  if (value === undefined) {
    // "if not specified, default scopes are assigned by the AS": everything the roles allow.
    scopes = SUPPORTED_SCOPES.filter(s => allowed.has(s))
  } else if (bank.profile.scopeIsArray) {
    if (!isStringArray(value) || value.length === 0 || value.some(s => s.length === 0 || s.length > 32)) {
      throw new InvalidClientMetadata(
        `scope must be a non-empty array of scope strings (1 to 32 characters) in spec 3.1, got ${JSON.stringify(value)}`,
      )
    }
    scopes = value
  } else {
    if (typeof value !== 'string' || value.trim() === '' || value.length > 256) {
      throw new InvalidClientMetadata(
        `scope must be a space-separated string of 1 to 256 characters in spec ${bank.profile.version}, got ${JSON.stringify(value)}`,
      )
    }
    scopes = value.trim().split(/ +/)
  }
  // The deviation reads scope as an ordered list (RFC 6749 §3.3: "The strings are order-independent").
  if (bank.deviations.has('scope-must-start-with-openid') && scopes[0] !== 'openid')
    throw new InvalidClientMetadata('scope must start with openid')
  if (bank.deviations.has('drop-unknown-scope')) scopes = scopes.filter(s => SUPPORTED_SCOPES.some(k => k === s))
  for (const s of scopes) {
    if (!(SUPPORTED_SCOPES as readonly string[]).includes(s)) {
      throw new InvalidClientMetadata(`scope "${s}" is not supported (scopes_supported: ${SUPPORTED_SCOPES.join(' ')})`)
    }
    if (!allowed.has(s) && !bank.deviations.has('accept-scope-beyond-roles')) {
      throw new InvalidClientMetadata(
        `scope "${s}" is not allowed by the software statement's software_roles ${JSON.stringify(roles)}`,
      )
    }
  }
  scopes = [...new Set(scopes)]
  out.scope = bank.profile.scopeIsArray || bank.deviations.has('scope-as-array') ? scopes : scopes.join(' ')
}

function checkEnum(claims: Json, name: string, allowed: readonly string[], out: Json, required = true): void {
  const v = claims[name]
  if (v === undefined) {
    if (required) throw new InvalidClientMetadata(`${name} is required`)
    return
  }
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw new InvalidClientMetadata(`${name} ${JSON.stringify(v)} is not supported (allowed: ${allowed.join(', ')})`)
  }
  out[name] = v
}

/** OB DCR 3.3+ CIBA rows: the backchannel_* metadata exist iff grant_types has the CIBA grant. */
function checkCiba(bank: Bank, claims: Json, out: Json): void {
  if (!bank.profile.ciba || bank.deviations.has('accept-incomplete-ciba')) return
  const names = [
    'backchannel_token_delivery_mode',
    'backchannel_client_notification_endpoint',
    'backchannel_authentication_request_signing_alg',
    'backchannel_user_code_parameter_supported',
  ] as const
  const grants = out.grant_types as string[]
  if (!grants.includes(CIBA_GRANT)) {
    for (const n of names) {
      if (claims[n] !== undefined)
        throw new InvalidClientMetadata(`${n} must be specified only if grant_types includes ${CIBA_GRANT}`)
    }
    return
  }
  // FAPI-CIBA: poll or ping, never push.
  checkEnum(claims, 'backchannel_token_delivery_mode', ['poll', 'ping'], out)
  if (out.backchannel_token_delivery_mode === 'poll' && claims.backchannel_client_notification_endpoint !== undefined) {
    // CIBA §4: the notification endpoint is for ping (and push) mode; refused, not silently dropped.
    throw new InvalidClientMetadata(
      'backchannel_client_notification_endpoint must not be sent when backchannel_token_delivery_mode is poll (CIBA section 4: it is for ping mode)',
    )
  }
  if (out.backchannel_token_delivery_mode === 'ping') {
    const endpoint = claims.backchannel_client_notification_endpoint
    if (typeof endpoint !== 'string' || endpoint.length > 256 || !/^https:\/\/[^/]/.test(endpoint)) {
      throw new InvalidClientMetadata(
        'backchannel_client_notification_endpoint must be an https URL of at most 256 characters when backchannel_token_delivery_mode is ping',
      )
    }
    out.backchannel_client_notification_endpoint = endpoint
  }
  checkEnum(claims, 'backchannel_authentication_request_signing_alg', ALLOWED_JWS_ALGS, out)
  const userCode = claims.backchannel_user_code_parameter_supported
  if (userCode !== undefined) {
    if (userCode !== false)
      throw new InvalidClientMetadata('backchannel_user_code_parameter_supported must be false if specified')
    out.backchannel_user_code_parameter_supported = false
  }
}

/** Keys are the software's, from the SSA: no jwks by value, no other jwks_uri (OB DCR "Of JWS & JWKS"). */
function checkKeys(bank: Bank, claims: Json, ssa: Json): void {
  if (claims.jwks !== undefined && !bank.deviations.has('accept-jwks-by-value')) {
    throw new InvalidClientMetadata(
      "jwks by value is not accepted: the client's keys are read from the software statement's software_jwks_endpoint",
    )
  }
  const uri = claims.jwks_uri
  if (uri !== undefined && uri !== ssa.software_jwks_endpoint && !bank.deviations.has('accept-foreign-jwks-uri')) {
    throw new InvalidClientMetadata(
      `jwks_uri ${JSON.stringify(uri)} must be the software statement's software_jwks_endpoint "${String(ssa.software_jwks_endpoint)}"`,
    )
  }
}

/** Features this bank does not offer are refused rather than silently dropped. */
function checkUnsupportedFeatures(bank: Bank, claims: Json): void {
  const { deviations } = bank
  for (const name of ENCRYPTION_METADATA) {
    if (claims[name] !== undefined && !deviations.has('accept-encryption-metadata')) {
      const alg = name.replace(/_enc$/, '_alg')
      if (name.endsWith('_enc') && claims[alg] === undefined) {
        throw new InvalidClientMetadata(`${name} requires ${alg} (OIDC Registration §2)`)
      }
      throw new InvalidClientMetadata(`${name} is not supported: this bank does not encrypt or decrypt JWTs`)
    }
  }
  const sector = claims.sector_identifier_uri !== undefined && !deviations.has('accept-sector-identifier-uri')
  if (sector || (claims.subject_type !== undefined && claims.subject_type !== 'public')) {
    throw new InvalidClientMetadata(
      'sector_identifier_uri and pairwise subject_type are not supported (subject_types_supported: public)',
    )
  }
  for (const name of URI_METADATA) {
    const v = claims[name]
    if (v === undefined) continue
    if (
      deviations.has(name === 'initiate_login_uri' ? 'accept-http-initiate-login-uri' : 'accept-malformed-client-uris')
    )
      continue
    let ok = false
    try {
      ok = typeof v === 'string' && new URL(v).protocol === 'https:'
    } catch {
      ok = false
    }
    if (!ok) throw new InvalidClientMetadata(`${name} must be an https URL, got ${JSON.stringify(v)}`)
  }
  if (claims.client_name !== undefined && (typeof claims.client_name !== 'string' || claims.client_name.length > 256)) {
    throw new InvalidClientMetadata('client_name must be a string of at most 256 characters')
  }
  const maxAge = claims.default_max_age
  const typed = !deviations.has('coerce-metadata-types')
  if (typed && maxAge !== undefined && (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0)) {
    throw new InvalidClientMetadata(`default_max_age must be a non-negative integer, got ${JSON.stringify(maxAge)}`)
  }
  if (typed && claims.require_auth_time !== undefined && typeof claims.require_auth_time !== 'boolean') {
    throw new InvalidClientMetadata('require_auth_time must be a boolean')
  }
  // RFC 8705 §3.4 and FAPI: tokens are always certificate-bound; a client may not opt out.
  const bound = claims.tls_client_certificate_bound_access_tokens
  if (bound !== undefined && bound !== true && !deviations.has('register-unbound-token-flag')) {
    throw new InvalidClientMetadata(
      'tls_client_certificate_bound_access_tokens must be true: this bank issues only certificate-bound tokens',
    )
  }
  const signedRequest = claims.require_signed_request_object
  if (signedRequest !== undefined && signedRequest !== true) {
    throw new InvalidClientMetadata('require_signed_request_object must be true (FAPI 1 Advanced §5.2.2)')
  }
}

/** OB DCR software_id: "If specified, the software_id in the request MUST match the software_id specified in the SSA". */
function checkSoftwareId(bank: Bank, claims: Json, ssa: Json): void {
  const id = claims.software_id
  if (id !== undefined && id !== ssa.software_id && !bank.deviations.has('skip-software-id-match')) {
    throw new InvalidClientMetadata(
      `software_id ${JSON.stringify(id)} must match the software statement's software_id "${String(ssa.software_id)}"`,
    )
  }
}

/** The transport certificate must belong to the SSA's software (`shared/cert_owner.ts`). */
export function checkTransportCertMatchesSoftware(bank: Bank, cert: ClientCert | null, ssa: Json): void {
  if (bank.deviations.has('skip-transport-software-match') || !cert) return
  const problem = certOwnershipProblem(bank, cert, {
    softwareId: String(ssa.software_id),
    orgId: typeof ssa.org_id === 'string' ? ssa.org_id : '',
  })
  if (problem) {
    throw new UnapprovedSoftwareStatement(
      `the transport certificate does not belong to the software statement: ${problem}`,
    )
  }
}

/**
 * Validates all metadata; returns the registered metadata in the spec version's shape. `cert` is
 * the certificate presented with the request (null only under a deviation that lets none through).
 */
export function registeredMetadata(bank: Bank, claims: Json, ssa: Json, cert: ClientCert | null): Json {
  const out: Json = {}
  out.redirect_uris = checkRedirectUris(bank, claims, ssa)
  checkAuthMethod(bank, claims, out, cert)
  checkGrantAndResponseTypes(bank, claims, out)
  out.software_id = ssa.software_id
  checkSoftwareId(bank, claims, ssa)
  checkScope(bank, claims, ssa, out)
  const { deviations } = bank
  if (!deviations.has('accept-any-application-type'))
    checkEnum(claims, 'application_type', bank.profile.applicationTypes, out)
  if (!deviations.has('accept-any-id-token-alg'))
    checkEnum(claims, 'id_token_signed_response_alg', ALLOWED_JWS_ALGS, out)
  if (!deviations.has('accept-any-request-object-alg'))
    checkEnum(claims, 'request_object_signing_alg', ALLOWED_JWS_ALGS, out)
  if (bank.deviations.has('request-object-alg-as-array'))
    out.request_object_signing_alg = [out.request_object_signing_alg]
  checkCiba(bank, claims, out)
  checkKeys(bank, claims, ssa)
  checkUnsupportedFeatures(bank, claims)
  // The deviation registers a client's `false` as sent.
  const optedOut = claims.tls_client_certificate_bound_access_tokens === false
  out.tls_client_certificate_bound_access_tokens = !(optedOut && deviations.has('register-unbound-token-flag'))
  // RFC 7591 §3.1.1: the software statement's values take precedence. The SSA carries them
  // (software_client_name, software_logo_uri, ...) and they are returned flattened; the body's
  // own client_name and URIs are validated above but not registered.
  if (bank.deviations.has('body-metadata-overrides-ssa')) {
    for (const name of SSA_OWNED_METADATA) if (claims[name] !== undefined) out[name] = claims[name]
  }
  // RFC 7591 §2: unknown members are ignored; the deviation stores whatever else was sent.
  if (deviations.has('register-unknown-metadata'))
    for (const [k, v] of Object.entries(claims)) if (out[k] === undefined && !isRequestOnly(k)) out[k] = v
  // RFC 7591 §3.2.1: the defaults applied are returned; the deviation leaves them out.
  if (deviations.has('omit-defaulted-metadata'))
    for (const k of ['response_types', 'scope'] as const) if (claims[k] === undefined) delete out[k]
  return out
}

const isRequestOnly = (k: string) => (REQUEST_ONLY_CLAIMS as readonly string[]).includes(k)
