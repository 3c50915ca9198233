/**
 * Client management and token rules added for the negative catalogue (NEG-MGMT, NEG-TOK-23), each
 * accepted, rejected, and let through by its deviation; per-software token lifetimes.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import { parseCli } from '../src/cli.ts'
import { withDefaults } from '../src/config/defaults.ts'
import { accessTokenTtl } from '../src/oauth/tokens.ts'
import type { DeviationName } from '../src/profiles/uk_ob/deviations/index.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import {
  alpha,
  beta,
  call,
  ccToken,
  form,
  gamma,
  pki,
  register,
  signedRequest,
  softwareSigner,
  testBank,
} from './support.ts'

const jose = { 'content-type': 'application/jose' }

async function withMock(deviations: DeviationName[], fn: (mock: RunningMock) => Promise<void>, ttl = {}) {
  const mock = await startMock({ port: 0, store: 'memory', pki, deviations, tokenTtlBySoftware: ttl })
  try {
    await fn(mock)
  } finally {
    await mock.close()
  }
}

const get = (mock: RunningMock, id: string, token: string) =>
  call(mock, { path: `/register/${id}`, headers: { authorization: `Bearer ${token}` } })
const put = async (mock: RunningMock, id: string, token: string, claims: Record<string, unknown>) =>
  call(mock, {
    method: 'PUT',
    path: `/register/${id}`,
    headers: { authorization: `Bearer ${token}`, ...jose },
    body: await signedRequest({ claims }),
  })

describe('per-software access token lifetimes', () => {
  it('parses --token-ttl-for and its environment variable', () => {
    assert.deepEqual(parseCli(['--token-ttl-for', 'gamma=3', '--token-ttl-for=abc=10'], {}).tokenTtlBySoftware, {
      gamma: 3,
      abc: 10,
    })
    assert.deepEqual(parseCli([], { OB_MOCK_TOKEN_TTL_FOR: 'gamma=3, x=5' }).tokenTtlBySoftware, { gamma: 3, x: 5 })
    assert.throws(() => parseCli(['--token-ttl-for', 'gamma'], {}), /needs <software>=<seconds>/)
    assert.throws(() => parseCli(['--token-ttl-for', 'gamma=soon'], {}), /non-negative integer/)
    assert.deepEqual(withDefaults({}).tokenTtlBySoftware, {})
  })

  it('resolves a software_id or a PKI TPP name; others get accessTokenTtl', () => {
    const bank = testBank({ tokenTtlBySoftware: { gamma: 3, [alpha.softwareId]: 7 }, accessTokenTtl: 100 })
    assert.equal(accessTokenTtl(bank, gamma.softwareId), 3)
    assert.equal(accessTokenTtl(bank, alpha.softwareId), 7)
    assert.equal(accessTokenTtl(bank, 'someoneElse'), 100)
  })
})

describe('expired access tokens at the management API (NEG-MGMT-05)', () => {
  let mock: RunningMock
  before(async () => {
    // A lifetime of 0 seconds: the token is expired as soon as it is issued.
    mock = await startMock({ port: 0, store: 'memory', pki, tokenTtlBySoftware: { alpha: 0 } })
  })
  after(() => mock.close())

  it('issues a token with expires_in 0 and refuses it with 401 invalid_token "expired"', async () => {
    const id = await register(mock)
    const token = await ccToken(mock, id)
    const res = await get(mock, id, token)
    assert.equal(res.status, 401)
    assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token", error_description=".*expired/)
  })

  it('accept-expired-access-token lets it through', async () => {
    await withMock(
      ['accept-expired-access-token'],
      async dev => {
        const id = await register(dev)
        assert.equal((await get(dev, id, await ccToken(dev, id))).status, 200)
      },
      { alpha: 0 },
    )
  })
})

describe('PUT replaces the registration and checks the client it names (NEG-MGMT-19, -20, -21)', () => {
  let mock: RunningMock
  before(async () => {
    mock = await startMock({ port: 0, store: 'memory', pki })
  })
  after(() => mock.close())

  it('omitted members are not kept: response_types falls back to its default', async () => {
    const id = await register(mock, { claims: { response_types: ['code'] } })
    const token = await ccToken(mock, id)
    assert.deepEqual((await get(mock, id, token)).json.response_types, ['code'])
    const res = await put(mock, id, token, { response_types: undefined })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.json.response_types, ['code id_token'])
  })

  it('put-keeps-omitted-metadata keeps the old value', async () => {
    await withMock(['put-keeps-omitted-metadata'], async dev => {
      const id = await register(dev, { claims: { response_types: ['code'] } })
      const res = await put(dev, id, await ccToken(dev, id), { response_types: undefined })
      assert.equal(res.status, 200, res.text)
      assert.deepEqual(res.json.response_types, ['code'])
    })
  })

  it('refuses a client_secret and another client_id with invalid_request', async () => {
    const id = await register(mock)
    const token = await ccToken(mock, id)
    const secret = await put(mock, id, token, { client_id: id, client_secret: 'guess' })
    assert.equal(secret.status, 400)
    assert.equal(secret.json.error, 'invalid_request')
    assert.match(String(secret.json.error_description), /client_secret does not match/)
    const other = await put(mock, id, token, { client_id: '3f5a1f5e-0000-4000-8000-000000000000' })
    assert.equal(other.json.error, 'invalid_request')
    assert.equal((await put(mock, id, token, { client_id: id })).status, 200, 'its own client_id is fine')
  })

  it('put-ignores-client-credentials and put-accepts-server-managed-fields let those bodies through', async () => {
    await withMock(['put-ignores-client-credentials', 'put-accepts-server-managed-fields'], async dev => {
      const id = await register(dev)
      const token = await ccToken(dev, id)
      assert.equal((await put(dev, id, token, { client_secret: 'guess' })).status, 200)
      assert.equal((await put(dev, id, token, { client_id: '3f5a1f5e-0000-4000-8000-000000000000' })).status, 200)
      assert.equal((await put(dev, id, token, { registration_client_uri: 'https://x.example/r' })).status, 200)
    })
  })
})

describe('tls_client_auth subject DN matching (NEG-TOK-23)', () => {
  const dn = alpha.transport.subjectDn
  const rdns = dn.split(',')
  const variants: Record<string, string> = {
    'RDNs in the other order': [...rdns].reverse().join(','),
    'spaces after the commas': rdns.join(', '),
    'lower-case types and values': dn.toLowerCase(),
    'OID attribute types': dn.replace(/^CN=/, '2.5.4.3=').replace(',OU=', ',2.5.4.11='),
  }
  const tokenFor = (mock: RunningMock, id: string) =>
    call(mock, { method: 'POST', path: '/token', ...form({ grant_type: 'client_credentials', client_id: id }) })

  it('accepts the same DN written differently; one attribute changed is refused at registration (NEG-META-38)', async () => {
    await withMock([], async mock => {
      for (const [name, written] of Object.entries(variants)) {
        const id = await register(mock, { auth: 'tls_client_auth', claims: { tls_client_auth_subject_dn: written } })
        const res = await tokenFor(mock, id)
        assert.equal(res.status, 200, `${name}: ${res.text}`)
      }
      const changed = dn.replace(/OU=[^,]+/, 'OU=0015800001ZZZZZZZZ')
      await assert.rejects(
        register(mock, { auth: 'tls_client_auth', claims: { tls_client_auth_subject_dn: changed } }),
        /400 .*does not identify the transport certificate presented with this request/,
      )
    })
  })

  it('register-any-subject-dn registers the changed DN, whose token the certificate then cannot get', async () => {
    await withMock(['register-any-subject-dn'], async mock => {
      const changed = dn.replace(/OU=[^,]+/, 'OU=0015800001ZZZZZZZZ')
      const id = await register(mock, { auth: 'tls_client_auth', claims: { tls_client_auth_subject_dn: changed } })
      const res = await tokenFor(mock, id)
      assert.equal(res.status, 400)
      assert.equal(res.json.error, 'invalid_client')
    })
  })

  it('exact-dn-match accepts only the DN as the certificate prints it', async () => {
    await withMock(['exact-dn-match'], async dev => {
      const same = await register(dev, { auth: 'tls_client_auth' })
      assert.equal((await tokenFor(dev, same)).status, 200)
      const id = await register(dev, {
        auth: 'tls_client_auth',
        claims: { tls_client_auth_subject_dn: variants['lower-case types and values'] },
      })
      assert.equal((await tokenFor(dev, id)).status, 400)
    })
  })
})

describe('introspection by the clients of one software (NEG-MGMT-11, NEG-BIND-06)', () => {
  const introspect = async (mock: RunningMock, clientId: string, token: string, tpp = alpha) =>
    call(mock, {
      method: 'POST',
      path: '/introspect',
      tpp,
      ...form({
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await clientAssertion(clientId, `${mock.url}/token`, softwareSigner(tpp)),
        token,
      }),
    })
  const del = (mock: RunningMock, id: string, token: string) =>
    call(mock, { method: 'DELETE', path: `/register/${id}`, headers: { authorization: `Bearer ${token}` } })

  it('answers a sibling client of the same software, not another software; inactive after DELETE', async () => {
    await withMock([], async mock => {
      const a = await register(mock)
      const b = await register(mock)
      const other = await register(mock, { tpp: beta })
      const token = await ccToken(mock, a)
      const sibling = await introspect(mock, b, token)
      assert.equal(sibling.json.active, true, sibling.text)
      assert.equal(typeof (sibling.json.cnf as Record<string, unknown>)['x5t#S256'], 'string')
      assert.equal((await introspect(mock, other, token, beta)).json.active, false)
      assert.equal((await del(mock, a, await ccToken(mock, a))).status, 204)
      assert.equal((await introspect(mock, b, token)).json.active, false)
    })
  })

  it('tokens-survive-delete: the deleted client’s token stays active', async () => {
    await withMock(['tokens-survive-delete'], async mock => {
      const a = await register(mock)
      const b = await register(mock)
      const token = await ccToken(mock, a)
      assert.equal((await del(mock, a, await ccToken(mock, a))).status, 204)
      assert.equal((await introspect(mock, b, token)).json.active, true)
    })
  })
})
