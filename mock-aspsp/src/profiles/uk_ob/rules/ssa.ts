/**
 * Rules for the software statement assertion (RFC 7591 §2.3, §3.2.2; OB Directory "SSA Payload"
 * and "SSA header"). A bad or unverifiable SSA is `invalid_software_statement`; one the bank does
 * not trust (unknown signer, untrusted issuer, inactive organisation) is
 * `unapproved_software_statement`.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Bank } from '../../../config/bank.ts'
import { type DecodedJws, type Json, joseHeaderProblem, KeySet } from '../../../crypto/jose.ts'
import { deepFreeze } from '../../../models/store.ts'
import { InvalidSoftwareStatement, UnapprovedSoftwareStatement } from '../../../shared/errors.ts'
import { ALLOWED_JWS_ALGS, decodeSoftwareStatement, ssaCacheKey, verifiedSsa } from '../../../shared/signed_inputs.ts'

const ROLES = new Set(['AISP', 'PISP', 'CBPII', 'ASPSP'])
const BASE62_22 = /^[0-9a-zA-Z]{1,22}$/

/** The request must carry `software_statement` (OB DCR 1..1) as a compact JWS. */
export function parseSoftwareStatement(bank: Bank, claims: Json): DecodedJws | undefined {
  const ssa = claims.software_statement
  if (ssa === undefined || ssa === null || ssa === '') {
    if (bank.deviations.has('accept-missing-ssa')) return undefined
    throw new InvalidSoftwareStatement('software_statement is required: the registration request carries none')
  }
  if (typeof ssa !== 'string') {
    throw new InvalidSoftwareStatement(`software_statement must be a string (a signed JWT), got ${typeof ssa}`)
  }
  return decodeSoftwareStatement(bank, ssa)
}

/**
 * OB Directory SSA header: alg ES256 or PS256, signed by a key of the trusted directory JWKS
 * (found by kid), and the signature verifies. The outcome of a verification is cached by the
 * exact SSA string: the same bytes always verify the same way against the same keys.
 */
export async function checkSsaSignature(bank: Bank, ssa: DecodedJws): Promise<void> {
  const { header } = ssa
  const alg = header.alg
  if (typeof alg !== 'string' || !(ALLOWED_JWS_ALGS as readonly string[]).includes(alg)) {
    if (bank.deviations.has('accept-unsigned-ssa')) return
    throw new InvalidSoftwareStatement(
      `software_statement alg ${JSON.stringify(alg ?? null)} is not allowed; the directory signs SSAs PS256 or ES256`,
    )
  }
  const headerProblem = joseHeaderProblem(header)
  if (headerProblem) throw new InvalidSoftwareStatement(`software_statement ${headerProblem}`)
  if (bank.deviations.has('skip-ssa-signature')) return
  if (verifiedSsa(bank.verifiedSsas, ssa.raw)) return
  const kid = header.kid
  let keys = bank.ssaKeys
  if (typeof kid !== 'string' || !keys.has(kid)) {
    const other = typeof kid === 'string' ? await otherDirectoryKeys(bank, kid) : { problems: [] }
    if (other.keys) keys = other.keys
    else {
      if (bank.deviations.has('trust-any-ssa-signer')) return
      throw new UnapprovedSoftwareStatement(
        `software_statement is signed by key kid ${JSON.stringify(kid ?? null)}, which is not in the trusted directory JWKS${other.problems.length ? ` (${other.problems.join('; ')})` : ' (--trust-directory-jwks trusts another directory)'}`,
      )
    }
  }
  if (keys.verify(ssa.raw, String(kid), alg) !== 'valid') {
    throw new InvalidSoftwareStatement(
      `software_statement signature does not verify with the directory key kid "${kid}"`,
    )
  }
  bank.verifiedSsas.set(ssaCacheKey(ssa.raw), deepFreeze(ssa))
}

/**
 * The JWKS of a directory the operator trusts besides the mock's (`trustedDirectoryJwks`) that
 * holds `kid`: URLs through the bank's JWKS cache, files read as they are. Why none could be read.
 */
async function otherDirectoryKeys(bank: Bank, kid: string): Promise<{ keys?: KeySet; problems: string[] }> {
  const problems: string[] = []
  for (const source of bank.options.trustedDirectoryJwks) {
    try {
      const keys = /^https:\/\//i.test(source)
        ? await bank.jwks.get(source)
        : new KeySet(JSON.parse(readFileSync(source, 'utf8')))
      if (keys.has(kid)) return { keys, problems }
    } catch (e) {
      problems.push(`the directory JWKS ${source} could not be read: ${(e as Error).message}`)
    }
  }
  return { problems }
}

function requireString(claims: Json, name: string): string {
  const v = claims[name]
  if (typeof v !== 'string' || v === '') {
    throw new InvalidSoftwareStatement(`software_statement has no ${name}`)
  }
  return v
}

/**
 * OB Directory SSA payload: a trusted iss, iat not in the future, exp (if any) not passed, nbf (if any) reached,
 * software_id, org_id, software_jwks_endpoint, software_redirect_uris and software_roles present
 * and well formed, and the organisation Active (claim and directory record).
 */
export function checkSsaClaims(bank: Bank, ssa: Json, now: number): void {
  const skew = bank.options.clockSkew
  // The deviation takes an SSA without iss as issued by the (first) trusted directory.
  const iss =
    ssa.iss ?? (bank.deviations.has('accept-ssa-without-iss') ? [...bank.directory.trustedIssuers][0] : undefined)
  if (typeof iss !== 'string' || iss === '') throw new InvalidSoftwareStatement('software_statement has no iss')
  if (!bank.directory.trustedIssuers.has(iss) && !bank.deviations.has('trust-any-ssa-issuer')) {
    throw new UnapprovedSoftwareStatement(
      `software_statement iss "${iss}" is not a trusted SSA issuer (trusted: ${[...bank.directory.trustedIssuers].map(i => `"${i}"`).join(', ')})`,
    )
  }
  const iat = ssa.iat
  if (typeof iat !== 'number' || !Number.isInteger(iat)) {
    throw new InvalidSoftwareStatement(`software_statement iat must be a NumericDate, got ${JSON.stringify(iat)}`)
  }
  if (iat > now + skew) throw new InvalidSoftwareStatement(`software_statement iat ${iat} is in the future`)
  if (ssa.exp !== undefined) {
    if (typeof ssa.exp !== 'number' || !Number.isInteger(ssa.exp)) {
      throw new InvalidSoftwareStatement(`software_statement exp must be a NumericDate, got ${JSON.stringify(ssa.exp)}`)
    }
    if (now > ssa.exp + skew && !bank.deviations.has('accept-expired-ssa')) {
      throw new InvalidSoftwareStatement(`software_statement exp ${ssa.exp} has passed`)
    }
  }
  // RFC 7519 §4.1.5: "MUST NOT be accepted for processing" before nbf.
  if (ssa.nbf !== undefined && !bank.deviations.has('accept-future-ssa-nbf')) {
    if (typeof ssa.nbf !== 'number' || !Number.isInteger(ssa.nbf)) {
      throw new InvalidSoftwareStatement(`software_statement nbf must be a NumericDate, got ${JSON.stringify(ssa.nbf)}`)
    }
    if (ssa.nbf > now + skew) {
      throw new InvalidSoftwareStatement(
        `software_statement nbf ${ssa.nbf} is in the future (now ${now}, allowed skew ${skew}s): it is not valid yet`,
      )
    }
  }
  const softwareId = requireString(ssa, 'software_id')
  if (!BASE62_22.test(softwareId)) {
    throw new InvalidSoftwareStatement(
      `software_statement software_id "${softwareId}" is not 1 to 22 Base62 characters`,
    )
  }
  const orgId = requireString(ssa, 'org_id')
  const jwksUrl = requireString(ssa, 'software_jwks_endpoint')
  if (!/^https:\/\//i.test(jwksUrl)) {
    throw new InvalidSoftwareStatement(`software_statement software_jwks_endpoint "${jwksUrl}" is not an https URL`)
  }
  const redirects = ssa.software_redirect_uris
  const none = redirects === undefined && bank.deviations.has('accept-ssa-without-redirect-uris')
  if (!none && (!Array.isArray(redirects) || redirects.length === 0 || !redirects.every(u => typeof u === 'string'))) {
    throw new InvalidSoftwareStatement('software_statement software_redirect_uris must be a non-empty array of URLs')
  }
  const roles = ssa.software_roles
  if (!Array.isArray(roles) || !roles.every(r => typeof r === 'string' && ROLES.has(r))) {
    throw new InvalidSoftwareStatement(
      `software_statement software_roles must be an array of AISP, PISP, CBPII, got ${JSON.stringify(roles)}`,
    )
  }
  if (!bank.deviations.has('accept-inactive-software')) {
    // The directory data model is inconsistent in case ("Active", "active"): compare case-insensitively.
    const status = ssa.org_status
    if (typeof status !== 'string' || status.toLowerCase() !== 'active') {
      throw new UnapprovedSoftwareStatement(
        `software_statement org_status is ${JSON.stringify(status ?? null)}: the organisation is not Active in the directory`,
      )
    }
    const record = bank.directory.orgStatus(orgId)
    if (record !== undefined && record.toLowerCase() !== 'active') {
      throw new UnapprovedSoftwareStatement(`organisation ${orgId} is ${record} in the directory`)
    }
  }
}

/**
 * With the `ssaSingleUse` option: a software statement registers one client only, identified by
 * its `jti` (or its bytes). Called once everything else has passed, so a refused request does not
 * use the SSA up. RFC 7519 §4.1.7.
 */
export function checkSsaUnused(bank: Bank, ssa: DecodedJws, now: number): void {
  if (!bank.options.ssaSingleUse && !bank.deviations.has('refuse-ssa-reuse')) return
  const jti = ssa.payload.jti
  const id =
    typeof jti === 'string' && jti !== ''
      ? `jti:${jti}`
      : `sha256:${createHash('sha256').update(ssa.raw).digest('base64url')}`
  const exp = typeof ssa.payload.exp === 'number' ? ssa.payload.exp : now + 366 * 24 * 3600
  if (!bank.store.useOnce('software-statement', id, Math.max(exp, now) + bank.options.clockSkew)) {
    throw new InvalidSoftwareStatement(
      'software_statement has already been used for a registration; this bank accepts each SSA once',
    )
  }
}
