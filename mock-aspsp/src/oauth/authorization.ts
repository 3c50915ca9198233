/**
 * The authorization response (RFC 6749 §4.1.2, OIDC Core §3.3.2.5, RFC 9207): codes, the
 * redirect back to the client with its parameters in the query or the fragment, and what the
 * customer's decision does to the consent.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Customer } from '../banking/customers.ts'
import type { Bank } from '../config/bank.ts'
import { getConsent, saveConsent, withStatus } from '../models/consent.ts'
import { epoch, type GrantRecord } from '../models/store.ts'
import {
  type AuthorizationRequest,
  RedirectableError,
  type RedirectTarget,
  usableConsent,
} from '../profiles/uk_ob/rules/request_object.ts'
import { AccessDenied, InvalidRequest, type OAuthError } from '../shared/errors.ts'
import { signIdToken } from './id_token.ts'

export const CODE_GRANT = 'authorization-code'

/** Codes are stored by their SHA-256: the store never holds a usable code. */
export const codeKey = (code: string) => createHash('sha256').update(code).digest('base64url')

/** What an authorization code stands for. */
export interface CodeData {
  request: AuthorizationRequest
  customerId: string
  accountIds: string[]
  authTime: number
  /** The token family issued for this code (revoked if the code is replayed); set on redemption. */
  family?: string
}

/**
 * A new authorization code (RFC 6749 §4.1.2: short-lived, single use), stored by its hash under
 * `type` with what it stands for; it expires `codeTtl` seconds after `data.authTime`.
 */
export function issueCode(bank: Bank, type: string, clientId: string, data: { authTime: number }): string {
  const code = randomBytes(32).toString('base64url')
  bank.store.putGrant({
    type,
    id: codeKey(code),
    clientId,
    expiresAt: data.authTime + bank.options.codeTtl,
    data: { ...data },
  })
  return code
}

export function codeRecord(bank: Bank, code: string): GrantRecord | undefined {
  return bank.store.getGrant(CODE_GRANT, codeKey(code))
}

/** The client's redirect URI with the response parameters in the query or the fragment. */
export function redirectWith(target: RedirectTarget, params: Record<string, string | undefined>, issuer: string) {
  const url = new URL(target.uri)
  const out = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out.set(k, v)
  if (target.state !== undefined) out.set('state', target.state)
  // RFC 9207: the issuer, so a client talking to several banks knows who answered.
  out.set('iss', issuer)
  if (target.mode === 'fragment') {
    url.hash = out.toString()
  } else {
    for (const [k, v] of out) url.searchParams.append(k, v)
  }
  return url.toString()
}

/** RFC 6749 §4.1.2.1: an error response at the client's redirect URI. */
export function errorRedirect(bank: Bank, e: RedirectableError): string {
  return redirectWith(e.target, { error: e.error.error, error_description: e.error.description }, bank.endpoints.issuer)
}

const targetOf = (r: AuthorizationRequest): RedirectTarget => ({
  uri: r.redirectUri,
  mode: r.responseMode,
  state: r.state,
})

/** Errors found after the request was accepted (consent changed meanwhile) go to the client too. */
function toClient(r: AuthorizationRequest, e: OAuthError): RedirectableError {
  return new RedirectableError(e, targetOf(r))
}

/**
 * The customer approved: the consent becomes Authorised for their chosen accounts (once: a
 * second approval of the same consent loses), a code is issued, and the redirect URL returned.
 */
export async function approve(
  bank: Bank,
  request: AuthorizationRequest,
  customer: Customer,
  accountIds: string[],
): Promise<string> {
  const client = bank.store.getClient(request.clientId)
  if (!client) throw toClient(request, new InvalidRequest(`client "${request.clientId}" is no longer registered`))
  let consent: ReturnType<typeof usableConsent>
  try {
    consent = usableConsent(bank, client, request.intentId)
  } catch (e) {
    throw e instanceof InvalidRequest ? toClient(request, e) : e
  }
  const until = epoch() + 400 * 24 * 3600
  if (
    !bank.deviations.has('accept-used-intent') &&
    !bank.store.useOnce('consent-authorised', consent.consentId, until)
  ) {
    throw toClient(
      request,
      new InvalidRequest(`openbanking_intent_id "${consent.consentId}" has already been authorised`),
    )
  }
  saveConsent(bank.store, withStatus(consent, 'Authorised', { customerId: customer.customerId, accountIds }))

  const authTime = epoch()
  const data: CodeData = { request, customerId: customer.customerId, accountIds, authTime }
  const code = issueCode(bank, CODE_GRANT, request.clientId, data)
  const params: Record<string, string | undefined> = { code }
  if (request.responseType === 'code id_token') {
    // OIDC Core §3.3.2.11 (c_hash), FAPI 1 Advanced §5.2.2.1 item 5 (s_hash): the front-channel
    // ID token protects the code and the state.
    params.id_token = await signIdToken(bank, {
      clientId: request.clientId,
      intentId: request.intentId,
      authTime,
      nonce: request.nonce,
      code,
      state: request.state,
    })
  }
  return redirectWith(targetOf(request), params, bank.endpoints.issuer)
}

/** The customer said no (or cancelled): the consent is Rejected and the client told `access_denied`. */
export function deny(bank: Bank, request: AuthorizationRequest, why: string): string {
  const consent = getConsent(bank.store, request.intentId)
  if (consent && consent.clientId === request.clientId && consent.status === 'AwaitingAuthorisation') {
    saveConsent(bank.store, withStatus(consent, 'Rejected'))
  }
  return errorRedirect(bank, toClient(request, new AccessDenied(why)))
}
