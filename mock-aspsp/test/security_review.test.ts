/**
 * The holes an outside security review found in the mock (issue 12), each shut: who may register
 * which subject DN, which certificate may act for a client, trust judged on every request, the
 * refresh grant that used its token up before validating, the PAR request_uri a stranger could
 * burn, /revoke telling tokens apart, the consent pages' CSRF, fixation and brute-force defences,
 * and the headers every answer carries. Each test fails on the mock as it was before the fix.
 */
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, mock as clock, describe, test } from 'node:test'
import { responseParams } from '../../fixtures/builders/authorization.ts'
import { issueClientCertificate, revocationList } from '../../fixtures/builders/certificate.ts'
import { clientAssertionClaims } from '../../fixtures/builders/client_assertion.ts'
import { signerFromFile, signWithHeader } from '../../fixtures/builders/jose.ts'
import type { KeyCert, Pki, TppIdentity } from '../../keys/pki.ts'
import { CUSTOMER_PASSWORD, customersFor } from '../src/banking/customers.ts'
import { DEFAULTS, type MockOptions } from '../src/config/defaults.ts'
import { dnKey, parseDn } from '../src/pki/dn.ts'
import { RevocationLists } from '../src/pki/revocation.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { type ClientCert, judgedNow } from '../src/shared/mtls.ts'
import { Browser, type Client, call, locationOf, TppDriver } from './flow_helpers.ts'
import { BankClient } from './support/http.ts'
import { alpha, beta, gamma, pki, signedRequest } from './support.ts'

const rogue = pki.tpps.rogue as TppIdentity
const customer = customersFor(DEFAULTS.customerSeed)[0]!
const JOSE = { 'content-type': 'application/jose' }

/** Starts a bank for one describe block (keystore URLs served by the bank itself, no msw). */
function bank(options: Partial<MockOptions> & { pki?: Pki } = {}) {
  const ctx = {} as { mock: RunningMock; tpp: TppDriver }
  before(async () => {
    ctx.mock = await startMock({ port: 0, store: 'memory', msw: false, pki, ...options })
    ctx.tpp = new TppDriver(ctx.mock, options.pki ?? pki)
  })
  after(() => ctx.mock.close())
  return ctx
}

/** A signed registration request of `tpp` whose SSA points at the bank's own keystore. */
async function request(mock: RunningMock, tpp: TppIdentity, claims: Record<string, unknown>) {
  const keystore = `${mock.url}/directory/keystore/${tpp.orgId}`
  return signedRequest({
    tpp,
    auth: 'tls_client_auth',
    claims,
    ssaClaims: {
      software_jwks_endpoint: `${keystore}/${tpp.softwareId}.jwks`,
      org_jwks_endpoint: `${keystore}/${tpp.orgId}.jwks`,
      software_jwks_revoked_endpoint: `${keystore}/revoked/${tpp.softwareId}.jwks`,
      org_jwks_revoked_endpoint: `${keystore}/revoked/${tpp.orgId}.jwks`,
    },
  })
}

/** The customer approves a fresh consent of `client`: the code and what redeems it. */
async function approvedCode(ctx: { mock: RunningMock; tpp: TppDriver }, client: Client) {
  const intent = await ctx.tpp.consent(client)
  const ro = await ctx.tpp.requestObject(client, intent)
  const browser = new Browser(ctx.mock)
  const page = locationOf(await browser.open(ctx.tpp.authorizeUrl(client, ro.jws)))
  assert.equal(
    (await browser.post(`${page}/login`, { username: customer.username, password: CUSTOMER_PASSWORD })).status,
    303,
  )
  const back = await browser.post(`${page}/decision`, { decision: 'approve', account: customer.accounts[0]!.accountId })
  const code = responseParams(locationOf(back)).code
  assert.ok(code, locationOf(back))
  return {
    code,
    redeem: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: String(ro.claims.redirect_uri),
      code_verifier: ro.verifier,
    },
  }
}

describe('must fix: tls_client_auth_subject_dn names the certificate presented with the registration (NEG-META-38)', () => {
  const ctx = bank()
  const tokenOver = (id: string, tpp: TppIdentity) =>
    call(ctx.mock, '/token', { as: tpp, form: { grant_type: 'client_credentials', client_id: id, scope: 'payments' } })

  test("POST over alpha's certificate with gamma's DN: 400 invalid_client_metadata, no client", async () => {
    const res = await call(ctx.mock, '/register', {
      as: alpha,
      headers: JOSE,
      body: await request(ctx.mock, alpha, { tls_client_auth_subject_dn: gamma.transport.subjectDn }),
    })
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error, 'invalid_client_metadata')
    assert.match(String(res.json.error_description), /does not identify the transport certificate presented/)
    assert.equal(res.json.client_id, undefined)
  })

  test("PUT to gamma's DN: 400, the client keeps alpha's DN, and gamma's certificate gets no token for it", async () => {
    const client = await ctx.tpp.register(alpha, { authMethod: 'tls_client_auth' })
    const token = await ctx.tpp.ccToken(client)
    const res = await call(ctx.mock, `/register/${client.clientId}`, {
      method: 'PUT',
      as: alpha,
      headers: { ...JOSE, authorization: `Bearer ${token}` },
      body: await request(ctx.mock, alpha, { tls_client_auth_subject_dn: gamma.transport.subjectDn }),
    })
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error, 'invalid_client_metadata')
    const read = await call(ctx.mock, `/register/${client.clientId}`, {
      as: alpha,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(read.json.tls_client_auth_subject_dn, alpha.transport.subjectDn)
    const stolen = await tokenOver(client.clientId, gamma)
    assert.equal(stolen.status, 400)
    assert.equal(stolen.json.error, 'invalid_client')
    assert.equal((await tokenOver(client.clientId, alpha)).status, 200)
  })

  test('the same DN in RFC 4514 hex form and with OID attribute types registers and matches (item 13)', async () => {
    const cn = alpha.softwareId
    const hex = `#13${cn.length.toString(16).padStart(2, '0')}${Buffer.from(cn).toString('hex')}`
    const forms = [
      `CN=${hex},OU=${alpha.orgId},O=OpenBanking,C=GB`,
      `2.5.4.3=${cn},2.5.4.11=${alpha.orgId},2.5.4.10=OpenBanking,2.5.4.6=GB`,
      `CN=${cn},OU=#0c${alpha.orgId.length.toString(16).padStart(2, '0')}${Buffer.from(alpha.orgId).toString('hex')},O=OpenBanking,C=GB`,
    ]
    for (const dn of forms) {
      const reg = await call(ctx.mock, '/register', {
        as: alpha,
        headers: JOSE,
        body: await request(ctx.mock, alpha, { tls_client_auth_subject_dn: dn }),
      })
      assert.equal(reg.status, 201, `${dn}: ${reg.text}`)
      assert.equal((await tokenOver(String(reg.json.client_id), alpha)).status, 200, dn)
    }
  })
})

describe("item 1: a client acts only over its own organisation's certificate", () => {
  const ctx = bank()

  test("beta's valid assertion over alpha's certificate: invalid_client at /token and /introspect", async () => {
    const b = await ctx.tpp.register(beta)
    const res = await ctx.tpp.token(b, { grant_type: 'client_credentials', scope: 'accounts' }, alpha)
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error, 'invalid_client')
    assert.match(String(res.json.error_description), /is not a certificate of software/)
    assert.equal(res.json.access_token, undefined)
    const token = await ctx.tpp.ccToken(b)
    const introspect = await call(ctx.mock, '/introspect', {
      as: alpha,
      form: { ...(await ctx.tpp.clientAuth(b, `${ctx.mock.url}/introspect`)), token },
    })
    assert.equal(introspect.status, 400)
    assert.equal(introspect.json.active, undefined)
    assert.equal((await ctx.tpp.token(b, { grant_type: 'client_credentials', scope: 'accounts' })).status, 200)
  })

  test("alpha's code and refresh token over beta's certificate: invalid_client, and both still work over alpha's", async () => {
    const a = await ctx.tpp.register(alpha)
    const { redeem } = await approvedCode(ctx, a)
    const stolen = await ctx.tpp.token(a, redeem, beta)
    assert.equal(stolen.status, 400, stolen.text)
    assert.equal(stolen.json.error, 'invalid_client')
    const tokens = await ctx.tpp.token(a, redeem)
    assert.equal(tokens.status, 200, tokens.text)
    const refresh = { grant_type: 'refresh_token', refresh_token: String(tokens.json.refresh_token) }
    const stolenRefresh = await ctx.tpp.token(a, refresh, beta)
    assert.equal(stolenRefresh.json.error, 'invalid_client')
    assert.equal((await ctx.tpp.token(a, refresh)).status, 200)
  })
})

describe('item 2: /introspect, /revoke and /par need a trusted client certificate for private_key_jwt too', () => {
  const ctx = bank()
  for (const [what, as] of [
    ['no certificate', null],
    ['a self-signed certificate', rogue],
  ] as const) {
    test(`${what}: 400 invalid_client on each, nothing told, nothing revoked`, async () => {
      const a = await ctx.tpp.register(alpha)
      const token = await ctx.tpp.ccToken(a)
      for (const endpoint of ['/introspect', '/revoke', '/par']) {
        const form = { ...(await ctx.tpp.clientAuth(a, `${ctx.mock.url}${endpoint}`)), token, request: 'x.y.z' }
        const res = await call(ctx.mock, endpoint, { as, form })
        assert.equal(res.status, 400, `${endpoint}: ${res.text}`)
        assert.equal(res.json.error, 'invalid_client', endpoint)
        assert.match(String(res.json.error_description), /needs mutual TLS with a trusted client certificate/)
      }
      const live = await call(ctx.mock, '/introspect', {
        as: alpha,
        form: { ...(await ctx.tpp.clientAuth(a, `${ctx.mock.url}/introspect`)), token },
      })
      assert.equal(live.json.active, true)
    })
  }
})

describe('item 3: certificate trust is judged on every request (NEG-MGMT-26)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ob-crl-'))
  const crlPath = path.join(dir, 'ca.crl.pem')
  copyFileSync(pki.ca.crlPath, crlPath)
  const ctx = bank({ pki: { ...pki, ca: { ...pki.ca, crlPath } } })
  const ca = { cert: readFileSync(pki.ca.certPath), key: readFileSync(pki.ca.keyPath) }
  after(() => {
    clock.timers.reset()
    rmSync(dir, { recursive: true, force: true })
  })

  /** alpha's subject and key under a new certificate valid for ten minutes, as files. */
  async function shortLived(name: string): Promise<{ keyCert: KeyCert; serial: string }> {
    const holder = { cert: readFileSync(alpha.transport.certPath), key: readFileSync(alpha.transport.keyPath) }
    const now = Date.now()
    const issued = await issueClientCertificate(ca, holder, {
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 600_000),
    })
    const certPath = path.join(dir, `${name}.pem`)
    writeFileSync(certPath, issued.cert)
    return {
      serial: issued.serialNumber,
      keyCert: { ...alpha.transport, certPath, x5tS256: '', notAfter: '', serialNumber: issued.serialNumber },
    }
  }

  /** A client of alpha's, its token bound to `cert`, read on one kept-alive connection over `cert`. */
  async function boundOver(cert: KeyCert) {
    const a = await ctx.tpp.register(alpha)
    const holder = { ...alpha, transport: cert }
    const token = String((await ctx.tpp.token(a, { grant_type: 'client_credentials' }, holder)).json.access_token)
    const conn = new BankClient(ctx.mock.url, pki, cert)
    const get = () =>
      conn.request({ method: 'GET', path: `/register/${a.clientId}`, headers: { authorization: `Bearer ${token}` } })
    return { get, close: () => conn.agent.destroy() }
  }

  test('a certificate that expires after the token was bound to it: 401 on the same kept-alive connection', async () => {
    const { keyCert } = await shortLived('expiring')
    const { get, close } = await boundOver(keyCert)
    try {
      assert.equal((await get()).status, 200)
      clock.timers.enable({ apis: ['Date'], now: Date.now() + 20 * 60_000 })
      const res = await get()
      assert.equal(res.status, 401, res.body.toString())
      assert.match(res.body.toString(), /no longer trusted: the client certificate expired/)
    } finally {
      clock.timers.reset()
      close()
    }
  })

  test('a certificate revoked after the token was bound to it: 401 once the new CRL is read', async () => {
    const { keyCert, serial } = await shortLived('revoked-later')
    const { get, close } = await boundOver(keyCert)
    try {
      assert.equal((await get()).status, 200)
      writeFileSync(crlPath, await revocationList(ca, [serial]))
      // The CRL file is looked at once a second at most.
      clock.timers.enable({ apis: ['Date'], now: Date.now() + 2_000 })
      const res = await get()
      assert.equal(res.status, 401, res.body.toString())
      assert.match(res.body.toString(), /the client certificate is revoked/)
    } finally {
      clock.timers.reset()
      close()
    }
  })
})

describe('item 5: a refresh refused for a wider scope leaves the refresh token usable (NEG-TOK-35)', () => {
  const ctx = bank()
  test('invalid_scope, then the normal retry gets tokens', async () => {
    const a = await ctx.tpp.register(alpha)
    const { redeem } = await approvedCode(ctx, a)
    const tokens = await ctx.tpp.token(a, redeem)
    const refresh = String(tokens.json.refresh_token)
    const wider = await ctx.tpp.token(a, {
      grant_type: 'refresh_token',
      refresh_token: refresh,
      scope: 'accounts payments',
    })
    assert.equal(wider.json.error, 'invalid_scope', wider.text)
    const retry = await ctx.tpp.token(a, { grant_type: 'refresh_token', refresh_token: refresh })
    assert.equal(retry.status, 200, retry.text)
  })
})

describe("item 10: a wrong client_id does not use up another client's request_uri", () => {
  const ctx = bank()
  test("the pushing client's /authorize still works after a stranger named its request_uri", async () => {
    const a = await ctx.tpp.register(alpha)
    const other = await ctx.tpp.register(alpha)
    const ro = await ctx.tpp.requestObject(a, await ctx.tpp.consent(a))
    const pushed = await call(ctx.mock, '/par', {
      as: alpha,
      form: { ...(await ctx.tpp.clientAuth(a, `${ctx.mock.url}/par`)), request: ro.jws },
    })
    assert.equal(pushed.status, 201, pushed.text)
    const uri = String(pushed.json.request_uri)
    const stranger = await new Browser(ctx.mock).open(
      `/authorize?${new URLSearchParams({ client_id: other.clientId, request_uri: uri })}`,
    )
    assert.equal(stranger.status, 400)
    const own = await new Browser(ctx.mock).open(
      `/authorize?${new URLSearchParams({ client_id: a.clientId, request_uri: uri })}`,
    )
    assert.equal(own.status, 303, own.text)
    assert.match(locationOf(own), /^\/consent\//)
  })
})

describe('item 11: /revoke tells nothing about tokens; every answer carries nosniff and HSTS', () => {
  const ctx = bank()
  test("another client's token: 200 as for an unknown one, and it stays active", async () => {
    const a = await ctx.tpp.register(alpha)
    const b = await ctx.tpp.register(alpha)
    const tokenOfB = await ctx.tpp.ccToken(b)
    const revoke = async (token: string) =>
      call(ctx.mock, '/revoke', {
        as: alpha,
        form: { ...(await ctx.tpp.clientAuth(a, `${ctx.mock.url}/revoke`)), token },
      })
    const foreign = await revoke(tokenOfB)
    const unknown = await revoke('no-such-token')
    assert.equal(foreign.status, 200, foreign.text)
    assert.equal(foreign.text, unknown.text)
    const live = await call(ctx.mock, '/introspect', {
      as: alpha,
      form: { ...(await ctx.tpp.clientAuth(b, `${ctx.mock.url}/introspect`)), token: tokenOfB },
    })
    assert.equal(live.json.active, true)
  })
  test('a JSON answer and a JSON error carry X-Content-Type-Options: nosniff and Strict-Transport-Security', async () => {
    for (const res of [
      await call(ctx.mock, '/.well-known/openid-configuration'),
      await call(ctx.mock, '/token', { as: alpha, form: { grant_type: 'nope' } }),
    ]) {
      assert.equal(res.headers['x-content-type-options'], 'nosniff')
      assert.match(String(res.headers['strict-transport-security']), /^max-age=\d+/)
    }
  })
})

describe('item 11: hstsMaxAge sets the HSTS max-age (0 makes a browser forget it)', () => {
  const ctx = bank({ hstsMaxAge: 0 })
  test('Strict-Transport-Security: max-age=0', async () => {
    const res = await call(ctx.mock, '/.well-known/openid-configuration')
    assert.equal(res.headers['strict-transport-security'], 'max-age=0')
  })
})

describe('item 9: the consent pages defend themselves as a careful bank does', () => {
  const ctx = bank()
  /** A customer's browser at the sign-in page of a fresh request; the session cookie it was given. */
  async function signInPage() {
    const a = await ctx.tpp.register(alpha)
    const ro = await ctx.tpp.requestObject(a, await ctx.tpp.consent(a))
    const browser = new Browser(ctx.mock)
    const start = await browser.open(ctx.tpp.authorizeUrl(a, ro.jws))
    const cookie = String([start.headers['set-cookie']].flat()[0] ?? '').split(';')[0] as string
    return { browser, page: locationOf(start), cookie }
  }
  const login = { username: customer.username, password: CUSTOMER_PASSWORD }

  test('a form without the anti-CSRF token, or from another origin, is refused 403', async () => {
    const { browser, page } = await signInPage()
    const noToken = await browser.post(`${page}/login`, { ...login, csrf: '' })
    assert.equal(noToken.status, 403, noToken.text)
    const otherSite = await browser.post(`${page}/login`, login, { origin: 'https://evil.example' })
    assert.equal(otherSite.status, 403, otherSite.text)
    assert.equal((await browser.post(`${page}/login`, login, { origin: ctx.mock.url })).status, 303)
  })

  test('sign-in replaces the session cookie: the cookie from before sign-in opens nothing after it', async () => {
    const { browser, page, cookie } = await signInPage()
    assert.match(cookie, /^ob_mock_session=/)
    assert.equal((await call(ctx.mock, page, { headers: { cookie } })).status, 200)
    const signedIn = await browser.post(`${page}/login`, login)
    assert.equal(signedIn.status, 303)
    const renewed = String([signedIn.headers['set-cookie']].flat()[0] ?? '').split(';')[0]
    assert.match(String(renewed), /^ob_mock_session=/)
    assert.notEqual(renewed, cookie)
    assert.equal((await call(ctx.mock, page, { headers: { cookie } })).status, 403)
    const consent = await browser.get(page)
    assert.equal(consent.status, 200)
    assert.match(consent.text, /Choose the accounts to share/)
  })

  test('five wrong passwords end the sign-in', async () => {
    const { browser, page } = await signInPage()
    for (let i = 1; i < 5; i++) {
      assert.equal((await browser.post(`${page}/login`, { ...login, password: 'wrong' })).status, 401, `try ${i}`)
    }
    assert.equal((await browser.post(`${page}/login`, { ...login, password: 'wrong' })).status, 429)
    assert.equal((await browser.post(`${page}/login`, login)).status, 404)
  })
})

describe('item 9: ten wrong passwords for one username lock it, across sign-ins', () => {
  const ctx = bank()
  test('the right password is refused 429 after ten wrong ones', async () => {
    const a = await ctx.tpp.register(alpha)
    for (let round = 0; round < 3; round++) {
      const ro = await ctx.tpp.requestObject(a, await ctx.tpp.consent(a))
      const browser = new Browser(ctx.mock)
      const page = locationOf(await browser.open(ctx.tpp.authorizeUrl(a, ro.jws)))
      if (round === 2) {
        const locked = await browser.post(`${page}/login`, { username: customer.username, password: CUSTOMER_PASSWORD })
        assert.equal(locked.status, 429, locked.text)
        return
      }
      for (let i = 0; i < 5; i++) {
        await browser.post(`${page}/login`, { username: customer.username.toUpperCase(), password: 'wrong' })
      }
    }
  })
})

describe('item 6: crit and b64 false are refused on client assertions and request objects (NEG-TOK-33)', () => {
  const ctx = bank()
  const signer = signerFromFile(alpha.signing.keyPath, alpha.signing.kid)
  const HEADERS = [
    { crit: ['urn:example:ext'], 'urn:example:ext': true },
    { b64: false, crit: ['b64'] },
  ]

  test('/token: invalid_client for each; the same assertion without the header works', async () => {
    const a = await ctx.tpp.register(alpha)
    const send = (assertion: string) =>
      call(ctx.mock, '/token', {
        as: alpha,
        form: {
          grant_type: 'client_credentials',
          client_id: a.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        },
      })
    for (const header of HEADERS) {
      const res = await send(signWithHeader(clientAssertionClaims(a.clientId, `${ctx.mock.url}/token`), signer, header))
      assert.equal(res.status, 400, res.text)
      assert.equal(res.json.error, 'invalid_client')
      assert.match(String(res.json.error_description), /client_assertion header '(crit|b64)'/)
    }
    const ok = await send(signWithHeader(clientAssertionClaims(a.clientId, `${ctx.mock.url}/token`), signer, {}))
    assert.equal(ok.status, 200, ok.text)
  })

  test('/par: a request object with crit is invalid_request_object', async () => {
    const a = await ctx.tpp.register(alpha)
    const ro = await ctx.tpp.requestObject(a, await ctx.tpp.consent(a))
    const res = await call(ctx.mock, '/par', {
      as: alpha,
      form: {
        ...(await ctx.tpp.clientAuth(a, `${ctx.mock.url}/par`)),
        request: signWithHeader(ro.claims, signer, HEADERS[0] as Record<string, unknown>),
      },
    })
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error, 'invalid_request_object')
    assert.match(String(res.json.error_description), /header 'crit'/)
  })
})

describe('item 3: judgedNow and the CRLs (RFC 5280 §6.1.3, §6.3)', () => {
  const base = {
    trusted: true,
    notBefore: Date.now() - 60_000,
    notAfter: Date.now() + 60_000,
    issuerKey: 'issuer',
    serialNumber: '0a',
  } as unknown as ClientCert
  const none = { isRevoked: () => false } as unknown as RevocationLists
  test('a certificate trusted at the handshake is untrusted once expired, or before it is valid', () => {
    assert.equal(judgedNow(base, none).trusted, true)
    const later = judgedNow(base, none, Date.now() + 120_000)
    assert.equal(later.trusted, false)
    assert.equal(later.problemKind, 'expired')
    assert.equal(judgedNow(base, none, Date.now() - 120_000).problemKind, 'expired')
    const revoked = judgedNow(base, { isRevoked: () => true } as unknown as RevocationLists)
    assert.equal(revoked.problemKind, 'revoked')
  })
  test('RevocationLists reads a CRL again when the file changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ob-crl-'))
    try {
      const file = path.join(dir, 'ca.crl.pem')
      const ca = { cert: readFileSync(pki.ca.certPath), key: readFileSync(pki.ca.keyPath) }
      writeFileSync(file, await revocationList(ca, []))
      const lists = new RevocationLists([file], 0)
      const issuer = dnKey(parseDn(pki.ca.subjectDn))
      assert.equal(lists.isRevoked(issuer, '00ABCDEF'), false)
      writeFileSync(file, await revocationList(ca, ['abcdef']))
      utimesSync(file, new Date(), new Date(Date.now() + 5000))
      assert.equal(lists.isRevoked(issuer, '00ABCDEF'), true)
      assert.equal(lists.isRevoked('another issuer', 'abcdef'), false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
