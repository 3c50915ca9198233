/** The registration request rules: each accepts a valid request and rejects its violation. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  decodeJws as decodeUnverified,
  hs256WithPublicKey,
  signerFromFile,
  signJws,
  unsecuredJwt,
} from '../../fixtures/builders/jose.ts'
import { decodeJws } from '../src/crypto/jose.ts'
import {
  checkIssIsSoftwareId,
  checkRequestClaims,
  checkRequestHeader,
  checkRequestJtiUnused,
  checkRequestMediaType,
  checkRequestSignature,
} from '../src/profiles/uk_ob/rules/request.ts'
import { parseRequestJws } from '../src/shared/signed_inputs.ts'
import {
  alpha,
  beta,
  pki,
  rejectsWith,
  requestClaims,
  signedRequest,
  softwareSigner,
  testBank,
  validSsaClaims,
} from './support.ts'

const now = () => Math.floor(Date.now() / 1000)

describe('checkRequestMediaType (OB DCR: application/jose or application/jwt)', () => {
  const bank = testBank()
  it('accepts application/jose and application/jwt, with parameters and in any case', () => {
    for (const t of ['application/jose', 'application/jwt', 'Application/JOSE; charset=utf-8'])
      checkRequestMediaType(bank, t)
  })
  it('rejects application/json and a missing Content-Type', async () => {
    await rejectsWith(
      () => checkRequestMediaType(bank, 'application/json'),
      'invalid_client_metadata',
      /Content-Type must be/,
    )
    await rejectsWith(() => checkRequestMediaType(bank, undefined), 'invalid_client_metadata', /got "none"/)
  })
  it('the accept-any-request-content-type deviation lets application/json through', () => {
    checkRequestMediaType(testBank({ deviations: ['accept-any-request-content-type'] }), 'application/json')
  })
})

describe('parseRequestJws', () => {
  it('decodes a compact JWS', async () => {
    const jws = parseRequestJws(await signedRequest())
    assert.equal(jws.payload.iss, alpha.softwareId)
  })
  it('rejects an empty body, 2 or 4 parts, a JWE, bad base64url and non-object JSON', async () => {
    await rejectsWith(() => parseRequestJws(''), 'invalid_client_metadata', /empty/)
    await rejectsWith(() => parseRequestJws('a.b'), 'invalid_client_metadata', /3 parts, found 2/)
    await rejectsWith(() => parseRequestJws('a.b.c.d.e'), 'invalid_client_metadata', /JWE/)
    await rejectsWith(() => parseRequestJws('!!.e30.e30'), 'invalid_client_metadata', /header is not base64url/)
    const arr = Buffer.from('[1]').toString('base64url')
    await rejectsWith(
      () => parseRequestJws(`e30.${arr}.sig`),
      'invalid_client_metadata',
      /payload is not a JSON object/,
    )
  })
})

describe('crash-on-malformed-jws (a malformed request answers 500)', () => {
  it('turns an empty or malformed body into server_error; a valid one still parses', async () => {
    const bank = testBank({ deviations: ['crash-on-malformed-jws'] })
    await rejectsWith(() => parseRequestJws('', bank), 'server_error', /./)
    await rejectsWith(() => parseRequestJws('a.b', bank), 'server_error', /./)
    assert.equal(parseRequestJws(await signedRequest(), bank).payload.iss, alpha.softwareId)
  })
})

describe('checkRequestHeader (FAPI: PS256/ES256, kid, no embedded key)', () => {
  const bank = testBank()
  it('accepts PS256 and ES256 with a kid', () => {
    checkRequestHeader(bank, { alg: 'PS256', kid: 'k' })
    checkRequestHeader(bank, { alg: 'ES256', kid: 'k' })
  })
  it('rejects RS256, none and HS256', async () => {
    for (const alg of ['RS256', 'none', 'HS256']) {
      await rejectsWith(
        () => checkRequestHeader(bank, { alg, kid: 'k' }),
        'invalid_client_metadata',
        /alg .* is not allowed/,
      )
    }
  })
  it('the accept-rs256-request deviation accepts RS256 only', async () => {
    const lax = testBank({ deviations: ['accept-rs256-request'] })
    checkRequestHeader(lax, { alg: 'RS256', kid: 'k' })
    await rejectsWith(() => checkRequestHeader(lax, { alg: 'none', kid: 'k' }), 'invalid_client_metadata', /alg/)
  })
  it('rejects x5c, x5u, jwk and jku', async () => {
    for (const h of ['x5c', 'x5u', 'jwk', 'jku']) {
      await rejectsWith(
        () => checkRequestHeader(bank, { alg: 'PS256', kid: 'k', [h]: 'x' }),
        'invalid_client_metadata',
        new RegExp(`must not carry "${h}"`),
      )
    }
  })
  it('rejects a missing kid and crit', async () => {
    await rejectsWith(() => checkRequestHeader(bank, { alg: 'PS256' }), 'invalid_client_metadata', /no kid/)
    await rejectsWith(
      () => checkRequestHeader(bank, { alg: 'PS256', kid: 'k', crit: ['b64'] }),
      'invalid_client_metadata',
      /crit/,
    )
  })
})

describe('checkRequestClaims (iss, iat, exp, aud, jti)', () => {
  const bank = testBank()
  const ok = () => requestClaims()
  it('accepts a valid request, with aud as the org id or the issuer', () => {
    checkRequestClaims(bank, ok(), now())
    checkRequestClaims(bank, { ...ok(), aud: bank.endpoints.issuer }, now())
  })
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing iss', { iss: undefined }, /iss is required/],
    ['missing iat', { iat: undefined }, /iat is required/],
    ['missing exp', { exp: undefined }, /exp is required/],
    ['missing aud', { aud: undefined }, /aud is required/],
    ['missing jti', { jti: undefined }, /jti is required/],
    ['iss foo.is/invalid (DCR-004)', { iss: 'foo.is/invalid' }, /iss must be the software_id/],
    ['empty iss (DCR-004)', { iss: '' }, /iss must be the software_id/],
    ['30-character iss (DCR-004)', { iss: 'a'.repeat(30) }, /iss must be the software_id/],
    ['exp an hour ago (DCR-004)', { exp: now() - 3600, iat: now() - 7200 }, /exp .* has passed/],
    ['iat an hour ahead', { iat: now() + 3600, exp: now() + 7200 }, /iat .* is in the future/],
    ['nbf an hour ahead', { nbf: now() + 3600 }, /nbf .* is in the future/],
    ['exp before iat', { exp: now() + 10, iat: now() + 20 }, /exp .* must be after iat/],
    ['exp as a string', { exp: 'tomorrow' }, /exp must be a NumericDate/],
    ['aud of another bank', { aud: '0015800000SomeOther' }, /aud must name this ASPSP/],
    ['aud as an array', { aud: [pki.aspsp.orgId] }, /aud must name this ASPSP/],
    ['jti not a UUID', { jti: '37747cd1c10545699f754adf28b73e32' }, /jti must be a UUIDv4/],
    ['jti a UUIDv1', { jti: '6f1f0c1e-2d3a-11ee-be56-0242ac120002' }, /jti must be a UUIDv4/],
  ]
  for (const [name, patch, message] of cases) {
    it(`rejects ${name}`, async () => {
      const claims = { ...ok(), ...patch }
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete claims[k]
      await rejectsWith(() => checkRequestClaims(bank, claims, now()), 'invalid_client_metadata', message)
    })
  }
  it('strict audience refuses the issuer URL', async () => {
    const strict = testBank({ strictAudience: true })
    await rejectsWith(
      () => checkRequestClaims(strict, { ...ok(), aud: strict.endpoints.issuer }, now()),
      'invalid_client_metadata',
      /aud must name this ASPSP: "0015/,
    )
  })
  it('deviations relax exactly their rule', () => {
    checkRequestClaims(
      testBank({ deviations: ['accept-expired-request'] }),
      { ...ok(), exp: now() - 3600, iat: now() - 7200 },
      now(),
    )
    checkRequestClaims(testBank({ deviations: ['ignore-request-aud'] }), { ...ok(), aud: 'x' }, now())
    checkRequestClaims(testBank({ deviations: ['accept-non-uuid-jti'] }), { ...ok(), jti: 'x' }, now())
    checkRequestClaims(
      testBank({ deviations: ['accept-future-iat'] }),
      { ...ok(), iat: now() + 600, exp: now() + 900 },
      now(),
    )
  })
})

describe('checkIssIsSoftwareId (OB DCR iss = SSA software_id)', () => {
  const bank = testBank()
  it('accepts iss equal to the SSA software_id', () => {
    checkIssIsSoftwareId(bank, { iss: alpha.softwareId }, validSsaClaims())
  })
  it("rejects another software's id", async () => {
    await rejectsWith(
      () => checkIssIsSoftwareId(bank, { iss: beta.softwareId }, validSsaClaims()),
      'invalid_client_metadata',
      /must be the software statement's software_id/,
    )
  })
})

describe('checkRequestSignature (key by kid from software_jwks_endpoint)', () => {
  const bank = testBank()
  const ssa = validSsaClaims()
  it('accepts a request signed PS256 with the software key, and one signed ES256', async () => {
    await checkRequestSignature(bank, decodeJws(await signJws(requestClaims(), softwareSigner())), ssa)
    const es256 = signerFromFile(alpha.signingEs256.keyPath, alpha.signingEs256.kid, 'ES256')
    await checkRequestSignature(bank, decodeJws(await signJws(requestClaims(), es256)), ssa)
  })
  it("rejects a request signed by another software's key under its kid", async () => {
    const forged = await signJws(requestClaims(), { ...softwareSigner(beta), kid: alpha.signing.kid })
    await rejectsWith(
      () => checkRequestSignature(bank, decodeJws(forged), ssa),
      'invalid_client_metadata',
      /does not verify/,
    )
  })
  it('rejects a kid that is not in the software JWKS, and names a revoked one', async () => {
    const unknown = await signJws(requestClaims(), { ...softwareSigner(), kid: 'nope' })
    await rejectsWith(
      () => checkRequestSignature(bank, decodeJws(unknown), ssa),
      'invalid_client_metadata',
      /not in the software JWKS/,
    )
    const revoked = await signJws(
      requestClaims(),
      signerFromFile(alpha.revokedSigning.keyPath, alpha.revokedSigning.kid),
    )
    await rejectsWith(() => checkRequestSignature(bank, decodeJws(revoked), ssa), 'invalid_client_metadata', /revoked/)
  })
  it('rejects HS256 signed with the public key, and alg none, at the signature step', async () => {
    const hs = hs256WithPublicKey(requestClaims(), softwareSigner())
    await rejectsWith(
      () => checkRequestSignature(bank, decodeJws(hs), ssa),
      'invalid_client_metadata',
      /cannot verify HS256|does not verify/,
    )
    const none = unsecuredJwt(requestClaims(), { kid: alpha.signing.kid })
    await rejectsWith(
      () => checkRequestSignature(bank, decodeJws(none), ssa),
      'invalid_client_metadata',
      /cannot verify none|does not verify/,
    )
  })
  it('rejects an unreachable software_jwks_endpoint with invalid_software_statement', async () => {
    const jws = decodeJws(await signJws(requestClaims(), softwareSigner()))
    await rejectsWith(
      () =>
        checkRequestSignature(bank, jws, {
          ...ssa,
          software_jwks_endpoint: `${bank.endpoints.keystore}/nobody/nothing.jwks`,
        }),
      'invalid_software_statement',
      /software_jwks_endpoint could not be read.*404/,
    )
  })
  it('skip-request-signature accepts a forged signature', async () => {
    const forged = await signJws(requestClaims(), { ...softwareSigner(beta), kid: alpha.signing.kid })
    await checkRequestSignature(testBank({ deviations: ['skip-request-signature'] }), decodeJws(forged), ssa)
    assert.ok(decodeUnverified(forged).payload.iss)
  })
})

describe('checkRequestJtiUnused (replay)', () => {
  it('accepts a jti once and rejects it the second time, case-insensitively', async () => {
    const bank = testBank()
    const claims = requestClaims()
    checkRequestJtiUnused(bank, claims, now())
    await rejectsWith(
      () => checkRequestJtiUnused(bank, { ...claims, jti: String(claims.jti).toUpperCase() }, now()),
      'invalid_client_metadata',
      /already been used/,
    )
  })
  it('ignore-request-jti-replay accepts the replay', () => {
    const bank = testBank({ deviations: ['ignore-request-jti-replay'] })
    const claims = requestClaims()
    checkRequestJtiUnused(bank, claims, now())
    checkRequestJtiUnused(bank, claims, now())
  })
})

describe('checkRequestHeader: b64 false (security review item 6)', () => {
  it('rejects b64 false, with or without crit', async () => {
    for (const header of [{ b64: false }, { b64: false, crit: ['b64'] }]) {
      await rejectsWith(
        () => checkRequestHeader(testBank(), { alg: 'PS256', kid: 'k', ...header }),
        'invalid_client_metadata',
        /"b64"|"crit"/,
      )
    }
  })
})

describe('checkRequestClaims: a bounded lifetime (NEG-JWT-15, security review item 8)', () => {
  const bank = testBank()
  for (const [name, patch, message] of [
    ['exp 1e20', { exp: 1e20 }, /valid for at most 3600s/],
    ['iat -100 with exp 1e20', { iat: -100, exp: 1e20 }, /valid for at most 3600s/],
    ['iat a month ago, exp in five minutes', { iat: now() - 30 * 86400, exp: now() + 300 }, /valid for at most/],
    ['iat -100, exp soon', { iat: -100, exp: now() + 60 }, /valid for at most/],
  ] as const) {
    it(`rejects ${name}, naming the option`, async () => {
      await rejectsWith(
        () => checkRequestClaims(bank, { ...requestClaims(), ...patch }, now()),
        'invalid_client_metadata',
        message,
      )
    })
  }
  it('accepts an hour; maxRequestLifetime and accept-unbounded-request-lifetime change the bound', async () => {
    checkRequestClaims(bank, { ...requestClaims(), iat: now(), exp: now() + 3600 }, now())
    checkRequestClaims(testBank({ maxRequestLifetime: 86400 }), { ...requestClaims(), exp: now() + 80000 }, now())
    checkRequestClaims(
      testBank({ deviations: ['accept-unbounded-request-lifetime'] }),
      { ...requestClaims(), exp: 1e20 },
      now(),
    )
    await rejectsWith(
      () => checkRequestClaims(bank, { ...requestClaims(), exp: now() + 7200 }, now()),
      'invalid_client_metadata',
      /option maxRequestLifetime, --max-request-lifetime/,
    )
  })
})
