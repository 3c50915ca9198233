/** The client metadata rules, per spec version: each accepts valid metadata and rejects its violation. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SpecVersion } from '../src/config/defaults.ts'
import { parseDn } from '../src/pki/dn.ts'
import type { DeviationName } from '../src/profiles/uk_ob/deviations/index.ts'
import { checkTransportCertMatchesSoftware, registeredMetadata } from '../src/profiles/uk_ob/rules/metadata.ts'
import type { ClientCert } from '../src/shared/mtls.ts'
import { alpha, beta, gamma, rejectsWith, requestClaims, testBank, validSsaClaims } from './support.ts'

type Claims = Record<string, unknown>
const without = (claims: Claims, ...names: string[]) => {
  const c = { ...claims }
  for (const n of names) delete c[n]
  return c
}

function check(claims: Claims, o: { spec?: SpecVersion; deviations?: DeviationName[]; ssa?: Claims } = {}) {
  const bank = testBank({ specVersion: o.spec ?? '3.3', deviations: o.deviations ?? [] })
  return registeredMetadata(bank, claims, o.ssa ?? validSsaClaims(), null)
}

describe('registeredMetadata: valid requests', () => {
  it('registers a private_key_jwt client and returns its metadata in the 3.3 shape', () => {
    const out = check(requestClaims())
    assert.deepEqual(out.redirect_uris, [alpha.redirectUris[0]])
    assert.equal(out.token_endpoint_auth_method, 'private_key_jwt')
    assert.equal(out.token_endpoint_auth_signing_alg, 'PS256')
    assert.equal(out.scope, 'openid accounts payments fundsconfirmations')
    assert.equal(out.software_id, alpha.softwareId)
    assert.equal(out.request_object_signing_alg, 'PS256')
    assert.equal(out.tls_client_certificate_bound_access_tokens, true)
    assert.equal(out.tls_client_auth_subject_dn, undefined)
  })
  it('registers a tls_client_auth client with its subject DN', () => {
    const out = check(requestClaims({ auth: 'tls_client_auth' }))
    assert.equal(out.tls_client_auth_subject_dn, alpha.transport.subjectDn)
    assert.equal(out.token_endpoint_auth_signing_alg, undefined)
  })
  it('3.1: scope is an array and the DN claim is tls_client_auth_dn', () => {
    const out = check(requestClaims({ spec: '3.1', auth: 'tls_client_auth' }), { spec: '3.1' })
    assert.deepEqual(out.scope, ['openid', 'accounts', 'payments', 'fundsconfirmations'])
    assert.equal(out.tls_client_auth_dn, alpha.transport.subjectDn)
  })
  it('3.4: application_type native and the jwt-bearer grant are accepted', () => {
    const out = check(
      requestClaims({
        spec: '3.4',
        claims: {
          application_type: 'native',
          grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
          response_types: [],
        },
      }),
      { spec: '3.4' },
    )
    assert.equal(out.application_type, 'native')
  })
  it('omitted redirect_uris → all SSA redirect URIs; omitted response_types → code id_token; omitted scope → role scopes', () => {
    const out = check(without(requestClaims(), 'redirect_uris', 'response_types', 'scope'))
    assert.deepEqual(out.redirect_uris, alpha.redirectUris)
    assert.deepEqual(out.response_types, ['code id_token'])
    assert.equal(out.scope, 'openid accounts payments fundsconfirmations')
  })
  it('unknown members are ignored and not returned (RFC 7591 §2)', () => {
    const out = check(requestClaims({ claims: { favourite_colour: 'blue' } }))
    assert.equal(out.favourite_colour, undefined)
  })
  it('several redirect URIs of the SSA are all registered', () => {
    const out = check(requestClaims({ claims: { redirect_uris: alpha.redirectUris } }))
    assert.deepEqual(out.redirect_uris, alpha.redirectUris)
  })
  it('CIBA poll (3.3) with its signing alg is accepted', () => {
    const out = check(
      requestClaims({
        claims: {
          grant_types: ['client_credentials', 'urn:openid:params:grant-type:ciba'],
          response_types: [],
          backchannel_token_delivery_mode: 'poll',
          backchannel_authentication_request_signing_alg: 'PS256',
          backchannel_user_code_parameter_supported: false,
        },
      }),
    )
    assert.equal(out.backchannel_token_delivery_mode, 'poll')
  })
})

interface Case {
  name: string
  claims: Claims
  error: string
  message: RegExp
  spec?: SpecVersion
  ssa?: Claims
  /** The deviation that switches exactly this rule off, where one exists. */
  deviation?: DeviationName
}

const pkjwt = () => requestClaims()
const tls = (spec: SpecVersion = '3.3') => requestClaims({ auth: 'tls_client_auth', spec })
const REJECTED: Case[] = [
  {
    name: 'redirect URI not in the SSA',
    claims: { ...pkjwt(), redirect_uris: ['https://evil.example/cb'] },
    error: 'invalid_redirect_uri',
    message: /not one of the software statement's software_redirect_uris/,
    deviation: 'skip-redirect-subset-check',
  },
  {
    name: 'several redirect URIs, one not in the SSA',
    claims: { ...pkjwt(), redirect_uris: [alpha.redirectUris[0], 'https://evil.example/cb'] },
    error: 'invalid_redirect_uri',
    message: /redirect_uris\[1\]/,
    deviation: 'skip-redirect-subset-check',
  },
  {
    name: 'http redirect URI',
    claims: { ...pkjwt(), redirect_uris: ['http://alpha.tpp.example/callback'] },
    error: 'invalid_redirect_uri',
    message: /https scheme/,
    deviation: 'allow-http-redirect',
    ssa: validSsaClaims(alpha, { software_redirect_uris: ['http://alpha.tpp.example/callback'] }),
  },
  {
    name: 'localhost redirect URI',
    claims: { ...pkjwt(), redirect_uris: ['https://localhost/cb'] },
    error: 'invalid_redirect_uri',
    message: /localhost/,
    deviation: 'allow-loopback-redirect',
    ssa: validSsaClaims(alpha, { software_redirect_uris: ['https://localhost/cb'] }),
  },
  {
    name: '127.0.0.1 redirect URI',
    claims: { ...pkjwt(), redirect_uris: ['https://127.0.0.1/cb'] },
    error: 'invalid_redirect_uri',
    message: /loopback/,
    deviation: 'allow-loopback-redirect',
    ssa: validSsaClaims(alpha, { software_redirect_uris: ['https://127.0.0.1/cb'] }),
  },
  {
    name: '*.localhost redirect URI',
    claims: { ...pkjwt(), redirect_uris: ['https://app.localhost/cb'] },
    error: 'invalid_redirect_uri',
    message: /localhost/,
    deviation: 'allow-loopback-redirect',
    ssa: validSsaClaims(alpha, { software_redirect_uris: ['https://app.localhost/cb'] }),
  },
  {
    name: 'redirect URI with a fragment',
    claims: { ...pkjwt(), redirect_uris: ['https://alpha.tpp.example/callback#x'] },
    error: 'invalid_redirect_uri',
    message: /fragment/,
    deviation: 'allow-redirect-fragment',
    ssa: validSsaClaims(alpha, { software_redirect_uris: ['https://alpha.tpp.example/callback#x'] }),
  },
  {
    name: 'relative redirect URI',
    claims: { ...pkjwt(), redirect_uris: ['foo'] },
    error: 'invalid_redirect_uri',
    message: /not an absolute URL/,
  },
  {
    name: 'redirect URI over 256 characters',
    claims: { ...pkjwt(), redirect_uris: [`https://alpha.tpp.example/${'a'.repeat(250)}`] },
    error: 'invalid_redirect_uri',
    message: /longer than 256/,
  },
  {
    name: 'redirect_uris as a string',
    claims: { ...pkjwt(), redirect_uris: 'https://alpha.tpp.example/callback' },
    error: 'invalid_redirect_uri',
    message: /non-empty JSON array/,
  },
  {
    name: 'redirect_uris null',
    claims: { ...pkjwt(), redirect_uris: null },
    error: 'invalid_redirect_uri',
    message: /non-empty JSON array/,
  },
  {
    name: 'empty redirect_uris',
    claims: { ...pkjwt(), redirect_uris: [] },
    error: 'invalid_redirect_uri',
    message: /non-empty JSON array/,
  },
  {
    name: 'missing token_endpoint_auth_method',
    claims: without(pkjwt(), 'token_endpoint_auth_method'),
    error: 'invalid_client_metadata',
    message: /token_endpoint_auth_method is required/,
  },
  {
    name: 'client_secret_basic',
    claims: { ...pkjwt(), token_endpoint_auth_method: 'client_secret_basic' },
    error: 'invalid_client_metadata',
    message: /not supported/,
    deviation: 'accept-unknown-auth-method',
  },
  {
    name: 'auth method none',
    claims: { ...pkjwt(), token_endpoint_auth_method: 'none' },
    error: 'invalid_client_metadata',
    message: /not supported/,
    deviation: 'accept-unknown-auth-method',
  },
  {
    name: 'private_key_jwt without a signing alg',
    claims: without(pkjwt(), 'token_endpoint_auth_signing_alg'),
    error: 'invalid_client_metadata',
    message: /token_endpoint_auth_signing_alg is required/,
    deviation: 'skip-signing-alg-required',
  },
  {
    name: 'signing alg RS256',
    claims: { ...pkjwt(), token_endpoint_auth_signing_alg: 'RS256' },
    error: 'invalid_client_metadata',
    message: /PS256 or ES256/,
    deviation: 'accept-weak-signing-alg',
  },
  {
    name: 'signing alg HS256',
    claims: { ...pkjwt(), token_endpoint_auth_signing_alg: 'HS256' },
    error: 'invalid_client_metadata',
    message: /PS256 or ES256/,
    deviation: 'accept-weak-signing-alg',
  },
  {
    name: 'tls_client_auth without a DN',
    claims: without(tls(), 'tls_client_auth_subject_dn'),
    error: 'invalid_client_metadata',
    message: /tls_client_auth_subject_dn is required/,
    deviation: 'skip-tls-dn-required',
  },
  {
    name: 'the DN with private_key_jwt',
    claims: { ...pkjwt(), tls_client_auth_subject_dn: alpha.transport.subjectDn },
    error: 'invalid_client_metadata',
    message: /only when token_endpoint_auth_method is tls_client_auth/,
  },
  {
    name: 'a malformed DN',
    claims: { ...tls(), tls_client_auth_subject_dn: 'not a dn' },
    error: 'invalid_client_metadata',
    message: /not an RFC 4514 DN/,
  },
  {
    name: 'a DN over 128 characters (3.3)',
    claims: { ...tls(), tls_client_auth_subject_dn: `CN=${'a'.repeat(130)}` },
    error: 'invalid_client_metadata',
    message: /1 to 128 characters/,
  },
  {
    name: 'a 3.4 DN not starting with CN=',
    claims: { ...tls('3.4'), tls_client_auth_subject_dn: 'O=OpenBanking,CN=abc' },
    error: 'invalid_client_metadata',
    message: /does not match the spec 3.4 pattern/,
    spec: '3.4',
  },
  {
    name: 'the 3.1 DN name in 3.3',
    claims: { ...without(tls(), 'tls_client_auth_subject_dn'), tls_client_auth_dn: alpha.transport.subjectDn },
    error: 'invalid_client_metadata',
    message: /tls_client_auth_dn is not defined in spec 3.3/,
  },
  {
    name: 'tls_client_auth_san_dns',
    claims: { ...tls(), tls_client_auth_san_dns: 'alpha.tpp.example' },
    error: 'invalid_client_metadata',
    message: /tls_client_auth_san_dns is not supported/,
  },
  {
    name: 'missing grant_types',
    claims: without(pkjwt(), 'grant_types'),
    error: 'invalid_client_metadata',
    message: /grant_types is required/,
  },
  {
    name: 'empty grant_types',
    claims: { ...pkjwt(), grant_types: [] },
    error: 'invalid_client_metadata',
    message: /non-empty array/,
  },
  {
    name: 'grant type password',
    claims: { ...pkjwt(), grant_types: ['password', 'authorization_code'] },
    error: 'invalid_client_metadata',
    message: /"password" is not supported/,
    deviation: 'accept-unknown-grant-type',
  },
  {
    name: 'grant type implicit',
    claims: { ...pkjwt(), grant_types: ['implicit', 'authorization_code'] },
    error: 'invalid_client_metadata',
    message: /"implicit" is not supported/,
    deviation: 'accept-unknown-grant-type',
  },
  {
    name: 'the CIBA grant in 3.2',
    claims: {
      ...requestClaims({ spec: '3.2' }),
      grant_types: ['urn:openid:params:grant-type:ciba'],
      response_types: [],
    },
    error: 'invalid_client_metadata',
    message: /not supported in spec 3.2/,
    spec: '3.2',
  },
  {
    name: 'response_types id_token token (DCR-011)',
    claims: { ...pkjwt(), response_types: ['id_token', 'token'] },
    error: 'invalid_client_metadata',
    message: /"id_token" is not supported/,
    deviation: 'accept-unsupported-response-type',
  },
  {
    name: 'response type code without authorization_code',
    claims: { ...pkjwt(), grant_types: ['client_credentials'], response_types: ['code'] },
    error: 'invalid_client_metadata',
    message: /needs the authorization_code grant/,
  },
  {
    name: 'scope as an array in 3.3',
    claims: { ...pkjwt(), scope: ['openid', 'accounts'] },
    error: 'invalid_client_metadata',
    message: /space-separated string/,
  },
  {
    name: 'scope as a string in 3.1',
    claims: { ...requestClaims({ spec: '3.1' }), scope: 'openid accounts' },
    error: 'invalid_client_metadata',
    message: /non-empty array of scope strings/,
    spec: '3.1',
  },
  {
    name: 'an unknown scope',
    claims: { ...pkjwt(), scope: 'openid accounts foo' },
    error: 'invalid_client_metadata',
    message: /scope "foo" is not supported/,
  },
  {
    name: 'a scope beyond the SSA roles',
    claims: requestClaims({ tpp: gamma, claims: { scope: 'openid accounts payments' } }),
    error: 'invalid_client_metadata',
    message: /"payments" is not allowed by the software statement's software_roles/,
    ssa: validSsaClaims(gamma),
    deviation: 'accept-scope-beyond-roles',
  },
  {
    name: 'scope over 256 characters',
    claims: { ...pkjwt(), scope: `openid ${'accounts '.repeat(40)}` },
    error: 'invalid_client_metadata',
    message: /1 to 256 characters/,
  },
  {
    name: 'missing application_type',
    claims: without(pkjwt(), 'application_type'),
    error: 'invalid_client_metadata',
    message: /application_type is required/,
  },
  {
    name: 'application_type native in 3.3',
    claims: { ...pkjwt(), application_type: 'native' },
    error: 'invalid_client_metadata',
    message: /application_type "native" is not supported/,
  },
  {
    name: 'application_type mobile in 3.4',
    claims: { ...requestClaims({ spec: '3.4' }), application_type: 'mobile' },
    error: 'invalid_client_metadata',
    message: /application_type "mobile" is not supported/,
    spec: '3.4',
  },
  {
    name: 'missing id_token_signed_response_alg',
    claims: without(pkjwt(), 'id_token_signed_response_alg'),
    error: 'invalid_client_metadata',
    message: /id_token_signed_response_alg is required/,
  },
  {
    name: 'id_token_signed_response_alg RS256',
    claims: { ...pkjwt(), id_token_signed_response_alg: 'RS256' },
    error: 'invalid_client_metadata',
    message: /id_token_signed_response_alg "RS256"/,
  },
  {
    name: 'request_object_signing_alg none',
    claims: { ...pkjwt(), request_object_signing_alg: 'none' },
    error: 'invalid_client_metadata',
    message: /request_object_signing_alg "none"/,
  },
  {
    name: 'request_object_signing_alg as an array',
    claims: { ...pkjwt(), request_object_signing_alg: ['PS256'] },
    error: 'invalid_client_metadata',
    message: /request_object_signing_alg \["PS256"\]/,
  },
  {
    name: 'software_id of another software',
    claims: { ...pkjwt(), software_id: beta.softwareId },
    error: 'invalid_client_metadata',
    message: /must match the software statement's software_id/,
    deviation: 'skip-software-id-match',
  },
  {
    name: 'jwks by value',
    claims: { ...pkjwt(), jwks: { keys: [] } },
    error: 'invalid_client_metadata',
    message: /jwks by value is not accepted/,
    deviation: 'accept-jwks-by-value',
  },
  {
    name: 'a jwks_uri off the SSA',
    claims: { ...pkjwt(), jwks_uri: 'https://evil.example/jwks' },
    error: 'invalid_client_metadata',
    message: /must be the software statement's software_jwks_endpoint/,
  },
  {
    name: 'an encrypted id_token',
    claims: { ...pkjwt(), id_token_encrypted_response_alg: 'RSA-OAEP', id_token_encrypted_response_enc: 'A256GCM' },
    error: 'invalid_client_metadata',
    message: /is not supported: this bank does not encrypt/,
  },
  {
    name: 'an encryption enc without its alg',
    claims: { ...pkjwt(), id_token_encrypted_response_enc: 'A256GCM' },
    error: 'invalid_client_metadata',
    message: /requires id_token_encrypted_response_alg/,
  },
  {
    name: 'a sector_identifier_uri',
    claims: { ...pkjwt(), sector_identifier_uri: 'https://alpha.tpp.example/sector.json' },
    error: 'invalid_client_metadata',
    message: /sector_identifier_uri/,
  },
  {
    name: 'an http logo_uri',
    claims: { ...pkjwt(), logo_uri: 'http://alpha.tpp.example/logo.png' },
    error: 'invalid_client_metadata',
    message: /logo_uri must be an https URL/,
  },
  {
    name: 'an http initiate_login_uri',
    claims: { ...pkjwt(), initiate_login_uri: 'http://alpha.tpp.example/login' },
    error: 'invalid_client_metadata',
    message: /initiate_login_uri must be an https URL/,
  },
  {
    name: 'a negative default_max_age',
    claims: { ...pkjwt(), default_max_age: -1 },
    error: 'invalid_client_metadata',
    message: /default_max_age must be a non-negative integer/,
  },
  {
    name: 'require_auth_time as a string',
    claims: { ...pkjwt(), require_auth_time: 'true' },
    error: 'invalid_client_metadata',
    message: /require_auth_time must be a boolean/,
  },
  {
    name: 'unbound tokens asked for',
    claims: { ...pkjwt(), tls_client_certificate_bound_access_tokens: false },
    error: 'invalid_client_metadata',
    message: /tls_client_certificate_bound_access_tokens must be true/,
  },
  {
    name: 'require_signed_request_object false',
    claims: { ...pkjwt(), require_signed_request_object: false },
    error: 'invalid_client_metadata',
    message: /require_signed_request_object must be true/,
  },
  {
    name: 'CIBA without a delivery mode',
    claims: { ...pkjwt(), grant_types: ['urn:openid:params:grant-type:ciba'], response_types: [] },
    error: 'invalid_client_metadata',
    message: /backchannel_token_delivery_mode is required/,
  },
  {
    name: 'CIBA push',
    claims: {
      ...pkjwt(),
      grant_types: ['urn:openid:params:grant-type:ciba'],
      response_types: [],
      backchannel_token_delivery_mode: 'push',
    },
    error: 'invalid_client_metadata',
    message: /backchannel_token_delivery_mode "push"/,
  },
  {
    name: 'CIBA ping without a notification endpoint',
    claims: {
      ...pkjwt(),
      grant_types: ['urn:openid:params:grant-type:ciba'],
      response_types: [],
      backchannel_token_delivery_mode: 'ping',
      backchannel_authentication_request_signing_alg: 'PS256',
    },
    error: 'invalid_client_metadata',
    message: /backchannel_client_notification_endpoint must be an https URL/,
  },
  {
    name: 'CIBA user code true',
    claims: {
      ...pkjwt(),
      grant_types: ['urn:openid:params:grant-type:ciba'],
      response_types: [],
      backchannel_token_delivery_mode: 'poll',
      backchannel_authentication_request_signing_alg: 'PS256',
      backchannel_user_code_parameter_supported: true,
    },
    error: 'invalid_client_metadata',
    message: /must be false/,
  },
  {
    name: 'CIBA fields without the CIBA grant',
    claims: { ...pkjwt(), backchannel_token_delivery_mode: 'poll' },
    error: 'invalid_client_metadata',
    message: /must be specified only if grant_types includes/,
  },
]

describe('registeredMetadata: each rule rejects its violation', () => {
  for (const c of REJECTED) {
    it(`rejects ${c.name}`, async () => {
      await rejectsWith(() => check(c.claims, { spec: c.spec, ssa: c.ssa }), c.error, c.message)
    })
  }
})

describe('registeredMetadata: each metadata deviation switches off exactly its rule', () => {
  for (const c of REJECTED.filter(x => x.deviation)) {
    it(`${c.deviation} accepts ${c.name}`, () => {
      check(c.claims, { spec: c.spec, ssa: c.ssa, deviations: [c.deviation as DeviationName] })
    })
  }
  it('request-object-alg-as-array and scope-as-array change the response shape', () => {
    assert.deepEqual(
      check(requestClaims(), { deviations: ['request-object-alg-as-array'] }).request_object_signing_alg,
      ['PS256'],
    )
    assert.ok(Array.isArray(check(requestClaims(), { deviations: ['scope-as-array'] }).scope))
  })
})

describe('metadata the software statement owns (RFC 7591 §3.1.1)', () => {
  const conflicting = {
    client_name: 'Not the SSA name',
    logo_uri: 'https://elsewhere.example/logo.png',
    client_uri: 'https://elsewhere.example/',
    policy_uri: 'https://elsewhere.example/policy',
    tos_uri: 'https://elsewhere.example/tos',
  }
  it('the body values are validated but not registered', () => {
    const out = check(requestClaims({ claims: conflicting }))
    for (const k of Object.keys(conflicting)) assert.equal(out[k], undefined, k)
  })
  it('body-metadata-overrides-ssa registers them', () => {
    const out = check(requestClaims({ claims: conflicting }), { deviations: ['body-metadata-overrides-ssa'] })
    for (const [k, v] of Object.entries(conflicting)) assert.equal(out[k], v, k)
  })
})

describe('checkTransportCertMatchesSoftware (OBTransport and OBWAC certificate profiles)', () => {
  const cert = (cn: string, ou?: string, organizationIdentifier?: string) =>
    ({ cn, ou, organizationIdentifier }) as ClientCert
  it("accepts the software's OBTransport certificate and its organisation's OBWAC certificate", () => {
    checkTransportCertMatchesSoftware(testBank(), cert(alpha.softwareId, alpha.orgId), validSsaClaims())
    for (const id of [`PSDGB-OB-${alpha.orgId}`, `PSDGB-OB-Unknown${alpha.orgId}`]) {
      checkTransportCertMatchesSoftware(testBank(), cert(alpha.orgId, undefined, id), validSsaClaims())
    }
  })
  it("rejects another software's or organisation's certificate, naming both profiles and the option", async () => {
    const cases: [ClientCert, RegExp][] = [
      [cert(beta.softwareId, beta.orgId), /OBTransport: .*is not a certificate of software .*CN and the org id as OU/],
      [cert(alpha.softwareId, beta.orgId), /OU=".*"\) is not a certificate of software/],
      [cert(beta.orgId, undefined, `PSDGB-OB-${beta.orgId}`), /OBWAC: .*is not a certificate of organisation/],
      [cert(alpha.orgId, undefined, `PSDGB-OB-${beta.orgId}`), /organizationIdentifier "PSDGB-OB-/],
    ]
    for (const [c, message] of cases) {
      await rejectsWith(
        () => checkTransportCertMatchesSoftware(testBank(), c, validSsaClaims()),
        'unapproved_software_statement',
        message,
      )
      await rejectsWith(
        () => checkTransportCertMatchesSoftware(testBank(), c, validSsaClaims()),
        'unapproved_software_statement',
        /--no-transport-cert-check/,
      )
    }
  })
  it('is switched off by the option and by skip-transport-software-match', () => {
    checkTransportCertMatchesSoftware(testBank({ transportCertMustMatchSoftware: false }), cert('x'), validSsaClaims())
    checkTransportCertMatchesSoftware(
      testBank({ deviations: ['skip-transport-software-match'] }),
      cert('x'),
      validSsaClaims(),
    )
  })
})

describe('response_types default only with the authorization_code grant (security review item 12)', () => {
  it('grant_types client_credentials without response_types registers no response_types', () => {
    const out = check(without({ ...pkjwt(), grant_types: ['client_credentials'] }, 'response_types'))
    assert.deepEqual(out.grant_types, ['client_credentials'])
    assert.equal(out.response_types, undefined)
  })
  it('with authorization_code the default is still code id_token', () => {
    assert.deepEqual(check(without(pkjwt(), 'response_types')).response_types, ['code id_token'])
  })
})

describe('CIBA poll mode refuses a notification endpoint (security review item 17)', () => {
  it('backchannel_client_notification_endpoint with poll: invalid_client_metadata, not dropped', async () => {
    await rejectsWith(
      () =>
        check({
          ...pkjwt(),
          grant_types: ['urn:openid:params:grant-type:ciba', 'client_credentials'],
          response_types: [],
          backchannel_token_delivery_mode: 'poll',
          backchannel_client_notification_endpoint: 'https://alpha.tpp.example/ciba',
          backchannel_authentication_request_signing_alg: 'PS256',
        }),
      'invalid_client_metadata',
      /must not be sent when backchannel_token_delivery_mode is poll/,
    )
  })
})

describe('tls_client_auth_subject_dn must identify the registering certificate (NEG-META-38)', () => {
  const bank = testBank()
  const certOf = (tpp: typeof alpha) =>
    ({ subject: parseDn(tpp.transport.subjectDn), subjectText: tpp.transport.subjectDn }) as ClientCert
  it("accepts the presented certificate's DN, refuses another TPP's; the deviations let it through", async () => {
    registeredMetadata(bank, tls(), validSsaClaims(), certOf(alpha))
    await rejectsWith(
      () => registeredMetadata(bank, tls(), validSsaClaims(), certOf(gamma)),
      'invalid_client_metadata',
      /does not identify the transport certificate presented with this request/,
    )
    for (const deviation of ['register-any-subject-dn', 'skip-dn-match'] as const) {
      registeredMetadata(testBank({ deviations: [deviation] }), tls(), validSsaClaims(), certOf(gamma))
    }
  })
})
