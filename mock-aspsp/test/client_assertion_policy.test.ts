/**
 * The client assertion policy TPPs meet first: how long an assertion may live (RFC 7523 §3 item 4;
 * catalogue NEG-TOK-14) and what happens without `kid` (OIDC Core §10.1), with the options that
 * change each named in the refusal.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clientAssertionClaims } from '../../fixtures/builders/client_assertion.ts'
import { type Claims, signJws } from '../../fixtures/builders/jose.ts'
import { parseCli } from '../src/cli.ts'
import type { MockOptions } from '../src/config/defaults.ts'
import { KeySet } from '../src/crypto/jose.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { alpha, beta, call, form, pki, register, softwareSigner } from './support.ts'

async function withMock(options: Partial<MockOptions>, fn: (mock: RunningMock) => Promise<void>) {
  const mock = await startMock({ port: 0, store: 'memory', pki, ...options })
  try {
    await fn(mock)
  } finally {
    await mock.close()
  }
}

/** client_credentials with an assertion of alpha's client: claims and JOSE header as given. */
async function tokenWith(
  mock: RunningMock,
  clientId: string,
  claims: Claims,
  header: Claims = {},
  signer = softwareSigner(),
) {
  const assertion = await signJws(clientAssertionClaims(clientId, `${mock.url}/token`, claims), signer, header)
  return call(mock, {
    method: 'POST',
    path: '/token',
    ...form({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  })
}

describe('client assertion lifetime (RFC 7523 §3 item 4)', () => {
  it('accepts the 30 and 60 minutes widely used clients sign for; refuses a day, naming --max-assertion-lifetime', async () => {
    await withMock({}, async mock => {
      const id = await register(mock)
      for (const exp of ['+30m', '+60m']) {
        const res = await tokenWith(mock, id, { exp })
        assert.equal(res.status, 200, `${exp}: ${res.text}`)
      }
      const res = await tokenWith(mock, id, { exp: '+25h' })
      assert.equal(res.status, 400, res.text)
      assert.equal(res.json.error, 'invalid_client')
      assert.match(String(res.json.error_description), /at most 3600s .*--max-assertion-lifetime/)
    })
  })
  it('--max-assertion-lifetime 300 holds clients to five minutes; accept-long-lived-assertion lifts the limit', async () => {
    assert.equal(parseCli(['--max-assertion-lifetime', '300'], {}).maxAssertionLifetime, 300)
    await withMock({ maxAssertionLifetime: 300 }, async mock => {
      const id = await register(mock)
      assert.equal((await tokenWith(mock, id, { exp: '+4m' })).status, 200)
      assert.match(String((await tokenWith(mock, id, { exp: '+30m' })).json.error_description), /at most 300s/)
    })
    await withMock({ deviations: ['accept-long-lived-assertion'] }, async mock => {
      const id = await register(mock)
      assert.equal((await tokenWith(mock, id, { exp: '+2d' })).status, 200)
      // Only the lifetime rule is off: an expired assertion is still refused.
      assert.equal((await tokenWith(mock, id, { exp: '-5m', iat: '-10m' })).status, 400)
    })
  })
})

describe('client assertion without kid (OIDC Core §10.1)', () => {
  it('refuses it when the software JWKS holds several keys, naming the rule and --try-keys-without-kid', async () => {
    await withMock({}, async mock => {
      const id = await register(mock)
      const res = await tokenWith(mock, id, {}, { kid: undefined })
      assert.equal(res.status, 400, res.text)
      assert.equal(res.json.error, 'invalid_client')
      assert.match(
        String(res.json.error_description),
        /no kid .*holds 3 keys: OIDC Core section 10\.1 .*--try-keys-without-kid/,
      )
      // control: the same assertion with its kid is accepted
      assert.equal((await tokenWith(mock, id, {})).status, 200)
    })
  })
  it('--try-keys-without-kid verifies it with the keys of its alg, and still refuses a foreign signature', async () => {
    assert.equal(parseCli(['--try-keys-without-kid'], {}).tryKeysWithoutKid, true)
    assert.equal(parseCli([], { OB_MOCK_TRY_KEYS_WITHOUT_KID: '1' }).tryKeysWithoutKid, true)
    await withMock({ tryKeysWithoutKid: true }, async mock => {
      const id = await register(mock)
      const ok = await tokenWith(mock, id, { exp: '+30m' }, { kid: undefined })
      assert.equal(ok.status, 200, ok.text)
      const foreign = await tokenWith(mock, id, {}, { kid: undefined }, softwareSigner(beta))
      assert.equal(foreign.status, 400, foreign.text)
      assert.match(String(foreign.json.error_description), /verifies with none of the 1 PS256 key/)
    })
  })
  it('KeySet.kidsFor lists the keys made for an alg, never a key for another use', () => {
    const record = new KeySet({
      keys: [
        alpha.signing.publicJwk,
        alpha.signingEs256.publicJwk,
        { ...alpha.signing.publicJwk, kid: 'no-alg', alg: undefined },
        { ...alpha.signing.publicJwk, kid: 'enc', alg: undefined, use: 'enc' },
      ],
    })
    assert.deepEqual(record.kidsFor('PS256'), [alpha.signing.kid, 'no-alg'])
    assert.deepEqual(record.kidsFor('ES256'), [alpha.signingEs256.kid])
    assert.deepEqual(record.kidsFor('HS256'), [])
  })
})
