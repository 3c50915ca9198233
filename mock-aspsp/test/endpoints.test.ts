/** The bank over HTTPS with mutual TLS: each endpoint rule, accepted and rejected, on the wire. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import { signerFromFile, signJws } from '../../fixtures/builders/jose.ts'
import { tokenHash } from '../src/oauth/tokens.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import {
  alpha,
  beta,
  type CallResult,
  call,
  ccToken,
  form,
  pki,
  register,
  requestClaims,
  signedRequest,
  softwareSigner,
  ssaFor,
} from './support.ts'

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
let mock: RunningMock
before(async () => {
  mock = await startMock({ port: 0, store: 'memory', pki })
})
after(() => mock.close())

function assertError(res: CallResult, status: number, error: string, description?: RegExp) {
  assert.equal(res.status, status, res.text)
  assert.match(String(res.headers['content-type']), /^application\/json/)
  assert.equal(res.json.error, error, res.text)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.equal(res.json.client_id, undefined)
  if (description) assert.match(String(res.json.error_description), description)
}

const jose = { 'content-type': 'application/jose' }
const post = async (body: string, tpp: Parameters<typeof call>[1]['tpp'] = alpha, headers = jose) =>
  call(mock, { method: 'POST', path: '/register', tpp, headers, body })
const tokenCall = (
  params: Record<string, string>,
  tpp: Parameters<typeof call>[1]['tpp'] = alpha,
  cert?: 'transport2',
) => call(mock, { method: 'POST', path: '/token', tpp, cert, ...form(params) })
const assertionFor = (clientId: string, overrides = {}, signer = softwareSigner()) =>
  clientAssertion(clientId, `${mock.url}/token`, signer, overrides)
const pkjwtParams = async (clientId: string, overrides = {}) => ({
  grant_type: 'client_credentials',
  client_id: clientId,
  client_assertion_type: ASSERTION_TYPE,
  client_assertion: await assertionFor(clientId, overrides),
})

describe('discovery and keys', () => {
  it('serves discovery without a client certificate, with the DCR and token fields', async () => {
    const res = await call(mock, { path: '/.well-known/openid-configuration', tpp: 'none' })
    assert.equal(res.status, 200)
    assert.equal(res.json.registration_endpoint, `${mock.url}/register`)
    assert.deepEqual(res.json.token_endpoint_auth_methods_supported, ['private_key_jwt', 'tls_client_auth'])
    assert.equal(res.json.tls_client_certificate_bound_access_tokens, true)
  })
  it('serves the bank JWKS and the directory keystore', async () => {
    const jwks = await call(mock, { path: '/jwks', tpp: 'none' })
    assert.equal((jwks.json.keys as unknown[]).length, 1)
    const sw = await call(mock, { path: `/directory/keystore/${alpha.orgId}/${alpha.softwareId}.jwks`, tpp: 'none' })
    assert.ok((sw.json.keys as Array<{ kid: string }>).some(k => k.kid === alpha.signing.kid))
    const missing = await call(mock, { path: `/directory/keystore/${alpha.orgId}/nothing.jwks`, tpp: 'none' })
    assertError(missing, 404, 'not_found')
  })
  it('issues an SSA from the directory endpoint to the software’s own certificate only', async () => {
    const path = `/directory/organisation/${alpha.orgId}/software-statement/${alpha.softwareId}/software-statement-assertion`
    const ok = await call(mock, { path })
    assert.equal(ok.status, 200)
    assert.equal(ok.text.split('.').length, 3)
    assertError(await call(mock, { path, tpp: beta }), 400, 'invalid_request', /is not a certificate of software/)
  })
})

describe('POST /register transport and format', () => {
  it('registers over mutual TLS: 201, JSON, no-store, client_id, SSA returned unmodified', async () => {
    const body = await signedRequest()
    const res = await post(body)
    assert.equal(res.status, 201, res.text)
    assert.match(String(res.headers['content-type']), /^application\/json/)
    assert.equal(res.headers['cache-control'], 'no-store')
    assert.match(String(res.json.client_id), /^[0-9a-f-]{36}$/)
    const sent = JSON.parse(Buffer.from(body.split('.')[1] as string, 'base64url').toString()).software_statement
    assert.equal(res.json.software_statement, sent)
    for (const claim of ['iss', 'iat', 'exp', 'aud', 'jti']) assert.equal(res.json[claim], undefined, claim)
    assert.equal(res.json.org_id, alpha.orgId, 'SSA claims are flattened')
  })
  it('answers a reused SSA with the same members in the same order as JSON.stringify of the registration', async () => {
    // The SSA's share of a registration is cached per statement (actions/register.ts): the first
    // and the second registration with one SSA must read the same, in the order JSON.stringify
    // gives the registration after client_id and client_id_issued_at — with a claim named like an
    // array index (which JavaScript orders first) too.
    for (const claims of [{}, { '7': 'index-like', software_mode: 'Test' }]) {
      const ssa = await ssaFor(alpha, claims)
      const first = await post(await signedRequest({ ssa }))
      const second = await post(await signedRequest({ ssa }))
      for (const res of [first, second]) {
        assert.equal(res.status, 201, res.text)
        const { client_id, client_id_issued_at, ...registration } = JSON.parse(res.text)
        const expected = `{"client_id":${JSON.stringify(client_id)},"client_id_issued_at":${client_id_issued_at},${JSON.stringify(registration).slice(1)}`
        assert.equal(res.text, expected)
      }
      assert.deepEqual(Object.keys(second.json), Object.keys(first.json))
      // After the metadata: software_statement, then the SSA's own claims in the SSA's order.
      const named = Object.keys(first.json).filter(k => !/^\d+$/.test(k))
      const at = named.indexOf('software_statement')
      const before = new Set(named.slice(0, at))
      const ssaOrder = Object.keys(JSON.parse(Buffer.from(ssa.split('.')[1] as string, 'base64url').toString()))
      const jwtClaims = ['iss', 'iat', 'exp', 'aud', 'jti', 'nbf']
      assert.deepEqual(
        named.slice(at + 1),
        ssaOrder.filter(k => !/^\d+$/.test(k) && !jwtClaims.includes(k) && !before.has(k)),
      )
      const same = (r: typeof first) => ({ ...r.json, client_id: 0, client_id_issued_at: 0 })
      assert.deepEqual(same(second), same(first))
      if ('7' in claims) assert.equal(first.json['7'], 'index-like')
      const read = await call(mock, {
        path: `/register/${second.json.client_id}`,
        headers: { authorization: `Bearer ${await ccToken(mock, String(second.json.client_id))}` },
      })
      assert.equal(read.status, 200, read.text)
      assert.deepEqual(read.json, second.json, 'the stored registration reads back as answered')
    }
  })
  it('refuses no certificate, a self-signed one, an expired one and a server certificate', async () => {
    const body = await signedRequest()
    assertError(await post(body, 'none'), 400, 'invalid_request', /none was presented/)
    const rogue = pki.tpps.rogue
    const expired = pki.tpps.expired
    if (!rogue || !expired) throw new Error('PKI lacks rogue/expired identities')
    assertError(await post(body, rogue), 400, 'invalid_request', /self-signed/)
    assertError(await post(body, expired), 400, 'invalid_request', /expired/)
    const revoked = pki.tpps.revokedcert
    if (!revoked) throw new Error('PKI lacks the revokedcert identity')
    assertError(await post(body, revoked), 400, 'invalid_request', /revoked/)
  })
  it("refuses another software's transport certificate", async () => {
    assertError(await post(await signedRequest(), beta), 400, 'unapproved_software_statement', /transport certificate/)
  })
  it('refuses application/json, an empty body, garbage and an oversized body', async () => {
    assertError(
      await post(await signedRequest(), alpha, { 'content-type': 'application/json' }),
      400,
      'invalid_client_metadata',
      /Content-Type/,
    )
    assertError(await post('', alpha), 400, 'invalid_client_metadata', /empty/)
    assertError(await post('%%%.%%%.%%%', alpha), 400, 'invalid_client_metadata', /base64url/)
    const res = await post('a'.repeat(70 * 1024), alpha)
    assert.equal(res.status, 413)
    assert.equal(res.json.error, 'invalid_request')
  })
  it('answers unknown paths and methods with JSON errors', async () => {
    assertError(await call(mock, { path: '/nope' }), 404, 'not_found')
    const res = await call(mock, { method: 'GET', path: '/register' })
    assertError(res, 405, 'method_not_allowed')
    assert.match(String(res.headers.allow), /POST/)
  })
  it('refuses a replayed request (same jti)', async () => {
    const body = await signedRequest()
    assert.equal((await post(body)).status, 201)
    assertError(await post(body), 400, 'invalid_client_metadata', /already been used/)
  })
  it('refuses a request signed RS256 with the software key', async () => {
    const rs = await signJws(requestClaims({ ssa: await (await import('./support.ts')).ssaFor() }), {
      ...softwareSigner(),
      alg: 'RS256',
    })
    assertError(await post(rs), 400, 'invalid_client_metadata', /alg 'RS256'/)
  })
})

describe('token endpoint', () => {
  let pkjwtClient: string
  let tlsClient: string
  before(async () => {
    pkjwtClient = await register(mock)
    tlsClient = await register(mock, { auth: 'tls_client_auth' })
  })
  it('private_key_jwt: a certificate-bound token with the registered scopes', async () => {
    const res = await tokenCall(await pkjwtParams(pkjwtClient))
    assert.equal(res.status, 200, res.text)
    assert.equal(res.json.token_type, 'Bearer')
    assert.equal(res.json.scope, 'accounts payments fundsconfirmations')
    assert.equal(res.headers['cache-control'], 'no-store')
    const intro = await call(mock, {
      method: 'POST',
      path: '/introspect',
      ...form({ ...(await pkjwtParams(pkjwtClient)), token: String(res.json.access_token) }),
    })
    assert.equal(intro.json.active, true)
    assert.deepEqual(intro.json.cnf, { 'x5t#S256': alpha.transport.x5tS256 })
  })
  it('tls_client_auth: the registered DN gets a token; another DN does not', async () => {
    const ok = await tokenCall({ grant_type: 'client_credentials', client_id: tlsClient })
    assert.equal(ok.status, 200, ok.text)
    const wrongDn = await tokenCall({ grant_type: 'client_credentials', client_id: tlsClient }, beta)
    assertError(wrongDn, 400, 'invalid_client', /does not match the registered tls_client_auth_subject_dn/)
    assertError(
      await tokenCall({ grant_type: 'client_credentials', client_id: tlsClient }, 'none'),
      400,
      'invalid_client',
      /none was presented/,
    )
    assertError(await tokenCall({ grant_type: 'client_credentials' }), 400, 'invalid_client', /client_id is required/)
    assertError(await tokenCall(await pkjwtParams(tlsClient)), 400, 'invalid_client', /registered for tls_client_auth/)
  })
  const rejected: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an expired assertion', { exp: '-5m', iat: '-10m' }, /exp .* has passed/],
    ['an assertion valid for a day', { exp: '+1d' }, /at most 3600s/],
    ['an assertion issued in the future', { iat: '+5m' }, /iat .* is in the future/],
    ['an assertion for another server', { aud: 'https://other.example/token' }, /aud .* must be this server/],
    ['an assertion without aud', { aud: undefined }, /aud null/],
    ['an assertion whose sub is not the client', { sub: 'someone' }, /sub 'someone' must equal iss/],
    ['an assertion without sub', { sub: undefined }, /has no sub/],
    ['an assertion without jti', { jti: undefined }, /has no jti/],
    ['an assertion without exp', { exp: undefined }, /has no exp/],
  ]
  for (const [name, overrides, message] of rejected) {
    it(`rejects ${name}`, async () => {
      assertError(await tokenCall(await pkjwtParams(pkjwtClient, overrides)), 400, 'invalid_client', message)
    })
  }
  it('rejects a replayed assertion', async () => {
    const params = await pkjwtParams(pkjwtClient)
    assert.equal((await tokenCall(params)).status, 200)
    assertError(await tokenCall(params), 400, 'invalid_client', /already been used/)
  })
  it('rejects RS256, a foreign key, a wrong client_id, an unknown client and a bad assertion type', async () => {
    const rs = await assertionFor(pkjwtClient, {}, { ...softwareSigner(), alg: 'RS256' })
    assertError(
      await tokenCall({ ...(await pkjwtParams(pkjwtClient)), client_assertion: rs }),
      400,
      'invalid_client',
      /alg 'RS256'/,
    )
    const foreign = await assertionFor(pkjwtClient, {}, { ...softwareSigner(beta), kid: alpha.signing.kid })
    assertError(
      await tokenCall({ ...(await pkjwtParams(pkjwtClient)), client_assertion: foreign }),
      400,
      'invalid_client',
      /does not verify/,
    )
    assertError(
      await tokenCall({ ...(await pkjwtParams(pkjwtClient)), client_id: tlsClient }),
      400,
      'invalid_client',
      /does not match the client_assertion iss/,
    )
    const stranger = '3f5a1f5e-0000-4000-8000-000000000000'
    assertError(await tokenCall(await pkjwtParams(stranger)), 400, 'invalid_client', /not registered/)
    assertError(
      await tokenCall({ ...(await pkjwtParams(pkjwtClient)), client_assertion_type: 'foo' }),
      400,
      'invalid_client',
      /client_assertion_type must be/,
    )
    assertError(
      await tokenCall({ ...(await pkjwtParams(pkjwtClient)), client_assertion: 'foo' }),
      400,
      'invalid_client',
      /3 parts/,
    )
    const es = signerFromFile(alpha.signingEs256.keyPath, alpha.signingEs256.kid, 'ES256')
    assertError(
      await tokenCall({
        ...(await pkjwtParams(pkjwtClient)),
        client_assertion: await assertionFor(pkjwtClient, {}, es),
      }),
      400,
      'invalid_client',
      /not the registered token_endpoint_auth_signing_alg PS256/,
    )
  })
  it('rejects grant_type missing or unknown, a bad scope, no certificate, a non-form body and repeated parameters', async () => {
    const params = await pkjwtParams(pkjwtClient)
    assertError(await tokenCall({ ...params, grant_type: '' }), 400, 'invalid_request', /grant_type is required/)
    assertError(await tokenCall({ ...params, grant_type: 'password' }), 400, 'unsupported_grant_type')
    assertError(await tokenCall({ ...(await pkjwtParams(pkjwtClient)), scope: 'openid' }), 400, 'invalid_scope')
    assertError(await tokenCall({ ...(await pkjwtParams(pkjwtClient)), scope: 'foo' }), 400, 'invalid_scope')
    assertError(await tokenCall(await pkjwtParams(pkjwtClient), 'none'), 400, 'invalid_request', /bound to it/)
    const json = await call(mock, {
      method: 'POST',
      path: '/token',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    })
    assertError(json, 400, 'invalid_request', /x-www-form-urlencoded/)
    const repeated = await call(mock, {
      method: 'POST',
      path: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${new URLSearchParams(await pkjwtParams(pkjwtClient))}&grant_type=client_credentials`,
    })
    assertError(repeated, 400, 'invalid_request', /repeated/)
  })
  it('a scope subset is granted', async () => {
    const res = await tokenCall({ ...(await pkjwtParams(pkjwtClient)), scope: 'accounts' })
    assert.equal(res.json.scope, 'accounts')
  })
})

describe('client management', () => {
  it('GET 200, PUT 200 keeps tokens, DELETE 204 kills tokens and the client', async () => {
    const id = await register(mock)
    const token = await ccToken(mock, id)
    const bearer = { authorization: `Bearer ${token}` }
    const got = await call(mock, { path: `/register/${id}`, headers: bearer })
    assert.equal(got.status, 200)
    assert.equal(got.json.client_id, id)
    const put = await call(mock, {
      method: 'PUT',
      path: `/register/${id}`,
      headers: { ...bearer, ...jose },
      body: await signedRequest({ claims: { redirect_uris: [alpha.redirectUris[1]] } }),
    })
    assert.equal(put.status, 200, put.text)
    assert.deepEqual(put.json.redirect_uris, [alpha.redirectUris[1]])
    assert.equal(put.json.client_id_issued_at, got.json.client_id_issued_at)
    assert.equal((await call(mock, { path: `/register/${id}`, headers: bearer })).status, 200, 'the token survives PUT')
    const del = await call(mock, { method: 'DELETE', path: `/register/${id}`, headers: bearer })
    assert.equal(del.status, 204)
    assert.equal(del.text, '')
    assertError(await call(mock, { path: `/register/${id}`, headers: bearer }), 401, 'invalid_token', /revoked/)
    assertError(await tokenCall(await pkjwtParams(id)), 400, 'invalid_client', /not registered/)
  })
  it('an invalid PUT changes nothing', async () => {
    const id = await register(mock)
    const bearer = { authorization: `Bearer ${await ccToken(mock, id)}` }
    const before = await call(mock, { path: `/register/${id}`, headers: bearer })
    const bad = await call(mock, {
      method: 'PUT',
      path: `/register/${id}`,
      headers: { ...bearer, ...jose },
      body: await signedRequest({ claims: { redirect_uris: ['https://evil.example/cb'] } }),
    })
    assertError(bad, 400, 'invalid_redirect_uri')
    const managed = await call(mock, {
      method: 'PUT',
      path: `/register/${id}`,
      headers: { ...bearer, ...jose },
      body: await signedRequest({ claims: { client_id_issued_at: 1 } }),
    })
    assertError(managed, 400, 'invalid_request', /client_id_issued_at must not be sent/)
    assert.deepEqual((await call(mock, { path: `/register/${id}`, headers: bearer })).json, before.json)
  })
  it('unknown client and foreign token: the same 401, and the presented token is revoked', async () => {
    const a = await register(mock)
    const b = await register(mock, { tpp: beta })
    const tokenB = await ccToken(mock, b, beta)
    const res = await call(mock, { path: `/register/${a}`, tpp: beta, headers: { authorization: `Bearer ${tokenB}` } })
    assertError(res, 401, 'invalid_token', /does not grant access to this client/)
    assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token"/)
    assertError(
      await call(mock, { path: `/register/${b}`, tpp: beta, headers: { authorization: `Bearer ${tokenB}` } }),
      401,
      'invalid_token',
      /revoked/,
    )
    const tokenA = await ccToken(mock, a)
    const unknown = await call(mock, {
      path: '/register/3f5a1f5e-0000-4000-8000-000000000000',
      headers: { authorization: `Bearer ${tokenA}` },
    })
    assert.equal(unknown.json.error_description, res.json.error_description)
  })
  it('a token shown with another certificate, with none, missing or garbage: 401 Bearer', async () => {
    const id = await register(mock)
    const token = await ccToken(mock, id)
    const other = await call(mock, {
      path: `/register/${id}`,
      cert: 'transport2',
      headers: { authorization: `Bearer ${token}` },
    })
    assertError(other, 401, 'invalid_token', /bound to another client certificate/)
    assertError(
      await call(mock, { path: `/register/${id}`, tpp: 'none', headers: { authorization: `Bearer ${token}` } }),
      401,
      'invalid_token',
      /none was presented/,
    )
    const missing = await call(mock, { path: `/register/${id}` })
    assertError(missing, 401, 'invalid_token')
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="mock-aspsp"')
    assertError(
      await call(mock, { path: `/register/${id}`, headers: { authorization: 'Bearer ' } }),
      401,
      'invalid_token',
    )
    assertError(
      await call(mock, { path: `/register/${id}`, headers: { authorization: 'Bearer ivegotthisterribletoken' } }),
      401,
      'invalid_token',
      /not known/,
    )
    assert.equal(
      (await call(mock, { path: `/register/${id}`, headers: { authorization: `Bearer ${token}` } })).status,
      200,
    )
  })
})

describe('operations switched off and deviations on the wire', () => {
  it('GET switched off: 405 after the token check, 401 before it', async () => {
    const off = await startMock({ port: 0, store: 'memory', pki, operations: { get: false, put: true, delete: true } })
    try {
      const id = await register(off)
      const token = await ccToken(off, id)
      const res = await call(off, { path: `/register/${id}`, headers: { authorization: `Bearer ${token}` } })
      assert.equal(res.status, 405)
      assert.match(String(res.headers.allow), /PUT, DELETE/)
      assert.equal(
        (await call(off, { path: `/register/${id}`, headers: { authorization: 'Bearer garbage' } })).status,
        401,
      )
    } finally {
      await off.close()
    }
  })
  it('unknown-client-404, delete-returns-200 and error-not-json change exactly their answer', async () => {
    const dev = await startMock({
      port: 0,
      store: 'memory',
      pki,
      deviations: ['unknown-client-404', 'delete-returns-200', 'error-not-json'],
    })
    try {
      const id = await register(dev)
      const token = await ccToken(dev, id)
      const unknown = await call(dev, {
        path: '/register/3f5a1f5e-0000-4000-8000-000000000000',
        headers: { authorization: `Bearer ${token}` },
      })
      assert.equal(unknown.status, 404)
      const token2 = await ccToken(dev, id)
      const del = await call(dev, {
        method: 'DELETE',
        path: `/register/${id}`,
        headers: { authorization: `Bearer ${token2}` },
      })
      assert.equal(del.status, 200)
      const bad = await call(dev, { method: 'POST', path: '/register', headers: jose, body: 'x' })
      assert.match(String(bad.headers['content-type']), /^text\/plain/)
    } finally {
      await dev.close()
    }
  })
})

describe('JWT access tokens (RFC 9068)', () => {
  it('are PS256 JWTs the bank JWKS verifies, bound to the certificate, and work at management', async () => {
    const { createLocalJWKSet, jwtVerify } = await import('jose')
    const jwtBank = await startMock({ port: 0, store: 'memory', pki, accessTokenFormat: 'jwt' })
    try {
      const id = await register(jwtBank)
      const token = await ccToken(jwtBank, id)
      const jwks = (await call(jwtBank, { path: '/jwks', tpp: 'none' })).json
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks as never), {
        issuer: jwtBank.url,
        algorithms: ['PS256'],
      })
      assert.equal(protectedHeader.typ, 'at+jwt')
      assert.equal(payload.client_id, id)
      assert.deepEqual(payload.cnf, { 'x5t#S256': alpha.transport.x5tS256 })
      assert.equal(
        (await call(jwtBank, { path: `/register/${id}`, headers: { authorization: `Bearer ${token}` } })).status,
        200,
      )
    } finally {
      await jwtBank.close()
    }
  })

  it('client credentials JWTs are known by their signature: nothing written at issue, revocations kept', async () => {
    const jwtBank = await startMock({ port: 0, store: 'memory', pki, accessTokenFormat: 'jwt' })
    const params = async (clientId: string, tpp = alpha) => ({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await clientAssertion(clientId, `${jwtBank.url}/token`, softwareSigner(tpp)),
    })
    const get = (clientId: string, token: string, tpp = alpha) =>
      call(jwtBank, { path: `/register/${clientId}`, tpp, headers: { authorization: `Bearer ${token}` } })
    const introspect = async (clientId: string, token: string) =>
      (await call(jwtBank, { method: 'POST', path: '/introspect', ...form({ ...(await params(clientId)), token }) }))
        .json
    try {
      const id = await register(jwtBank)
      const token = await ccToken(jwtBank, id)
      assert.equal(jwtBank.bank.store.getToken(tokenHash(token)), undefined, 'nothing written at issue')
      assert.equal((await get(id, token)).status, 200)
      const intro = await introspect(id, token)
      assert.equal(intro.active, true)
      assert.equal(intro.client_id, id)
      assert.equal(intro.scope, 'accounts payments fundsconfirmations')
      assert.deepEqual(intro.cnf, { 'x5t#S256': alpha.transport.x5tS256 })

      // Not this bank's: a changed signature, or the same claims signed by another key under the bank's kid.
      const [h, p, sig] = token.split('.') as [string, string, string]
      const flipped = `${h}.${p}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`
      assertError(await get(id, flipped), 401, 'invalid_token', /not known/)
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString())
      const forged = await signJws(claims, signerFromFile(alpha.signing.keyPath, jwtBank.bank.signing.kid), {
        typ: 'at+jwt',
      })
      assertError(await get(id, forged), 401, 'invalid_token', /not known/)
      assert.equal((await introspect(id, forged)).active, false)

      // PUT keeps the client's tokens; /revoke ends one token for good.
      const put = await call(jwtBank, {
        method: 'PUT',
        path: `/register/${id}`,
        headers: { authorization: `Bearer ${token}`, ...jose },
        body: await signedRequest({ claims: { redirect_uris: [alpha.redirectUris[1]] } }),
      })
      assert.equal(put.status, 200, put.text)
      assert.equal((await get(id, token)).status, 200, 'the token survives PUT')
      const revoked = await call(jwtBank, {
        method: 'POST',
        path: '/revoke',
        ...form({ ...(await params(id)), token }),
      })
      assert.equal(revoked.status, 200)
      assertError(await get(id, token), 401, 'invalid_token', /revoked/)
      assert.equal((await introspect(id, token)).active, false)

      // Another client's token on this client's URL is revoked; DELETE kills the client's tokens.
      const other = await register(jwtBank, { tpp: beta })
      const otherToken = await ccToken(jwtBank, other, beta)
      assertError(await get(id, otherToken, beta), 401, 'invalid_token', /does not grant access/)
      assertError(await get(other, otherToken, beta), 401, 'invalid_token', /revoked/)
      const second = await ccToken(jwtBank, id)
      const del = await call(jwtBank, {
        method: 'DELETE',
        path: `/register/${id}`,
        headers: { authorization: `Bearer ${second}` },
      })
      assert.equal(del.status, 204, del.text)
      assertError(await get(id, second), 401, 'invalid_token', /revoked/)
    } finally {
      await jwtBank.close()
    }
  })
})
