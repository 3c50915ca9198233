/**
 * The second outside review of the UK profile (after security_review.test.ts and
 * robustness_regressions.test.ts): the holes it confirmed with requests, each shut. They sit where
 * a token outlives the grant behind it: a code or refresh token replayed while the first use was
 * being answered, a token family that kept every token it ever issued, the tokens of a revoked
 * or expired consent, and the access tokens of a revoked refresh token. Each test fails on the mock as it was before the fix.
 */
import assert from 'node:assert/strict'
import { mock as clock, describe, test } from 'node:test'
import { responseParams } from '../../fixtures/builders/authorization.ts'
import { tokenHash } from '../src/oauth/tokens.ts'
import type { RunningMock } from '../src/server.ts'
import { type Client, call, describeBank, locationOf, type TppDriver } from './flow_helpers.ts'
import { alpha } from './support.ts'

const ACCOUNTS = '/open-banking/v3.1/aisp/accounts'
const CONSENTS = '/open-banking/v3.1/aisp/account-access-consents'
const FAMILY_GRANT = 'refresh-token-family'

type Ctx = { mock: RunningMock; tpp: TppDriver }

/** A consent of `client`, approved at once (`autoApprove`), and the code that redeems it. */
async function approvedCode(ctx: Ctx, client: Client, expiration?: string) {
  const intent = await ctx.tpp.consent(client, undefined, expiration)
  const ro = await ctx.tpp.requestObject(client, intent)
  const back = await call(ctx.mock, ctx.tpp.authorizeUrl(client, ro.jws))
  assert.equal(back.status, 303, back.text)
  const { code } = responseParams(locationOf(back))
  assert.ok(code, locationOf(back))
  const redeem = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: String(ro.claims.redirect_uri),
    code_verifier: ro.verifier,
  }
  return { intent, redeem }
}

/** Access and refresh token of a freshly approved consent. */
async function approvedTokens(ctx: Ctx, client: Client, expiration?: string) {
  const { intent, redeem } = await approvedCode(ctx, client, expiration)
  const res = await ctx.tpp.token(client, redeem)
  assert.equal(res.status, 200, res.text)
  return { intent, access: String(res.json.access_token), refresh: String(res.json.refresh_token) }
}

const introspect = async (ctx: Ctx, client: Client, token: string) => {
  const res = await call(ctx.mock, '/introspect', {
    as: client.tpp,
    form: { ...(await ctx.tpp.clientAuth(client)), token },
  })
  assert.equal(res.status, 200, res.text)
  return res.json
}

const accounts = (ctx: Ctx, client: Client, access: string) =>
  call(ctx.mock, ACCOUNTS, { as: client.tpp, headers: { authorization: `Bearer ${access}` } })

const refresh = (ctx: Ctx, client: Client, token: string) =>
  ctx.tpp.token(client, { grant_type: 'refresh_token', refresh_token: token })

/** Runs `meanwhile` the first time the store is asked to commit (a grant issuing its tokens), once. */
function duringNextIssue(ctx: Ctx, meanwhile: () => Promise<void>): () => void {
  const store = ctx.mock.bank.store
  const flushed = store.flushed.bind(store)
  let ran = false
  store.flushed = async () => {
    if (!ran) {
      ran = true
      await meanwhile()
    }
    return flushed()
  }
  return () => {
    store.flushed = flushed
    assert.ok(ran, 'the interleaved request ran while tokens were being issued')
  }
}

describe('hole R2-1: a replay while the first use was being answered did not revoke what the first use obtained', () => {
  const ctx = describeBank({ autoApprove: true })

  test('a code replayed while its first redemption issues tokens: both refused: the first use hands out no token (RFC 6749 section 4.1.2)', async () => {
    const client = await ctx.tpp.register(alpha)
    const { redeem } = await approvedCode(ctx, client)
    let replay: Awaited<ReturnType<TppDriver['token']>> | undefined
    const restore = duringNextIssue(ctx, async () => {
      replay = await ctx.tpp.token(client, redeem)
    })
    let first: Awaited<ReturnType<TppDriver['token']>>
    try {
      first = await ctx.tpp.token(client, redeem)
    } finally {
      restore()
    }
    assert.equal(replay?.json.error, 'invalid_grant', replay?.text)
    assert.equal(first.status, 400, `the first redemption must not hand out tokens a replay revoked: ${first.text}`)
    assert.equal(first.json.error, 'invalid_grant')
  })

  test('a refresh token replayed while its first use issues tokens: the first use gets invalid_grant, nothing of the family stays live (RFC 9700 section 4.14.2)', async () => {
    const client = await ctx.tpp.register(alpha)
    const { access, refresh: refreshToken } = await approvedTokens(ctx, client)
    let replay: Awaited<ReturnType<TppDriver['token']>> | undefined
    const restore = duringNextIssue(ctx, async () => {
      replay = await refresh(ctx, client, refreshToken)
    })
    let first: Awaited<ReturnType<TppDriver['token']>>
    try {
      first = await refresh(ctx, client, refreshToken)
    } finally {
      restore()
    }
    assert.equal(replay?.json.error, 'invalid_grant', replay?.text)
    assert.equal(first.status, 400, `the first refresh must not hand out tokens a replay revoked: ${first.text}`)
    assert.equal(first.json.error, 'invalid_grant')
    assert.equal((await accounts(ctx, client, access)).status, 401)
  })

  test('control: a refresh with nothing in between is answered 200 and its access token reads the accounts', async () => {
    const client = await ctx.tpp.register(alpha)
    const { refresh: refreshToken } = await approvedTokens(ctx, client)
    const next = await refresh(ctx, client, refreshToken)
    assert.equal(next.status, 200, next.text)
    assert.equal((await accounts(ctx, client, String(next.json.access_token))).status, 200)
  })
})

describe('hole R2-2: a token family kept the hash of every token it ever issued', () => {
  const ctx = describeBank({ autoApprove: true })

  test('after refreshes, the family holds its live tokens only: it does not grow with every refresh', async () => {
    const client = await ctx.tpp.register(alpha)
    const first = await approvedTokens(ctx, client)
    const familyId = familyOf(ctx, first.refresh)
    let current = first
    for (let n = 0; n < 4; n++) {
      const res = await refresh(ctx, client, current.refresh)
      assert.equal(res.status, 200, res.text)
      // The client is done with the previous access token and revokes it.
      const revoked = await call(ctx.mock, '/revoke', {
        as: alpha,
        form: { ...(await ctx.tpp.clientAuth(client)), token: current.access },
      })
      assert.equal(revoked.status, 200, revoked.text)
      current = { ...current, access: String(res.json.access_token), refresh: String(res.json.refresh_token) }
    }
    const last = await refresh(ctx, client, current.refresh)
    assert.equal(last.status, 200, last.text)
    const hashes = ctx.mock.bank.store.getGrant(FAMILY_GRANT, familyId)?.data.hashes as string[] | undefined
    // The access token of the fourth refresh (not revoked), and the access and refresh token of the last.
    assert.equal(hashes?.length, 3, `the family holds ${hashes?.length} hashes`)
  })
})

describe('hole R2-3: the tokens of a revoked or expired consent introspected active (RFC 7662 section 2.2)', () => {
  const ctx = describeBank({ autoApprove: true })

  test('DELETE of the consent: its access and refresh tokens are inactive at /introspect, as at the accounts API', async () => {
    const client = await ctx.tpp.register(alpha)
    const { intent, access, refresh: refreshToken } = await approvedTokens(ctx, client)
    assert.equal((await introspect(ctx, client, access)).active, true, 'control: active before the revocation')
    assert.equal((await introspect(ctx, client, refreshToken)).active, true, 'control: active before the revocation')
    const auth = { authorization: `Bearer ${await ctx.tpp.ccToken(client)}` }
    const deleted = await call(ctx.mock, `${CONSENTS}/${intent}`, { as: alpha, method: 'DELETE', headers: auth })
    assert.equal(deleted.status, 204, deleted.text)
    assert.equal((await accounts(ctx, client, access)).status, 403, 'the accounts API refuses it')
    assert.deepEqual(await introspect(ctx, client, access), { active: false })
    assert.deepEqual(await introspect(ctx, client, refreshToken), { active: false })
  })

  test('a consent past its ExpirationDateTime: its access token, live for an hour, is inactive at /introspect', async () => {
    const client = await ctx.tpp.register(alpha)
    const expiration = new Date(Date.now() + 120_000).toISOString()
    const { access } = await approvedTokens(ctx, client, expiration)
    assert.equal((await introspect(ctx, client, access)).active, true, 'control: active before the expiry')
    clock.timers.enable({ apis: ['Date'], now: Date.now() + 300_000 })
    try {
      assert.equal((await accounts(ctx, client, access)).status, 403, 'the accounts API refuses it')
      assert.deepEqual(await introspect(ctx, client, access), { active: false })
    } finally {
      clock.timers.reset()
    }
  })
})

describe('hole R2-4: revoking a refresh token left the access tokens of its grant alive (RFC 7009 section 2.1)', () => {
  const ctx = describeBank({ autoApprove: true })

  test('after /revoke of the refresh token, the access token of the same grant is refused 401', async () => {
    const client = await ctx.tpp.register(alpha)
    const { access, refresh: refreshToken } = await approvedTokens(ctx, client)
    assert.equal((await accounts(ctx, client, access)).status, 200, 'control: the access token reads the accounts')
    const revoked = await call(ctx.mock, '/revoke', {
      as: alpha,
      form: { ...(await ctx.tpp.clientAuth(client)), token: refreshToken },
    })
    assert.equal(revoked.status, 200, revoked.text)
    assert.equal((await accounts(ctx, client, access)).status, 401)
    assert.deepEqual(await introspect(ctx, client, access), { active: false })
    assert.equal((await refresh(ctx, client, refreshToken)).json.error, 'invalid_grant')
  })

  test('revoking the access token alone leaves the refresh token usable (RFC 7009: MAY, not SHOULD)', async () => {
    const client = await ctx.tpp.register(alpha)
    const { access, refresh: refreshToken } = await approvedTokens(ctx, client)
    const revoked = await call(ctx.mock, '/revoke', {
      as: alpha,
      form: { ...(await ctx.tpp.clientAuth(client)), token: access },
    })
    assert.equal(revoked.status, 200, revoked.text)
    assert.equal((await accounts(ctx, client, access)).status, 401)
    const next = await refresh(ctx, client, refreshToken)
    assert.equal(next.status, 200, next.text)
    assert.equal((await accounts(ctx, client, String(next.json.access_token))).status, 200)
  })
})

/** The family a refresh token belongs to (its record's extra.family). */
function familyOf(ctx: Ctx, token: string): string {
  const family = ctx.mock.bank.store.getToken(tokenHash(token))?.extra?.family
  assert.equal(typeof family, 'string', 'the refresh token belongs to a family')
  return family as string
}
