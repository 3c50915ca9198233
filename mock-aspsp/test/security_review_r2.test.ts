/**
 * The second outside review of the UK profile (after security_review.test.ts and
 * robustness_regressions.test.ts): the holes it confirmed with requests, each shut. Four sit where
 * a token outlives the grant behind it: a code or refresh token replayed while the first use was
 * being answered, a token family that kept every token it ever issued, the tokens of a revoked
 * or expired consent, and the access tokens of a revoked refresh token. The fifth is trust: a CA
 * a TPP brought for its own identity vouched for every organisation, and the identity could claim
 * another TPP's software. The sixth is the request log, which a claimed client_id could forge lines
 * of; the seventh a PUT that acknowledged an update of a client deleted meanwhile. Each test fails
 * on the mock as it was before the fix.
 */
import 'reflect-metadata'
import assert from 'node:assert/strict'
import { type SpawnSyncReturns, spawnSync } from 'node:child_process'
import { generateKeyPairSync, webcrypto } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, mock as clock, describe, test } from 'node:test'
import * as x509 from '@peculiar/x509'
import { responseParams } from '../../fixtures/builders/authorization.ts'
import { issueClientCertificate } from '../../fixtures/builders/certificate.ts'
import { loadByo, type TppIdentity } from '../../keys/pki.ts'
import { tokenHash } from '../src/oauth/tokens.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { type Client, call, describeBank, locationOf, TppDriver } from './flow_helpers.ts'
import { alpha, duringJwksRead, pki } from './support.ts'

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

/** A CA of a TPP's own making, as the README's "Bring your own TPP identity" makes one with openssl. */
async function ownCa(name: string) {
  const alg = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  }
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair
  const day = 86_400_000
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name} Own CA, O=${name} Ltd`,
    notBefore: new Date(Date.now() - day),
    notAfter: new Date(Date.now() + 30 * day),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  })
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
  const key = `-----BEGIN PRIVATE KEY-----\n${der.replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`
  return { cert: cert.toString('pem'), key }
}

/** A throw-away certificate whose only use is its subject (issueClientCertificate copies it). */
async function subjectHolder(name: string): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = (await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify'])) as CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02',
    name,
    keys,
    signingAlgorithm: alg,
  })
  return cert.toString('pem')
}

/** A new RSA key (PKCS#8 PEM). */
const newKey = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string

describe('hole R2-5: a CA a TPP brought for its own identity (npm run tpp -- add --ca) vouched for every organisation', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'byo-r2-'))
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text)
    return path.join(dir, name)
  }
  const ctx = {} as Ctx & {
    mallory: TppIdentity
    rogue: { certPath: string; keyPath: string }
    caPath: string
    ca: { cert: string; key: string }
    addTpp: (name: string, cert: string, key: string, ca: string) => SpawnSyncReturns<string>
  }
  /** `npm run -s tpp -- add <name>` into this block's keys/byo. */
  ctx.addTpp = (name, cert, key, ca) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'mock-aspsp/src/cli/tpp.ts',
        'add',
        name,
        '--transport-cert',
        cert,
        '--transport-key',
        key,
        '--signing-key',
        file(`${name}-signing.key`, newKey()),
        '--ca',
        ca,
      ],
      { env: { ...process.env, OB_BYO_DIR: path.join(dir, 'byo') }, encoding: 'utf8' },
    )
  before(async () => {
    const ca = await ownCa('Mallory')
    ctx.ca = ca
    const valid = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) }
    // Mallory's own transport certificate (OBTransport: CN = its software id, OU = its org id), from its own CA.
    const own = file('own.key', newKey())
    const subjectOf = file('subject.pem', await subjectHolder('CN=MalloryApp01, OU=0015800001Mallory1, O=Mallory Ltd'))
    const ownCert = await issueClientCertificate(ca, { cert: readFileSync(subjectOf), key: readFileSync(own) }, valid)
    // The same CA, a certificate with alpha's subject over a key of Mallory's.
    const rogueKey = file('rogue.key', newKey())
    const rogueCert = await issueClientCertificate(
      ca,
      { cert: readFileSync(alpha.transport.certPath), key: readFileSync(rogueKey) },
      valid,
    )
    ctx.rogue = { certPath: file('rogue.pem', rogueCert.cert), keyPath: rogueKey }
    const added = ctx.addTpp('mallory', file('own.pem', ownCert.cert), own, file('ca.pem', ca.cert))
    assert.equal(added.status, 0, `${added.stdout}${added.stderr}`)
    ctx.caPath = path.join(dir, 'ca.pem')
    const byo = loadByo(path.join(dir, 'byo'))
    ctx.mallory = byo.byo.mallory as TppIdentity
    ctx.mock = await startMock({ port: 0, store: 'memory', msw: false, pki: { ...pki, ...byo } })
    ctx.tpp = new TppDriver(ctx.mock, pki)
  })
  after(async () => {
    await ctx.mock?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test("control: Mallory's own certificate registers Mallory's software and gets a token", async () => {
    const client = await ctx.tpp.register(ctx.mallory, { authMethod: 'tls_client_auth' })
    const token = await call(ctx.mock, '/token', {
      as: ctx.mallory,
      form: { grant_type: 'client_credentials', client_id: client.clientId },
    })
    assert.equal(token.status, 200, token.text)
  })

  test("a certificate of Mallory's CA with alpha's subject gets no token for alpha's tls_client_auth client, nor alpha's SSA", async () => {
    const client = await ctx.tpp.register(alpha, { authMethod: 'tls_client_auth' })
    const form = { grant_type: 'client_credentials', client_id: client.clientId }
    assert.equal((await call(ctx.mock, '/token', { as: alpha, form })).status, 200, "control: alpha's own certificate")
    const stolen = await call(ctx.mock, '/token', { as: ctx.rogue, form })
    assert.equal(stolen.status, 400, `the rogue certificate got: ${stolen.text}`)
    assert.equal(stolen.json.error, 'invalid_client')
    assert.match(String(stolen.json.error_description), /brought .*0015800001Mallory1/)
    const ssa = `/directory/organisation/${alpha.orgId}/software-statement/${alpha.softwareId}/software-statement-assertion`
    assert.equal((await call(ctx.mock, ssa, { as: alpha })).status, 200, "control: alpha's own certificate")
    assert.equal((await call(ctx.mock, ssa, { as: ctx.rogue })).status, 400)
  })

  test("npm run tpp -- add refuses an identity claiming alpha's software and organisation (it would take over alpha's keystore JWKS)", async () => {
    const key = file('second.key', newKey())
    const subject = {
      cert: Buffer.from(await subjectHolder('CN=MalloryApp02, OU=0015800001Mallory1')),
      key: readFileSync(key),
    }
    const second = await issueClientCertificate(ctx.ca, subject, {
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
    })
    const control = ctx.addTpp('mallory2', file('second.pem', second.cert), key, ctx.caPath)
    assert.equal(control.status, 0, `control: a second software of Mallory's organisation, same CA: ${control.stderr}`)
    const added = ctx.addTpp('impostor', ctx.rogue.certPath, ctx.rogue.keyPath, ctx.caPath)
    assert.equal(added.status, 2, `${added.stdout}${added.stderr}`)
    assert.match(added.stderr, new RegExp(`software id ${alpha.softwareId} is the software of "alpha"`))
    const orgOnly = await issueClientCertificate(
      ctx.ca,
      { cert: Buffer.from(await subjectHolder(`CN=NewSoftware01, OU=${alpha.orgId}`)), key: readFileSync(key) },
      { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) },
    )
    const sameOrg = ctx.addTpp('impostor', file('org-only.pem', orgOnly.cert), key, ctx.caPath)
    assert.equal(sameOrg.status, 2, `${sameOrg.stdout}${sameOrg.stderr}`)
    assert.match(
      sameOrg.stderr,
      new RegExp(`organisation ${alpha.orgId} is "alpha"'s in the mock directory \\(the test PKI\\)`),
    )
    assert.equal(loadByo(path.join(dir, 'byo')).byo.impostor, undefined)
  })
})

describe("R2-5, further: two brought CAs of one name, and two keys, vouched for each other's organisations", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'byo-r2b-'))
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text)
    return path.join(dir, name)
  }
  const valid = () => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) })
  const ctx = {} as Ctx & { rogue: { certPath: string; keyPath: string } }
  /** A certificate of `ca` for `subject` over a new key: its files. */
  const certificate = async (name: string, ca: { cert: string; key: string }, subject: string) => {
    const keyPath = file(`${name}.key`, newKey())
    const cert = await issueClientCertificate(
      ca,
      { cert: Buffer.from(await subjectHolder(subject)), key: readFileSync(keyPath) },
      valid(),
    )
    return { certPath: file(`${name}.pem`, cert.cert), keyPath }
  }
  /** `npm run -s tpp -- add <name>` with `transport` issued by `caPath`, into this block's keys/byo. */
  const addTpp = (name: string, transport: { certPath: string; keyPath: string }, caPath: string) =>
    spawnSync(
      process.execPath,
      [
        ...['--import', 'tsx', 'mock-aspsp/src/cli/tpp.ts', 'add', name],
        ...['--transport-cert', transport.certPath, '--transport-key', transport.keyPath],
        ...['--signing-key', file(`${name}-signing.key`, newKey()), '--ca', caPath],
      ],
      { env: { ...process.env, OB_BYO_DIR: path.join(dir, 'byo') }, encoding: 'utf8' },
    )
  const MALLORY = 'CN=MalloryApp01, OU=0015800001Mallory1, O=Mallory Ltd'
  const EVE = 'CN=EveApp01, OU=0015800001Eve00001, O=Eve Ltd'
  before(async () => {
    const malloryCa = await ownCa('Mallory')
    // Eve's CA has the name of Mallory's ("CN=Mallory Own CA, O=Mallory Ltd"), and a key of its own.
    const eveCa = await ownCa('Mallory')
    const mallory = addTpp(
      'mallory',
      await certificate('mallory', malloryCa, MALLORY),
      file('mallory-ca.pem', malloryCa.cert),
    )
    assert.equal(mallory.status, 0, `${mallory.stdout}${mallory.stderr}`)
    const eve = await certificate('eve', eveCa, EVE)
    const refused = addTpp('eve', eve, file('eve-ca.pem', eveCa.cert))
    assert.equal(
      refused.status,
      2,
      `npm run tpp -- add accepted a CA named as Mallory's: ${refused.stdout}${refused.stderr}`,
    )
    assert.match(refused.stderr, /--ca .* has the name of another CA the bank trusts/)
    const ownName = await ownCa('Eve')
    const control = addTpp('eve', await certificate('eve-own', ownName, EVE), file('eve-own-ca.pem', ownName.cert))
    assert.equal(control.status, 0, `control: Eve with a CA of its own name: ${control.stderr}`)
    // keys/byo laid by hand, as tpp add refuses it: Eve's identity under the CA named as Mallory's.
    const home = path.join(dir, 'byo', 'eve')
    writeFileSync(path.join(home, 'ca.pem'), eveCa.cert)
    writeFileSync(path.join(home, 'transport.pem'), readFileSync(eve.certPath))
    writeFileSync(path.join(home, 'transport.key'), readFileSync(eve.keyPath))
    // Eve's CA, a certificate with Mallory's subject over a key of Eve's.
    ctx.rogue = await certificate('rogue', eveCa, MALLORY)
    const byo = loadByo(path.join(dir, 'byo'))
    ctx.mock = await startMock({ port: 0, store: 'memory', msw: false, pki: { ...pki, ...byo } })
  })
  after(async () => {
    await ctx.mock?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test("a certificate of Eve's CA with Mallory's subject gets no SSA of Mallory's software from the directory", async () => {
    const ssa = (orgId: string, softwareId: string) =>
      `/directory/organisation/${orgId}/software-statement/${softwareId}/software-statement-assertion`
    const own = await call(ctx.mock, ssa(alpha.orgId, alpha.softwareId), { as: alpha })
    assert.equal(own.status, 200, `control: alpha's own certificate on the same bank: ${own.text}`)
    const stolen = await call(ctx.mock, ssa('0015800001Mallory1', 'MalloryApp01'), { as: ctx.rogue })
    assert.equal(stolen.status, 400, `the rogue certificate got: ${stolen.text.slice(0, 200)}`)
    assert.match(String(stolen.json.error_description), /two CAs/)
  })
})

describe('hole R2-6: --log wrote a claimed client_id as sent, so one request could forge log lines', () => {
  test('a client_id with a line break and a forged line stays on its own line, quoted', async () => {
    const mock = await startMock({ port: 0, store: 'memory', msw: false, pki, log: true })
    const lines: string[] = []
    const original = console.error
    console.error = (...args: unknown[]) => {
      lines.push(args.join(' '))
    }
    const forged = '2026-01-01T00:00:00.000Z DELETE /register/victim 204 client=victim 0.1ms'
    try {
      const res = await call(mock, '/token', {
        as: alpha,
        form: { grant_type: 'client_credentials', client_id: `x\n${forged}` },
      })
      assert.equal(res.json.error, 'invalid_client', 'control: the request is refused as an unknown client')
    } finally {
      console.error = original
      await mock.close()
    }
    const written = lines.join('\n').split('\n')
    assert.equal(written.length, 1, `one request, one line: ${JSON.stringify(written)}`)
    assert.ok(!written.some(l => l.startsWith(forged)), 'no line of the log is the forged one')
    assert.match(written[0] ?? '', /POST \/token 400 invalid_client client\?="x\\n2026/)
  })
})

describe('hole R2-7: a PUT whose client was deleted while it was validated answered 200 for a registration kept nowhere', () => {
  const ctx = describeBank()

  test('DELETE lands while the PUT reads the software JWKS: the PUT is refused 401 and the client stays deleted', async () => {
    const client = await ctx.tpp.register(alpha)
    const headers = { authorization: `Bearer ${await ctx.tpp.ccToken(client)}` }
    const put = async () =>
      call(ctx.mock, `/register/${client.clientId}`, {
        as: alpha,
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/jose' },
        body: await ctx.tpp.registrationRequest(alpha, { redirectUris: alpha.redirectUris.slice(0, 1) }),
      })
    const first = await put()
    assert.equal(first.status, 200, `control: a PUT with nothing in between: ${first.text}`)
    const del = () => call(ctx.mock, `/register/${client.clientId}`, { as: alpha, method: 'DELETE', headers })
    const { answer: second, meanwhile: deleted } = await duringJwksRead(ctx.mock, del, put)
    assert.equal(deleted, 204, 'the DELETE went through while the PUT was validated')
    assert.equal(
      second.status,
      401,
      `the PUT must not acknowledge what it did not keep: ${second.status} ${second.text.slice(0, 200)}`,
    )
    assert.equal(second.json.error, 'invalid_token')
    assert.equal(ctx.mock.bank.store.getClient(client.clientId), undefined)
  })
})

/** The family a refresh token belongs to (its record's extra.family). */
function familyOf(ctx: Ctx, token: string): string {
  const family = ctx.mock.bank.store.getToken(tokenHash(token))?.extra?.family
  assert.equal(typeof family, 'string', 'the refresh token belongs to a family')
  return family as string
}
