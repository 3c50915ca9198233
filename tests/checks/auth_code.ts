/**
 * Checks of the authorization code flow: where the bank sends the customer back and with what
 * (RFC 6749 §4.1.2, §4.1.2.1; OIDC Core §3.3.2.5), the token response of the code grant, the ID
 * token (OIDC Core §3.1.3.7, §3.3.2.11; FAPI 1 Advanced §5.2.2.1; OB openbanking_intent_id) and
 * the accounts API answers.
 */
import { expect, test } from '@playwright/test'
import { type JWTVerifyGetKey, jwtVerify } from 'jose'
import { leftHalfHash, responseParams } from '../../fixtures/builders/authorization.ts'
import { type Exchange, outcomeOf } from '../../fixtures/clients/exchange.ts'
import { recordAnswer } from './annotations.ts'
import { ensureStatus, responseOf } from './http.ts'

const what = (ex: Exchange) => `${ex.request.method} ${new URL(ex.request.url).pathname}`

/** The Location of a redirect answer, absolute, or undefined when the answer is not a redirect. */
export function redirectTarget(ex: Exchange): string | undefined {
  if (ex.kind !== 'response' || ex.status < 300 || ex.status > 399 || !ex.headers.location) return undefined
  return new URL(ex.headers.location, ex.request.url).toString()
}

const atClient = (location: string | undefined, redirectUri: string) =>
  location !== undefined && (location.startsWith(`${redirectUri}?`) || location.startsWith(`${redirectUri}#`))

/**
 * RFC 6749 §4.1.2.1: a refused authorization request sends the customer back to the client with
 * one of the `allowed` errors and the request's state, or shows them an error page; it never
 * goes on to the bank's sign-in. Records which of the two answers the bank gave.
 */
export async function ensureAuthorizationRefused(
  ex: Exchange,
  request: { redirectUri: string; state: string },
  allowed: readonly string[],
  ref = 'RFC6749-4.1.2.1',
) {
  await test.step(
    `the authorization request is refused: ${allowed.join(' or ')} at the redirect URI, or an error page [${ref}]`,
    async () => {
      const res = responseOf(ex)
      const location = redirectTarget(ex)
      if (atClient(location, request.redirectUri)) {
        const params = responseParams(location as string)
        expect(allowed, `error was ${JSON.stringify(params.error ?? null)} in ${location}`).toContain(params.error)
        expect.soft(params.state, 'the error response must carry the request state').toBe(request.state)
        expect.soft(params.code, 'a refused request must not carry a code').toBeUndefined()
        recordAnswer('refused-by', `redirect error=${params.error}`)
        return
      }
      expect(
        location,
        `the bank went on with the request (redirect to ${location}) instead of refusing it: ${outcomeOf(ex)}`,
      ).toBeUndefined()
      expect(res.status, `expected an error page (HTTP 4xx), got ${outcomeOf(ex)}`).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      recordAnswer('refused-by', `error page HTTP ${res.status}`)
    },
    { box: true },
  )
}

/** RFC 6749 §4.1.2.1: an invalid redirect URI is never redirected to, not even with an error. */
export async function ensureNotRedirectedTo(ex: Exchange, uri: string, ref = 'RFC6749-4.1.2.1') {
  await test.step(
    `the bank does not redirect to the unregistered ${uri} [${ref}]`,
    async () => {
      const res = responseOf(ex)
      const location = redirectTarget(ex)
      expect(location?.startsWith(uri) ?? false, `the bank redirected to ${location}`).toBe(false)
      expect(res.status, `expected an error page (HTTP 4xx), got ${outcomeOf(ex)}`).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
    },
    { box: true },
  )
}

/** The request was accepted: the bank shows the customer its own pages (a redirect inside the bank). */
export async function ensureAuthorizationAccepted(ex: Exchange, redirectUri: string, ref = 'RFC6749-4.1.1') {
  await test.step(
    `the authorization request is accepted and the customer sent to the bank's sign-in [${ref}]`,
    async () => {
      const location = redirectTarget(ex)
      const page = ex.kind === 'response' && ex.status === 200
      expect(
        page || (location !== undefined && !atClient(location, redirectUri)),
        `expected the bank's sign-in page, got ${outcomeOf(ex)}`,
      ).toBe(true)
    },
    { box: true },
  )
}

/** RFC 6749 §4.1.2: the customer comes back with a code and the request's state; returns the code. */
export async function ensureCode(
  params: Record<string, string>,
  state: string,
  ref = 'RFC6749-4.1.2',
): Promise<string> {
  return test.step(
    `the authorization response carries a code and the state [${ref}]`,
    async () => {
      expect(params.error, `the bank answered error=${params.error}: ${params.error_description}`).toBeUndefined()
      expect(params.code, `no code in ${JSON.stringify(params)}`).toBeTruthy()
      expect.soft(params.state, 'state must be returned unchanged').toBe(state)
      return params.code as string
    },
    { box: true },
  )
}

/** RFC 6749 §4.1.2.1: the customer said no: `access_denied` with the state. */
export async function checkAccessDenied(params: Record<string, string>, state: string) {
  await test.step(
    'the authorization response is error=access_denied with the state [RFC6749-4.1.2.1]',
    async () => {
      expect.soft(params.error, `the response was ${JSON.stringify(params)}`).toBe('access_denied')
      expect.soft(params.code, 'a denial carries no code').toBeUndefined()
      expect.soft(params.state).toBe(state)
    },
    { box: true },
  )
}

export interface CodeTokens {
  accessToken: string
  refreshToken: string
  idToken: string
  body: Record<string, unknown>
}

/** RFC 6749 §4.1.4, OIDC Core §3.1.3.3: 200 with an access token, a refresh token and an ID token. */
export async function ensureCodeTokens(ex: Exchange): Promise<CodeTokens> {
  await ensureStatus(ex, 200, 'RFC6749-4.1.4')
  return test.step(
    'the token response carries access_token, refresh_token and id_token [OIDC-Core-3.1.3.3]',
    async () => {
      const body = responseOf(ex).json as Record<string, unknown>
      for (const k of ['access_token', 'refresh_token', 'id_token']) {
        expect(typeof body[k], `${k} was ${JSON.stringify(body[k] ?? null)}`).toBe('string')
      }
      expect.soft(String(body.token_type).toLowerCase(), 'token_type').toBe('bearer')
      return {
        accessToken: body.access_token as string,
        refreshToken: body.refresh_token as string,
        idToken: body.id_token as string,
        body,
      }
    },
    { box: true },
  )
}

export interface IdTokenExpectations {
  issuer: string
  clientId: string
  intentId: string
  nonce?: string
  /** In the front channel of `code id_token`: the code and state whose hashes it must carry. */
  code?: string
  state?: string
}

/**
 * OIDC Core §3.1.3.7 and §3.3.2.11, FAPI 1 Advanced §5.2.2.1, OB Security Profile: a PS256 ID
 * token from the bank's keys, for this client, naming the consent; c_hash and s_hash when asked.
 */
export async function validateIdToken(idToken: string, keys: JWTVerifyGetKey, e: IdTokenExpectations) {
  await test.step(
    `the ID token is PS256, signed by the bank, for the client, with openbanking_intent_id${e.code ? ', c_hash and s_hash' : ''} [OIDC-Core-3.3.2.11]`,
    async () => {
      const { payload, protectedHeader } = await jwtVerify(idToken, keys, {
        issuer: e.issuer,
        audience: e.clientId,
        algorithms: ['PS256'],
      }).catch(err => {
        throw new Error(`the ID token does not verify: ${(err as Error).message}`)
      })
      expect.soft(protectedHeader.alg, 'alg').toBe('PS256')
      expect.soft(payload.openbanking_intent_id, 'openbanking_intent_id').toBe(e.intentId)
      expect.soft(typeof payload.exp, 'exp').toBe('number')
      if (e.nonce !== undefined) expect.soft(payload.nonce, 'nonce').toBe(e.nonce)
      if (e.code !== undefined) expect.soft(payload.c_hash, 'c_hash').toBe(leftHalfHash(e.code))
      if (e.state !== undefined) expect.soft(payload.s_hash, 's_hash').toBe(leftHalfHash(e.state))
    },
    { box: true },
  )
}

/** The AccountIds of an accounts answer (`Data.Account[]`). */
export function accountIdsOf(ex: Exchange): string[] {
  const data = (responseOf(ex).json as { Data?: { Account?: Array<{ AccountId?: unknown }> } } | undefined)?.Data
  return (data?.Account ?? []).map(a => String(a.AccountId))
}

/** OB AIS: the accounts API serves the consented accounts, and only them. */
export async function checkAccountsAre(ex: Exchange, expected: readonly string[], ref = 'OB-AIS-consent') {
  await test.step(
    `${what(ex)} lists exactly the ${expected.length} consented account(s) [${ref}]`,
    async () => {
      expect.soft([...accountIdsOf(ex)].sort(), 'AccountIds returned').toEqual([...expected].sort())
    },
    { box: true },
  )
}
