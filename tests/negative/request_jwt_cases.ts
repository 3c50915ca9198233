/**
 * NEG-JWT: the signed registration request itself — media type, JWS form, signature and header,
 * and the JWT claims iss, iat, exp, nbf, aud, jti (catalogue §2.3; OB DCR data dictionary and
 * "Of JWS & JWKS"; FAPI 1 Advanced §8.6; RFC 7519 §4.1).
 */
import { control, ensureSucceeded } from '../../fixtures/controls.ts'
import {
  ANY_REGISTRATION_ERROR,
  type CaseContext,
  publicJwk,
  type RegistrationCase,
  refused,
  signed,
  ssaClaimsOf,
  unknownRsaKey,
  x5cOf,
} from './cases.ts'

/** The codes of a request the bank cannot accept as metadata (CDR: invalid_client_metadata; WSO2: invalid_request). */
const BAD_REQUEST = refused(['invalid_client_metadata', 'invalid_request'])
const METADATA = refused(['invalid_client_metadata'])
const ANY = refused(ANY_REGISTRATION_ERROR)

const JWS = ['OBDCR-Of-JWS-and-JWKS', 'RFC7515-7.1']
const CLAIMS = ['OBDCR-data-dictionary', 'RFC7519-4.1']

/** A different, well-formed software id (22 Base62 characters). */
const OTHER_SOFTWARE_ID = 'Zz0OtherSoftwareId0000'

async function twoParts(c: CaseContext) {
  const a = await signed(c)
  return { body: a.body.split('.').slice(0, 2).join('.') }
}

/**
 * The request's previous JWS: on POST a request registered just now (the case's control: the same
 * request, sent the first time, is accepted), on PUT the one that registered the client.
 */
async function usedRequest(c: CaseContext) {
  if (c.client) return { body: c.client.jws }
  return control('the same request, sent the first time, is accepted: 201', async () => {
    const first = await signed(c)
    ensureSucceeded(await c.tpp.dcr.register(first.body), 201)
    return first
  })
}

export const REQUEST_JWT_CASES: readonly RegistrationCase[] = [
  {
    id: 'NEG-JWT-01',
    title: 'rejects a signed request sent as application/json',
    spec: ['OBDCR-POST-register', 'RFC9110-15.5.16'],
    send: async c => ({ ...(await signed(c)), contentType: 'application/json' }),
    // 415 is the HTTP answer; a 400 is acceptable (catalogue: profile).
    expect: refused(['invalid_client_metadata', 'invalid_request'], [415, 400]),
  },
  {
    id: 'NEG-JWT-02',
    title: 'rejects a request JWT of two parts',
    spec: [...JWS, 'RFC7591-3.2.2'],
    send: twoParts,
    expect: BAD_REQUEST,
  },
  {
    id: 'NEG-JWT-02',
    title: 'rejects a request JWT whose parts are not base64url',
    spec: [...JWS, 'RFC7591-3.2.2'],
    send: async () => ({ body: '!!!.???.###' }),
    expect: BAD_REQUEST,
  },
  {
    id: 'NEG-JWT-02',
    title: 'rejects the registration claims as plain JSON instead of a signed JWT',
    spec: [...JWS, 'RFC7591-3.2.2'],
    send: async c => {
      const a = await signed(c)
      return { body: JSON.stringify(a.claims) }
    },
    expect: BAD_REQUEST,
  },
  {
    id: 'NEG-JWT-03',
    title: 'rejects an empty body',
    spec: ['OBDCR-POST-register', 'RFC7591-3.2.2'],
    send: async () => ({ body: '' }),
    expect: BAD_REQUEST,
  },
  {
    id: 'NEG-JWT-04',
    title: 'rejects a request signed by a key that is not in the software JWKS',
    spec: JWS,
    send: c => signed(c, { signer: { key: unknownRsaKey(), kid: 'not-in-the-software-jwks', alg: 'PS256' } }),
    expect: BAD_REQUEST,
  },
  {
    id: 'NEG-JWT-04',
    title: "rejects a request signed by another key under the software key's kid",
    spec: JWS,
    send: c => signed(c, { signer: { key: unknownRsaKey(), kid: c.tpp.profile.signing.kid, alg: 'PS256' } }),
    expect: BAD_REQUEST,
  },
  {
    id: 'NEG-JWT-04',
    title: 'rejects a request whose signature was altered',
    spec: JWS,
    send: c => signed(c, { broken: 'tampered-signature' }),
    expect: BAD_REQUEST,
  },
  {
    id: 'NEG-JWT-05',
    title: 'rejects an unsigned request (alg none)',
    spec: ['FAPI1-ADV-8.6', ...JWS],
    send: c => signed(c, { broken: 'alg-none' }),
    expect: ANY,
  },
  {
    id: 'NEG-JWT-05',
    title: "rejects a request signed HS256 with the software's public key as the secret",
    spec: ['FAPI1-ADV-8.6', 'RFC8725-3.1'],
    send: c => signed(c, { broken: 'hs256-with-public-key' }),
    expect: ANY,
  },
  {
    id: 'NEG-JWT-05',
    title: 'rejects a request signed RS256 with the software key',
    spec: ['FAPI1-ADV-8.6', 'OBDCR-POST-register'],
    notFor: t =>
      t.tpp.signing.key.asymmetricKeyType === 'rsa'
        ? undefined
        : `the TPP's signing key is ${t.tpp.signing.key.asymmetricKeyType}, so it cannot sign RS256`,
    send: c => signed(c, { alg: 'RS256' }),
    expect: ANY,
  },
  ...(['x5c', 'jwk', 'x5u', 'jku'] as const).map(
    (member): RegistrationCase => ({
      id: 'NEG-JWT-06',
      title: `rejects a request whose JOSE header carries ${member}`,
      spec: JWS,
      send: async c => {
        const ssa = await c.tpp.ssa()
        const jwksUrl = String(ssaClaimsOf(ssa).software_jwks_endpoint ?? 'https://keystore.example/software.jwks')
        const header = {
          x5c: { x5c: [x5cOf(c.tpp.profile.transport.cert)] },
          jwk: { jwk: publicJwk(c.tpp.profile.signing) },
          x5u: { x5u: 'https://keystore.example/transport.pem' },
          // The software's own JWKS URL: even the right key must not be pointed at from the header.
          jku: { jku: jwksUrl },
        }[member]
        return signed(c, { ssa, header })
      },
      expect: ANY,
    }),
  ),
  {
    id: 'NEG-JWT-07',
    title: 'rejects a request whose exp has passed',
    spec: CLAIMS,
    // iat is moved back too, so that only the expiry is wrong.
    send: c => signed(c, { claims: { iat: '-2h', exp: '-1h' } }),
    expect: METADATA,
  },
  ...(['exp', 'iat', 'jti', 'iss'] as const).map(
    (claim): RegistrationCase => ({
      id: 'NEG-JWT-08',
      title: `rejects a request without ${claim}`,
      spec: [...CLAIMS, 'OBDCR-OBClientRegistration1'],
      send: c => signed(c, { claims: { [claim]: undefined } }),
      expect: METADATA,
    }),
  ),
  {
    id: 'NEG-JWT-09',
    title: 'rejects a request issued an hour in the future (iat)',
    spec: ['RFC7519-4.1.6', 'OBDCR-data-dictionary'],
    send: c => signed(c, { claims: { iat: '+1h', exp: '+2h' } }),
    expect: ANY,
  },
  {
    id: 'NEG-JWT-09',
    title: 'rejects a request not valid before an hour from now (nbf)',
    spec: ['RFC7519-4.1.5'],
    send: c => signed(c, { claims: { nbf: '+1h', exp: '+2h' } }),
    expect: ANY,
  },
  {
    id: 'NEG-JWT-10',
    title: 'rejects a request without aud',
    spec: CLAIMS,
    send: c => signed(c, { claims: { aud: undefined } }),
    expect: METADATA,
  },
  {
    id: 'NEG-JWT-10',
    title: 'rejects a request whose aud names another ASPSP',
    spec: CLAIMS,
    send: c => signed(c, { claims: { aud: '0015800000AnotherBank' } }),
    expect: METADATA,
  },
  {
    id: 'NEG-JWT-11',
    title: "rejects a request whose iss is not the software statement's software_id",
    spec: ['OBDCR-data-dictionary'],
    send: c => signed(c, { claims: { iss: OTHER_SOFTWARE_ID } }),
    expect: METADATA,
  },
  ...[
    ['empty', ''],
    ['longer than 22 characters', '123456789012345678901234567890'],
    ['not Base62', 'foo.is/invalid'],
  ].map(
    ([what, iss]): RegistrationCase => ({
      id: 'NEG-JWT-12',
      title: `rejects a request whose iss is ${what}`,
      spec: ['OBDCR-data-dictionary', 'OBDCR-OBClientRegistration1'],
      send: c => signed(c, { claims: { iss } }),
      expect: ANY,
    }),
  ),
  {
    id: 'NEG-JWT-13',
    title: 'rejects a request whose jti was already used',
    spec: ['OBDCR-data-dictionary', 'RFC7519-4.1.7'],
    ownControl: true,
    send: usedRequest,
    expect: METADATA,
  },
  ...[
    ['not a UUID', 'not-a-uuid'],
    ['a UUID of version 1', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
  ].map(
    ([what, jti]): RegistrationCase => ({
      id: 'NEG-JWT-14',
      title: `rejects a request whose jti is ${what}`,
      spec: ['OBDCR-data-dictionary', 'OBDCR-OBClientRegistration1'],
      send: c => signed(c, { claims: { jti } }),
      expect: ANY,
    }),
  ),
]
