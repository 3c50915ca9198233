/**
 * Bearer access tokens on the client management endpoints (OB DCR §Authentication: a client
 * credentials token of that client) and on resource APIs; RFC 6750 §3 challenges; RFC 8705 §3
 * certificate binding.
 */
import type { Context } from 'koa'
import type { TokenRecord } from '../models/store.ts'
import { findToken, tokenProblem } from '../oauth/tokens.ts'
import { certOwnershipProblem } from './cert_owner.ts'
import { InvalidToken } from './errors.ts'
import { requestCert } from './mtls.ts'

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/**
 * The live access token of the request, bound to the presented certificate, which is trusted now
 * (it may have expired or been revoked since the token was issued, or since the connection
 * opened: catalogue NEG-MGMT-26) and belongs to the token's client. Throws a 401 with
 * `WWW-Authenticate: Bearer` otherwise. `checkBinding: false` skips the certificate checks (only
 * the accounts API's `skip-resource-cert-binding` deviation asks for that).
 */
export function bearerToken(ctx: Context, opts: { checkBinding?: boolean } = {}): TokenRecord {
  const bank = ctx.bank
  const header = ctx.get('authorization')
  if (!header) throw new InvalidToken('an Authorization header with a Bearer access token is required', false)
  const m = BEARER.exec(header)
  if (!m) throw new InvalidToken('the Authorization header must be "Bearer <access token>"')
  const record = findToken(bank, m[1] as string)
  if (record) ctx.state.claimedClientId = record.clientId
  // RFC 6750 §3.1: an expired token is invalid_token; the deviation lets one through.
  const expiredAllowed = record !== undefined && !record.revoked && bank.deviations.has('accept-expired-access-token')
  const problem = expiredAllowed ? null : tokenProblem(record)
  if (problem || !record) throw new InvalidToken(problem ?? 'the access token is not known to this server')
  if (record.kind !== 'access') throw new InvalidToken('a refresh token is not an access token')
  if (record.x5tS256 && opts.checkBinding !== false) {
    const cert = requestCert(ctx)
    if (!cert) throw new InvalidToken('the access token is bound to a client certificate and none was presented')
    if (cert.x5tS256 !== record.x5tS256) {
      throw new InvalidToken('the access token is bound to another client certificate (cnf x5t#S256 does not match)')
    }
    if (!cert.trusted && !bank.deviations.has('skip-bound-cert-trust')) {
      throw new InvalidToken(
        `the access token is bound to this client certificate, but the certificate is no longer trusted: ${cert.problem} (checked on every request)`,
      )
    }
    const client = bank.store.getClient(record.clientId)
    const problem = client && cert.trusted ? certOwnershipProblem(bank, cert, client) : undefined
    if (problem) throw new InvalidToken(`the access token's client cannot act over this certificate: ${problem}`)
  }
  ctx.state.clientId = record.clientId
  return record
}
