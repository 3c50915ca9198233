/**
 * NEG-META: the client metadata of a registration request (catalogue §2.5; OB DCR data dictionary
 * per version; RFC 7591 §2; RFC 8705 §2.1; OpenID Connect Registration §2; FAPI 1 Advanced).
 *
 * Where SSAs can be minted, a redirect URI under test is also put into the SSA, so that only the
 * rule under test (https, no loopback, no fragment, length) can refuse it.
 *
 * Not applicable (fixtures/catalogue/checks.ts): NEG-META-09 (a CDR host rule) and NEG-META-33 (a
 * vendor's client_name policy). NEG-META-36 checks malformed and non-https URIs; whether a bank
 * fetches them to see that they are reachable is its own business (OIDC Registration §2 asks for no fetch).
 */
import { generateKeyPairSync } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { reversedDn } from '../../fixtures/builders/dn.ts'
import { type AuthMethod, dnClaim } from '../../fixtures/builders/registration.ts'
import { ROLE_SCOPES } from '../../fixtures/builders/ssa.ts'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import type { Capability, Target } from '../../fixtures/targets/types.ts'
import { recordAnswer } from '../checks/annotations.ts'
import { bodyOf, checkRedirectUris, checkScopeWithinRequested } from '../checks/registration.ts'
import {
  type Acceptance,
  type CaseContext,
  publicJwk,
  type RegistrationCase,
  redirectsInSsa,
  refused,
  signed,
  ssaClaimsOf,
} from './cases.ts'

const METADATA = refused(['invalid_client_metadata'])
const REDIRECT = refused(['invalid_redirect_uri'])
/** OIDF accepts either code for a redirect URI the SSA does not allow; RFC 7591 names invalid_redirect_uri. */
const REDIRECT_OR_METADATA = refused(['invalid_redirect_uri', 'invalid_client_metadata'])

const DD = 'OBDCR-data-dictionary'
const TLS_AUTH: readonly Capability[] = ['auth:tls_client_auth']
const PKJWT: readonly Capability[] = ['auth:private_key_jwt']
const CIBA = 'urn:openid:params:grant-type:ciba'

const tlsClaims = (c: CaseContext) => ({
  authMethod: 'tls_client_auth' as AuthMethod,
  dn: dnClaim(c.target.specVersion),
})

/** A case that sends the usual request with these claim overrides (`undefined` removes one). */
function withClaims(
  id: string,
  title: string,
  spec: readonly string[],
  claims: Record<string, unknown>,
  expect: RegistrationCase['expect'] = METADATA,
  extra: Partial<RegistrationCase> = {},
): RegistrationCase {
  return { id, title, spec, send: c => signed(c, { claims }), expect, ...extra }
}

/** An acceptance that applied a default for an omitted member and says which (RFC 7591 §3.2.1). */
function defaultApplied(member: string, valid: (v: unknown, t: Target) => boolean, what: string): Acceptance {
  return {
    label: `a default ${member} applied`,
    check: async (ex, _attempt, c) =>
      test.step(
        `the registration returns the ${member} it applied, ${what} [RFC7591-3.2.1]`,
        async () => {
          const v = bodyOf(ex)[member]
          expect.soft(valid(v, c.target), `${member} was ${JSON.stringify(v ?? null)}`).toBe(true)
          recordAnswer(member, JSON.stringify(v ?? null))
        },
        { box: true },
      ),
  }
}

/** An acceptance that ignored a member (did not register the value sent). */
function ignored(member: string, allowed: (v: unknown) => boolean, what: string): Acceptance {
  return {
    label: `${member} ignored`,
    check: async ex =>
      test.step(
        `${member} is not registered as sent: ${what} [RFC7591-2]`,
        async () => {
          const v = bodyOf(ex)[member]
          expect.soft(allowed(v), `${member} was registered as ${JSON.stringify(v)}`).toBe(true)
        },
        { box: true },
      ),
  }
}

const isFapiAlg = (v: unknown) => v === 'PS256' || v === 'ES256'

/** A redirect URI case: the URI(s) registered, put into the SSA where it can be minted. */
function redirectCase(id: string, title: string, uris: string[], expect = REDIRECT): RegistrationCase {
  return {
    id,
    title,
    spec: [DD, 'RFC6749-3.1.2', 'RFC7591-2'],
    send: c => signed(c, redirectsInSsa(c, uris)),
    expect,
  }
}

export const METADATA_CASES: readonly RegistrationCase[] = [
  // --- redirect_uris ---
  {
    id: 'NEG-META-01',
    title: "refuses, or registers the software statement's redirect URIs for, a request without redirect_uris",
    spec: [DD, 'RFC7591-2', 'OIDCR-2'],
    send: c => signed(c, { claims: { redirect_uris: undefined } }),
    expect: {
      refused: { errors: ['invalid_redirect_uri', 'invalid_client_metadata'] },
      accepted: {
        label: "the software statement's redirect URIs registered",
        // OB DCR: "the entire contents of the software_redirect_uris element in the SSA are considered to be requested".
        check: async (ex: Exchange, attempt) =>
          checkRedirectUris(ex, ssaClaimsOf(attempt.ssa ?? '').software_redirect_uris as string[], DD),
      },
    },
  },
  {
    id: 'NEG-META-02',
    title: "rejects a redirect URI that is not among the software statement's",
    spec: [DD, 'RFC7591-2'],
    send: c => signed(c, { redirectUris: [`https://not-in-the-ssa.tpp.example/callback`] }),
    expect: REDIRECT_OR_METADATA,
  },
  {
    id: 'NEG-META-03',
    title: "rejects several redirect URIs of which one is not among the software statement's",
    spec: [DD, 'RFC7591-2'],
    send: c =>
      signed(c, {
        redirectUris: [c.tpp.profile.redirectUris[0] as string, `https://not-in-the-ssa.tpp.example/callback`],
      }),
    expect: REDIRECT,
  },
  redirectCase('NEG-META-04', 'rejects a relative redirect URI', ['foo']),
  redirectCase('NEG-META-04', 'rejects a redirect URI that is only a path', ['/callback']),
  redirectCase('NEG-META-05', 'rejects a redirect URI with a fragment', ['https://tpp.example/callback#frag']),
  redirectCase('NEG-META-06', 'rejects an http redirect URI', ['http://tpp.example/callback']),
  redirectCase('NEG-META-06', 'rejects a localhost redirect URI', ['https://localhost/callback']),
  redirectCase('NEG-META-06', 'rejects a 127.0.0.1 redirect URI', ['https://127.0.0.1/callback']),
  redirectCase('NEG-META-06', 'rejects a *.localhost redirect URI', ['https://app.localhost/callback']),
  ...(
    [
      ['null', () => null],
      ['a string, not an array', (c: CaseContext) => c.tpp.profile.redirectUris[0]],
      ['one comma-separated string', (c: CaseContext) => c.tpp.profile.redirectUris.join(',')],
    ] as const
  ).map(
    ([what, value]): RegistrationCase => ({
      id: 'NEG-META-07',
      title: `rejects redirect_uris given as ${what}`,
      spec: [DD, 'RFC7591-2'],
      send: c => signed(c, { claims: { redirect_uris: value(c) } }),
      expect: REDIRECT_OR_METADATA,
    }),
  ),
  redirectCase('NEG-META-08', 'rejects a redirect URI longer than 256 characters', [
    `https://tpp.example/${'a'.repeat(250)}`,
  ]),
  // --- token_endpoint_auth_method and what each method needs ---
  withClaims('NEG-META-10', 'rejects a request without token_endpoint_auth_method', [DD, 'FAPI1-ADV-5.2.2'], {
    token_endpoint_auth_method: undefined,
  }),
  ...['client_secret_basic', 'none', 'foo', null].map(method =>
    withClaims('NEG-META-11', `rejects token_endpoint_auth_method ${JSON.stringify(method)}`, [DD, 'FAPI1-ADV-5.2.2'], {
      token_endpoint_auth_method: method,
    }),
  ),
  {
    id: 'NEG-META-12',
    title: 'refuses, or applies a FAPI default to, private_key_jwt without token_endpoint_auth_signing_alg',
    spec: [DD, 'FAPI1-ADV-8.6'],
    requires: PKJWT,
    send: c => signed(c, { authMethod: 'private_key_jwt', claims: { token_endpoint_auth_signing_alg: undefined } }),
    expect: {
      refused: { errors: ['invalid_client_metadata'] },
      accepted: defaultApplied('token_endpoint_auth_signing_alg', isFapiAlg, 'PS256 or ES256'),
    },
  },
  ...['HS256', 'RS256', 'none', 'foo'].map(alg => ({
    ...withClaims('NEG-META-13', `rejects token_endpoint_auth_signing_alg ${alg}`, [DD, 'FAPI1-ADV-8.6'], {
      token_endpoint_auth_signing_alg: alg,
    }),
    requires: PKJWT,
    send: (c: CaseContext) =>
      signed(c, { authMethod: 'private_key_jwt', claims: { token_endpoint_auth_signing_alg: alg } }),
  })),
  ...(
    [
      ['without id_token_signed_response_alg', undefined],
      ['with id_token_signed_response_alg null', null],
      ['with id_token_signed_response_alg RS256', 'RS256'],
      ['with id_token_signed_response_alg none', 'none'],
    ] as const
  ).map(([what, alg]) =>
    withClaims('NEG-META-14', `rejects a request ${what}`, [DD, 'FAPI1-ADV-8.6'], {
      id_token_signed_response_alg: alg,
    }),
  ),
  {
    id: 'NEG-META-15',
    title: 'refuses, or applies a FAPI default to, a request without request_object_signing_alg',
    spec: [DD, 'FAPI1-ADV-8.6'],
    send: c => signed(c, { claims: { request_object_signing_alg: undefined } }),
    expect: {
      refused: { errors: ['invalid_client_metadata'] },
      accepted: defaultApplied('request_object_signing_alg', isFapiAlg, 'PS256 or ES256, as a string'),
    },
  },
  ...[null, 'none', 'RS256', 'foo'].map(alg =>
    withClaims('NEG-META-15', `rejects request_object_signing_alg ${JSON.stringify(alg)}`, [DD, 'FAPI1-ADV-8.6'], {
      request_object_signing_alg: alg,
    }),
  ),
  {
    id: 'NEG-META-16',
    title: 'rejects tls_client_auth without the subject DN',
    spec: [DD, 'RFC8705-2.1'],
    requires: TLS_AUTH,
    send: c => {
      const { authMethod, dn } = tlsClaims(c)
      return signed(c, { authMethod, claims: { [dn]: undefined } })
    },
    expect: METADATA,
  },
  ...(
    [
      ['tls_client_auth_san_dns instead of the subject DN', 'tls_client_auth_san_dns', 'tpp.example', true],
      ['tls_client_auth_san_dns besides the subject DN', 'tls_client_auth_san_dns', 'tpp.example', false],
      ['tls_client_auth_san_uri besides the subject DN', 'tls_client_auth_san_uri', 'https://tpp.example/', false],
      ['tls_client_auth_san_ip besides the subject DN', 'tls_client_auth_san_ip', '192.0.2.1', false],
      ['tls_client_auth_san_email besides the subject DN', 'tls_client_auth_san_email', 'tpp@tpp.example', false],
    ] as const
  ).map(
    ([what, member, value, instead]): RegistrationCase => ({
      id: 'NEG-META-17',
      title: `rejects tls_client_auth with ${what}`,
      spec: ['RFC8705-2.1', DD],
      requires: TLS_AUTH,
      send: c => {
        const { authMethod, dn } = tlsClaims(c)
        return signed(c, { authMethod, claims: { [member]: value, ...(instead ? { [dn]: undefined } : {}) } })
      },
      expect: METADATA,
    }),
  ),
  ...(
    [
      ['that is not an RFC 4514 DN', () => 'not a distinguished name'],
      ['longer than 512 characters', () => `CN=${'a'.repeat(520)},O=OpenBanking,C=GB`],
      ['with an empty RDN', () => 'CN=abc,,O=OpenBanking'],
      // The certificate's own DN, RDNs reversed: only the pattern can refuse it, not "names another certificate".
      ['not starting with CN= (OB DCR 3.4 pattern)', (c: CaseContext) => reversedDn(c.tpp.profile.transport.subjectDn)],
    ] as const
  ).map(
    ([what, dnValue], i): RegistrationCase => ({
      id: 'NEG-META-18',
      title: `rejects a subject DN ${what}`,
      spec: ['RFC4514-3', DD, 'OBDCR-3.4-tls_client_auth_subject_dn'],
      requires: TLS_AUTH,
      ...(i === 3
        ? { notFor: (t: Target) => (t.specVersion === '3.4' ? undefined : 'the CN= pattern is OB DCR 3.4 only') }
        : {}),
      send: c => {
        const { authMethod, dn } = tlsClaims(c)
        return signed(c, { authMethod, claims: { [dn]: dnValue(c) } })
      },
      expect: METADATA,
    }),
  ),
  {
    id: 'NEG-META-19',
    title: 'refuses, or ignores, a subject DN sent with private_key_jwt',
    spec: [DD, 'RFC8705-2.1'],
    requires: PKJWT,
    send: c =>
      signed(c, {
        authMethod: 'private_key_jwt',
        claims: { [dnClaim(c.target.specVersion)]: c.tpp.profile.transport.subjectDn },
      }),
    expect: t => ({
      refused: { errors: ['invalid_client_metadata'] },
      accepted: ignored(dnClaim(t.specVersion), v => v === undefined, 'a private_key_jwt client has no subject DN'),
    }),
  },
  // --- grant_types and response_types ---
  {
    id: 'NEG-META-20',
    title: 'refuses, or applies a default to, a request without grant_types',
    spec: [DD, 'RFC7591-2'],
    send: c => signed(c, { claims: { grant_types: undefined, response_types: undefined } }),
    expect: {
      refused: { errors: ['invalid_client_metadata'] },
      accepted: defaultApplied(
        'grant_types',
        v => Array.isArray(v) && v.length > 0,
        'a non-empty array (RFC 7591: authorization_code)',
      ),
    },
  },
  withClaims('NEG-META-20', 'rejects an empty grant_types', [DD, 'RFC7591-2'], { grant_types: [] }),
  ...(
    [
      // Beside the request's usual grants, so that only the unsupported value is wrong.
      ['password', ['authorization_code', 'client_credentials', 'password']],
      ['implicit', ['authorization_code', 'client_credentials', 'implicit']],
      ['foo', ['authorization_code', 'client_credentials', 'foo']],
      ['null', null],
    ] as const
  ).map(([what, grants]) =>
    withClaims('NEG-META-21', `rejects grant_types with ${what}`, [DD, 'RFC7591-2'], { grant_types: grants }),
  ),
  withClaims(
    'NEG-META-22',
    'rejects response_types code without the authorization_code grant',
    ['RFC7591-2.1', 'OIDCR-2'],
    { grant_types: ['client_credentials'], response_types: ['code'] },
  ),
  withClaims(
    'NEG-META-22',
    'rejects response_types code id_token with the client_credentials grant only',
    ['RFC7591-2.1', 'OIDCR-2'],
    { grant_types: ['client_credentials'], response_types: ['code id_token'] },
  ),
  ...[['id_token', 'token'], ['token'], ['code token']].map(rt =>
    withClaims('NEG-META-23', `rejects response_types ${JSON.stringify(rt)}`, [DD, 'OBDCR-DCR-011'], {
      response_types: rt,
    }),
  ),
  // --- application_type, scope ---
  {
    id: 'NEG-META-24',
    title: 'refuses, or applies a default to, a request without application_type',
    spec: [DD, 'OIDCR-2'],
    send: c => signed(c, { claims: { application_type: undefined } }),
    expect: {
      refused: { errors: ['invalid_client_metadata'] },
      accepted: defaultApplied('application_type', v => v === 'web', 'web (OIDC Registration §2)'),
    },
  },
  ...[null, 'desktop'].map(type =>
    withClaims('NEG-META-24', `rejects application_type ${JSON.stringify(type)}`, [DD, 'OIDCR-2'], {
      application_type: type,
    }),
  ),
  {
    id: 'NEG-META-25',
    title: "refuses, or applies the software statement's roles as default to, a request without scope",
    spec: [DD, 'OBDCR-Data-Mapping'],
    send: c => signed(c, { claims: { scope: undefined } }),
    expect: {
      refused: { errors: ['invalid_client_metadata'] },
      accepted: {
        label: 'default scopes applied',
        check: async (ex, attempt) => {
          const roles = (ssaClaimsOf(attempt.ssa ?? '').software_roles ?? []) as (keyof typeof ROLE_SCOPES)[]
          await checkScopeWithinRequested(ex, ['openid', ...roles.map(r => ROLE_SCOPES[r])])
        },
      },
    },
  },
  {
    id: 'NEG-META-25',
    title: 'rejects a scope the bank does not know',
    spec: [DD, 'RFC7591-2'],
    send: c => signed(c, { scopes: ['openid', 'accounts', 'conformance-unknown-scope'] }),
    expect: METADATA,
  },
  {
    id: 'NEG-META-25',
    title: 'rejects a scope longer than 256 characters',
    spec: [DD, 'OBDCR-OBRegistrationProperties1'],
    // 3.1 sends scope as an array, which has no 256-character limit.
    notFor: t => (t.specVersion === '3.1' ? 'OB DCR 3.1 sends scope as an array without that limit' : undefined),
    send: c => signed(c, { scopes: ['openid', ...Array.from({ length: 30 }, () => 'accounts')] }),
    expect: METADATA,
  },
  // --- keys ---
  {
    id: 'NEG-META-26',
    title: 'rejects a JWKS sent by value',
    spec: ['OBDCR-Of-JWS-and-JWKS', 'RFC7591-2'],
    send: c => signed(c, { claims: { jwks: { keys: [publicJwk(c.tpp.profile.signing)] } } }),
    expect: METADATA,
  },
  withClaims('NEG-META-27', "rejects a jwks_uri other than the software statement's", ['OBDCR-Of-JWS-and-JWKS'], {
    jwks_uri: 'https://elsewhere.tpp.example/jwks.json',
  }),
  {
    id: 'NEG-META-28',
    title: 'rejects jwks and jwks_uri together',
    spec: ['RFC7591-2'],
    send: async c => {
      const ssa = await c.tpp.ssa()
      return signed(c, {
        ssa,
        claims: {
          jwks: { keys: [publicJwk(c.tpp.profile.signing)] },
          jwks_uri: ssaClaimsOf(ssa).software_jwks_endpoint,
        },
      })
    },
    expect: METADATA,
  },
  {
    id: 'NEG-META-29',
    title: 'rejects a JWKS holding a private key',
    spec: ['RFC7517-9', 'RFC7591-2'],
    send: c => {
      const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
      return signed(c, { claims: { jwks: { keys: [{ ...jwk, kid: 'private', use: 'sig' }] } } })
    },
    expect: METADATA,
  },
  withClaims('NEG-META-29', 'rejects a JWKS holding a symmetric (oct) key', ['RFC7517-9', 'RFC7591-2'], {
    jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0LWtleS1tYXRlcmlhbA', kid: 'symmetric' }] },
  }),
  // --- encryption, types, FAPI flags, URIs ---
  withClaims('NEG-META-30', 'rejects an id_token encryption alg the bank does not support', ['OIDCR-2'], {
    id_token_encrypted_response_alg: 'RSA1_5',
    id_token_encrypted_response_enc: 'A128CBC-HS256',
  }),
  ...['id_token_encrypted_response', 'userinfo_encrypted_response', 'request_object_encryption'].map(prefix =>
    withClaims('NEG-META-30', `rejects ${prefix}_enc without ${prefix}_alg`, ['OIDCR-2'], {
      [`${prefix}_enc`]: 'A256GCM',
    }),
  ),
  ...(
    [
      ['grant_types as a string', { grant_types: 'client_credentials' }],
      ['require_auth_time as the string "true"', { require_auth_time: 'true' }],
      ['a negative default_max_age', { default_max_age: -1 }],
    ] as const
  ).map(([what, claims]) => withClaims('NEG-META-31', `rejects ${what}`, ['RFC7591-2', 'OIDCR-2'], claims)),
  ...['tls_client_certificate_bound_access_tokens', 'require_signed_request_object'].map(
    (member): RegistrationCase => ({
      id: 'NEG-META-32',
      title: `refuses, or does not register, ${member} false`,
      spec: ['RFC8705-3.4', 'FAPI1-ADV-5.2.2'],
      send: c => signed(c, { claims: { [member]: false } }),
      expect: {
        refused: { errors: ['invalid_client_metadata'] },
        accepted: ignored(member, v => v === undefined || v === true, 'FAPI requires it'),
      },
    }),
  ),
  withClaims('NEG-META-34', 'rejects an http initiate_login_uri', ['OIDCR-2'], {
    initiate_login_uri: 'http://tpp.example/login',
  }),
  withClaims('NEG-META-35', 'rejects an http sector_identifier_uri', ['OIDCR-5'], {
    sector_identifier_uri: 'http://tpp.example/sector.json',
  }),
  withClaims('NEG-META-35', 'rejects a sector_identifier_uri that does not list the redirect URIs', ['OIDCR-5'], {
    sector_identifier_uri: 'https://unlisted.tpp.example/sector.json',
  }),
  ...(
    [
      ['logo_uri', 'not a URI'],
      ['client_uri', 'http://tpp.example/'],
      ['policy_uri', 'javascript:alert(1)'],
      ['tos_uri', ''],
    ] as const
  ).map(([member, value]) =>
    withClaims('NEG-META-36', `rejects ${member} ${JSON.stringify(value)}`, ['OIDCR-2'], { [member]: value }),
  ),
  // --- CIBA (OB DCR 3.3+: backchannel_* rows; FAPI-CIBA) ---
  ...(
    [
      ['without backchannel_token_delivery_mode', {}],
      ['with delivery mode push', { backchannel_token_delivery_mode: 'push' }],
      ['with delivery mode ping and no notification endpoint', { backchannel_token_delivery_mode: 'ping' }],
      [
        'with backchannel_user_code_parameter_supported true',
        { backchannel_token_delivery_mode: 'poll', backchannel_user_code_parameter_supported: true },
      ],
    ] as const
  ).map(([what, claims]) =>
    withClaims('NEG-META-37', `rejects a CIBA client ${what}`, [DD, 'FAPI-CIBA-5.2.2'], {
      grant_types: [CIBA],
      response_types: [],
      backchannel_authentication_request_signing_alg: 'PS256',
      ...claims,
    }),
  ),
]
