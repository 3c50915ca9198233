/**
 * Rules for the software statement a Data Recipient presents (CDS 1.36 "Software Statement
 * Assertion", "SSA Definition", "Registration Validation"): present, a JWT signed PS256 by a key
 * the CDR Register publishes, issued by `cdr-register`, not expired, every required claim present
 * and well formed, `software_roles` `data-recipient-software-product`.
 */

import { SOFTWARE_ROLE } from '../../../../../fixtures/builders/cdr_ssa.ts'
import type { Bank } from '../../../config/bank.ts'
import { type DecodedJws, type Json, joseHeaderProblem } from '../../../crypto/jose.ts'
import { deepFreeze } from '../../../models/store.ts'
import { InvalidClientMetadata, InvalidSoftwareStatement, OAuthError } from '../../../shared/errors.ts'
import { decodeSoftwareStatement, ssaCacheKey, verifiedSsa } from '../../../shared/signed_inputs.ts'
import { registerUrls } from '../register/routes.ts'
import { cdr } from '../state.ts'

/** CDS SSA Definition: the Register signs SSAs PS256. */
const SSA_ALG = 'PS256'
/** CDS SSA Definition: claims marked Required (besides iss, iat, exp, jti and software_roles, checked on their own). */
const REQUIRED_STRINGS = [
  'org_id',
  'org_name',
  'client_name',
  'client_description',
  'client_uri',
  'logo_uri',
  'jwks_uri',
  'revocation_uri',
  'recipient_base_uri',
  'software_id',
  'scope',
] as const
const URI_CLAIMS = ['client_uri', 'logo_uri', 'jwks_uri', 'revocation_uri', 'recipient_base_uri'] as const

/** The request carries `software_statement` (CDS: Required) as a compact JWS. */
export function parseSoftwareStatement(bank: Bank, claims: Json): DecodedJws | undefined {
  const ssa = claims.software_statement
  if (ssa === undefined || ssa === null || ssa === '') {
    if (bank.deviations.has('accept-missing-ssa')) return undefined
    throw new InvalidClientMetadata(
      'software_statement is required: the registration request carries no SSA issued by the CDR Register',
    )
  }
  if (typeof ssa !== 'string') {
    throw new InvalidSoftwareStatement(`software_statement must be a signed JWT (a string), got ${typeof ssa}`)
  }
  return decodeSoftwareStatement(bank, ssa, cdr(bank).verifiedSsas)
}

/** The error of an SSA signed by a key the Register does not publish (the `unknownSignerError` option). */
function unknownSigner(bank: Bank, description: string): OAuthError {
  return new OAuthError(400, bank.options.cdr.unknownSignerError, description)
}

/**
 * CDS: "SSA JWT signatures MUST be verified against the associated JWK published at the CDR
 * Register JWKS endpoint"; PS256 only. Verified SSAs are remembered by their signature, a hit only for the same bytes.
 */
export function checkSsaSignature(bank: Bank, ssa: DecodedJws): void {
  const state = cdr(bank)
  if (verifiedSsa(state.verifiedSsas, ssa.raw)) return
  const { alg, kid } = ssa.header
  if (alg !== SSA_ALG) {
    if (bank.deviations.has('accept-unsigned-ssa')) return
    throw new InvalidSoftwareStatement(
      `software_statement alg ${JSON.stringify(alg ?? null)} is not allowed: the CDR Register signs SSAs PS256`,
    )
  }
  const headerProblem = joseHeaderProblem(ssa.header)
  if (headerProblem) throw new InvalidSoftwareStatement(`software_statement ${headerProblem}`)
  if (bank.deviations.has('skip-ssa-signature')) return
  if (typeof kid !== 'string' || !state.registerKeys.has(kid)) {
    if (bank.deviations.has('trust-any-ssa-signer')) return
    throw unknownSigner(
      bank,
      `software_statement is signed by key kid ${JSON.stringify(kid ?? null)}, which the CDR Register does not publish (${registerUrls(bank).ssaJwks}): the SSA was not issued by the CDR Register`,
    )
  }
  if (state.registerKeys.verify(ssa.raw, kid, SSA_ALG) !== 'valid') {
    throw new InvalidSoftwareStatement(
      `software_statement signature does not verify with the CDR Register key kid "${kid}"`,
    )
  }
  state.verifiedSsas.set(ssaCacheKey(ssa.raw), deepFreeze(ssa))
}

const isAbsoluteUri = (v: unknown): v is string => typeof v === 'string' && URL.canParse(v) && !v.includes(' ')

/**
 * CDS SSA Definition: iss `cdr-register`, iat and exp (not passed), the required claims, absolute
 * URIs, `jwks_uri` over https, `redirect_uris` a non-empty array, `software_roles`
 * `data-recipient-software-product`; and the optional WSO2-style redirect rules when switched on.
 */
export function checkSsaClaims(bank: Bank, ssa: Json, now: number): void {
  const issuer = bank.pki.cdr.register.issuer
  if (ssa.iss !== issuer && !bank.deviations.has('trust-any-ssa-issuer')) {
    throw new InvalidSoftwareStatement(
      `software_statement iss must be "${issuer}", got ${JSON.stringify(ssa.iss ?? null)}`,
    )
  }
  for (const name of ['iat', 'exp'] as const) {
    if (typeof ssa[name] !== 'number' || !Number.isInteger(ssa[name])) {
      throw new InvalidSoftwareStatement(
        `software_statement ${name} must be a NumericDate, got ${JSON.stringify(ssa[name] ?? null)}`,
      )
    }
  }
  const skew = bank.options.clockSkew
  if (now > (ssa.exp as number) + skew && !bank.deviations.has('accept-expired-ssa')) {
    throw new InvalidSoftwareStatement(
      `software_statement exp ${ssa.exp} has passed (now ${now}); SSAs live 10 minutes`,
    )
  }
  if ((ssa.iat as number) > now + skew) {
    throw new InvalidSoftwareStatement(`software_statement iat ${ssa.iat} is in the future (now ${now})`)
  }
  // RFC 7519 §4.1.5: not before nbf (the Register sets none; one that is there is honoured).
  if (ssa.nbf !== undefined) {
    if (typeof ssa.nbf !== 'number' || !Number.isInteger(ssa.nbf)) {
      throw new InvalidSoftwareStatement(`software_statement nbf must be a NumericDate, got ${JSON.stringify(ssa.nbf)}`)
    }
    if (ssa.nbf > now + skew) {
      throw new InvalidSoftwareStatement(
        `software_statement nbf ${ssa.nbf} is in the future (now ${now}): not valid yet`,
      )
    }
  }
  if (!bank.deviations.has('accept-incomplete-ssa')) checkRequiredSsaClaims(ssa)
  if (ssa.software_roles !== SOFTWARE_ROLE && !bank.deviations.has('accept-wrong-software-roles')) {
    throw new InvalidSoftwareStatement(
      `software_statement software_roles must be "${SOFTWARE_ROLE}", got ${JSON.stringify(ssa.software_roles ?? null)}`,
    )
  }
  checkSsaRedirectPolicies(bank, (ssa.redirect_uris ?? []) as string[])
}

function checkRequiredSsaClaims(ssa: Json): void {
  for (const name of REQUIRED_STRINGS) {
    if (typeof ssa[name] !== 'string' || ssa[name] === '') {
      throw new InvalidSoftwareStatement(`software_statement has no ${name} (CDS SSA Definition: Required)`)
    }
  }
  for (const name of URI_CLAIMS) {
    if (!isAbsoluteUri(ssa[name])) {
      throw new InvalidSoftwareStatement(
        `software_statement ${name} ${JSON.stringify(ssa[name])} is not an absolute URI`,
      )
    }
  }
  if (!String(ssa.jwks_uri).startsWith('https://')) {
    throw new InvalidSoftwareStatement(`software_statement jwks_uri "${ssa.jwks_uri}" must be an https URL`)
  }
  const redirects = ssa.redirect_uris
  if (!Array.isArray(redirects) || redirects.length === 0 || !redirects.every(isAbsoluteUri)) {
    throw new InvalidSoftwareStatement(
      `software_statement redirect_uris must be a non-empty array of absolute URIs, got ${JSON.stringify(redirects ?? null)}`,
    )
  }
}

/** The redirect rules WSO2 adds (research §8.1 item 5), off by default: https only, one host. */
function checkSsaRedirectPolicies(bank: Bank, redirects: string[]): void {
  const { ssaRedirectsHttpsOnly, ssaRedirectsSameHost } = bank.options.cdr
  if (ssaRedirectsHttpsOnly) {
    const plain = redirects.find(u => !u.startsWith('https://'))
    if (plain)
      throw new InvalidSoftwareStatement(
        `software_statement redirect_uris "${plain}" is not https (--cdr-redirect-https-only)`,
      )
  }
  if (ssaRedirectsSameHost) {
    const hosts = new Set(redirects.filter(u => URL.canParse(u)).map(u => new URL(u).host))
    if (hosts.size > 1) {
      throw new InvalidSoftwareStatement(
        `software_statement redirect_uris are on ${hosts.size} hosts (${[...hosts].join(', ')}); this Data Holder requires one (--cdr-redirect-same-host)`,
      )
    }
  }
}
