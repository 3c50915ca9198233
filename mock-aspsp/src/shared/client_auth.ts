/**
 * Client authentication at the token, introspection, revocation and PAR endpoints, by the method
 * the client registered: `private_key_jwt` (RFC 7523 §3, OIDC Core §9) or `tls_client_auth`
 * (RFC 8705 §2.1). Any failure is `invalid_client` (RFC 6749 §5.2) with a description that names
 * the claim or parameter and the rule.
 *
 * Whatever the method, the request comes over mutual TLS with a certificate that is trusted now
 * and belongs to the client's software (`cert_owner.ts`): a valid assertion of one TPP's client
 * sent over another organisation's certificate is refused (DESIGN: "Which certificate may act for
 * a client"; FAPI 1 Advanced §5.2.2; catalogue NEG-TOK-32, NEG-TOK-34, NEG-BIND-08).
 */
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import {
  type DecodedJws,
  decodeJws,
  type Json,
  JwsFormatError,
  joseHeaderProblem,
  type KeySet,
  keyOutcomeText,
} from '../crypto/jose.ts'
import { type ClientRecord, epoch } from '../models/store.ts'
import { jwksUriOf } from '../oauth/client_info.ts'
import { dnKeyOfString } from '../pki/dn.ts'
import { certOwnershipProblem } from './cert_owner.ts'
import { InvalidClient, type OAuthError, ServerError, UnauthorizedClient } from './errors.ts'
import { type ClientCert, requestCert } from './mtls.ts'
import { ALLOWED_JWS_ALGS } from './signed_inputs.ts'

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface AuthenticatedClient {
  client: ClientRecord
  method: 'private_key_jwt' | 'tls_client_auth'
  /** The presented certificate (trusted), or null when none was presented. */
  cert: ClientCert | null
}

function registeredMethod(client: ClientRecord): string {
  return String(client.registration.token_endpoint_auth_method)
}

/** The audiences an assertion may name: the endpoint called, the token endpoint or the issuer. */
function acceptedAudiences(bank: Bank, endpoint: string): Set<string> {
  return new Set([endpoint, bank.endpoints.token, bank.endpoints.issuer])
}

/** A verified assertion's client, and the recording of its jti: done only once every other check passed. */
interface AssertedClient {
  client: ClientRecord
  consume: () => Promise<void>
}

async function privateKeyJwt(bank: Bank, params: Record<string, string>, endpoint: string): Promise<AssertedClient> {
  const { deviations } = bank
  if (params.client_assertion_type !== JWT_BEARER_ASSERTION && !deviations.has('ignore-client-assertion-type')) {
    throw new InvalidClient(
      `client_assertion_type must be ${JWT_BEARER_ASSERTION}, got ${JSON.stringify(params.client_assertion_type ?? null)}`,
    )
  }
  let assertion: DecodedJws
  try {
    assertion = decodeJws(params.client_assertion, 'client_assertion')
  } catch (e) {
    if (e instanceof JwsFormatError)
      throw deviations.has('crash-on-malformed-assertion') ? new ServerError() : new InvalidClient(e.message)
    throw e
  }
  const { header, payload: claims } = assertion
  const headerProblem = deviations.has('ignore-assertion-crit') ? undefined : joseHeaderProblem(header)
  if (headerProblem) throw new InvalidClient(`client_assertion ${headerProblem}`)
  const alg = header.alg
  const algs: readonly string[] = deviations.has('accept-rs256-assertion')
    ? [...ALLOWED_JWS_ALGS, 'RS256']
    : ALLOWED_JWS_ALGS
  if (typeof alg !== 'string' || !algs.includes(alg)) {
    throw new InvalidClient(
      `client_assertion alg ${JSON.stringify(alg ?? null)} is not allowed; sign it PS256 or ES256`,
    )
  }
  // The deviation identifies the client by sub and never looks at iss.
  const iss = deviations.has('identify-client-by-assertion-sub') ? claims.sub : claims.iss
  const sub = claims.sub
  if (typeof iss !== 'string' || iss === '')
    throw new InvalidClient('client_assertion has no iss; it must be the client_id')
  if (!deviations.has('skip-assertion-sub-check')) {
    if (typeof sub !== 'string' || sub === '')
      throw new InvalidClient('client_assertion has no sub; it must be the client_id')
    if (sub !== iss) throw new InvalidClient(`client_assertion sub "${sub}" must equal iss "${iss}" (the client_id)`)
  }
  if (params.client_id !== undefined && params.client_id !== iss && !deviations.has('ignore-client-id-param')) {
    throw new InvalidClient(`client_id "${params.client_id}" does not match the client_assertion iss "${iss}"`)
  }
  const client = bank.store.getClient(iss)
  if (!client) throw unknownClient(bank, iss)
  if (registeredMethod(client) !== 'private_key_jwt') {
    throw new InvalidClient(`client "${iss}" is registered for ${registeredMethod(client)}, not private_key_jwt`)
  }
  const registeredAlg = client.registration.token_endpoint_auth_signing_alg
  if (typeof registeredAlg === 'string' && alg !== registeredAlg && !deviations.has('accept-rs256-assertion')) {
    throw new InvalidClient(
      `client_assertion alg ${alg} is not the registered token_endpoint_auth_signing_alg ${registeredAlg}`,
    )
  }
  checkAssertionTimes(bank, claims)
  if (!deviations.has('accept-wrong-assertion-aud')) {
    const accepted = acceptedAudiences(bank, endpoint)
    const aud = claims.aud
    const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
    if (!auds.some(a => typeof a === 'string' && accepted.has(a))) {
      throw new InvalidClient(
        `client_assertion aud ${JSON.stringify(aud ?? null)} must be this server: one of ${[...accepted].map(a => `"${a}"`).join(', ')}`,
      )
    }
  }
  const jti = claims.jti
  const noJti = typeof jti !== 'string' || jti === ''
  if (noJti && !deviations.has('accept-assertion-without-jti'))
    throw new InvalidClient('client_assertion has no jti; it is required and single use')

  const kid = header.kid
  if (kid !== undefined && typeof kid !== 'string')
    throw new InvalidClient('client_assertion header kid must be a string')
  let keys: KeySet
  try {
    keys = await bank.jwks.get(jwksUriOf(client))
  } catch (e) {
    throw new InvalidClient(`the software JWKS of client "${iss}" could not be read: ${(e as Error).message}`)
  }
  if (kid === undefined) verifyWithoutKid(bank, keys, assertion.raw, alg, iss)
  else {
    const outcome = deviations.has('skip-assertion-signature') ? 'valid' : keys.verify(assertion.raw, kid, alg)
    if (outcome === 'no-such-key' || outcome === 'unusable-key') {
      throw new InvalidClient(
        `client_assertion is signed with key kid "${kid}", which is not a ${alg} key in the software JWKS of client "${iss}"`,
      )
    }
    if (outcome === 'ambiguous-key') {
      throw new InvalidClient(
        `client_assertion: ${keyOutcomeText(outcome, kid, alg, `the software JWKS of client "${iss}"`)}`,
      )
    }
    if (outcome !== 'valid') throw new InvalidClient(`client_assertion signature does not verify with key kid "${kid}"`)
  }
  // Recorded only after the signature verified and the certificate was found the client's (a
  // forged or misdirected assertion cannot burn a jti), and committed with the other writes of
  // this turn (group commit) before the client counts as authenticated.
  const consume = async () => {
    if (deviations.has('accept-replayed-assertion') || noJti) return
    const until = (typeof claims.exp === 'number' ? claims.exp : epoch()) + bank.options.clockSkew
    await bank.store.batch(() => {
      if (!bank.store.useOnce(`client-assertion:${iss}`, jti, until)) {
        throw new InvalidClient(`client_assertion jti "${jti}" has already been used (RFC 7523 §3: single use)`)
      }
    })
  }
  return { client, consume }
}

/**
 * A client assertion without kid (OIDC Core §10.1: "If there are multiple keys in the referenced
 * JWK Set document, a kid value MUST be provided"): verified with the only key of a one-key JWKS;
 * with several keys refused, unless `tryKeysWithoutKid` lets the bank try each key made for alg.
 */
function verifyWithoutKid(bank: Bank, keys: KeySet, jws: string, alg: string, iss: string): void {
  if (keys.size > 1 && !bank.options.tryKeysWithoutKid) {
    throw new InvalidClient(
      `client_assertion header has no kid and the software JWKS of client "${iss}" holds ${keys.size} keys: OIDC Core section 10.1 requires a kid then (start the bank with --try-keys-without-kid to have it try each ${alg} key)`,
    )
  }
  const candidates = keys.kidsFor(alg)
  if (candidates.length === 0) {
    throw new InvalidClient(`client_assertion has no kid and the software JWKS of client "${iss}" has no ${alg} key`)
  }
  if (!candidates.some(k => keys.verify(jws, k, alg) === 'valid')) {
    throw new InvalidClient(
      `client_assertion has no kid and its signature verifies with none of the ${candidates.length} ${alg} key(s) in the software JWKS of client "${iss}"`,
    )
  }
}

/** RFC 7523 §3 items 4–5: exp required, not passed, not too far ahead; iat and nbf not in the future. */
export function checkAssertionTimes(bank: Bank, claims: Json): void {
  const now = epoch()
  const skew = bank.options.clockSkew
  const exp = claims.exp
  if (typeof exp !== 'number') throw new InvalidClient('client_assertion has no exp; it is required')
  if (now > exp + skew && !bank.deviations.has('accept-expired-assertion')) {
    throw new InvalidClient(`client_assertion exp ${exp} has passed (now ${now})`)
  }
  if (exp - now > bank.options.maxAssertionLifetime + skew && !bank.deviations.has('accept-long-lived-assertion')) {
    throw new InvalidClient(
      `client_assertion exp ${exp} is ${exp - now}s ahead; this bank accepts at most ${bank.options.maxAssertionLifetime}s (RFC 7523 section 3: exp unreasonably far in the future; start the bank with --max-assertion-lifetime <seconds> to change it)`,
    )
  }
  for (const name of ['iat', 'nbf'] as const) {
    const t = claims[name]
    if (t === undefined) continue
    if (typeof t !== 'number') throw new InvalidClient(`client_assertion ${name} must be a NumericDate`)
    if (t > now + skew && !bank.deviations.has('accept-future-assertion-iat'))
      throw new InvalidClient(
        `client_assertion ${name} ${t} is in the future (now ${now}, allowed skew ${skew}s: --clock-skew)`,
      )
  }
}

function tlsClientAuth(bank: Bank, ctx: Context, params: Record<string, string>): ClientRecord {
  const clientId = params.client_id
  if (!clientId && bank.deviations.has('crash-on-missing-client-id')) throw new ServerError()
  if (!clientId)
    throw new InvalidClient(
      'client_id is required: no client_assertion was sent, so tls_client_auth applies (RFC 8705 §2)',
    )
  const client = bank.store.getClient(clientId)
  if (!client) throw unknownClient(bank, clientId)
  const method = registeredMethod(client)
  // The deviation lets a private_key_jwt client in on its certificate alone.
  if (
    method === 'private_key_jwt' &&
    bank.deviations.has('accept-cert-for-private-key-jwt') &&
    requestCert(ctx)?.trusted
  )
    return client
  if (method !== 'tls_client_auth') {
    throw new InvalidClient(`client "${clientId}" is registered for ${method}; send a client_assertion`)
  }
  const cert = requestCert(ctx)
  if (!cert && bank.deviations.has('tls-auth-without-cert')) return client
  if (!cert) throw new InvalidClient('tls_client_auth needs a client certificate and none was presented')
  if (!cert.trusted) throw new InvalidClient(`tls_client_auth: ${cert.problem}`)
  if (!bank.deviations.has('skip-dn-match')) {
    const registered = client.registration[bank.profile.dnClaim] ?? client.registration.tls_client_auth_subject_dn
    // RFC 4517 distinguishedNameMatch (normalised; a DN that cannot be read matches nothing); the
    // deviation compares the strings as written.
    const ok =
      typeof registered === 'string' &&
      (bank.deviations.has('exact-dn-match')
        ? registered === cert.subjectText
        : dnKeyOfString(registered) === cert.subjectKey)
    if (!ok) {
      throw new InvalidClient(
        `the certificate subject "${cert.subjectText}" does not match the registered ${bank.profile.dnClaim} "${String(registered)}"`,
      )
    }
  }
  return client
}

/** RFC 6749 §5.2: an unknown client is `invalid_client` (the deviation answers `unauthorized_client`). */
function unknownClient(bank: Bank, clientId: string): OAuthError {
  const description = `client_id "${clientId}" is not registered with this bank`
  return bank.deviations.has('unknown-client-unauthorized')
    ? new UnauthorizedClient(description)
    : new InvalidClient(description)
}

/** The endpoint's name in messages: `/token`, `/par`, ... */
const pathOf = (url: string) => {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

/**
 * The certificate a client acts over: trusted now (FAPI 1 Advanced §5.2.2: mutual TLS on every
 * endpoint; checked on every request) and its own software's (`certOwnershipProblem`). Returns it,
 * or null where a deviation lets a request through without one.
 */
function certActingFor(
  bank: Bank,
  ctx: Context,
  client: ClientRecord,
  method: AuthenticatedClient['method'],
  endpoint: string,
  grantType: string | undefined,
): ClientCert | null {
  const { deviations } = bank
  const cert = requestCert(ctx)
  const atToken = endpoint === bank.endpoints.token
  if (!cert?.trusted) {
    // The token endpoint says why in its own words (tokens are bound to the certificate): token.ts.
    if (atToken || method === 'tls_client_auth' || deviations.has('skip-mtls-at-auxiliary-endpoints')) return null
    const why = cert ? `${cert.problem} (subject ${cert.subjectText})` : 'none was presented'
    throw new InvalidClient(
      `${pathOf(endpoint)} needs mutual TLS with a trusted client certificate, whatever the client authentication method: ${why} (FAPI 1 Advanced section 5.2.2)`,
    )
  }
  const excused =
    (method === 'tls_client_auth' && deviations.has('skip-dn-match')) ||
    (method === 'private_key_jwt' && deviations.has('accept-assertion-over-foreign-cert')) ||
    (atToken &&
      (grantType === 'authorization_code' || grantType === 'refresh_token') &&
      deviations.has('redeem-grant-over-foreign-cert'))
  const problem = excused ? undefined : certOwnershipProblem(bank, cert, client)
  if (problem) throw new InvalidClient(`client "${client.clientId}" cannot act over this certificate: ${problem}`)
  return cert
}

/** Authenticates the client of a form request by its registered method, over its own certificate. */
export async function authenticateClient(
  ctx: Context,
  params: Record<string, string>,
  endpoint: string,
): Promise<AuthenticatedClient> {
  const bank = ctx.bank
  const authorization = ctx.get('authorization')
  if (authorization) {
    // The scheme as the client wrote it (an HTTP token), for the challenge; Basic otherwise.
    const scheme = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*/.exec(authorization)?.[0] ?? 'Basic'
    throw new InvalidClient(
      'client_secret_basic is not supported: authenticate with private_key_jwt or tls_client_auth',
      scheme,
    )
  }
  if (params.client_secret !== undefined) {
    throw new InvalidClient('client_secret_post is not supported: authenticate with private_key_jwt or tls_client_auth')
  }
  // The deviation: a tls_client_auth client's assertion parameters are ignored, its certificate used.
  const tlsClient =
    bank.deviations.has('accept-assertion-with-tls-auth') && bank.store.getClient(params.client_id ?? '')
  const usesAssertion =
    (params.client_assertion !== undefined || params.client_assertion_type !== undefined) &&
    !(tlsClient && registeredMethod(tlsClient) === 'tls_client_auth')
  const method = usesAssertion ? 'private_key_jwt' : 'tls_client_auth'
  if (params.client_id) ctx.state.claimedClientId = params.client_id
  const asserted = usesAssertion ? await privateKeyJwt(bank, params, endpoint) : undefined
  const client = asserted ? asserted.client : tlsClientAuth(bank, ctx, params)
  const cert = certActingFor(bank, ctx, client, method, endpoint, params.grant_type)
  await asserted?.consume()
  ctx.state.clientId = client.clientId
  return { client, method, cert }
}
