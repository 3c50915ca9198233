/** Signature verification with cached keys: the right key and alg verify; every confusion is refused. */
import assert from 'node:assert/strict'
import { constants, generateKeyPairSync, sign } from 'node:crypto'
import { describe, it } from 'node:test'
import { signerFromFile, signJws, tamperSignature } from '../../fixtures/builders/jose.ts'
import { joseHeaderProblem, KeySet } from '../src/crypto/jose.ts'
import { alpha } from './support.ts'

const ps256 = alpha.signing.publicJwk
const es256 = alpha.signingEs256.publicJwk
const set = new KeySet({ keys: [ps256, es256] })
const psSigner = signerFromFile(alpha.signing.keyPath, alpha.signing.kid, 'PS256')
const esSigner = signerFromFile(alpha.signingEs256.keyPath, alpha.signingEs256.kid, 'ES256')

describe('KeySet.verify', () => {
  it('verifies PS256 and ES256 with their keys, and says invalid for a flipped bit', async () => {
    const ps = await signJws({ a: 1 }, psSigner)
    const es = await signJws({ a: 1 }, esSigner)
    assert.equal(set.verify(ps, alpha.signing.kid, 'PS256'), 'valid')
    assert.equal(set.verify(es, alpha.signingEs256.kid, 'ES256'), 'valid')
    assert.equal(set.verify(tamperSignature(ps), alpha.signing.kid, 'PS256'), 'invalid')
    assert.equal(set.verify(tamperSignature(es), alpha.signingEs256.kid, 'ES256'), 'invalid')
  })
  it('refuses an alg the key was not made for, an unknown alg and an unknown kid', async () => {
    const ps = await signJws({ a: 1 }, psSigner)
    assert.equal(set.verify(ps, alpha.signing.kid, 'ES256'), 'unusable-key')
    assert.equal(set.verify(ps, alpha.signingEs256.kid, 'PS256'), 'unusable-key')
    assert.equal(set.verify(ps, alpha.signing.kid, 'HS256'), 'unusable-key')
    assert.equal(set.verify(ps, alpha.signing.kid, 'none'), 'unusable-key')
    assert.equal(set.verify(ps, 'nope', 'PS256'), 'no-such-key')
  })
  it('refuses private and symmetric JWKs, and RSA keys under 2048 bits', async () => {
    const { privateKey: small } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const smallJwk = { ...small.export({ format: 'jwk' }), kid: 'small' }
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...smallPublic } = smallJwk
    const weird = new KeySet({
      keys: [smallPublic, { ...smallJwk, kid: 'private' }, { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' }],
    })
    // jose will not sign with a 1024-bit key: sign by hand.
    const input = `${Buffer.from('{"alg":"PS256","kid":"small"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}`
    const sig = sign('sha256', Buffer.from(input), {
      key: small,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    })
    const jws = `${input}.${sig.toString('base64url')}`
    assert.equal(weird.verify(jws, 'small', 'PS256'), 'unusable-key')
    assert.equal(weird.verify(jws, 'private', 'PS256'), 'unusable-key')
    assert.equal(weird.verify(jws, 'oct', 'PS256'), 'unusable-key')
  })
})

describe('KeySet: use, key_ops, kids (security review item 6)', () => {
  it('a key declared for encryption, or without "verify" in key_ops, verifies nothing', async () => {
    const ps = await signJws({ a: 1 }, psSigner)
    for (const jwk of [
      { ...ps256, use: 'enc' },
      { ...ps256, use: undefined, key_ops: ['encrypt'] },
      { ...ps256, use: undefined, key_ops: 'verify' },
    ]) {
      assert.equal(
        new KeySet({ keys: [jwk] }).verify(ps, alpha.signing.kid, 'PS256'),
        'unusable-key',
        JSON.stringify(jwk),
      )
    }
    assert.equal(
      new KeySet({ keys: [{ ...ps256, key_ops: ['verify'] }] }).verify(ps, alpha.signing.kid, 'PS256'),
      'valid',
    )
  })
  it('two suitable keys under one kid are ambiguous: the last one does not win', async () => {
    const ps = await signJws({ a: 1 }, psSigner)
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...intruder } = privateKey.export({ format: 'jwk' })
    const twice = new KeySet({ keys: [ps256, { ...intruder, kid: alpha.signing.kid, alg: 'PS256', use: 'sig' }] })
    assert.equal(twice.verify(ps, alpha.signing.kid, 'PS256'), 'ambiguous-key')
    // Under one kid, one RSA and one EC key: each alg finds its one key.
    const mixed = new KeySet({ keys: [ps256, { ...es256, kid: alpha.signing.kid }] })
    assert.equal(mixed.verify(ps, alpha.signing.kid, 'PS256'), 'valid')
  })
  it('keys without kid are kept in the set, not dropped', () => {
    const { kid: _kid, ...noKid } = ps256
    assert.equal(new KeySet({ keys: [noKid, es256] }).size, 2)
  })
})

describe('joseHeaderProblem: crit and b64 (RFC 7515 §4.1.11, RFC 7797)', () => {
  it('refuses crit naming any extension, a malformed crit and b64 false; accepts the rest', () => {
    assert.match(String(joseHeaderProblem({ alg: 'PS256', crit: ['exp'], exp: 1 })), /does not understand/)
    assert.match(String(joseHeaderProblem({ alg: 'PS256', crit: [] })), /non-empty array/)
    assert.match(String(joseHeaderProblem({ alg: 'PS256', crit: 'b64' })), /non-empty array/)
    assert.match(String(joseHeaderProblem({ alg: 'PS256', b64: false })), /unencoded payload/)
    assert.equal(joseHeaderProblem({ alg: 'PS256', kid: 'k', typ: 'JWT' }), undefined)
    assert.equal(joseHeaderProblem({ alg: 'PS256', b64: true }), undefined)
  })
})
