/**
 * The AU CDR profile of the bank: options and deviations by profile, the seed's CDR request (a 4xx
 * naming the unknown SSA signer, never a 5xx), the Data Holder trusting the CDR CA only, and a UK
 * bank knowing nothing of it.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { parseCli } from '../src/cli.ts'
import { withDefaults } from '../src/config/defaults.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { alpha, httpsCall, pki } from './support.ts'

const mercury = pki.cdr.recipients.mercury
if (!mercury) throw new Error('the test PKI has no CDR recipient mercury')
const SEED = readFileSync(
  new URL('../../fixtures/au/samples/wso2_cdr_update_request.jwt', import.meta.url),
  'utf8',
).trim()

describe('profiles: options', () => {
  it('a profile brings its defaults; explicit options still win', () => {
    const au = parseCli(['--profile', 'au-cdr'], {})
    assert.deepEqual(au.authMethods, ['private_key_jwt'])
    assert.equal(au.accessTokenTtl, 300)
    assert.equal(au.multipleClientsPerSoftware, false)
    assert.equal(parseCli(['--token-ttl', '120', '--profile=au-cdr'], {}).accessTokenTtl, 120)
    assert.equal(parseCli([], { OB_MOCK_PROFILE: 'au-cdr' }).profile, 'au-cdr')
    const uk = parseCli([], {})
    assert.equal(uk.profile, 'uk-ob')
    assert.deepEqual(uk.authMethods, ['private_key_jwt', 'tls_client_auth'])
    assert.equal(withDefaults({ profile: 'au-cdr' }).cdr.ssaTtl, 600)
  })
  it("deviations are the profile's: an AU deviation is unknown to the UK bank, and the other way round", () => {
    assert.deepEqual(parseCli(['--profile', 'au-cdr', '--deviation', 'trust-non-cdr-ca'], {}).deviations, [
      'trust-non-cdr-ca',
    ])
    assert.throws(
      () => parseCli(['--deviation', 'trust-non-cdr-ca'], {}),
      /unknown deviation "trust-non-cdr-ca" for profile uk-ob/,
    )
    assert.throws(() => parseCli(['--profile', 'au-cdr', '--deviation', 'skip-dn-match'], {}), /for profile au-cdr/)
    assert.throws(() => parseCli(['--profile', 'nz'], {}), /--profile must be one of uk-ob, au-cdr/)
  })
})

describe('the AU Data Holder', () => {
  let mock: RunningMock
  before(async () => {
    mock = await startMock({ port: 0, store: 'memory', pki, profile: 'au-cdr' })
  })
  after(() => mock.close())
  const call = (
    path: string,
    o: { method?: string; body?: string; headers?: Record<string, string>; cert?: 'uk' } = {},
  ) =>
    httpsCall({
      host: 'localhost',
      port: mock.port,
      path,
      method: o.method ?? 'GET',
      ca: pki.cdr.ca.certPath,
      cert: o.cert === 'uk' ? alpha.transport : mercury.transport,
      headers: o.headers,
      body: o.body,
    })

  it("answers the seed's CDR request with 400 naming the SSA's unknown signer", async () => {
    const res = await call('/register', { method: 'POST', body: SEED, headers: { 'content-type': 'application/jwt' } })
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error, 'invalid_software_statement')
    assert.match(
      String(res.json.error_description),
      /kid 'DwMKdWMmj7PWinvoqfQyXVzyZ6Q', which the CDR Register does not publish/,
    )
  })
  it('answers the seed request sent as application/jose with 415, not as a UK bank would', async () => {
    const res = await call('/register', { method: 'POST', body: SEED, headers: { 'content-type': 'application/jose' } })
    assert.equal(res.status, 415, res.text)
  })
  it('trusts client certificates of the CDR CA only', async () => {
    const res = await call('/register', {
      method: 'POST',
      body: SEED,
      headers: { 'content-type': 'application/jwt' },
      cert: 'uk',
    })
    assert.equal(res.status, 400)
    assert.match(String(res.json.error_description), /client certificate/)
  })
  it('publishes the CDS discovery document and the Register JWKS', async () => {
    const discovery = await call('/.well-known/openid-configuration')
    assert.equal(discovery.json.require_pushed_authorization_requests, true)
    assert.deepEqual(discovery.json.token_endpoint_auth_methods_supported, ['private_key_jwt'])
    const jwks = await call('/cdr-register/v1/jwks')
    assert.equal((jwks.json.keys as unknown[]).length, 1)
  })
})

describe('the UK bank', () => {
  it('serves no CDR Register', async () => {
    const mock = await startMock({ port: 0, store: 'memory', pki })
    try {
      const res = await httpsCall({
        host: 'localhost',
        port: mock.port,
        path: '/cdr-register/v1/jwks',
        method: 'GET',
        ca: pki.ca.certPath,
      })
      assert.equal(res.status, 404)
    } finally {
      await mock.close()
    }
  })
})
