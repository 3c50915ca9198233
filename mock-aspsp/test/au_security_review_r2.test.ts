/**
 * The second security review of the AU CDR profile: the Data Holder's consumer flow (PAR, the
 * request object's `sharing_duration` and `cdr_arrangement_id`), its introspection endpoint, the
 * split between data-access and registration-management tokens, and what a change of a software
 * product's status on the CDR Register does to its registration and tokens. Each "hole" block
 * failed on the mock as it was before its fix; the first review is au_security_review.test.ts.
 */
import assert from 'node:assert/strict'
import { createHash, randomUUID, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { pkcePair } from '../../fixtures/builders/authorization.ts'
import { type Claims, signJws } from '../../fixtures/builders/jose.ts'
import type { CdrRecipient } from '../../keys/pki.ts'
import { epoch } from '../src/models/store.ts'
import { findToken, issueToken, tokenProblem } from '../src/oauth/tokens.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import {
  auCall,
  authorizeCall,
  ccToken,
  clientPost,
  codeTokens,
  mercury,
  postRegistration,
  pushed,
  registerCdr,
  registrationRequest,
  requestObjectClaims,
  signerOf,
  ssaOf,
  venus,
} from './support/cdr.ts'
import { duringJwksRead, pki } from './support.ts'

/** Starts an AU bank for one describe block. */
function auBank() {
  const ctx = {} as { mock: RunningMock }
  before(async () => {
    ctx.mock = await startMock({ port: 0, store: 'memory', pki, profile: 'au-cdr' })
  })
  after(() => ctx.mock.close())
  return ctx
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString()

const userinfo = (mock: RunningMock, token: string, as: CdrRecipient = mercury) =>
  auCall(mock, { path: '/userinfo', as, headers: { authorization: `Bearer ${token}` } })

const getRegistration = (mock: RunningMock, clientId: string, token: string, as: CdrRecipient = mercury) =>
  auCall(mock, { path: `/register/${clientId}`, as, headers: { authorization: `Bearer ${token}` } })

/** POST /par of a request object of `clientId` whose claims are the valid ones overridden by `claims`. */
async function par(mock: RunningMock, clientId: string, claims: Claims, r: CdrRecipient = mercury) {
  const request = await signJws(requestObjectClaims(mock, clientId, r, pkcePair().challenge, claims), signerOf(r))
  return clientPost(mock, '/par', clientId, { request }, { r })
}

/** The `claims` member of a request object asking for `seconds` of sharing (and more members). */
const sharing = (seconds: number | string | undefined, more: Claims = {}): Claims => ({
  claims: { ...(seconds === undefined ? {} : { sharing_duration: seconds }), ...more },
})

describe('hole AU-9: the consumer flow granted cdr:registration, and its token managed the registration (CDS Registration Management: client credentials only)', () => {
  const ctx = auBank()

  test('a request object asking for cdr:registration is refused at PAR, naming the scope; the same without it is accepted', async () => {
    const id = await registerCdr(ctx.mock)
    const res = await par(ctx.mock, id, { scope: 'openid bank:accounts.basic:read cdr:registration' })
    assert.equal(res.status, 400, res.text)
    assert.equal(res.json.error, 'invalid_scope')
    assert.match(String(res.json.error_description), /cdr:registration.*client_credentials/)
    assert.equal((await par(ctx.mock, id, { scope: 'openid bank:accounts.basic:read' })).status, 201)
  })

  test('GET /register with an authorization_code access token carrying cdr:registration is 403; a client credentials one is 200', async () => {
    const id = await registerCdr(ctx.mock)
    const cert = new X509Certificate(readFileSync(mercury.transport.certPath))
    const x5tS256 = createHash('sha256').update(cert.raw).digest('base64url')
    const dataToken = await issueToken(ctx.mock.bank, {
      clientId: id,
      grant: 'authorization_code',
      scope: 'openid cdr:registration',
      x5tS256,
    })
    const refused = await getRegistration(ctx.mock, id, dataToken.value)
    assert.equal(refused.status, 403, refused.text)
    assert.match(String(refused.json.error_description), /authorization_code.*client_credentials/)
    assert.equal((await getRegistration(ctx.mock, id, await ccToken(ctx.mock, id))).status, 200)
  })
})

describe('hole AU-10: /introspect answered for access tokens (CDS Tokens: "Introspection of Access Tokens and ID Tokens MUST NOT be supported")', () => {
  const ctx = auBank()

  test('access tokens introspect as inactive; the refresh token of the same grant is active with exp, scope and cdr_arrangement_id', async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    for (const token of [tokens.access_token, await ccToken(ctx.mock, id)]) {
      const res = await clientPost(ctx.mock, '/introspect', id, { token })
      assert.equal(res.status, 200, res.text)
      assert.deepEqual(res.json, { active: false })
    }
    const refresh = await clientPost(ctx.mock, '/introspect', id, { token: tokens.refresh_token })
    assert.equal(refresh.json.active, true, refresh.text)
    assert.equal(typeof refresh.json.exp, 'number')
    assert.equal(typeof refresh.json.scope, 'string')
    assert.equal(refresh.json.cdr_arrangement_id, tokens.cdr_arrangement_id)
  })
})

describe('hole AU-11: cdr_arrangement_id in the request object was ignored (CDS Request Object: "Specifying an existing arrangement")', () => {
  const ctx = auBank()

  test("PAR naming another client's arrangement, or an unknown one, is refused naming cdr_arrangement_id; its own is accepted", async () => {
    const mine = await registerCdr(ctx.mock)
    const theirs = await registerCdr(ctx.mock, venus)
    const their = await codeTokens(ctx.mock, theirs, venus)
    const own = await codeTokens(ctx.mock, mine)
    for (const arrangement of [their.cdr_arrangement_id, randomUUID()]) {
      const res = await par(ctx.mock, mine, sharing(86400 * 30, { cdr_arrangement_id: arrangement }))
      assert.equal(res.status, 400, res.text)
      assert.equal(res.json.error, 'invalid_request')
      assert.match(String(res.json.error_description), /cdr_arrangement_id/)
    }
    const accepted = await par(ctx.mock, mine, sharing(86400 * 30, { cdr_arrangement_id: own.cdr_arrangement_id }))
    assert.equal(accepted.status, 201, accepted.text)
    assert.equal((await userinfo(ctx.mock, their.access_token, venus)).status, 200, "venus's arrangement untouched")
  })

  test('an amended arrangement keeps its id; its earlier access and refresh tokens are revoked once the new ones are issued', async () => {
    const id = await registerCdr(ctx.mock)
    const first = await codeTokens(ctx.mock, id)
    const second = await codeTokens(
      ctx.mock,
      id,
      mercury,
      sharing(86400 * 30, { cdr_arrangement_id: first.cdr_arrangement_id }),
    )
    assert.equal(second.cdr_arrangement_id, first.cdr_arrangement_id)
    assert.equal((await userinfo(ctx.mock, second.access_token)).status, 200)
    assert.equal((await userinfo(ctx.mock, first.access_token)).status, 401)
    const refresh = await clientPost(ctx.mock, '/token', id, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    })
    assert.equal(refresh.json.error, 'invalid_grant', refresh.text)
    const current = await clientPost(ctx.mock, '/token', id, {
      grant_type: 'refresh_token',
      refresh_token: second.refresh_token,
    })
    assert.equal(current.status, 200, current.text)
  })
})

describe('hole AU-12: sharing_duration was ignored: every authorisation got a 90-day refresh token (CDS Request Object: "Requesting Sharing Duration")', () => {
  const ctx = auBank()

  /** The whole flow with `claims` overriding the request object; the token answer. */
  const flow = (id: string, claims: Claims) => codeTokens(ctx.mock, id, mercury, claims)

  test('sharing_duration absent or 0 (once-off access): an access token and no refresh token; 3600: a refresh token', async () => {
    const id = await registerCdr(ctx.mock)
    for (const claims of [{ claims: undefined }, sharing(undefined), sharing(0)]) {
      const tokens = await flow(id, claims)
      assert.equal(typeof tokens.access_token, 'string')
      assert.equal(tokens.refresh_token, undefined, JSON.stringify(claims))
      assert.equal((await userinfo(ctx.mock, tokens.access_token)).status, 200)
    }
    assert.equal(typeof (await flow(id, sharing(3600))).refresh_token, 'string')
  })

  test('the refresh token and the arrangement end with the sharing duration, capped at one year', async () => {
    const id = await registerCdr(ctx.mock)
    for (const [asked, expected] of [
      [3600, 3600],
      [5 * 365 * 86400, 365 * 86400],
    ] as const) {
      const before = epoch()
      const tokens = await flow(id, sharing(asked))
      const res = await clientPost(ctx.mock, '/introspect', id, { token: tokens.refresh_token })
      assert.equal(res.json.active, true, res.text)
      const exp = Number(res.json.exp)
      assert.ok(exp >= before + expected && exp <= epoch() + expected, `sharing_duration ${asked}: exp ${exp}`)
    }
  })

  test('a negative or non-numeric sharing_duration is refused at PAR naming it; a valid one is accepted', async () => {
    const id = await registerCdr(ctx.mock)
    for (const bad of [-1, '3600']) {
      const res = await par(ctx.mock, id, sharing(bad))
      assert.equal(res.status, 400, res.text)
      assert.equal(res.json.error, 'invalid_request')
      assert.match(String(res.json.error_description), /sharing_duration/)
    }
    assert.equal((await par(ctx.mock, id, sharing(3600))).status, 201)
  })
})

/** Registers a client of `r`'s software product as the Register knows it (its software_id is the product's id). */
async function registerProduct(mock: RunningMock, r: CdrRecipient): Promise<string> {
  const ssa = await ssaOf(r, { software_id: r.softwareProductId })
  const res = await postRegistration(mock, await registrationRequest(mock, r, { ssa }), r)
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${res.text}`)
  return String(res.json.client_id)
}

/** Changes statuses of `r`'s product on the mock Register (over its own certificate), asserting 200. */
async function setStatuses(mock: RunningMock, r: CdrRecipient, change: Record<string, string>) {
  const res = await auCall(mock, {
    method: 'PUT',
    path: `/cdr-register/mock-admin/software-products/${r.softwareProductId}/statuses`,
    as: r,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  })
  assert.equal(res.status, 200, res.text)
}

describe('hole AU-13: a software product made inactive or removed on the CDR Register kept its consents and tokens (CDS Participant Statuses: Data Holder Responsibilities)', () => {
  const ctx = auBank()

  test('INACTIVE: PAR, /authorize, code and refresh grants and /userinfo are refused naming the status; withdrawal works; ACTIVE again: all work', async () => {
    const id = await registerProduct(ctx.mock, mercury)
    const tokens = await codeTokens(ctx.mock, id)
    const spare = await codeTokens(ctx.mock, id)
    const p = await pushed(ctx.mock, id)
    await setStatuses(ctx.mock, mercury, { softwareProductStatus: 'INACTIVE' })
    try {
      const pushedNow = await par(ctx.mock, id, {})
      assert.equal(pushedNow.status, 400, pushedNow.text)
      assert.equal(pushedNow.json.error, 'unauthorized_client')
      assert.match(String(pushedNow.json.error_description), /INACTIVE/)
      const authorize = await authorizeCall(ctx.mock, query({ client_id: id, request_uri: p.requestUri }))
      assert.equal(authorize.status, 400, authorize.text)
      assert.match(String(authorize.json.error_description), /INACTIVE/)
      const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }
      const refreshed = await clientPost(ctx.mock, '/token', id, refresh)
      assert.equal(refreshed.json.error, 'unauthorized_client', refreshed.text)
      const data = await userinfo(ctx.mock, tokens.access_token)
      assert.equal(data.status, 403, data.text)
      assert.match(String(data.json.error_description), /INACTIVE/)
      // Consent withdrawal stays open (the table's "Facilitate Consent Withdrawal").
      const withdrawn = await clientPost(ctx.mock, '/arrangements/revoke', id, {
        cdr_arrangement_id: spare.cdr_arrangement_id,
      })
      assert.equal(withdrawn.status, 204, withdrawn.text)
    } finally {
      await setStatuses(ctx.mock, mercury, { softwareProductStatus: 'ACTIVE' })
    }
    const refreshed = await clientPost(ctx.mock, '/token', id, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    })
    assert.equal(refreshed.status, 200, refreshed.text)
    assert.equal((await userinfo(ctx.mock, tokens.access_token)).status, 200)
    assert.equal((await par(ctx.mock, id, {})).status, 201)
  })

  test('a SUSPENDED data recipient counts as INACTIVE: its refresh is refused; ACTIVE again, it works', async () => {
    const id = await registerProduct(ctx.mock, venus)
    const tokens = await codeTokens(ctx.mock, id, venus)
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }
    await setStatuses(ctx.mock, venus, { legalEntityStatus: 'SUSPENDED' })
    try {
      const res = await clientPost(ctx.mock, '/token', id, refresh, { r: venus })
      assert.equal(res.json.error, 'unauthorized_client', res.text)
      assert.match(String(res.json.error_description), /SUSPENDED/)
    } finally {
      await setStatuses(ctx.mock, venus, { legalEntityStatus: 'ACTIVE' })
    }
    assert.equal((await clientPost(ctx.mock, '/token', id, refresh, { r: venus })).status, 200)
  })
})

describe('hole AU-13: REMOVED cleans up the registration', () => {
  const ctx = auBank()

  test('REMOVED: the registration is cleaned up at once, its tokens revoked; a client of an active product is untouched', async () => {
    const id = await registerProduct(ctx.mock, mercury)
    const tokens = await codeTokens(ctx.mock, id)
    const management = await ccToken(ctx.mock, id)
    const other = await registerCdr(ctx.mock, venus)
    const otherTokens = await codeTokens(ctx.mock, other, venus)
    await setStatuses(ctx.mock, mercury, { softwareProductStatus: 'REMOVED' })
    const res = await clientPost(ctx.mock, '/token', id, {
      grant_type: 'client_credentials',
      scope: 'cdr:registration',
    })
    assert.equal(res.json.error, 'invalid_client', res.text)
    assert.match(String(res.json.error_description), /REMOVED/)
    assert.equal(ctx.mock.bank.store.getClient(id), undefined)
    for (const token of [tokens.access_token, tokens.refresh_token, management]) {
      assert.equal(tokenProblem(findToken(ctx.mock.bank, token)), 'the token has been revoked')
    }
    assert.equal((await getRegistration(ctx.mock, id, management)).status, 401)
    assert.equal((await userinfo(ctx.mock, otherTokens.access_token, venus)).status, 200)
  })
})

describe('hole AU-14: /arrangements/revoke answered its 422 as an OAuth error, not the CDS error list the profile declares', () => {
  const ctx = auBank()

  test("an arrangement that is not the client's: 422 with errors[0].code InvalidArrangement naming cdr_arrangement_id; its own: 204", async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    const res = await clientPost(ctx.mock, '/arrangements/revoke', id, { cdr_arrangement_id: randomUUID() })
    assert.equal(res.status, 422, res.text)
    const errors = res.json.errors as { code: string; detail: string }[]
    assert.equal(errors?.[0]?.code, 'urn:au-cds:error:cds-all:Authorisation/InvalidArrangement', res.text)
    assert.match(errors[0]?.detail ?? '', /cdr_arrangement_id/)
    const own = await clientPost(ctx.mock, '/arrangements/revoke', id, {
      cdr_arrangement_id: tokens.cdr_arrangement_id,
    })
    assert.equal(own.status, 204, own.text)
  })
})

describe('UK R2-7 on AU: a PUT /register/{ClientId} whose client was deleted while it was validated answered 200', () => {
  const ctx = auBank()

  test('DELETE lands while the PUT reads the software JWKS: the PUT is refused 401 and the client stays deleted', async () => {
    const id = await registerProduct(ctx.mock, mercury)
    const headers = { authorization: `Bearer ${await ccToken(ctx.mock, id)}`, 'content-type': 'application/jwt' }
    const body = async () =>
      registrationRequest(ctx.mock, mercury, { ssa: await ssaOf(mercury, { software_id: mercury.softwareProductId }) })
    const put = async () => auCall(ctx.mock, { method: 'PUT', path: `/register/${id}`, headers, body: await body() })
    const first = await put()
    assert.equal(first.status, 200, `control: a PUT with nothing in between: ${first.text}`)
    const del = () => auCall(ctx.mock, { method: 'DELETE', path: `/register/${id}`, headers })
    const { answer: second, meanwhile: deleted } = await duringJwksRead(ctx.mock, del, put)
    assert.equal(deleted, 204, 'the DELETE went through while the PUT was validated')
    assert.equal(
      second.status,
      401,
      `the PUT must not acknowledge what it did not keep: ${second.status} ${second.text}`,
    )
    assert.equal(second.json.error, 'invalid_token')
    assert.equal(ctx.mock.bank.store.getClient(id), undefined)
  })
})

describe('UK R2-4 on AU: revoking a refresh token at /revoke left the access tokens of its arrangement alive (RFC 7009 section 2.1)', () => {
  const ctx = auBank()

  test('after /revoke of the refresh token, the access token of the same arrangement is refused at /userinfo', async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    const access = String(tokens.access_token)
    assert.equal((await userinfo(ctx.mock, access)).status, 200, 'control: the access token reads /userinfo')
    const revoked = await clientPost(ctx.mock, '/revoke', id, { token: String(tokens.refresh_token) })
    assert.equal(revoked.status, 200, revoked.text)
    const after = await userinfo(ctx.mock, access)
    assert.equal(after.status, 401, `the access token outlived its refresh token: ${after.status} ${after.text}`)
  })

  test('revoking the access token alone leaves the refresh token usable', async () => {
    const id = await registerCdr(ctx.mock)
    const tokens = await codeTokens(ctx.mock, id)
    assert.equal((await clientPost(ctx.mock, '/revoke', id, { token: String(tokens.access_token) })).status, 200)
    const refresh = { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) }
    const refreshed = await clientPost(ctx.mock, '/token', id, refresh)
    assert.equal(refreshed.status, 200, refreshed.text)
  })
})
