/**
 * Calls to a CDR Register API as a data recipient makes them (CDS 1.36 Register API): a
 * `cdr-register:read` token (client credentials, `private_key_jwt` of the software product, over
 * its client certificate) and GetSoftwareStatementAssertion.
 */
import type { Recipient } from '../../fixtures/au/recipient.ts'
import { CLIENT_ASSERTION_TYPE, clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import type { Claims } from '../../fixtures/builders/jose.ts'
import { type Exchange, outcomeOf } from '../../fixtures/clients/exchange.ts'
import { precondition } from './support.ts'

export const REGISTER_SCOPE = 'cdr-register:read'

function base(r: Recipient): string {
  if (!r.registerApi) throw new Error('the target names no Register API (declare "register:api")')
  return r.registerApi.replace(/\/+$/, '')
}

export const registerTokenUrl = (r: Recipient) => `${base(r)}/idp/connect/token`
export const registerJwksUrl = (r: Recipient) => `${base(r)}/cdr-register/v1/jwks`
export const statusesUrl = (r: Recipient, productId: string) =>
  `${base(r)}/cdr-register/mock-admin/software-products/${productId}/statuses`

/** The GetSoftwareStatementAssertion URL of the recipient's product (or the one given). */
export function ssaUrl(r: Recipient, o: { industry?: string; brandId?: string; productId?: string } = {}) {
  const brand = o.brandId ?? r.profile.brandId
  const product = o.productId ?? r.profile.softwareProductId
  return `${base(r)}/cdr-register/v1/${o.industry ?? 'all'}/data-recipients/brands/${brand}/software-products/${product}/ssa`
}

/** A Register token request of the recipient's software product. */
export async function registerTokenRequest(
  r: Recipient,
  o: { form?: Record<string, string | undefined>; assertionClaims?: Claims } = {},
): Promise<Exchange> {
  const productId = r.profile.softwareProductId
  const form: Record<string, string | undefined> = {
    grant_type: 'client_credentials',
    client_id: productId,
    scope: REGISTER_SCOPE,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await clientAssertion(productId, registerTokenUrl(r), r.profile.signing, o.assertionClaims),
    ...o.form,
  }
  const fields = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<string, string>
  return r.call({ method: 'POST', url: registerTokenUrl(r), label: 'POST /idp/connect/token', form: fields })
}

/** A Register access token (a precondition). */
export function registerToken(r: Recipient): Promise<string> {
  return precondition('a cdr-register:read token of the software product', async () => {
    const ex = await registerTokenRequest(r)
    const token =
      ex.kind === 'response' && ex.status === 200 ? (ex.json as { access_token?: unknown })?.access_token : undefined
    if (typeof token !== 'string') throw new Error(`the Register issued no token: ${outcomeOf(ex)}`)
    return token
  })
}

/** GetSoftwareStatementAssertion with `headers` (x-v 4 unless given). */
export function getSsa(
  r: Recipient,
  token: string | null,
  headers: Record<string, string> = { 'x-v': '4' },
  url = ssaUrl(r),
) {
  return r.call({
    method: 'GET',
    url,
    label: 'GET /cdr-register/v1/{industry}/.../ssa',
    headers: { ...headers, ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
  })
}

/** The SSA of a 200 answer: a JSON string (CDS: schema string) or the bare JWT. */
export function ssaOf(ex: Exchange): string | undefined {
  if (ex.kind !== 'response' || ex.status !== 200) return undefined
  const text = ex.text.trim()
  return typeof ex.json === 'string' ? ex.json : /^eyJ/.test(text) ? text : undefined
}
