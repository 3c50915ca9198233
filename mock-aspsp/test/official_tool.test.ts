/**
 * `npm run official-tool-config`: the config file of the official UK DCR conformance tool
 * (OpenBankingUK/conformance-dcr v1.3.1) field by field against what the tool reads, and the
 * README's claim measured: under the printed bank flags the tool's own requests (one reused SSA,
 * kid-less 30-minute client assertions, Go's subject DN) pass all ten scenarios; without them
 * they fail where and why the README says.
 */
import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { decodeJws } from '../../fixtures/builders/jose.ts'
import type { TppIdentity } from '../../keys/pki.ts'
import { parseCli } from '../src/cli.ts'
import type { MockOptions } from '../src/config/defaults.ts'
import { KeySet } from '../src/crypto/jose.ts'
import { type OfficialToolAuth, officialToolSetup } from '../src/directory/official_tool.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { goSubjectDn, runOfficialTool } from './support/official_tool.ts'
import { alpha, pki } from './support.ts'

/**
 * The members the tool's Config struct reads (cmd/cli/config.go, v1.3.1) and their JSON types;
 * its validateConfig requires spec_version 3.2 or 3.3, wellknown_endpoint, environment and brand.
 */
const TOOL_READS: Record<string, 'string' | 'string[]' | 'boolean'> = {
  spec_version: 'string',
  wellknown_endpoint: 'string',
  ssa: 'string',
  kid: 'string',
  aud: 'string',
  redirect_uris: 'string[]',
  issuer: 'string',
  private_key: 'string',
  transport_root_cas: 'string[]',
  transport_cert: 'string',
  transport_key: 'string',
  get_implemented: 'boolean',
  put_implemented: 'boolean',
  delete_implemented: 'boolean',
  environment: 'string',
  brand: 'string',
}

const typeOf = (v: unknown) =>
  Array.isArray(v) ? (v.every(x => typeof x === 'string') ? 'string[]' : 'array') : typeof v

const delta = pki.tpps.delta as TppIdentity

describe('official-tool-config: the file, field by field', () => {
  for (const spec of ['3.2', '3.3'] as const) {
    it(`spec ${spec}: every member the tool reads, of its type, and nothing else`, async () => {
      const { config } = await officialToolSetup(pki, alpha, {
        auth: 'private_key_jwt',
        spec,
        bankUrl: 'https://localhost:8443',
      })
      assert.deepEqual(Object.keys(config).sort(), Object.keys(TOOL_READS).sort())
      for (const [k, t] of Object.entries(TOOL_READS))
        assert.equal(typeOf((config as unknown as Record<string, unknown>)[k]), t, k)
      assert.equal(config.spec_version, spec)
      assert.ok(config.environment && config.brand)
      assert.equal(config.wellknown_endpoint, 'https://localhost:8443/.well-known/openid-configuration')
    })
  }
  it('its keys, certificates and SSA are the ones the bank and its directory expect', async () => {
    const { config } = await officialToolSetup(pki, alpha, {
      auth: 'private_key_jwt',
      spec: '3.3',
      bankUrl: 'https://localhost:8443',
    })
    // private_key: RSA (the tool parses it with ParseRSAPrivateKeyFromPEM), the key `kid` names in the software JWKS.
    const key = createPrivateKey(config.private_key)
    assert.equal(key.asymmetricKeyType, 'rsa')
    const published = (pki.tpps.alpha as TppIdentity).signing.publicJwk
    assert.equal(config.kid, published.kid)
    assert.equal(createPublicKey(key).export({ format: 'jwk' }).n, published.n)
    // ssa: signed by the trusted directory key, for this software; issuer = its software_id; redirect URIs of it.
    const ssa = decodeJws(config.ssa)
    assert.equal(
      new KeySet({ keys: [pki.directory.signing.publicJwk] }).verify(config.ssa, String(ssa.header.kid), 'PS256'),
      'valid',
    )
    assert.equal(ssa.payload.software_id, config.issuer)
    assert.equal(config.issuer, alpha.softwareId)
    for (const uri of config.redirect_uris)
      assert.ok((ssa.payload.software_redirect_uris as string[]).includes(uri), uri)
    assert.equal(config.aud, pki.aspsp.orgId)
    // transport: the certificate and its key, issued by the CA the bank trusts; the roots verify the bank's server certificate.
    const cert = new X509Certificate(config.transport_cert)
    assert.ok(cert.checkPrivateKey(createPrivateKey(config.transport_key)))
    assert.ok(cert.verify(new X509Certificate(readFileSync(pki.ca.certPath)).publicKey))
    const server = new X509Certificate(readFileSync(pki.server.certPath))
    assert.ok(config.transport_root_cas.some(root => server.verify(new X509Certificate(root).publicKey)))
  })
  it('prints the bank flags per auth method, and warns where the tool cannot succeed', async () => {
    const flags = async (auth: OfficialToolAuth, bankUrl = 'https://localhost:8443') =>
      (await officialToolSetup(pki, alpha, { auth, spec: '3.3', bankUrl })).bankFlags
    assert.deepEqual(await flags('private_key_jwt'), [
      '--auth-methods private_key_jwt',
      '--spec 3.3',
      '--try-keys-without-kid',
    ])
    assert.deepEqual(await flags('tls_client_auth'), ['--auth-methods tls_client_auth', '--spec 3.3'])
    assert.deepEqual(await flags('tls_client_auth', 'https://bank.example.test:9443'), [
      '--auth-methods tls_client_auth',
      '--spec 3.3',
      '--host bank.example.test',
      '--port 9443',
    ])
    const obwacTls = await officialToolSetup(pki, delta, {
      auth: 'tls_client_auth',
      spec: '3.3',
      bankUrl: 'https://localhost:8443',
    })
    assert.match(obwacTls.warnings.join(), /drops organizationIdentifier/)
    assert.equal(
      goSubjectDn(readFileSync(delta.transport.certPath, 'utf8')),
      `CN=${delta.orgId},O=${delta.orgName},C=GB`,
    )
    assert.equal(goSubjectDn(readFileSync(alpha.transport.certPath, 'utf8')), alpha.transport.subjectDn)
  })
})

/** A bank started with the printed flags (`npm start -- <flags>`), then the tool's run against it. */
async function runAgainst(tpp: TppIdentity, auth: OfficialToolAuth, adjust: (o: MockOptions) => MockOptions = o => o) {
  const { bankFlags } = await officialToolSetup(pki, tpp, { auth, spec: '3.3', bankUrl: 'https://localhost:8443' })
  const options = adjust(parseCli(bankFlags.join(' ').split(' '), {}))
  const mock: RunningMock = await startMock({ ...options, port: 0, store: 'memory', pki })
  try {
    const { config } = await officialToolSetup(pki, tpp, { auth, spec: '3.3', bankUrl: mock.url })
    return await runOfficialTool(config)
  } finally {
    await mock.close()
  }
}

const passed = (results: { id: string; ok: boolean }[]) => results.filter(r => r.ok).map(r => r.id)
const ALL = [
  'DCR-001',
  'DCR-002',
  'DCR-003',
  'DCR-004',
  'DCR-005',
  'DCR-007',
  'DCR-008',
  'DCR-009',
  'DCR-010',
  'DCR-011',
]

describe("the tool's requests against the bank started with the printed flags", () => {
  for (const [name, tpp, auth] of [
    ['alpha (OBTransport)', alpha, 'private_key_jwt'],
    ['alpha (OBTransport)', alpha, 'tls_client_auth'],
    ['delta (OBWAC)', delta, 'private_key_jwt'],
  ] as const) {
    it(`${name}, ${auth}: all ten scenarios pass, with one SSA for every registration`, async () => {
      const results = await runAgainst(tpp, auth)
      assert.deepEqual(
        passed(results),
        ALL,
        JSON.stringify(
          results.filter(r => !r.ok),
          null,
          1,
        ),
      )
    })
  }
  it('without --try-keys-without-kid, 7 of 10 fail on the kid-less assertion, and the error names the switch', async () => {
    const results = await runAgainst(alpha, 'private_key_jwt', o => ({ ...o, tryKeysWithoutKid: false }))
    assert.deepEqual(passed(results), ['DCR-001', 'DCR-004', 'DCR-011'])
    assert.match(
      results.find(r => r.id === 'DCR-002')?.failure ?? '',
      /no kid .*OIDC Core section 10\.1 .*--try-keys-without-kid/,
    )
  })
  it('with assertions held to 10 minutes, the 30-minute ones fail, and the error names --max-assertion-lifetime', async () => {
    const results = await runAgainst(alpha, 'private_key_jwt', o => ({ ...o, maxAssertionLifetime: 600 }))
    assert.equal(results.find(r => r.id === 'DCR-002')?.ok, false)
    assert.match(results.find(r => r.id === 'DCR-002')?.failure ?? '', /at most 600s .*--max-assertion-lifetime/)
  })
  it('delta (OBWAC), tls_client_auth: fails as the warning says (the DN the tool registers lacks organizationIdentifier)', async () => {
    const results = await runAgainst(delta, 'tls_client_auth')
    assert.equal(results.find(r => r.id === 'DCR-002')?.ok, false)
    assert.match(results.find(r => r.id === 'DCR-002')?.failure ?? '', /tls_client_auth_subject_dn/)
  })
})
