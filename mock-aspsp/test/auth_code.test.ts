/**
 * The mock bank's authorization code flow, end to end over mutual TLS: account-access consents,
 * /authorize (by value and pushed), the sign-in and consent pages, the authorization_code and
 * refresh_token grants, and the accounts API — and each rule's deviation switching it off.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { responseParams } from '../../fixtures/builders/authorization.ts'
import { ensurePki, type Pki, type TppIdentity } from '../../keys/pki.ts'
import { CUSTOMER_PASSWORD, customersFor } from '../src/helpers/customers.ts'
import { DEFAULTS, type MockOptions } from '../src/helpers/defaults.ts'
import { leftHalfHash } from '../src/helpers/id_token.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { Browser, type Client, call, locationOf, TppDriver } from './flow_helpers.ts'

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
function bank(options: Partial<MockOptions> = {}) {
  const ctx = {} as { mock: RunningMock; tpp: TppDriver }
  before(async () => {
    ctx.mock = await startMock({ port: 0, store: 'memory', msw: false, pki, ...options })
    ctx.tpp = new TppDriver(ctx.mock, pki)
  })
  after(() => ctx.mock.close())
  return ctx
}

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
