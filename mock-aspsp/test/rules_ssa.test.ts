/** The software statement rules: each accepts a valid SSA and rejects its violation. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { signerFromFile, signJws, signWithHeader, tamperSignature, unsecuredJwt } from '../../fixtures/builders/jose.ts'
import { decodeJws } from '../src/crypto/jose.ts'
import {
  checkSsaClaims,
  checkSsaSignature,
  checkSsaUnused,
  parseSoftwareStatement,
} from '../src/profiles/uk_ob/rules/ssa.ts'
import { alpha, pki, rejectsWith, ssaFor, testBank, validSsaClaims } from './support.ts'

const now = () => Math.floor(Date.now() / 1000)
const untrustedSigner = () => signerFromFile(pki.directory.untrusted.keyPath, pki.directory.untrusted.kid)

describe('parseSoftwareStatement (software_statement 1..1, a JWT)', () => {
  const bank = testBank()
  it('decodes an SSA', async () => {
    parseSoftwareStatement(bank, { software_statement: await ssaFor() })
  })
  it('rejects a missing, null, empty, non-string or non-JWT software_statement', async () => {
    await rejectsWith(
      () => parseSoftwareStatement(bank, {}),
      'invalid_software_statement',
      /software_statement is required/,
    )
    await rejectsWith(
      () => parseSoftwareStatement(bank, { software_statement: null }),
      'invalid_software_statement',
      /required/,
    )
    await rejectsWith(
      () => parseSoftwareStatement(bank, { software_statement: '' }),
      'invalid_software_statement',
      /required/,
    )
    await rejectsWith(
      () => parseSoftwareStatement(bank, { software_statement: 42 }),
      'invalid_software_statement',
      /must be a string/,
    )
    await rejectsWith(
      () => parseSoftwareStatement(bank, { software_statement: 'not-a-jwt' }),
      'invalid_software_statement',
      /3 parts/,
    )
  })
  it('accept-missing-ssa lets a request without SSA through', () => {
    parseSoftwareStatement(testBank({ deviations: ['accept-missing-ssa'] }), {})
  })
})

describe('checkSsaSignature (trusted directory key, PS256/ES256)', () => {
  it('accepts an SSA signed by the directory key', async () => {
    await checkSsaSignature(testBank(), decodeJws(await ssaFor()))
  })
  it('rejects an SSA whose signature was altered (invalid_software_statement)', async () => {
    const ssa = tamperSignature(await ssaFor())
    await rejectsWith(
      () => checkSsaSignature(testBank(), decodeJws(ssa)),
      'invalid_software_statement',
      /signature does not verify/,
    )
  })
  it('rejects an SSA signed by an untrusted key (unapproved_software_statement)', async () => {
    const ssa = await signJws(validSsaClaims(), untrustedSigner())
    await rejectsWith(
      () => checkSsaSignature(testBank(), decodeJws(ssa)),
      'unapproved_software_statement',
      /not in the trusted directory JWKS/,
    )
  })
  it("--trust-directory-jwks trusts another directory's keys, from a file or an https URL", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'directory-')), 'other.jwks')
    writeFileSync(file, JSON.stringify({ keys: [pki.directory.untrusted.publicJwk] }))
    const ssa = decodeJws(await signJws(validSsaClaims(), untrustedSigner()))
    await rejectsWith(
      () => checkSsaSignature(testBank(), ssa),
      'unapproved_software_statement',
      /--trust-directory-jwks/,
    )
    await checkSsaSignature(testBank({ trustedDirectoryJwks: [file] }), ssa)
    // An https JWKS (here answered by msw for the keystore host, like a real directory's keystore).
    const revoked = signerFromFile(alpha.revokedSigning.keyPath, alpha.revokedSigning.kid)
    const other = decodeJws(await signJws(validSsaClaims(), revoked))
    const url = `https://keystore.openbankingtest.org.uk/${alpha.orgId}/revoked/${alpha.softwareId}.jwks`
    await checkSsaSignature(testBank({ trustedDirectoryJwks: [url] }), other)
    await rejectsWith(
      () => checkSsaSignature(testBank({ trustedDirectoryJwks: [`${url}.missing`] }), other),
      'unapproved_software_statement',
      /the directory JWKS https:.*\.missing could not be read: .*404/,
    )
  })
  it('rejects an untrusted key that claims the trusted kid', async () => {
    const ssa = await signJws(validSsaClaims(), { ...untrustedSigner(), kid: pki.directory.signing.kid })
    await rejectsWith(
      () => checkSsaSignature(testBank(), decodeJws(ssa)),
      'invalid_software_statement',
      /does not verify/,
    )
  })
  it('rejects alg none and RS256', async () => {
    await rejectsWith(
      () => checkSsaSignature(testBank(), decodeJws(unsecuredJwt(validSsaClaims()))),
      'invalid_software_statement',
      /alg "none" is not allowed/,
    )
    const rs = await signJws(validSsaClaims(), {
      ...signerFromFile(pki.directory.signing.keyPath, pki.directory.signing.kid),
      alg: 'RS256',
    })
    await rejectsWith(
      () => checkSsaSignature(testBank(), decodeJws(rs)),
      'invalid_software_statement',
      /alg "RS256" is not allowed/,
    )
  })
  it('caches a verified SSA by its bytes, and never caches a failure', async () => {
    const bank = testBank()
    const good = await ssaFor()
    await checkSsaSignature(bank, decodeJws(good))
    await checkSsaSignature(bank, decodeJws(good))
    const bad = tamperSignature(good)
    await rejectsWith(() => checkSsaSignature(bank, decodeJws(bad)), 'invalid_software_statement', /does not verify/)
    await rejectsWith(() => checkSsaSignature(bank, decodeJws(bad)), 'invalid_software_statement', /does not verify/)
  })
  it('deviations: skip-ssa-signature, trust-any-ssa-signer, accept-unsigned-ssa', async () => {
    await checkSsaSignature(
      testBank({ deviations: ['skip-ssa-signature'] }),
      decodeJws(tamperSignature(await ssaFor())),
    )
    await checkSsaSignature(
      testBank({ deviations: ['trust-any-ssa-signer'] }),
      decodeJws(await signJws(validSsaClaims(), untrustedSigner())),
    )
    await checkSsaSignature(
      testBank({ deviations: ['accept-unsigned-ssa'] }),
      decodeJws(unsecuredJwt(validSsaClaims())),
    )
  })
})

describe('checkSsaClaims (issuer, times, required claims, status)', () => {
  const bank = testBank()
  it('accepts the directory SSA claims', () => {
    checkSsaClaims(bank, validSsaClaims(), now())
  })
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['an untrusted iss', { iss: 'Some Other Directory' }, 'unapproved_software_statement', /not a trusted SSA issuer/],
    ['no iss', { iss: undefined }, 'invalid_software_statement', /has no iss/],
    ['iat in the future', { iat: now() + 3600 }, 'invalid_software_statement', /iat .* is in the future/],
    ['exp passed', { exp: now() - 3600 }, 'invalid_software_statement', /exp .* has passed/],
    ['no software_id', { software_id: undefined }, 'invalid_software_statement', /has no software_id/],
    [
      'a software_id that is not Base62',
      { software_id: 'not base62!' },
      'invalid_software_statement',
      /not 1 to 22 Base62/,
    ],
    ['no org_id', { org_id: undefined }, 'invalid_software_statement', /has no org_id/],
    [
      'no software_jwks_endpoint',
      { software_jwks_endpoint: undefined },
      'invalid_software_statement',
      /has no software_jwks_endpoint/,
    ],
    [
      'an http software_jwks_endpoint',
      { software_jwks_endpoint: 'http://x/jwks' },
      'invalid_software_statement',
      /not an https URL/,
    ],
    [
      'no software_redirect_uris',
      { software_redirect_uris: undefined },
      'invalid_software_statement',
      /software_redirect_uris/,
    ],
    ['unknown roles', { software_roles: ['ROOT'] }, 'invalid_software_statement', /software_roles/],
    ['org_status Revoked', { org_status: 'Revoked' }, 'unapproved_software_statement', /not Active/],
  ]
  for (const [name, patch, error, message] of cases) {
    it(`rejects ${name}`, async () => {
      const claims = validSsaClaims(alpha, patch)
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete claims[k]
      await rejectsWith(() => checkSsaClaims(bank, claims, now()), error, message)
    })
  }
  it('accepts org_status in another case ("active")', () => {
    checkSsaClaims(bank, validSsaClaims(alpha, { org_status: 'active' }), now())
  })
  it('rejects an organisation the directory lists as Revoked even if the SSA says Active', async () => {
    const revoked = pki.tpps.revoked
    if (!revoked) throw new Error('no revoked TPP in the PKI')
    await rejectsWith(
      () => checkSsaClaims(bank, validSsaClaims(revoked, { org_status: 'Active' }), now()),
      'unapproved_software_statement',
      /is Revoked in the directory/,
    )
  })
  it('deviations: trust-any-ssa-issuer, accept-inactive-software', () => {
    checkSsaClaims(
      testBank({ deviations: ['trust-any-ssa-issuer'] }),
      validSsaClaims(alpha, { iss: 'Elsewhere' }),
      now(),
    )
    checkSsaClaims(
      testBank({ deviations: ['accept-inactive-software'] }),
      validSsaClaims(alpha, { org_status: 'Revoked' }),
      now(),
    )
  })
  it('accept-expired-ssa accepts a passed exp, and nothing else', async () => {
    const bank = testBank({ deviations: ['accept-expired-ssa'] })
    checkSsaClaims(bank, validSsaClaims(alpha, { exp: now() - 3600 }), now())
    await rejectsWith(
      () => checkSsaClaims(bank, validSsaClaims(alpha, { iat: now() + 3600 }), now()),
      'invalid_software_statement',
      /in the future/,
    )
  })
})

describe('crash-on-malformed-jws (a malformed SSA answers 500)', () => {
  it('turns the format error into server_error; a missing SSA is still invalid_software_statement', async () => {
    const bank = testBank({ deviations: ['crash-on-malformed-jws'] })
    await rejectsWith(() => parseSoftwareStatement(bank, { software_statement: 'not-a-jwt' }), 'server_error', /./)
    await rejectsWith(() => parseSoftwareStatement(bank, {}), 'invalid_software_statement', /required/)
  })
})

describe('checkSsaUnused (the single-use SSA option)', () => {
  it('by default an SSA may be used again', async () => {
    const bank = testBank()
    const ssa = decodeJws(await ssaFor())
    checkSsaUnused(bank, ssa, now())
    checkSsaUnused(bank, ssa, now())
  })
  it('with ssaSingleUse the second use of the same SSA (by jti, else by its bytes) is refused', async () => {
    const bank = testBank({ ssaSingleUse: true })
    const ssa = decodeJws(await ssaFor())
    checkSsaUnused(bank, ssa, now())
    await rejectsWith(() => checkSsaUnused(bank, ssa, now()), 'invalid_software_statement', /already been used/)
    checkSsaUnused(bank, decodeJws(await ssaFor()), now())
    const noJti = decodeJws(await ssaFor(alpha, { jti: undefined }))
    checkSsaUnused(bank, noJti, now())
    await rejectsWith(() => checkSsaUnused(bank, noJti, now()), 'invalid_software_statement', /already been used/)
  })
})

describe('checkSsaClaims: nbf, and numeric times (NEG-SSA-19, security review item 7)', () => {
  const bank = testBank()
  for (const [name, patch, message] of [
    ['nbf an hour ahead', { nbf: now() + 3600 }, /nbf .* is in the future/],
    ['nbf as a string', { nbf: String(now()) }, /nbf must be a NumericDate/],
    ['exp as a fraction', { exp: now() + 3600.5 }, /exp must be a NumericDate/],
    ['iat as a string', { iat: String(now()) }, /iat must be a NumericDate/],
  ] as const) {
    it(`rejects ${name}`, async () => {
      await rejectsWith(
        () => checkSsaClaims(bank, validSsaClaims(alpha, patch), now()),
        'invalid_software_statement',
        message,
      )
    })
  }
  it('accepts nbf now, and accept-future-ssa-nbf lets a future nbf through', () => {
    checkSsaClaims(bank, validSsaClaims(alpha, { nbf: now() }), now())
    checkSsaClaims(
      testBank({ deviations: ['accept-future-ssa-nbf'] }),
      validSsaClaims(alpha, { nbf: now() + 3600 }),
      now(),
    )
  })
})

describe('checkSsaSignature: crit and b64 (NEG-SSA-19, security review item 6)', () => {
  it('refuses an SSA whose header has crit or b64 false, although the directory signed it', async () => {
    const d = pki.directory.signing
    const signer = signerFromFile(d.keyPath, d.kid)
    for (const header of [
      { crit: ['urn:example:ext'], 'urn:example:ext': 1 },
      { b64: false, crit: ['b64'] },
    ]) {
      const ssa = signWithHeader(validSsaClaims(), signer, header)
      await rejectsWith(
        () => checkSsaSignature(testBank(), decodeJws(ssa)),
        'invalid_software_statement',
        /header "crit"|"b64"/,
      )
    }
  })
})
