/**
 * The security review of the AU CDR profile (issue 16): the Data Holder's registration, token,
 * PAR, /authorize (JARM), arrangement revocation, /userinfo, /introspect and /revoke, and the mock
 * CDR Register, checked for the classes the UK review found (mock-aspsp/test/security_review.test.ts)
 * and for the AU ones. The "hole" blocks failed on the mock as it was before their fix; the
 * "holds" blocks guard what the review found right, where no other test did.
 */
import assert from 'node:assert/strict'
import { randomUUID, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import { type Claims, epoch, signJws, signWithHeader } from '../../fixtures/builders/jose.ts'
import type { CdrRecipient } from '../../keys/pki.ts'
import type { MockOptions } from '../src/config/defaults.ts'
import { KeySet } from '../src/crypto/jose.ts'
import { findToken, tokenHash, tokenProblem } from '../src/oauth/tokens.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import {
  auCall,
  authenticated,
  authorizeCall,
  ccToken,
  clientPost,
  codeOf,
  codeTokens,
  mercury,
  postForm,
  postRegistration,
  pushed,
  registerCdr,
  registerSigner,
  registrationRequest,
  requestObjectClaims,
  signerOf,
  ssaOf,
  ssaPath,
  venus,
} from './support/cdr.ts'
import { pki } from './support.ts'

/** Starts an AU bank for one describe block. */
function auBank(options: Partial<MockOptions> = {}) {
  const ctx = {} as { mock: RunningMock }
  before(async () => {
    ctx.mock = await startMock({ port: 0, store: 'memory', pki, profile: 'au-cdr', ...options })
  })
  after(() => ctx.mock.close())
  return ctx
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString()

describe("hole AU-1: another recipient's certificate acts for a client (CDS Certificate Management: the client certificate is the software product's)", () => {
  const ctx = auBank()

  test("a client assertion of mercury's client over venus's certificate gets no token; over mercury's it does", async () => {
    const id = await registerCdr(ctx.mock, mercury)
    const form = { grant_type: 'client_credentials', scope: 'cdr:registration' }
    const foreign = await clientPost(ctx.mock, '/token', id, form, { over: venus })
    assert.equal(foreign.status, 400, foreign.text)
    assert.equal(foreign.json.error, 'invalid_client')
    assert.match(String(foreign.json.error_description), /Venus Spend Tracker.*Mercury Budget Planner/)
    assert.equal((await clientPost(ctx.mock, '/token', id, form)).status, 200)
  })

  test("PAR, introspection, revocation and arrangement revocation over venus's certificate: invalid_client", async () => {
    const id = await registerCdr(ctx.mock, mercury)
    const tokens = await codeTokens(ctx.mock, id)
    const request = await signJws(requestObjectClaims(ctx.mock, id, mercury, 'x'.repeat(43)), signerOf(mercury))
    const calls: [string, Record<string, string>][] = [
      ['/par', { request }],
      ['/introspect', { token: tokens.refresh_token }],
      ['/revoke', { token: tokens.refresh_token }],
      ['/arrangements/revoke', { cdr_arrangement_id: tokens.cdr_arrangement_id }],
    ]
    for (const [path, fields] of calls) {
      const res = await clientPost(ctx.mock, path, id, fields, { over: venus })
      assert.equal(res.status, 400, `${path}: ${res.text}`)
      assert.equal(res.json.error, 'invalid_client', path)
    }
    const refreshed = await clientPost(ctx.mock, '/token', id, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    })
    assert.equal(refreshed.status, 200, 'nothing was revoked over the foreign certificate')
  })

  test("a code and a refresh token redeemed over venus's certificate: invalid_client", async () => {
    const id = await registerCdr(ctx.mock, mercury)
    const p = await pushed(ctx.mock, id)
    const code = codeOf(await authorizeCall(ctx.mock, query({ client_id: id, request_uri: p.requestUri })))
    const redeem = { grant_type: 'authorization_code', code, redirect_uri: p.redirectUri, code_verifier: p.verifier }
    const foreign = await clientPost(ctx.mock, '/token', id, redeem, { over: venus })
    assert.equal(foreign.json.error, 'invalid_client', foreign.text)
    const own = await clientPost(ctx.mock, '/token', id, redeem)
    assert.equal(own.status, 200, own.text)
    const refresh = { grant_type: 'refresh_token', refresh_token: String(own.json.refresh_token) }
    assert.equal((await clientPost(ctx.mock, '/token', id, refresh, { over: venus })).json.error, 'invalid_client')
  })
})

describe('hole AU-2: /authorize used up a request_uri before checking whose it is (the UK item 10, AU side)', () => {
  const ctx = auBank()

  test("another client's client_id is refused and the request_uri still works for its own client", async () => {
    const id = await registerCdr(ctx.mock, mercury)
    const other = await registerCdr(ctx.mock, venus)
    const p = await pushed(ctx.mock, id)
    const wrong = await authorizeCall(ctx.mock, query({ client_id: other, request_uri: p.requestUri }))
    assert.equal(wrong.status, 400, wrong.text)
    assert.equal(wrong.json.error, 'invalid_request_uri')
    const right = await authorizeCall(ctx.mock, query({ client_id: id, request_uri: p.requestUri }))
    assert.equal(right.status, 302, right.text)
  })
})

/** The access token works at /userinfo over mercury's certificate (it carries openid). */
const userinfo = (mock: RunningMock, token: string, as: CdrRecipient = mercury) =>
  auCall(mock, { path: '/userinfo', as, headers: { authorization: `Bearer ${token}` } })

describe('hole AU-3: refresh tokens and arrangements (CDS Tokens: refresh tokens are not cycled; an arrangement revoked stays revoked)', () => {
  const ctx = auBank()

  test('the same refresh token refreshes twice (CDS: "MUST NOT cycle refresh tokens")', async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }
    for (const n of [1, 2]) {
      const res = await clientPost(ctx.mock, '/token', id, refresh)
      assert.equal(res.status, 200, `refresh ${n}: ${res.text}`)
      assert.equal(res.json.refresh_token ?? tokens.refresh_token, tokens.refresh_token, `refresh ${n}`)
      assert.equal(res.json.cdr_arrangement_id, tokens.cdr_arrangement_id)
      assert.equal((await userinfo(ctx.mock, String(res.json.access_token))).status, 200)
    }
  })

  test('an arrangement remembers its live tokens only: it does not grow with every refresh', async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }
    for (let n = 0; n < 3; n++) {
      const res = await clientPost(ctx.mock, '/token', id, refresh)
      assert.equal((await clientPost(ctx.mock, '/revoke', id, { token: String(res.json.access_token) })).status, 200)
    }
    assert.equal((await clientPost(ctx.mock, '/revoke', id, { token: tokens.access_token })).status, 200)
    const last = await clientPost(ctx.mock, '/token', id, refresh)
    assert.equal(last.status, 200, last.text)
    const hashes = ctx.mock.bank.store.getGrant('cdr-arrangement', tokens.cdr_arrangement_id)?.data.hashes
    assert.deepEqual(hashes, [tokenHash(tokens.refresh_token), tokenHash(String(last.json.access_token))])
  })

  test('an arrangement revoked while a refresh is answered: the refresh gets invalid_grant and no live token', async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    const store = ctx.mock.bank.store
    const flushed = store.flushed.bind(store)
    let revokedMeanwhile: number | undefined
    // The refresh waits for its tokens' commit: the arrangement is revoked in that moment.
    store.flushed = async () => {
      if (revokedMeanwhile === undefined) {
        revokedMeanwhile = 0
        const res = await clientPost(ctx.mock, '/arrangements/revoke', id, {
          cdr_arrangement_id: tokens.cdr_arrangement_id,
        })
        revokedMeanwhile = res.status
      }
      return flushed()
    }
    let res: Awaited<ReturnType<typeof clientPost>>
    try {
      res = await clientPost(ctx.mock, '/token', id, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      })
    } finally {
      store.flushed = flushed
    }
    assert.equal(revokedMeanwhile, 204, 'the arrangement revocation went through')
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error, 'invalid_grant')
    const again = await clientPost(ctx.mock, '/arrangements/revoke', id, {
      cdr_arrangement_id: tokens.cdr_arrangement_id,
    })
    assert.equal(again.status, 422, `the arrangement stays revoked: ${again.text}`)
    assert.equal((await userinfo(ctx.mock, tokens.access_token)).status, 401)
  })

  test('a code redeemed a second time is refused and revokes what the first use obtained (RFC 6749 section 4.1.2)', async () => {
    const id = await registerCdr(ctx.mock)
    const p = await pushed(ctx.mock, id)
    const code = codeOf(await authorizeCall(ctx.mock, query({ client_id: id, request_uri: p.requestUri })))
    const redeem = { grant_type: 'authorization_code', code, redirect_uri: p.redirectUri, code_verifier: p.verifier }
    const first = await clientPost(ctx.mock, '/token', id, redeem)
    assert.equal(first.status, 200, first.text)
    assert.equal((await userinfo(ctx.mock, String(first.json.access_token))).status, 200)
    const second = await clientPost(ctx.mock, '/token', id, redeem)
    assert.equal(second.json.error, 'invalid_grant', second.text)
    assert.equal((await userinfo(ctx.mock, String(first.json.access_token))).status, 401)
    const refresh = { grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token) }
    assert.equal((await clientPost(ctx.mock, '/token', id, refresh)).json.error, 'invalid_grant')
  })
})

describe('hole AU-4: crit and b64 (RFC 7515 section 4.1.11, RFC 7797) on SSAs, registration requests, request objects and Register assertions', () => {
  const ctx = auBank()
  const headers: Record<string, unknown>[] = [{ crit: ['exp'], exp: 1 }, { b64: false, crit: ['b64'] }, { b64: false }]

  test('an SSA signed by the Register with crit or b64 is refused: invalid_software_statement', async () => {
    for (const header of headers) {
      const ssa = signWithHeader(
        (await import('../../fixtures/builders/cdr_ssa.ts')).cdrSsaClaims(mercury, pki.cdr.register.issuer),
        registerSigner(),
        header,
      )
      const res = await postRegistration(ctx.mock, await registrationRequest(ctx.mock, mercury, { ssa }))
      assert.equal(res.status, 400, `${JSON.stringify(header)}: ${res.text}`)
      assert.equal(res.json.error, 'invalid_software_statement', JSON.stringify(header))
    }
  })

  test('a registration request with b64: false is refused: invalid_client_metadata', async () => {
    const ssa = await ssaOf(mercury)
    const claims = JSON.parse(
      Buffer.from((await registrationRequest(ctx.mock, mercury, { ssa })).split('.')[1]!, 'base64url').toString(),
    ) as Claims
    const res = await postRegistration(ctx.mock, signWithHeader(claims, signerOf(mercury), { b64: false }))
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error, 'invalid_client_metadata')
  })

  test('a request object with crit or b64 is refused at PAR: invalid_request_object', async () => {
    const id = await registerCdr(ctx.mock)
    for (const header of headers) {
      const request = signWithHeader(
        requestObjectClaims(ctx.mock, id, mercury, 'x'.repeat(43)),
        signerOf(mercury),
        header,
      )
      const res = await clientPost(ctx.mock, '/par', id, { request })
      assert.equal(res.status, 400, `${JSON.stringify(header)}: ${res.text}`)
      assert.equal(res.json.error, 'invalid_request_object', JSON.stringify(header))
    }
  })

  test('a Register client assertion with crit or b64 is refused: invalid_client', async () => {
    for (const header of headers) {
      const res = await registerToken(ctx.mock, mercury, { header })
      assert.equal(res.status, 400, `${JSON.stringify(header)}: ${res.text}`)
      assert.equal(res.json.error, 'invalid_client', JSON.stringify(header))
    }
  })
})

describe('hole AU-5: registration request lifetime and nbf (the UK items 7 and 8, AU side)', () => {
  const ctx = auBank()

  test('a registration request valid for a day is refused, naming --max-request-lifetime; an hour is accepted', async () => {
    const now = epoch()
    const long = await postRegistration(
      ctx.mock,
      await registrationRequest(ctx.mock, mercury, { claims: { iat: now, exp: now + 86_400 } }),
    )
    assert.equal(long.status, 400, long.text)
    assert.equal(long.json.error, 'invalid_client_metadata')
    assert.match(String(long.json.error_description), /--max-request-lifetime/)
    const hour = await postRegistration(
      ctx.mock,
      await registrationRequest(ctx.mock, mercury, { claims: { iat: now, exp: now + 3600 } }),
    )
    assert.equal(hour.status, 201, hour.text)
  })

  test('a registration request whose nbf is in the future is refused', async () => {
    const res = await postRegistration(
      ctx.mock,
      await registrationRequest(ctx.mock, mercury, { claims: { nbf: epoch() + 3600 } }),
    )
    assert.equal(res.status, 400, res.text)
    assert.match(String(res.json.error_description), /nbf/)
  })

  test('an SSA whose nbf is in the future or not a number is refused: invalid_software_statement', async () => {
    for (const nbf of [epoch() + 3600, 'soon']) {
      const res = await postRegistration(
        ctx.mock,
        await registrationRequest(ctx.mock, mercury, { ssa: await ssaOf(mercury, { nbf }) }),
      )
      assert.equal(res.status, 400, `${nbf}: ${res.text}`)
      assert.equal(res.json.error, 'invalid_software_statement')
      assert.match(String(res.json.error_description), /nbf/)
    }
  })
})

/** A token request to the mock Register for `r`'s software product, over `over`'s certificate. */
async function registerToken(
  mock: RunningMock,
  r: CdrRecipient,
  o: { over?: CdrRecipient; claims?: Claims; header?: Record<string, unknown>; assertion?: string } = {},
) {
  const aud = `${mock.bank.endpoints.issuer}/idp/connect/token`
  const assertion =
    o.assertion ??
    (o.header
      ? signWithHeader(
          {
            iss: r.softwareProductId,
            sub: r.softwareProductId,
            aud,
            jti: randomUUID(),
            exp: epoch() + 60,
            ...o.claims,
          },
          signerOf(r),
          o.header,
        )
      : await clientAssertion(r.softwareProductId, aud, signerOf(r), o.claims))
  return postForm(
    mock,
    '/idp/connect/token',
    {
      grant_type: 'client_credentials',
      client_id: r.softwareProductId,
      scope: 'cdr-register:read',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    },
    o.over ?? r,
  )
}

describe('hole AU-6: the mock CDR Register', () => {
  const ctx = auBank()

  test('client assertions: iat in the future, exp a day ahead, no kid: invalid_client', async () => {
    const cases: [string, Claims, Record<string, unknown>?][] = [
      ['iat an hour ahead', { iat: '+1h' }],
      ['nbf an hour ahead', { nbf: '+1h' }],
      ['exp a day ahead', { exp: '+1d' }],
    ]
    for (const [what, claims] of cases) {
      const res = await registerToken(ctx.mock, mercury, { claims })
      assert.equal(res.status, 400, `${what}: ${res.text}`)
      assert.equal(res.json.error, 'invalid_client', what)
    }
    const noKid = await registerToken(ctx.mock, mercury, { header: { kid: undefined } })
    assert.equal(noKid.json.error, 'invalid_client', noKid.text)
    assert.equal((await registerToken(ctx.mock, mercury)).status, 200)
  })

  test("an assertion refused over another product's certificate is not used up: the same assertion then works over its own", async () => {
    const aud = `${ctx.mock.bank.endpoints.issuer}/idp/connect/token`
    const assertion = await clientAssertion(mercury.softwareProductId, aud, signerOf(mercury))
    const foreign = await registerToken(ctx.mock, mercury, { over: venus, assertion })
    assert.equal(foreign.json.error, 'invalid_client', foreign.text)
    const own = await registerToken(ctx.mock, mercury, { assertion })
    assert.equal(own.status, 200, own.text)
  })

  const statuses = (productId: string, body: string, as: CdrRecipient) =>
    auCall(ctx.mock, {
      method: 'PUT',
      path: `/cdr-register/mock-admin/software-products/${productId}/statuses`,
      as,
      headers: { 'content-type': 'application/json' },
      body,
    })

  test("mock-admin: a recipient cannot change another product's statuses; its own, it can", async () => {
    const ssaStatus = async () => {
      const token = String((await registerToken(ctx.mock, mercury)).json.access_token)
      return (
        await auCall(ctx.mock, { path: ssaPath(mercury), headers: { 'x-v': '4', authorization: `Bearer ${token}` } })
      ).status
    }
    const suspend = JSON.stringify({ legalEntityStatus: 'SUSPENDED' })
    const foreign = await statuses(mercury.softwareProductId, suspend, venus)
    assert.equal(foreign.status, 403, foreign.text)
    assert.equal(await ssaStatus(), 200, 'venus did not suspend mercury')
    const own = await statuses(mercury.softwareProductId, suspend, mercury)
    assert.equal(own.status, 200, own.text)
    assert.equal(await ssaStatus(), 403, 'mercury suspended itself')
    assert.equal(
      (await statuses(mercury.softwareProductId, JSON.stringify({ legalEntityStatus: 'ACTIVE' }), mercury)).status,
      200,
    )
  })

  test('mock-admin: __proto__, constructor and a body that is not an object are 400, never 5xx', async () => {
    for (const body of [
      '{"__proto__":"ACTIVE"}',
      '{"constructor":"ACTIVE"}',
      '{"toString":"ACTIVE"}',
      '"ACTIVE"',
      '[1]',
      'null',
    ]) {
      const res = await statuses(mercury.softwareProductId, body, mercury)
      assert.equal(res.status, 400, `${body}: ${res.status} ${res.text}`)
    }
  })
})

describe('hole AU-7: /authorize parameters and the JARM encryption key', () => {
  const ctx = auBank()

  test('a repeated client_id or request_uri at /authorize is 400 naming it (RFC 6749 section 3.1)', async () => {
    const id = await registerCdr(ctx.mock)
    const other = await registerCdr(ctx.mock, venus)
    const p = await pushed(ctx.mock, id)
    const uri = encodeURIComponent(p.requestUri)
    for (const [name, q] of [
      ['client_id', `client_id=${other}&client_id=${id}&request_uri=${uri}`],
      ['request_uri', `client_id=${id}&request_uri=urn%3Ax&request_uri=${uri}`],
    ] as const) {
      const res = await authorizeCall(ctx.mock, q)
      assert.equal(res.status, 400, `${name}: ${res.text}`)
      assert.match(String(res.json.error_description), new RegExp(name))
    }
    assert.equal((await authorizeCall(ctx.mock, query({ client_id: id, request_uri: p.requestUri }))).status, 302)
  })

  test("a recipient's JARM encryption key that cannot encrypt is 400 naming it, never 5xx", async () => {
    const id = await registerCdr(ctx.mock, mercury, {
      authorization_encrypted_response_alg: 'RSA-OAEP',
      authorization_encrypted_response_enc: 'A256GCM',
    })
    const jwks = ctx.mock.bank.jwks
    const get = jwks.get.bind(jwks)
    const p = await pushed(ctx.mock, id)
    // The recipient's JWKS now holds a 1024-bit RSA key for encryption (jose refuses it for RSA-OAEP).
    const { generateKeyPairSync } = await import('node:crypto')
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })
    jwks.get = async url => {
      const set = await get(url)
      return new KeySet({ keys: set.jwks().map(k => (k.use === 'enc' ? { ...small, kid: k.kid, use: 'enc' } : k)) })
    }
    try {
      const res = await authorizeCall(ctx.mock, query({ client_id: id, request_uri: p.requestUri }))
      assert.equal(res.status, 400, res.text)
      assert.match(String(res.json.error_description), /encryption key/)
    } finally {
      jwks.get = get
    }
  })
})

describe('hole AU-8: the echo-unknown-claims deviation set the prototype of the registration from a __proto__ claim', () => {
  const ctx = auBank({ deviations: ['echo-unknown-claims'] })

  test('a __proto__ claim is echoed as a plain member, and lends the registration nothing', async () => {
    const ssa = await ssaOf(mercury)
    const payload = Buffer.from((await registrationRequest(ctx.mock, mercury, { ssa })).split('.')[1]!, 'base64url')
    // JSON.parse makes "__proto__" a plain member of the claims, as the bank's own parse does.
    const claims = JSON.parse(
      `{"__proto__":{"scope":"bank:accounts.basic:read admin","polluted":true},"x_unknown":"kept",${payload.toString().slice(1)}`,
    ) as Claims
    const res = await postRegistration(ctx.mock, await signJws(claims, signerOf(mercury)))
    assert.equal(res.status, 201, res.text)
    assert.equal(res.json.x_unknown, 'kept', 'the deviation echoes unknown claims')
    assert.deepEqual(
      Object.getOwnPropertyDescriptor(res.json, '__proto__')?.value,
      { scope: 'bank:accounts.basic:read admin', polluted: true },
      `the __proto__ claim is echoed like any other unknown claim: ${res.text}`,
    )
    const client = ctx.mock.bank.store.getClient(String(res.json.client_id))
    assert.ok(client, 'the client is stored')
    assert.equal(Object.getPrototypeOf(client.registration), Object.prototype)
    assert.equal((client.registration as Record<string, unknown>).polluted, undefined)
  })
})

describe('holds: bound tokens on /userinfo, /introspect, /revoke, /arrangements/revoke and after DELETE', () => {
  const ctx = auBank()

  test("/userinfo: the access token over another recipient's certificate, or without openid, is 401; over its own, 200", async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    assert.equal((await userinfo(ctx.mock, tokens.access_token, venus)).status, 401)
    assert.equal((await userinfo(ctx.mock, await ccToken(ctx.mock, id))).status, 401)
    assert.equal((await userinfo(ctx.mock, tokens.refresh_token)).status, 401)
    const own = await userinfo(ctx.mock, tokens.access_token)
    assert.equal(own.status, 200, own.text)
    assert.equal(typeof own.json.sub, 'string')
  })

  test("/introspect and /revoke: another recipient's token is inactive to it and stays live", async () => {
    const mine = await registerCdr(ctx.mock)
    const theirs = await registerCdr(ctx.mock, venus)
    const their = await codeTokens(ctx.mock, theirs, venus)
    const seen = await clientPost(ctx.mock, '/introspect', mine, { token: their.refresh_token })
    assert.deepEqual(seen.json, { active: false })
    const revoked = await clientPost(ctx.mock, '/revoke', mine, { token: their.refresh_token })
    assert.equal(revoked.status, 200)
    const own = await clientPost(ctx.mock, '/introspect', theirs, { token: their.refresh_token }, { r: venus })
    assert.equal(own.json.active, true, own.text)
    assert.equal(typeof (own.json.cnf as Record<string, unknown>)['x5t#S256'], 'string')
  })

  test("/arrangements/revoke: another client's arrangement is 422 and stays; its own ends its access and refresh tokens", async () => {
    const mine = await registerCdr(ctx.mock)
    const theirs = await registerCdr(ctx.mock, venus)
    const their = await codeTokens(ctx.mock, theirs, venus)
    const foreign = await clientPost(ctx.mock, '/arrangements/revoke', mine, {
      cdr_arrangement_id: their.cdr_arrangement_id,
    })
    assert.equal(foreign.status, 422, foreign.text)
    assert.equal((await userinfo(ctx.mock, their.access_token, venus)).status, 200)
    const own = await clientPost(
      ctx.mock,
      '/arrangements/revoke',
      theirs,
      { cdr_arrangement_id: their.cdr_arrangement_id },
      { r: venus },
    )
    assert.equal(own.status, 204, own.text)
    assert.equal((await userinfo(ctx.mock, their.access_token, venus)).status, 401)
    const refresh = { grant_type: 'refresh_token', refresh_token: their.refresh_token }
    assert.equal((await clientPost(ctx.mock, '/token', theirs, refresh, { r: venus })).json.error, 'invalid_grant')
  })

  test("DELETE /register: the deleted client's access and refresh tokens die with it", async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    const management = await ccToken(ctx.mock, id)
    const del = await auCall(ctx.mock, {
      method: 'DELETE',
      path: `/register/${id}`,
      headers: { authorization: `Bearer ${management}` },
    })
    assert.equal(del.status, 204, del.text)
    assert.equal((await userinfo(ctx.mock, tokens.access_token)).status, 401)
    for (const token of [tokens.access_token, tokens.refresh_token, management]) {
      assert.equal(tokenProblem(findToken(ctx.mock.bank, token)), 'the token has been revoked')
    }
  })
})

describe('holds: trust in the certificate is judged on every request, not once per connection', () => {
  const ctx = auBank()

  test("mercury's certificate revoked after its tokens were issued: /token, GET /register, /userinfo and the Register refuse it", async () => {
    const id = await registerCdr(ctx.mock)
    const management = await ccToken(ctx.mock, id)
    const tokens = await codeTokens(ctx.mock, id)
    const registerAccess = String((await registerToken(ctx.mock, mercury)).json.access_token)
    const revocations = ctx.mock.bank.revocations
    const isRevoked = revocations.isRevoked.bind(revocations)
    const serial = new X509Certificate(readFileSync(mercury.transport.certPath)).serialNumber
    // The CDR CA's CRL now lists mercury's certificate (as a CRL re-read after a revocation would).
    revocations.isRevoked = (issuer, s) =>
      s.toUpperCase().replace(/^0+/, '') === serial.replace(/^0+/, '') || isRevoked(issuer, s)
    try {
      const token = await clientPost(ctx.mock, '/token', id, {
        grant_type: 'client_credentials',
        scope: 'cdr:registration',
      })
      assert.equal(token.status, 400, token.text)
      assert.match(String(token.json.error_description), /trusted client certificate/)
      const read = await auCall(ctx.mock, {
        path: `/register/${id}`,
        headers: { authorization: `Bearer ${management}` },
      })
      assert.equal(read.status, 401, read.text)
      assert.match(String(read.json.error_description), /revoked/)
      assert.equal((await userinfo(ctx.mock, tokens.access_token)).status, 401)
      const ssa = await auCall(ctx.mock, {
        path: ssaPath(mercury),
        headers: { 'x-v': '4', authorization: `Bearer ${registerAccess}` },
      })
      assert.equal(ssa.status, 401, ssa.text)
    } finally {
      revocations.isRevoked = isRevoked
    }
    assert.equal((await userinfo(ctx.mock, tokens.access_token)).status, 200, 'the control: trusted again, accepted')
  })
})

describe('holds: client assertions, PKCE, codes and JARM', () => {
  const ctx = auBank()

  test('an assertion used at /par is refused at /token (jti single use across the endpoints)', async () => {
    const id = await registerCdr(ctx.mock)
    const fields = await authenticated(ctx.mock, id, {})
    const request = await signJws(requestObjectClaims(ctx.mock, id, mercury, 'x'.repeat(43)), signerOf(mercury))
    assert.equal((await postForm(ctx.mock, '/par', { ...fields, request })).status, 201)
    const res = await postForm(ctx.mock, '/token', { ...fields, grant_type: 'client_credentials' })
    assert.equal(res.json.error, 'invalid_client', res.text)
    assert.match(String(res.json.error_description), /already been used/)
  })

  test('PKCE S256 is required at PAR: none, plain, or a malformed challenge is 400', async () => {
    const id = await registerCdr(ctx.mock)
    const cases: Claims[] = [
      { code_challenge: undefined, code_challenge_method: undefined },
      { code_challenge_method: 'plain' },
      { code_challenge: 'short' },
    ]
    for (const claims of cases) {
      const request = await signJws(
        requestObjectClaims(ctx.mock, id, mercury, 'x'.repeat(43), claims),
        signerOf(mercury),
      )
      const res = await clientPost(ctx.mock, '/par', id, { request })
      assert.equal(res.status, 400, `${JSON.stringify(claims)}: ${res.text}`)
    }
  })

  test('a code is bound to its client and redirect_uri: another client or another registered redirect_uri gets invalid_grant', async () => {
    const id = await registerCdr(ctx.mock, mercury, { redirect_uris: mercury.redirectUris })
    const other = await registerCdr(ctx.mock, venus)
    const p = await pushed(ctx.mock, id)
    const code = codeOf(await authorizeCall(ctx.mock, query({ client_id: id, request_uri: p.requestUri })))
    const redeem = { grant_type: 'authorization_code', code, redirect_uri: p.redirectUri, code_verifier: p.verifier }
    const foreign = await clientPost(ctx.mock, '/token', other, redeem, { r: venus })
    assert.equal(foreign.json.error, 'invalid_grant', foreign.text)
    const elsewhere = await clientPost(ctx.mock, '/token', id, {
      ...redeem,
      redirect_uri: String(mercury.redirectUris[1]),
    })
    assert.equal(elsewhere.json.error, 'invalid_grant', elsewhere.text)
    assert.equal((await clientPost(ctx.mock, '/token', id, redeem)).status, 200)
  })

  test('the JARM response is signed with the registered alg (ES256 here), never none, by a key of the Data Holder', async () => {
    const id = await registerCdr(ctx.mock, mercury, { authorization_signed_response_alg: 'ES256' })
    const p = await pushed(ctx.mock, id)
    const res = await authorizeCall(ctx.mock, query({ client_id: id, request_uri: p.requestUri }))
    const response = new URL(String(res.headers.location)).searchParams.get('response') ?? ''
    const header = JSON.parse(Buffer.from(response.split('.')[0] ?? '', 'base64url').toString()) as Claims
    assert.equal(header.alg, 'ES256')
    const jwks = await auCall(ctx.mock, { path: '/jwks' })
    assert.equal(new KeySet(jwks.json).verify(response, String(header.kid), 'ES256'), 'valid')
    const none = await postRegistration(
      ctx.mock,
      await registrationRequest(ctx.mock, mercury, { claims: { authorization_signed_response_alg: 'none' } }),
    )
    assert.equal(none.json.error, 'invalid_client_metadata', none.text)
  })
})

describe('holds: bad input is a 4xx naming the problem, never a 5xx', () => {
  const ctx = auBank()

  test('malformed, oversized and odd requests to every AU endpoint', async () => {
    const id = await registerCdr(ctx.mock)
    const big = 'a'.repeat(ctx.mock.bank.options.maxBodyBytes + 1)
    const jwt = (header: unknown, payload: unknown) =>
      `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.AAAA`
    const odd = [
      '',
      'x',
      'not.a.jwt',
      jwt({ alg: 'PS256', kid: {} }, { iss: [] }),
      jwt({ alg: 'PS256', kid: 'k' }, { iss: id, sub: id, aud: {}, exp: 'soon', jti: 1 }),
      jwt([], {}),
    ]
    const form = 'application/x-www-form-urlencoded'
    const requests: { path: string; method?: string; type: string; body: string }[] = [
      { path: '/register', type: 'application/jwt', body: big },
      ...odd.map(body => ({ path: '/register', type: 'application/jwt', body })),
      ...odd.map(body => ({ path: `/register/${id}`, method: 'PUT', type: 'application/jwt', body })),
      ...['/token', '/par', '/introspect', '/revoke', '/arrangements/revoke', '/idp/connect/token'].flatMap(path => [
        { path, type: form, body: big },
        { path, type: form, body: 'grant_type=client_credentials&grant_type=client_credentials' },
        { path, type: 'application/json', body: '{}' },
        ...odd.map(a => ({
          path,
          type: form,
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: a,
            request: a,
            token: a,
            cdr_arrangement_id: a,
          }).toString(),
        })),
      ]),
    ]
    for (const r of requests) {
      const res = await auCall(ctx.mock, {
        method: r.method ?? 'POST',
        path: r.path,
        headers: { 'content-type': r.type },
        body: r.body,
      })
      assert.ok(
        res.status >= 400 && res.status < 500,
        `${r.method ?? 'POST'} ${r.path} ${r.body.slice(0, 60)}: ${res.status} ${res.text}`,
      )
    }
    for (const q of [
      '',
      'client_id=',
      `client_id=${id}`,
      `client_id=${id}&request_uri=%ZZ`,
      `client_id=${id}&request=x.y.z`,
    ]) {
      const res = await authorizeCall(ctx.mock, q)
      assert.ok(res.status >= 400 && res.status < 500, `/authorize?${q}: ${res.status} ${res.text}`)
    }
    for (const [path, headers] of [
      [`/register/${id}`, { authorization: 'Bearer' }],
      [`/register/${id}`, { authorization: `Bearer ${'a'.repeat(5000)}` }],
      ['/userinfo', { authorization: 'Bearer x y' }],
      [
        '/cdr-register/v1/all/data-recipients/brands/x/software-products/y/ssa',
        { 'x-v': '4', authorization: 'Bearer a.b.c' },
      ],
      [
        '/cdr-register/v1/all/data-recipients/brands/x/software-products/y/ssa',
        { 'x-v': '99999999999', authorization: 'Bearer a.b.c' },
      ],
    ] as const) {
      const res = await auCall(ctx.mock, { path, headers })
      assert.ok(res.status >= 400 && res.status < 500, `${path} ${JSON.stringify(headers)}: ${res.status} ${res.text}`)
    }
  })
})
