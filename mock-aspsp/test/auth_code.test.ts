/**
 * The mock bank's authorization code flow, end to end over mutual TLS: account-access consents,
 * /authorize (by value and pushed), the sign-in and consent pages, the authorization_code and
 * refresh_token grants, and the accounts API — and each rule's deviation switching it off.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { responseParams } from '../../fixtures/builders/authorization.ts'
import { ensurePki, type Pki, type TppIdentity } from '../../keys/pki.ts'
import { CUSTOMER_PASSWORD, customersFor } from '../src/banking/customers.ts'
import { DEFAULTS } from '../src/config/defaults.ts'
import { leftHalfHash } from '../src/oauth/id_token.ts'
import { DEVIATIONS, type DeviationName } from '../src/profiles/uk_ob/deviations/index.ts'
import type { RunningMock } from '../src/server.ts'
import { Browser, type Client, call, describeBank, locationOf, type TppDriver } from './flow_helpers.ts'

const ACCOUNTS = '/open-banking/v3.1/aisp/accounts'
const CONSENTS = '/open-banking/v3.1/aisp/account-access-consents'

let pki: Pki
let alpha: TppIdentity
let beta: TppIdentity
const customer = customersFor(DEFAULTS.customerSeed)[0]!

before(async () => {
  pki = await ensurePki()
  alpha = pki.tpps.alpha!
  beta = pki.tpps.beta!
})

/** Starts a bank for one describe block. */
const bank = describeBank

/** Walks the customer through sign-in and consent; returns the redirect back to the client. */
async function consentFlow(
  mock: RunningMock,
  authorizeUrl: string,
  decision: 'approve' | 'deny' = 'approve',
  accounts = [customer.accounts[0]!.accountId],
): Promise<string> {
  const browser = new Browser(mock)
  const start = await browser.open(authorizeUrl)
  assert.equal(start.status, 303, start.text)
  const page = locationOf(start)
  assert.match(page, /^\/consent\/[\w-]+$/)
  const login = await browser.post(`${page}/login`, { username: customer.username, password: CUSTOMER_PASSWORD })
  assert.equal(login.status, 303, login.text)
  const decided = await browser.post(`${page}/decision`, { decision, account: accounts })
  assert.equal(decided.status, 303, decided.text)
  return locationOf(decided)
}

/** Authorizes a fresh consent of `client` and redeems the code: the token response and its inputs. */
async function tokensFor(ctx: { mock: RunningMock; tpp: TppDriver }, client: Client, accounts?: string[]) {
  const intent = await ctx.tpp.consent(client)
  const ro = await ctx.tpp.requestObject(client, intent)
  const back = await consentFlow(ctx.mock, ctx.tpp.authorizeUrl(client, ro.jws), 'approve', accounts)
  const { code } = responseParams(back)
  const res = await ctx.tpp.token(client, {
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: String(ro.claims.redirect_uri),
    code_verifier: ro.verifier,
  })
  assert.equal(res.status, 200, res.text)
  return { intent, ro, code: code!, body: res.json }
}

describe('account-access consents', () => {
  const ctx = bank()
  test('POST creates a consent AwaitingAuthorisation; GET shows it', async () => {
    const client = await ctx.tpp.register(alpha)
    const token = await ctx.tpp.ccToken(client)
    const res = await call(ctx.mock, CONSENTS, {
      as: alpha,
      headers: { authorization: `Bearer ${token}` },
      json: { Data: { Permissions: ['ReadAccountsBasic', 'ReadBalances'] }, Risk: {} },
    })
    assert.equal(res.status, 201, res.text)
    const data = res.json.Data as Record<string, unknown>
    assert.equal(data.Status, 'AwaitingAuthorisation')
    assert.match(String(res.headers['x-fapi-interaction-id']), /^[0-9a-f-]{36}$/)
    const got = await call(ctx.mock, `${CONSENTS}/${data.ConsentId}`, {
      as: alpha,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(got.status, 200)
    assert.deepEqual((got.json.Data as Record<string, unknown>).Permissions, ['ReadAccountsBasic', 'ReadBalances'])
  })

  test('bad permissions get an OBErrorResponse1 naming the field', async () => {
    const client = await ctx.tpp.register(alpha)
    const res = await call(ctx.mock, CONSENTS, {
      as: alpha,
      headers: { authorization: `Bearer ${await ctx.tpp.ccToken(client)}` },
      json: { Data: { Permissions: ['ReadTransactionsBasic'] }, Risk: {} },
    })
    assert.equal(res.status, 400)
    const errors = res.json.Errors as Array<Record<string, string>>
    assert.equal(errors[0]?.ErrorCode, 'UK.OBIE.Field.Invalid')
    assert.equal(errors[0]?.Path, 'Data.Permissions')
    assert.equal(res.json.Code, '400 BadRequest')
  })

  test('a token without the accounts scope is refused 403, no token 401', async () => {
    const client = await ctx.tpp.register(alpha)
    const payments = await ctx.tpp.ccToken(client, 'payments')
    const body = { Data: { Permissions: ['ReadBalances'] }, Risk: {} }
    const res = await call(ctx.mock, CONSENTS, {
      as: alpha,
      headers: { authorization: `Bearer ${payments}` },
      json: body,
    })
    assert.equal(res.status, 403)
    const none = await call(ctx.mock, CONSENTS, { as: alpha, json: body })
    assert.equal(none.status, 401)
    assert.match(String(none.headers['www-authenticate']), /^Bearer/)
  })

  test("another client's consent is not found", async () => {
    const a = await ctx.tpp.register(alpha)
    const b = await ctx.tpp.register(beta)
    const intent = await ctx.tpp.consent(a)
    const res = await call(ctx.mock, `${CONSENTS}/${intent}`, {
      as: beta,
      headers: { authorization: `Bearer ${await ctx.tpp.ccToken(b)}` },
    })
    assert.equal(res.status, 400)
    assert.equal((res.json.Errors as Array<Record<string, string>>)[0]?.ErrorCode, 'UK.OBIE.Resource.NotFound')
  })
})

describe('the authorization code flow (code id_token, request object by value)', () => {
  const ctx = bank()
  test('consent page, approval, tokens, accounts, refresh rotation', async () => {
    const client = await ctx.tpp.register(alpha)
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent)
    const browser = new Browser(ctx.mock)
    const start = await browser.open(ctx.tpp.authorizeUrl(client, ro.jws))
    assert.equal(start.status, 303)
    const page = locationOf(start)
    const signIn = await browser.get(page)
    assert.equal(signIn.status, 200)
    assert.match(signIn.text, /<label for="username">Username<\/label>/)
    assert.match(signIn.text, new RegExp(alpha.clientName))
    assert.equal(signIn.headers['content-security-policy']?.includes("default-src 'none'"), true)

    const wrong = await browser.post(`${page}/login`, { username: customer.username, password: 'nope' })
    assert.equal(wrong.status, 401)
    assert.match(wrong.text, /role="alert"/)
    const ok = await browser.post(`${page}/login`, { username: customer.username, password: CUSTOMER_PASSWORD })
    assert.equal(ok.status, 303)
    const consentPage = await browser.get(page)
    assert.match(consentPage.text, /Your account balances/)
    for (const a of customer.accounts) assert.ok(consentPage.text.includes(a.accountId))

    const none = await browser.post(`${page}/decision`, { decision: 'approve' })
    assert.equal(none.status, 400)
    assert.match(none.text, /Choose at least one account/)
    const chosen = customer.accounts[0]!
    const back = await browser.post(`${page}/decision`, { decision: 'approve', account: chosen.accountId })
    assert.equal(back.status, 303)
    const location = locationOf(back)
    assert.ok(location.startsWith(`${alpha.redirectUris[0]}#`), location)
    const params = responseParams(location)
    assert.equal(params.state, ro.claims.state)
    assert.equal(params.iss, ctx.mock.url)

    const jwks = createLocalJWKSet((await call(ctx.mock, '/jwks')).json as never)
    const front = await jwtVerify(params.id_token!, jwks, { issuer: ctx.mock.url, audience: client.clientId })
    assert.equal(front.protectedHeader.alg, 'PS256')
    assert.equal(front.payload.openbanking_intent_id, intent)
    assert.equal(front.payload.nonce, ro.claims.nonce)
    assert.equal(front.payload.c_hash, leftHalfHash(params.code!))
    assert.equal(front.payload.s_hash, leftHalfHash(String(ro.claims.state)))

    const consent = await call(ctx.mock, `${CONSENTS}/${intent}`, {
      as: alpha,
      headers: { authorization: `Bearer ${await ctx.tpp.ccToken(client)}` },
    })
    assert.equal((consent.json.Data as Record<string, unknown>).Status, 'Authorised')

    const res = await ctx.tpp.token(client, {
      grant_type: 'authorization_code',
      code: params.code!,
      redirect_uri: alpha.redirectUris[0]!,
      code_verifier: ro.verifier,
    })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.headers['cache-control'], 'no-store')
    const back2 = await jwtVerify(String(res.json.id_token), jwks, { issuer: ctx.mock.url, audience: client.clientId })
    assert.equal(back2.payload.openbanking_intent_id, intent)
    const access = String(res.json.access_token)

    const list = await call(ctx.mock, ACCOUNTS, { as: alpha, headers: { authorization: `Bearer ${access}` } })
    assert.equal(list.status, 200, list.text)
    const accounts = (list.json.Data as { Account: Array<Record<string, unknown>> }).Account
    assert.deepEqual(
      accounts.map(a => a.AccountId),
      [chosen.accountId],
    )
    const balances = await call(ctx.mock, `${ACCOUNTS}/${chosen.accountId}/balances`, {
      as: alpha,
      headers: { authorization: `Bearer ${access}` },
    })
    assert.equal(balances.status, 200)
    const balance = (balances.json.Data as { Balance: Array<Record<string, unknown>> }).Balance[0]!
    assert.deepEqual(balance.Amount, { Amount: chosen.balance.amount, Currency: 'GBP' })

    const other = customer.accounts[1]!
    const refused = await call(ctx.mock, `${ACCOUNTS}/${other.accountId}/balances`, {
      as: alpha,
      headers: { authorization: `Bearer ${access}` },
    })
    assert.equal(refused.status, 403)
    const foreignCert = await call(ctx.mock, ACCOUNTS, { as: beta, headers: { authorization: `Bearer ${access}` } })
    assert.equal(foreignCert.status, 401)
    const rotatedCert = await call(ctx.mock, ACCOUNTS, {
      as: alpha.transport2,
      headers: { authorization: `Bearer ${access}` },
    })
    assert.equal(rotatedCert.status, 401)

    const first = String(res.json.refresh_token)
    const refreshed = await ctx.tpp.token(client, { grant_type: 'refresh_token', refresh_token: first })
    assert.equal(refreshed.status, 200, refreshed.text)
    assert.notEqual(refreshed.json.refresh_token, first)
    const again = await ctx.tpp.token(client, { grant_type: 'refresh_token', refresh_token: first })
    assert.equal(again.status, 400)
    assert.equal(again.json.error, 'invalid_grant')
    // The replay revoked the whole family, the newest refresh token included.
    const newest = await ctx.tpp.token(client, {
      grant_type: 'refresh_token',
      refresh_token: String(refreshed.json.refresh_token),
    })
    assert.equal(newest.json.error, 'invalid_grant')
  })

  test('a denial redirects access_denied and rejects the consent, which cannot be authorised again', async () => {
    const client = await ctx.tpp.register(alpha)
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent)
    const back = await consentFlow(ctx.mock, ctx.tpp.authorizeUrl(client, ro.jws), 'deny')
    assert.equal(responseParams(back).error, 'access_denied')
    assert.equal(responseParams(back).state, ro.claims.state)
    const consent = await call(ctx.mock, `${CONSENTS}/${intent}`, {
      as: alpha,
      headers: { authorization: `Bearer ${await ctx.tpp.ccToken(client)}` },
    })
    assert.equal((consent.json.Data as Record<string, unknown>).Status, 'Rejected')
    const retry = await ctx.tpp.requestObject(client, intent)
    const res = await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, retry.jws))
    assert.equal(responseParams(locationOf(res)).error, 'invalid_request')
  })
})

describe('pushed authorization requests (code, tls_client_auth, auto-approve)', () => {
  const ctx = bank({ autoApprove: true })
  test('PAR → /authorize with request_uri → code in the query → tokens; the request_uri works once', async () => {
    const client = await ctx.tpp.register(alpha, {
      authMethod: 'tls_client_auth',
      responseTypes: ['code', 'code id_token'],
    })
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent, { responseType: 'code' })
    const pushed = await call(ctx.mock, '/par', {
      as: alpha,
      form: { ...(await ctx.tpp.clientAuth(client)), request: ro.jws },
    })
    assert.equal(pushed.status, 201, pushed.text)
    assert.equal(pushed.json.expires_in, DEFAULTS.parTtl)
    const uri = String(pushed.json.request_uri)
    assert.match(uri, /^urn:ietf:params:oauth:request_uri:/)
    const authorize = `/authorize?${new URLSearchParams({ client_id: client.clientId, request_uri: uri })}`
    const res = await new Browser(ctx.mock).open(authorize)
    assert.equal(res.status, 303)
    const location = locationOf(res)
    assert.ok(location.startsWith(`${alpha.redirectUris[0]}?`), location)
    const params = responseParams(location)
    assert.equal(params.id_token, undefined)
    assert.equal(params.state, ro.claims.state)
    const tokens = await ctx.tpp.token(client, {
      grant_type: 'authorization_code',
      code: params.code!,
      redirect_uri: alpha.redirectUris[0]!,
      code_verifier: ro.verifier,
    })
    assert.equal(tokens.status, 200, tokens.text)
    const list = await call(ctx.mock, ACCOUNTS, {
      as: alpha,
      headers: { authorization: `Bearer ${tokens.json.access_token}` },
    })
    // Auto-approve shares every account of the first customer.
    assert.equal((list.json.Data as { Account: unknown[] }).Account.length, customer.accounts.length)

    const again = await new Browser(ctx.mock).open(authorize)
    assert.equal(again.status, 400)
    assert.equal(again.headers.location, undefined)
    assert.match(String(again.headers['content-type']), /text\/html/)
    assert.match(again.text, /invalid_request_uri/)
  })

  test('PAR answers errors itself, as JSON', async () => {
    const client = await ctx.tpp.register(alpha)
    const intent = await ctx.tpp.consent(client)
    const expired = await ctx.tpp.requestObject(client, intent, { claims: { exp: '-5m', nbf: '-10m' } })
    const res = await call(ctx.mock, '/par', {
      as: alpha,
      form: { ...(await ctx.tpp.clientAuth(client, `${ctx.mock.url}/par`)), request: expired.jws },
    })
    assert.equal(res.status, 400)
    assert.equal(res.json.error, 'invalid_request_object')
    assert.match(String(res.json.error_description), /exp/)
    const unauthenticated = await call(ctx.mock, '/par', { as: alpha, form: { request: expired.jws } })
    assert.equal(unauthenticated.json.error, 'invalid_client')
  })
})

describe('authorization request errors (RFC 6749 §4.1.2.1)', () => {
  const ctx = bank()
  let client: Client
  before(async () => {
    client = await ctx.tpp.register(alpha)
  })
  /** Opens /authorize with a request object built with `opts`; returns the answer. */
  async function open(opts: Parameters<TppDriver['requestObject']>[2] & { intent?: string } = {}) {
    const intent = opts.intent ?? (await ctx.tpp.consent(client))
    const ro = await ctx.tpp.requestObject(client, intent, opts)
    return { ro, res: await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, ro.jws)) }
  }
  const errorOf = (res: { headers: Record<string, unknown> }) =>
    responseParams(String(res.headers.location)) as Record<string, string>

  test('an unknown client or a bad signature is shown as a page, never redirected', async () => {
    const unknown = await new Browser(ctx.mock).open('/authorize?client_id=nobody&request=a.b.c')
    assert.equal(unknown.status, 400)
    assert.equal(unknown.headers.location, undefined)
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent)
    const [h, p, s] = ro.jws.split('.') as [string, string, string]
    const tampered = `${h}.${p}.${s.slice(0, -4)}AAAA`
    const bad = await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, tampered))
    assert.equal(bad.status, 400)
    assert.equal(bad.headers.location, undefined)
    assert.match(bad.text, /invalid_request_object/)
  })

  test('an unregistered redirect_uri is shown as a page, never redirected', async () => {
    const { res } = await open({ redirectUri: 'https://evil.example/cb' })
    assert.equal(res.status, 400)
    assert.equal(res.headers.location, undefined)
    assert.match(res.text, /redirect_uri/)
  })

  test('an expired request object is redirected as invalid_request_object with the state', async () => {
    const { ro, res } = await open({ claims: { exp: '-5m', nbf: '-10m' } })
    assert.equal(res.status, 303)
    assert.equal(errorOf(res).error, 'invalid_request_object')
    assert.equal(errorOf(res).state, ro.claims.state)
  })

  test('a request object works once', async () => {
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent)
    const first = await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, ro.jws))
    assert.match(locationOf(first), /^\/consent\//)
    const second = await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, ro.jws))
    assert.equal(errorOf(second).error, 'invalid_request_object')
    assert.match(errorOf(second).error_description ?? '', /already been used/)
  })

  test('an unknown intent, another client’s intent and an authorised intent are refused', async () => {
    assert.equal(errorOf((await open({ intent: 'aac-unknown' })).res).error, 'invalid_request')
    const other = await ctx.tpp.register(beta)
    const foreign = await ctx.tpp.consent(other)
    assert.equal(errorOf((await open({ intent: foreign })).res).error, 'invalid_request')
    const { intent } = await tokensFor(ctx, client)
    const used = await open({ intent })
    assert.equal(errorOf(used.res).error, 'invalid_request')
    assert.match(errorOf(used.res).error_description ?? '', /Authorised/)
  })

  test('PKCE, response type and scope are required as registered', async () => {
    const plain = await open({ claims: { code_challenge_method: 'plain' } })
    assert.equal(errorOf(plain.res).error, 'invalid_request')
    const code = await open({ responseType: 'code' })
    assert.equal(errorOf(code.res).error, 'unauthorized_client')
    const scope = await open({ claims: { scope: 'openid payments' } })
    assert.equal(errorOf(scope.res).error, 'invalid_scope')
    const nonce = await open({ claims: { nonce: undefined } })
    assert.equal(errorOf(nonce.res).error, 'invalid_request')
  })
})

describe('the authorization_code grant', () => {
  const ctx = bank()
  async function codeFor(client: Client) {
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent)
    const back = await consentFlow(ctx.mock, ctx.tpp.authorizeUrl(client, ro.jws))
    return { code: responseParams(back).code!, verifier: ro.verifier, redirect: String(ro.claims.redirect_uri) }
  }
  const redeem = (client: Client, c: { code: string; verifier: string; redirect: string }, over = {}) =>
    ctx.tpp.token(client, {
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: c.redirect,
      code_verifier: c.verifier,
      ...over,
    })

  test('a wrong code_verifier is invalid_grant', async () => {
    const client = await ctx.tpp.register(alpha)
    const c = await codeFor(client)
    const res = await redeem(client, c, { code_verifier: 'x'.repeat(43) })
    assert.equal(res.status, 400)
    assert.equal(res.json.error, 'invalid_grant')
    assert.match(String(res.json.error_description), /code_verifier/)
  })

  test('a code works once; its replay revokes the tokens of the first use', async () => {
    const client = await ctx.tpp.register(alpha)
    const c = await codeFor(client)
    const first = await redeem(client, c)
    assert.equal(first.status, 200)
    const second = await redeem(client, c)
    assert.equal(second.json.error, 'invalid_grant')
    const list = await call(ctx.mock, ACCOUNTS, {
      as: alpha,
      headers: { authorization: `Bearer ${first.json.access_token}` },
    })
    assert.equal(list.status, 401)
  })

  test("another client's code, or another redirect_uri, is invalid_grant", async () => {
    const client = await ctx.tpp.register(alpha)
    const other = await ctx.tpp.register(beta)
    const c = await codeFor(client)
    const foreign = await redeem(other, c)
    assert.equal(foreign.json.error, 'invalid_grant')
    const wrong = await redeem(client, c, { redirect_uri: alpha.redirectUris[1] })
    assert.equal(wrong.json.error, 'invalid_grant')
    assert.equal((await redeem(client, c)).status, 200, 'refusals before the checks passed do not burn the code')
  })
})

describe('revoking a consent', () => {
  const ctx = bank()
  test('DELETE answers 204, the consent reads Revoked and its tokens reach nothing', async () => {
    const client = await ctx.tpp.register(alpha)
    const { intent, body } = await tokensFor(ctx, client)
    const auth = { authorization: `Bearer ${await ctx.tpp.ccToken(client)}` }
    const deleted = await call(ctx.mock, `${CONSENTS}/${intent}`, { as: alpha, method: 'DELETE', headers: auth })
    assert.equal(deleted.status, 204)
    const read = await call(ctx.mock, `${CONSENTS}/${intent}`, { as: alpha, headers: auth })
    assert.equal((read.json.Data as Record<string, unknown>).Status, 'Revoked')
    const list = await call(ctx.mock, ACCOUNTS, {
      as: alpha,
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    assert.equal(list.status, 403)
    const refreshed = await ctx.tpp.token(client, {
      grant_type: 'refresh_token',
      refresh_token: String(body.refresh_token),
    })
    assert.equal(refreshed.json.error, 'invalid_grant')
  })
})

describe('codes expire', () => {
  const ctx = bank({ codeTtl: 0 })
  test('an expired code is invalid_grant', async () => {
    const client = await ctx.tpp.register(alpha)
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent)
    const { code } = responseParams(await consentFlow(ctx.mock, ctx.tpp.authorizeUrl(client, ro.jws)))
    const res = await ctx.tpp.token(client, {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: alpha.redirectUris[0]!,
      code_verifier: ro.verifier,
    })
    assert.equal(res.json.error, 'invalid_grant')
    assert.match(String(res.json.error_description), /expired/)
  })
})

describe('the flow on the SQLite store', () => {
  const ctx = bank({ store: ':memory:' })
  test('code, tokens, accounts and refresh work the same', async () => {
    assert.equal(ctx.mock.bank.store.kind, 'sqlite')
    const client = await ctx.tpp.register(alpha)
    const { body } = await tokensFor(ctx, client)
    const list = await call(ctx.mock, ACCOUNTS, {
      as: alpha,
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    assert.equal(list.status, 200)
    const refreshed = await ctx.tpp.token(client, {
      grant_type: 'refresh_token',
      refresh_token: String(body.refresh_token),
    })
    assert.equal(refreshed.status, 200)
    const reused = await ctx.tpp.token(client, {
      grant_type: 'refresh_token',
      refresh_token: String(body.refresh_token),
    })
    assert.equal(reused.json.error, 'invalid_grant')
  })
})

describe('each auth-code deviation switches exactly its rule off', () => {
  const names = Object.entries(DEVIATIONS)
    .filter(([, d]) => d.area === 'auth-code')
    .map(([n]) => n as DeviationName)
  const ctx = bank({ deviations: names })
  let client: Client
  before(async () => {
    client = await ctx.tpp.register(alpha)
  })
  async function codeFor(opts: Parameters<TppDriver['requestObject']>[2] = {}) {
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent, opts)
    const back = await consentFlow(ctx.mock, ctx.tpp.authorizeUrl(client, ro.jws))
    return { intent, ro, code: responseParams(back).code! }
  }
  const redeem = (c: Awaited<ReturnType<typeof codeFor>>, over: Record<string, string> = {}, who = client) =>
    ctx.tpp.token(who, {
      grant_type: 'authorization_code',
      code: c.code,
      redirect_uri: String(c.ro.claims.redirect_uri),
      code_verifier: c.ro.verifier,
      ...over,
    })

  test('the list covers every auth-code rule', () => {
    assert.equal(names.length, 13)
  })

  test('accept-expired-request-object, accept-replayed-request-object', async () => {
    const expired = await codeFor({ claims: { exp: '-5m', nbf: '-10m' } })
    assert.ok(expired.code)
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent)
    await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, ro.jws))
    const replay = await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, ro.jws))
    assert.match(locationOf(replay), /^\/consent\//)
  })

  test('accept-unknown-intent, accept-used-intent', async () => {
    const unknown = await ctx.tpp.requestObject(client, 'aac-made-up')
    assert.ok(responseParams(await consentFlow(ctx.mock, ctx.tpp.authorizeUrl(client, unknown.jws))).code)
    const first = await codeFor()
    const again = await ctx.tpp.requestObject(client, first.intent)
    assert.ok(responseParams(await consentFlow(ctx.mock, ctx.tpp.authorizeUrl(client, again.jws))).code)
  })

  test('redirect-to-unregistered-uri', async () => {
    const intent = await ctx.tpp.consent(client)
    const ro = await ctx.tpp.requestObject(client, intent, { redirectUri: 'https://evil.example/cb' })
    const res = await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, ro.jws))
    assert.match(locationOf(res), /^https:\/\/evil\.example\/cb/)
  })

  test('skip-pkce-check, accept-code-reuse, accept-foreign-code, skip-code-redirect-uri-check', async () => {
    const c = await codeFor()
    assert.equal((await redeem(c, { code_verifier: 'x'.repeat(43) })).status, 200)
    assert.equal((await redeem(c)).status, 200)
    const other = await ctx.tpp.register(alpha)
    assert.equal((await redeem(c, {}, other)).status, 200)
    assert.equal((await redeem(c, { redirect_uri: alpha.redirectUris[1]! })).status, 200)
  })

  test('accept-refresh-token-reuse, skip-resource-cert-binding, expose-unconsented-accounts', async () => {
    const c = await codeFor()
    const tokens = (await redeem(c)).json
    const refresh = String(tokens.refresh_token)
    assert.equal((await ctx.tpp.token(client, { grant_type: 'refresh_token', refresh_token: refresh })).status, 200)
    assert.equal((await ctx.tpp.token(client, { grant_type: 'refresh_token', refresh_token: refresh })).status, 200)
    const auth = { authorization: `Bearer ${tokens.access_token}` }
    assert.equal((await call(ctx.mock, ACCOUNTS, { as: beta, headers: auth })).status, 200)
    const list = await call(ctx.mock, ACCOUNTS, { as: alpha, headers: auth })
    assert.equal((list.json.Data as { Account: unknown[] }).Account.length, customer.accounts.length)
  })

  test('introspection-ignores-consent', async () => {
    const c = await codeFor()
    const access = String((await redeem(c)).json.access_token)
    const cc = { authorization: `Bearer ${await ctx.tpp.ccToken(client)}` }
    assert.equal(
      (await call(ctx.mock, `${CONSENTS}/${c.intent}`, { as: alpha, method: 'DELETE', headers: cc })).status,
      204,
    )
    const form = { ...(await ctx.tpp.clientAuth(client)), token: access }
    assert.equal((await call(ctx.mock, '/introspect', { as: alpha, form })).json.active, true)
  })
})
