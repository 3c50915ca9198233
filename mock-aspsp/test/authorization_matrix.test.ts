/**
 * Authorization matrix: every client management operation and the token, introspection and
 * revocation endpoints, each called with every kind of wrong credential, gets the status the
 * specs give (RFC 6750 §3.1 for management, RFC 6749 §5.2 for client authentication), and the
 * target registration, and the target's tokens, are left exactly as they were.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import { type Signer, signerFromFile } from '../../fixtures/builders/jose.ts'
import { ensurePki, type Pki, type TppIdentity } from '../../keys/pki.ts'
import { epoch } from '../src/models/store.ts'
import { tokenHash } from '../src/oauth/tokens.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { BankClient, type HttpResult, onFreePort } from './support/http.ts'
import { CLIENT_ASSERTION_TYPE, FORM, form, JOSE, json, type Registered, Tpp } from './support/tpp.ts'

type Credential =
  | 'no token'
  | 'garbage'
  | 'expired'
  | 'revoked'
  | "another client's"
  | "deleted client's"
  | 'right token, wrong certificate'
  | 'no certificate'

const CREDENTIALS: Credential[] = [
  'no token',
  'garbage',
  'expired',
  'revoked',
  "another client's",
  "deleted client's",
  'right token, wrong certificate',
  'no certificate',
]

type ManagementOp = 'GET' | 'PUT' | 'DELETE'
type FormEndpoint = 'token' | 'introspect' | 'revoke'

let mock: RunningMock
let pki: Pki
let alpha: Tpp
let beta: Tpp
let gamma: Tpp
let noCert: BankClient
/** The target of every case: private_key_jwt (alpha) and tls_client_auth (beta). */
let alphaReg: Registered
let betaReg: Registered
/** A client that has been deleted, with a token and an assertion made while it existed. */
let deleted: { reg: Registered; token: string }
/** The registrations as they were before the matrix ran. */
const snapshot = new Map<string, unknown>()

function identity(name: string): TppIdentity {
  const t = pki.tpps[name]
  if (!t) throw new Error(`no TPP ${name} in the test PKI`)
  return t
}

function signerOf(key: TppIdentity['signing']): Signer {
  return signerFromFile(key.keyPath, key.kid, key.alg)
}

/** The registration as its owner reads it now, with a fresh token over the owner's certificate. */
async function currentRegistration(tpp: Tpp, reg: Registered): Promise<HttpResult> {
  return tpp.getRegistration(reg.clientId, await tpp.token(reg))
}

/** Asserts the client still exists and its registration is byte-for-byte what it was. */
async function assertUnchanged(tpp: Tpp, reg: Registered): Promise<void> {
  const res = await currentRegistration(tpp, reg)
  assert.equal(res.status, 200, `client ${reg.clientId} must still exist: ${res.body.toString('utf8')}`)
  assert.deepEqual(json(res), snapshot.get(reg.clientId), `client ${reg.clientId} registration must be unchanged`)
}

/** Whether a token still works for client management of its owner. */
async function tokenWorks(tpp: Tpp, reg: Registered, token: string): Promise<boolean> {
  return (await tpp.getRegistration(reg.clientId, token)).status === 200
}

function expiredToken(reg: Registered, cert: TppIdentity['transport']): string {
  const value = randomBytes(32).toString('base64url')
  const now = epoch()
  mock.bank.store.insertToken({
    hash: tokenHash(value),
    kind: 'access',
    clientId: reg.clientId,
    grant: 'client_credentials',
    scope: 'accounts',
    x5tS256: cert.x5tS256,
    issuedAt: now - 7200,
    expiresAt: now - 3600,
    revoked: false,
  })
  return value
}

async function revokedToken(tpp: Tpp, reg: Registered): Promise<string> {
  const token = await tpp.token(reg)
  const res = await tpp.client.request({
    method: 'POST',
    path: '/revoke',
    headers: FORM,
    body: form({ token, ...(await tpp.clientAuth(reg, `${mock.url}/revoke`)) }),
  })
  assert.equal(res.status, 200, 'revocation of the test token')
  return token
}

// ---------------------------------------------------------------------------------------------
// Client management: RFC 6750 §3.1 / OB DCR — 401, WWW-Authenticate: Bearer, error invalid_token

/** The request of one management case against alpha's registration: who sends what, over which certificate. */
async function managementRequest(cred: Credential): Promise<{ via: BankClient; authorization?: string }> {
  switch (cred) {
    case 'no token':
      return { via: alpha.client }
    case 'garbage':
      return { via: alpha.client, authorization: 'Bearer bm90LWEtdG9rZW4tYXQtYWxs' }
    case 'expired':
      return { via: alpha.client, authorization: `Bearer ${expiredToken(alphaReg, alpha.identity.transport)}` }
    case 'revoked':
      return { via: alpha.client, authorization: `Bearer ${await revokedToken(alpha, alphaReg)}` }
    case "another client's":
      return { via: beta.client, authorization: `Bearer ${await beta.token(betaReg)}` }
    case "deleted client's":
      return { via: gamma.client, authorization: `Bearer ${deleted.token}` }
    case 'right token, wrong certificate':
      return { via: beta.client, authorization: `Bearer ${await alpha.token(alphaReg)}` }
    case 'no certificate':
      return { via: noCert, authorization: `Bearer ${await alpha.token(alphaReg)}` }
  }
}

async function managementCall(op: ManagementOp, via: BankClient, authorization?: string): Promise<HttpResult> {
  const headers: Record<string, string> = authorization ? { authorization } : {}
  let body: string | undefined
  if (op === 'PUT') {
    Object.assign(headers, JOSE)
    // A valid update that would change the registration if it were let through.
    body = await alpha.registrationJws('private_key_jwt', { scope: 'openid accounts' })
  }
  return via.request({ method: op, path: `/register/${alphaReg.clientId}`, headers, ...(body ? { body } : {}) })
}

// ---------------------------------------------------------------------------------------------
// Token, introspection, revocation: RFC 6749 §5.2 — 400 invalid_client

/** Client authentication parameters and certificate for one case; `victim` is the client whose credential is abused. */
async function formCase(
  endpoint: FormEndpoint,
  cred: Credential,
): Promise<{ via: BankClient; params: Record<string, string>; victim: { tpp: Tpp; reg: Registered } }> {
  const aud = `${mock.url}/${endpoint}`
  const assertionParams = (value: string) => ({ client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: value })
  const onAlpha = { tpp: alpha, reg: alphaReg }
  switch (cred) {
    case 'no token':
      return { via: alpha.client, params: {}, victim: onAlpha }
    case 'garbage':
      return { via: alpha.client, params: assertionParams('bm90.YW4.YXNzZXJ0aW9u'), victim: onAlpha }
    case 'expired':
      return {
        via: alpha.client,
        params: assertionParams(
          await clientAssertion(alphaReg.clientId, aud, alpha.signer, { iat: '-10m', exp: '-5m' }),
        ),
        victim: onAlpha,
      }
    case 'revoked':
      // Signed with the key the directory lists in the software's revoked JWKS.
      return {
        via: alpha.client,
        params: assertionParams(await clientAssertion(alphaReg.clientId, aud, signerOf(alpha.identity.revokedSigning))),
        victim: onAlpha,
      }
    case "another client's":
      // Names alpha but is signed with beta's software key.
      return {
        via: alpha.client,
        params: assertionParams(await clientAssertion(alphaReg.clientId, aud, beta.signer)),
        victim: onAlpha,
      }
    case "deleted client's":
      return {
        via: gamma.client,
        params: assertionParams(await clientAssertion(deleted.reg.clientId, aud, gamma.signer)),
        victim: onAlpha,
      }
    case 'right token, wrong certificate':
      // tls_client_auth: the client id is right, the certificate is another TPP's.
      return { via: alpha.client, params: { client_id: betaReg.clientId }, victim: { tpp: beta, reg: betaReg } }
    case 'no certificate':
      return { via: noCert, params: { client_id: betaReg.clientId }, victim: { tpp: beta, reg: betaReg } }
  }
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  pki = await ensurePki()
  // No msw in this process: SSAs point at the bank's own keystore path instead.
  mock = await onFreePort(9200, 9219, port => startMock({ port, store: 'memory', pki, msw: false }))
  const keystore = `${mock.url}/directory/keystore`
  alpha = new Tpp(pki, identity('alpha'), mock.url, '3.3', keystore)
  beta = new Tpp(pki, identity('beta'), mock.url, '3.3', keystore)
  gamma = new Tpp(pki, identity('gamma'), mock.url, '3.3', keystore)
  noCert = new BankClient(mock.url, pki, null)
  alphaReg = await alpha.register('private_key_jwt')
  betaReg = await beta.register('tls_client_auth')
  const gammaReg = await gamma.register('private_key_jwt')
  const gammaToken = await gamma.token(gammaReg)
  const del = await gamma.client.request({
    method: 'DELETE',
    path: `/register/${gammaReg.clientId}`,
    headers: { authorization: `Bearer ${await gamma.token(gammaReg)}` },
  })
  assert.equal(del.status, 204, 'setup: deleting the third client')
  deleted = { reg: gammaReg, token: gammaToken }
  for (const [tpp, reg] of [
    [alpha, alphaReg],
    [beta, betaReg],
  ] as const) {
    snapshot.set(reg.clientId, json(await currentRegistration(tpp, reg)))
  }
})

after(async () => {
  for (const c of [alpha, beta, gamma]) c?.close()
  noCert?.close()
  await mock?.close()
})

describe('client management × credentials → 401 invalid_token, registration unchanged', () => {
  for (const op of ['GET', 'PUT', 'DELETE'] as const) {
    for (const cred of CREDENTIALS) {
      test(`${op} /register/{ClientId} with ${cred} → 401`, async () => {
        const { via, authorization } = await managementRequest(cred)
        const res = await managementCall(op, via, authorization)
        assert.equal(res.status, 401, res.body.toString('utf8'))
        assert.equal(json(res).error, 'invalid_token')
        const challenge = res.headers['www-authenticate'] ?? ''
        assert.match(challenge, /^Bearer\b/, 'WWW-Authenticate: Bearer challenge (RFC 6750 §3)')
        if (cred === 'no token') {
          // RFC 6750 §3.1: no credentials, no error code in the challenge.
          assert.doesNotMatch(challenge, /error=/)
        } else {
          assert.match(challenge, /error="invalid_token"/)
        }
        assert.equal(json(res).client_id, undefined, 'no registration data in an error')
        if (cred === "another client's") {
          // Design: a token used on another client's registration is revoked.
          assert.equal(await tokenWorks(beta, betaReg, String(authorization?.slice(7))), false)
        }
        await assertUnchanged(alpha, alphaReg)
        await assertUnchanged(beta, betaReg)
      })
    }
  }
})

describe('token, introspection, revocation × client credentials → 400 invalid_client, nothing changed', () => {
  for (const endpoint of ['token', 'introspect', 'revoke'] as const) {
    for (const cred of CREDENTIALS) {
      test(`POST /${endpoint} with ${cred} → 400 invalid_client`, async () => {
        const { via, params, victim } = await formCase(endpoint, cred)
        // The token inspected or revoked is a live token of the client whose credential is abused.
        const victimToken = await victim.tpp.token(victim.reg)
        const body =
          endpoint === 'token'
            ? { grant_type: 'client_credentials', ...params }
            : { token: victimToken, token_type_hint: 'access_token', ...params }
        const res = await via.request({ method: 'POST', path: `/${endpoint}`, headers: FORM, body: form(body) })
        assert.equal(res.status, 400, res.body.toString('utf8'))
        const answer = json(res)
        assert.equal(answer.error, 'invalid_client')
        assert.equal(answer.access_token, undefined, 'no token issued')
        assert.equal(answer.active, undefined, 'nothing said about the token')
        assert.equal(await tokenWorks(victim.tpp, victim.reg, victimToken), true, "the victim's token still works")
        await assertUnchanged(alpha, alphaReg)
        await assertUnchanged(beta, betaReg)
      })
    }
  }

  test('POST /token with an Authorization header (client_secret_basic) → 401 invalid_client with a challenge', async () => {
    const res = await alpha.client.request({
      method: 'POST',
      path: '/token',
      headers: { ...FORM, authorization: `Basic ${Buffer.from(`${alphaReg.clientId}:secret`).toString('base64')}` },
      body: form({ grant_type: 'client_credentials' }),
    })
    // RFC 6749 §5.2: a client that authenticated with the Authorization header gets 401 and a
    // WWW-Authenticate challenge of the scheme it used.
    assert.equal(res.status, 401, res.body.toString('utf8'))
    assert.equal(json(res).error, 'invalid_client')
    assert.match(res.headers['www-authenticate'] ?? '', /^Basic\b/)
    await assertUnchanged(alpha, alphaReg)
  })
})

describe('controls: the right credentials do work (the matrix can fail)', () => {
  test('GET and PUT with the right token and certificate → 200', async () => {
    const get = await alpha.getRegistration(alphaReg.clientId, await alpha.token(alphaReg))
    assert.equal(get.status, 200)
    const jws = await beta.registrationJws('tls_client_auth', { scope: 'openid accounts' })
    const put = await beta.client.request({
      method: 'PUT',
      path: `/register/${betaReg.clientId}`,
      headers: { ...JOSE, authorization: `Bearer ${await beta.token(betaReg)}` },
      body: jws,
    })
    assert.equal(put.status, 200, put.body.toString('utf8'))
    const before = snapshot.get(betaReg.clientId) as { scope: string }
    assert.notEqual(before.scope, 'openid accounts', 'the update does change the registration')
    assert.equal(json(put).scope, 'openid accounts')
  })

  test('token, introspection and revocation with the right client authentication → 200', async () => {
    const token = await alpha.token(alphaReg)
    const introspection = await alpha.client.request({
      method: 'POST',
      path: '/introspect',
      headers: FORM,
      body: form({ token, ...(await alpha.clientAuth(alphaReg, `${mock.url}/introspect`)) }),
    })
    assert.equal(introspection.status, 200)
    assert.equal(json(introspection).active, true)
    await revokedToken(alpha, alphaReg)
  })

  test('DELETE with the right token and certificate → 204, then the client is gone', async () => {
    const token = await alpha.token(alphaReg)
    const res = await alpha.client.request({
      method: 'DELETE',
      path: `/register/${alphaReg.clientId}`,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(res.status, 204)
    assert.equal((await alpha.tokenResponse(alphaReg)).status, 400, 'a deleted client gets no token')
  })
})
