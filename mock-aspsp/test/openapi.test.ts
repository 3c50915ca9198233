/**
 * The OpenAPI document (`/openapi.json`) kept true: every route of the app is described, every
 * status it documents is one a request gets from the bank (one request per status, below), and
 * every documented JSON answer validates against its schema.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { responseParams } from '../../fixtures/builders/authorization.ts'
import { keystoreUrls } from '../../fixtures/builders/ssa.ts'
import type { TppIdentity } from '../../keys/pki.ts'
import { createApp } from '../src/app.ts'
import { CUSTOMER_PASSWORD, customersFor } from '../src/banking/customers.ts'
import { DEFAULTS } from '../src/config/defaults.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { type Answer, Browser, type Client, call, locationOf, TppDriver } from './flow_helpers.ts'
import { pki, signedRequest } from './support.ts'

const alpha = pki.tpps.alpha as TppIdentity
const beta = pki.tpps.beta as TppIdentity
const AISP = '/open-banking/v3.1/aisp'
const customer = customersFor(DEFAULTS.customerSeed)[0]!
const JOSE = { 'content-type': 'application/jose' }
const BASIC = { authorization: 'Basic YTpi' }
const BOGUS = { authorization: 'Bearer not-a-token-of-this-bank' }

type Doc = {
  openapi: string
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >
  components: Record<string, unknown>
}

let mock: RunningMock
let off: RunningMock
let tpp: TppDriver
let doc: Doc

/** What the requests below need: clients, tokens, a consent and a customer's access token. */
const w = {} as {
  pkjwt: Client
  tls: Client
  pkjwtToken: string
  tlsToken: string
  intent: string
  accessToken: string
  accountId: string
  offClient: string
  offToken: string
}

/** A signed registration request whose SSA points at the bank's own keystore paths (no msw here). */
const localRequest = () =>
  signedRequest({ ssaClaims: keystoreUrls(alpha.orgId, alpha.softwareId, `${mock.url}/directory/keystore`) })

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** The PKCE verifier of the last request pushed (the code of its interaction needs it). */
let lastVerifier = ''

/** A fresh pushed request_uri for the tls client's consent. */
async function pushed(): Promise<string> {
  const ro = await tpp.requestObject(w.tls, await tpp.consent(w.tls))
  lastVerifier = ro.verifier
  const res = await call(mock, '/par', { as: alpha, form: { ...(await tpp.clientAuth(w.tls)), request: ro.jws } })
  return String(res.json.request_uri)
}

/** A browser at the sign-in page of a new interaction: its path. */
async function atSignIn(browser = new Browser(mock)): Promise<{ browser: Browser; page: string }> {
  const uri = await pushed()
  const start = await browser.open(`/authorize?${new URLSearchParams({ client_id: w.tls.clientId, request_uri: uri })}`)
  return { browser, page: locationOf(start) }
}

async function signedIn(): Promise<{ browser: Browser; page: string }> {
  const at = await atSignIn()
  await at.browser.post(`${at.page}/login`, { username: customer.username, password: CUSTOMER_PASSWORD })
  return at
}

/** One request per documented status: `METHOD /openapi/path` → status → the request. */
const REQUESTS: Record<string, Record<number, () => Promise<Answer>>> = {
  'GET /.well-known/openid-configuration': { 200: () => call(mock, '/.well-known/openid-configuration') },
  'GET /.well-known/oauth-authorization-server': { 200: () => call(mock, '/.well-known/oauth-authorization-server') },
  'GET /jwks': { 200: () => call(mock, '/jwks') },
  'GET /openapi.json': { 200: () => call(mock, '/openapi.json') },
  'POST /register': {
    201: async () => call(mock, '/register', { as: alpha, headers: JOSE, body: await localRequest() }),
    400: () => call(mock, '/register', { as: alpha, headers: JOSE, body: 'not.a.jws' }),
    413: () => call(mock, '/register', { as: alpha, headers: JOSE, body: 'x'.repeat(DEFAULTS.maxBodyBytes + 1) }),
  },
  'GET /register/{clientId}': {
    200: () => call(mock, `/register/${w.pkjwt.clientId}`, { as: alpha, headers: bearer(w.pkjwtToken) }),
    401: () => call(mock, `/register/${w.pkjwt.clientId}`, { as: alpha, headers: BOGUS }),
    405: () => call(off, `/register/${w.offClient}`, { as: alpha, headers: bearer(w.offToken) }),
  },
  'PUT /register/{clientId}': {
    200: async () =>
      call(mock, `/register/${w.pkjwt.clientId}`, {
        method: 'PUT',
        as: alpha,
        headers: { ...JOSE, ...bearer(w.pkjwtToken) },
        body: await localRequest(),
      }),
    400: () =>
      call(mock, `/register/${w.pkjwt.clientId}`, {
        method: 'PUT',
        as: alpha,
        headers: { ...JOSE, ...bearer(w.pkjwtToken) },
        body: 'not.a.jws',
      }),
    401: async () =>
      call(mock, `/register/${w.pkjwt.clientId}`, {
        method: 'PUT',
        as: alpha,
        headers: { ...JOSE, ...BOGUS },
        body: await localRequest(),
      }),
    405: async () =>
      call(off, `/register/${w.offClient}`, {
        method: 'PUT',
        as: alpha,
        headers: { ...JOSE, ...bearer(w.offToken) },
        body: await localRequest(),
      }),
  },
  'DELETE /register/{clientId}': {
    204: async () => {
      const doomed = await tpp.register(alpha)
      const res = await tpp.token(doomed, { grant_type: 'client_credentials' })
      return call(mock, `/register/${doomed.clientId}`, {
        method: 'DELETE',
        as: alpha,
        headers: bearer(String(res.json.access_token)),
      })
    },
    401: () => call(mock, `/register/${w.pkjwt.clientId}`, { method: 'DELETE', as: alpha, headers: BOGUS }),
    405: () => call(off, `/register/${w.offClient}`, { method: 'DELETE', as: alpha, headers: bearer(w.offToken) }),
  },
  'POST /token': {
    200: () => tpp.token(w.tls, { grant_type: 'client_credentials' }),
    400: () => call(mock, '/token', { as: alpha, form: { client_id: w.tls.clientId } }),
    401: () => call(mock, '/token', { as: alpha, headers: BASIC, form: { grant_type: 'client_credentials' } }),
  },
  'POST /par': {
    201: async () => {
      const ro = await tpp.requestObject(w.tls, await tpp.consent(w.tls))
      return call(mock, '/par', { as: alpha, form: { ...(await tpp.clientAuth(w.tls)), request: ro.jws } })
    },
    400: async () => call(mock, '/par', { as: alpha, form: await tpp.clientAuth(w.tls) }),
    401: () => call(mock, '/par', { as: alpha, headers: BASIC, form: { request: 'x' } }),
  },
  'POST /introspect': {
    200: async () =>
      call(mock, '/introspect', { as: alpha, form: { ...(await tpp.clientAuth(w.tls)), token: w.tlsToken } }),
    400: async () => call(mock, '/introspect', { as: alpha, form: await tpp.clientAuth(w.tls) }),
    401: () => call(mock, '/introspect', { as: alpha, headers: BASIC, form: { token: 'x' } }),
  },
  'POST /revoke': {
    200: async () => call(mock, '/revoke', { as: alpha, form: { ...(await tpp.clientAuth(w.tls)), token: 'unknown' } }),
    400: async () => call(mock, '/revoke', { as: alpha, form: await tpp.clientAuth(w.tls) }),
    401: () => call(mock, '/revoke', { as: alpha, headers: BASIC, form: { token: 'x' } }),
  },
  'GET /authorize': {
    303: async () =>
      new Browser(mock).open(
        `/authorize?${new URLSearchParams({ client_id: w.tls.clientId, request_uri: await pushed() })}`,
      ),
    400: () => call(mock, '/authorize?client_id=unknown&request=x'),
  },
  'POST /authorize': {
    303: async () => {
      const ro = await tpp.requestObject(w.tls, await tpp.consent(w.tls))
      return call(mock, '/authorize', { form: { client_id: w.tls.clientId, request: ro.jws } })
    },
    400: () => call(mock, '/authorize', { form: { request: 'x' } }),
  },
  'GET /consent/{id}': {
    200: async () => {
      const { browser, page } = await atSignIn()
      return browser.get(page)
    },
    403: async () => call(mock, (await atSignIn()).page),
    404: () => call(mock, '/consent/nothing-here'),
  },
  'POST /consent/{id}/login': {
    303: async () => {
      const { browser, page } = await atSignIn()
      return browser.post(`${page}/login`, { username: customer.username, password: CUSTOMER_PASSWORD })
    },
    401: async () => {
      const { browser, page } = await atSignIn()
      return browser.post(`${page}/login`, { username: customer.username, password: 'wrong' })
    },
    404: () => call(mock, '/consent/nothing-here/login', { form: { username: 'x', password: 'y' } }),
  },
  'POST /consent/{id}/decision': {
    303: async () => {
      const { browser, page } = await signedIn()
      return browser.post(`${page}/decision`, { decision: 'deny' })
    },
    400: async () => {
      const { browser, page } = await signedIn()
      return browser.post(`${page}/decision`, { decision: 'approve' })
    },
    403: async () => {
      const { browser, page } = await atSignIn()
      return browser.post(`${page}/decision`, { decision: 'deny' })
    },
    404: () => call(mock, '/consent/nothing-here/decision', { form: { decision: 'deny' } }),
  },
  [`POST ${AISP}/account-access-consents`]: {
    201: () =>
      call(mock, `${AISP}/account-access-consents`, {
        as: alpha,
        headers: bearer(w.tlsToken),
        json: { Data: { Permissions: ['ReadAccountsBasic'] }, Risk: {} },
      }),
    400: () =>
      call(mock, `${AISP}/account-access-consents`, {
        as: alpha,
        headers: bearer(w.tlsToken),
        json: { Data: {}, Risk: {} },
      }),
    401: () => call(mock, `${AISP}/account-access-consents`, { as: alpha, headers: BOGUS, json: {} }),
    403: () => call(mock, `${AISP}/account-access-consents`, { as: alpha, headers: bearer(w.accessToken), json: {} }),
    415: () =>
      call(mock, `${AISP}/account-access-consents`, {
        as: alpha,
        headers: { ...bearer(w.tlsToken), 'content-type': 'text/plain' },
        body: '{}',
      }),
  },
  [`GET ${AISP}/account-access-consents/{consentId}`]: {
    200: () => call(mock, `${AISP}/account-access-consents/${w.intent}`, { as: alpha, headers: bearer(w.tlsToken) }),
    400: () => call(mock, `${AISP}/account-access-consents/unknown`, { as: alpha, headers: bearer(w.tlsToken) }),
    401: () => call(mock, `${AISP}/account-access-consents/${w.intent}`, { as: alpha, headers: BOGUS }),
    403: () => call(mock, `${AISP}/account-access-consents/${w.intent}`, { as: alpha, headers: bearer(w.accessToken) }),
  },
  [`DELETE ${AISP}/account-access-consents/{consentId}`]: {
    204: async () => {
      const doomed = await tpp.consent(w.tls)
      return call(mock, `${AISP}/account-access-consents/${doomed}`, {
        method: 'DELETE',
        as: alpha,
        headers: bearer(w.tlsToken),
      })
    },
    400: () =>
      call(mock, `${AISP}/account-access-consents/unknown`, {
        method: 'DELETE',
        as: alpha,
        headers: bearer(w.tlsToken),
      }),
    401: () => call(mock, `${AISP}/account-access-consents/unknown`, { method: 'DELETE', as: alpha, headers: BOGUS }),
  },
  [`GET ${AISP}/accounts`]: {
    200: () => call(mock, `${AISP}/accounts`, { as: alpha, headers: bearer(w.accessToken) }),
    401: () => call(mock, `${AISP}/accounts`, { as: alpha, headers: BOGUS }),
    403: () => call(mock, `${AISP}/accounts`, { as: alpha, headers: bearer(w.tlsToken) }),
  },
  [`GET ${AISP}/accounts/{accountId}`]: {
    200: () => call(mock, `${AISP}/accounts/${w.accountId}`, { as: alpha, headers: bearer(w.accessToken) }),
    401: () => call(mock, `${AISP}/accounts/${w.accountId}`, { as: alpha, headers: BOGUS }),
    403: () => call(mock, `${AISP}/accounts/not-shared`, { as: alpha, headers: bearer(w.accessToken) }),
  },
  [`GET ${AISP}/accounts/{accountId}/balances`]: {
    200: () => call(mock, `${AISP}/accounts/${w.accountId}/balances`, { as: alpha, headers: bearer(w.accessToken) }),
    401: () => call(mock, `${AISP}/accounts/${w.accountId}/balances`, { as: alpha, headers: BOGUS }),
    403: () => call(mock, `${AISP}/accounts/not-shared/balances`, { as: alpha, headers: bearer(w.accessToken) }),
  },
  'GET /directory/keystore/{path}': {
    200: () => call(mock, '/directory/keystore/keystore/openbanking.jwks'),
    404: () => call(mock, '/directory/keystore/nothing/here.jwks'),
  },
  'GET /directory/organisation/{orgId}/software-statement/{softwareId}/software-statement-assertion': {
    200: () =>
      call(
        mock,
        `/directory/organisation/${alpha.orgId}/software-statement/${alpha.softwareId}/software-statement-assertion`,
        { as: alpha },
      ),
    400: () =>
      call(
        mock,
        `/directory/organisation/${alpha.orgId}/software-statement/${alpha.softwareId}/software-statement-assertion`,
        { as: beta },
      ),
    404: () =>
      call(mock, `/directory/organisation/${alpha.orgId}/software-statement/nothing/software-statement-assertion`, {
        as: alpha,
      }),
  },
  'POST /mock/sign/registration': {
    200: () => call(mock, '/mock/sign/registration', { as: alpha, json: { tpp: 'alpha', auth: 'tls_client_auth' } }),
    400: () => call(mock, '/mock/sign/registration', { as: beta, json: { tpp: 'alpha' } }),
    404: () => call(mock, '/mock/sign/registration', { as: alpha, json: { tpp: 'nobody' } }),
  },
  'POST /mock/sign/client-assertion': {
    200: () =>
      call(mock, '/mock/sign/client-assertion', { as: alpha, json: { tpp: 'alpha', client_id: w.pkjwt.clientId } }),
    400: () => call(mock, '/mock/sign/client-assertion', { as: alpha, json: { tpp: 'alpha' } }),
    404: () => call(mock, '/mock/sign/client-assertion', { as: alpha, json: { tpp: 'nobody', client_id: 'x' } }),
  },
  'POST /mock/sign/request-object': {
    200: () =>
      call(mock, '/mock/sign/request-object', {
        as: alpha,
        json: { tpp: 'alpha', client_id: w.tls.clientId, intent: w.intent },
      }),
    400: () =>
      call(mock, '/mock/sign/request-object', { as: alpha, json: { tpp: 'alpha', client_id: w.tls.clientId } }),
    404: () =>
      call(mock, '/mock/sign/request-object', { as: alpha, json: { tpp: 'nobody', client_id: 'x', intent: 'y' } }),
  },
}

before(async () => {
  mock = await startMock({ port: 0, store: 'memory', msw: false, pki, signingHelper: true })
  off = await startMock({
    port: 0,
    store: 'memory',
    msw: false,
    pki,
    operations: { get: false, put: false, delete: false },
  })
  tpp = new TppDriver(mock, pki)
  doc = (await call(mock, '/openapi.json')).json as unknown as Doc
  w.pkjwt = await tpp.register(alpha)
  w.tls = await tpp.register(alpha, { authMethod: 'tls_client_auth' })
  w.pkjwtToken = String((await tpp.token(w.pkjwt, { grant_type: 'client_credentials' })).json.access_token)
  w.tlsToken = await tpp.ccToken(w.tls)
  w.intent = await tpp.consent(w.tls)
  // The customer approves one account; the code becomes an access token of the consent.
  const { browser, page } = await signedIn()
  const done = await browser.post(`${page}/decision`, {
    decision: 'approve',
    account: [customer.accounts[0]!.accountId],
  })
  const code = responseParams(locationOf(done)).code
  assert.ok(code, locationOf(done))
  w.accountId = customer.accounts[0]!.accountId
  w.accessToken = await codeToToken(String(code))
  const offTpp = new TppDriver(off, pki)
  const offClient = await offTpp.register(alpha)
  w.offClient = offClient.clientId
  w.offToken = String((await offTpp.token(offClient, { grant_type: 'client_credentials' })).json.access_token)
})
after(async () => {
  await mock.close()
  await off.close()
})

async function codeToToken(code: string): Promise<string> {
  const res = await tpp.token(w.tls, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: alpha.redirectUris[0] as string,
    code_verifier: lastVerifier,
  })
  assert.equal(res.status, 200, res.text)
  return String(res.json.access_token)
}

describe('the mock-only signing helper', () => {
  it('is off unless asked for (--signing-helper): 404 on a default bank', async () => {
    const res = await call(off, '/mock/sign/registration', { as: alpha, json: { tpp: 'alpha' } })
    assert.equal(res.status, 404, res.text)
  })
})

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and describes every route of the app, method by method', () => {
    assert.equal(doc.openapi, '3.1.0')
    const app = createApp(mock.bank)
    const dispatch = app.middleware.find(m => (m as { router?: unknown }).router) as unknown as {
      router: { stack: { path: string; methods: string[] }[] }
    }
    const routes = dispatch.router.stack.flatMap(l =>
      l.methods
        .filter(m => m !== 'HEAD')
        .map(m => `${m} ${l.path.replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)$/, '{$1}')}`),
    )
    assert.ok(routes.length > 25, `${routes.length} routes`)
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter(k => k !== 'parameters')
        .map(m => `${m.toUpperCase()} ${p}`),
    )
    assert.deepEqual([...new Set(routes)].sort(), documented.sort())
  })
  it('documents only statuses the bank gives: one request gets each, and its JSON body fits the schema', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false })
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([k]) => k !== 'parameters')
        .flatMap(([m, op]) =>
          Object.keys(op.responses).map(s => ({ key: `${m.toUpperCase()} ${p}`, status: Number(s), op })),
        ),
    )
    const missing = documented.filter(d => !REQUESTS[d.key]?.[d.status]).map(d => `${d.key} ${d.status}`)
    assert.deepEqual(missing, [], 'documented statuses without a request that shows them')
    for (const { key, status, op } of documented) {
      const send = REQUESTS[key]?.[status]
      assert.ok(send, `${key} ${status}`)
      const res = await send()
      assert.equal(res.status, status, `${key}: ${res.text.slice(0, 300)}`)
      const schema = op.responses[String(status)]?.content?.['application/json']?.schema
      if (schema) {
        const validate = ajv.compile({ ...(schema as object), components: doc.components })
        assert.ok(validate(res.json), `${key} ${status}: ${ajv.errorsText(validate.errors)}`)
      }
    }
    // Every request above stands for a documented status (none left over for an undocumented one).
    const extra = Object.entries(REQUESTS).flatMap(([k, by]) =>
      Object.keys(by)
        .filter(s => !documented.some(d => d.key === k && d.status === Number(s)))
        .map(s => `${k} ${s}`),
    )
    assert.deepEqual(extra, [])
  })
})
