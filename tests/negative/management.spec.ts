/**
 * NEG-MGMT: the client configuration endpoint `GET | PUT | DELETE /register/{ClientId}` refuses
 * what it must, and a refusal changes nothing (catalogue §2.6; RFC 7592 §2; OB DCR GET/PUT/DELETE,
 * which authenticate these calls with a client-credentials access token of the client).
 *
 * "Nothing changed" is checked as the issue asks: a refused PUT leaves the registration as it
 * reads back before (GET with a fresh token); a refused DELETE leaves the client alive (it still
 * gets a token); a revoked or foreign token stays dead (retried on its own client: 401).
 *
 * Every refusal has its positive control: the same call with a valid token of the client (or a
 * valid body) succeeds in the same test — so a bank that refuses every management call passes none.
 *
 * NEG-MGMT-24 (every POST metadata check repeated on PUT) lives with the POST checks; NEG-MGMT-25
 * does not apply (fixtures/catalogue/checks.ts says why).
 */
import { createPublicKey, randomUUID } from 'node:crypto'
import { issueClientCertificate } from '../../fixtures/builders/certificate.ts'
import { clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import type { Claims } from '../../fixtures/builders/jose.ts'
import type { AuthMethod } from '../../fixtures/builders/registration.ts'
import type { Bearer } from '../../fixtures/clients/dcr_client.ts'
import { type Exchange, outcomeOf } from '../../fixtures/clients/exchange.ts'
import {
  control,
  controlManagement,
  controlOperations,
  ensureSucceeded,
  precondition,
  preconditionClient,
  tokenOk,
} from '../../fixtures/controls.ts'
import { expect, test } from '../../fixtures/negative.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import { OPERATIONS, type Operation, type Target, type TppProfile } from '../../fixtures/targets/types.ts'
import type { Tpp } from '../../fixtures/tpp.ts'
import { recordAnswer } from '../checks/annotations.ts'
import { checkIntrospectionActive } from '../checks/binding.ts'
import { checkTokenRefusal } from '../checks/client_auth.ts'
import { checkErrorIs, checkNoClientId, checkRegistrationRefusal, type RegistrationError } from '../checks/errors.ts'
import {
  bearerChallenge,
  checkEmptyBody,
  checkJsonContentTypeIfBody,
  checkWwwAuthenticateBearer,
  ensureRejected,
  ensureStatus,
} from '../checks/http.ts'
import {
  checkClientAlive,
  checkRegistrationUnchanged,
  checkTokenRefused,
  readRegistration,
} from '../checks/management.ts'
import { bodyOf } from '../checks/registration.ts'
import { ensureAccessToken } from '../checks/token.ts'
import { checkUnauthorized } from '../dcr/flows.ts'

const spec = (description: string) => ({ type: 'spec', description })
const GARBAGE_TOKEN = 'ivegotthisterribletokenanditisnotyours'

/** One management call with `bearer`; PUT sends `jws` (a valid request unless the test breaks it). */
async function call(tpp: Tpp, op: Operation, clientId: string, bearer: Bearer, jws?: string): Promise<Exchange> {
  if (op === 'get') return tpp.dcr.get(clientId, bearer)
  if (op === 'delete') return tpp.dcr.delete(clientId, bearer)
  return tpp.dcr.update(clientId, bearer, jws ?? (await tpp.registrationRequest()).jws)
}

const offered = (target: Target) => OPERATIONS.filter(op => target.operations[op])

/**
 * A valid update that would visibly change the client: `response_types` `code` (the default is
 * `code id_token`) and, where the software statement has a second one, another redirect URI.
 */
async function changingUpdate(tpp: Tpp, registered: Record<string, unknown>) {
  const current = (registered.redirect_uris ?? []) as string[]
  const other = tpp.profile.redirectUris.find(u => !current.includes(u))
  return tpp.registrationRequest({
    ...(other ? { redirectUris: [other] } : {}),
    claims: { response_types: ['code'] },
  })
}

/**
 * RFC 6750 §3.1: a refused bearer token is 401 with a Bearer challenge naming one of `allowed`
 * (the catalogue's sources differ between invalid_token and invalid_request for an unknown client).
 */
async function checkBearerErrorIs(ex: Exchange, allowed: readonly string[]) {
  await test.step(
    `WWW-Authenticate: Bearer error is one of ${allowed.join(', ')} [RFC6750-3.1]`,
    async () => {
      const params = bearerChallenge(ex.kind === 'response' ? ex.headers['www-authenticate'] : undefined)
      expect
        .soft(allowed, `WWW-Authenticate error was ${JSON.stringify(params?.error ?? null)}`)
        .toContain(params?.error)
      if (params?.error && allowed.length > 1) recordAnswer('bearer-error', params.error)
    },
    { box: true },
  )
}

/** A second client of the same TPP, registered for the test. */
async function secondClient(tpp: Tpp): Promise<string> {
  return (await preconditionClient(tpp, {}, `a second client of ${tpp.name}`)).clientId
}

test.describe('NEG-MGMT client management refusals', { tag: ['@dcr', '@negative', '@management'] }, () => {
  test('NEG-MGMT-01 refuses GET with a garbage bearer token: 401 invalid_token and no client data', {
    annotation: [spec('RFC7592-2.1'), spec('RFC6750-3.1'), spec('OBDCR-GET-register'), requires('operation:get')],
  }, async ({ registeredClient: { tpp, clientId, authMethod } }) => {
    await controlManagement(tpp, 'get', { clientId, authMethod })
    await checkUnauthorized(await tpp.dcr.get(clientId, GARBAGE_TOKEN), 'invalid_token')
  })

  test('NEG-MGMT-02 refuses DELETE with a garbage token and keeps the client, which its own token then deletes', {
    annotation: [spec('RFC7592-2.3'), spec('RFC6750-3.1'), spec('OBDCR-DELETE-register'), requires('operation:delete')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, target }) => {
    const ex = await tpp.dcr.delete(clientId, GARBAGE_TOKEN)
    await ensureRejected(ex, [400, 401], { ref: 'RFC7592-2.3' })
    if (ex.kind === 'response' && ex.status === 401) await checkWwwAuthenticateBearer(ex, 'invalid_token')
    await checkJsonContentTypeIfBody(ex)
    await checkNoClientId(ex, 'RFC7592-2.3')
    await checkClientAlive(tpp, clientId, authMethod, target)
    const del = await controlManagement(
      tpp,
      'delete',
      { clientId, authMethod },
      {
        bearer: await token(),
        title: 'DELETE /register/{ClientId} with the client’s own token answers 204',
      },
    )
    await checkEmptyBody(del)
  })

  test('NEG-MGMT-03 refuses PUT with a garbage token and leaves the registration unchanged', {
    annotation: [spec('RFC7592-2.2'), spec('RFC6750-3.1'), spec('OBDCR-PUT-register'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, body }, target }) => {
    await controlManagement(tpp, 'put', { clientId, authMethod })
    const before = await readRegistration(tpp, clientId, authMethod, target)
    const ex = await tpp.dcr.update(clientId, GARBAGE_TOKEN, (await changingUpdate(tpp, body)).jws)
    await checkUnauthorized(ex, 'invalid_token')
    await checkRegistrationUnchanged(before, await readRegistration(tpp, clientId, authMethod, target))
  })

  test('NEG-MGMT-04 refuses every management call without an Authorization header with a Bearer challenge', {
    annotation: [spec('RFC6750-3'), spec('RFC6750-3.1'), spec('RFC7592-2')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, body }, target }) => {
    const ops = offered(target)
    test.skip(ops.length === 0, `${target.name} offers no management operation`)
    const before = await readRegistration(tpp, clientId, authMethod, target)
    for (const op of ops) {
      const jws = op === 'put' ? (await changingUpdate(tpp, body)).jws : undefined
      // RFC 6750 §3.1: with no credentials at all the challenge need not carry an error code.
      await checkUnauthorized(await call(tpp, op, clientId, null, jws))
    }
    await checkRegistrationUnchanged(before, await readRegistration(tpp, clientId, authMethod, target))
    await checkClientAlive(tpp, clientId, authMethod, target)
    await controlOperations(tpp, { clientId, authMethod }, ops)
  })

  test('NEG-MGMT-05 refuses an expired access token on GET, PUT and DELETE: 401 invalid_token', {
    annotation: [spec('RFC6750-3.1'), spec('RFC7592-2'), requires('operation:get')],
  }, async ({ target, tppFor }) => {
    // The mock gives one TPP short-lived tokens; against a bank, its main TPP's tokens are used when
    // they expire soon enough to wait for.
    const maxWait = 20
    const tpp = await tppFor(target.shortLivedTokens ?? target.tpp)
    const method: AuthMethod = target.authMethods[0] ?? 'private_key_jwt'
    const { clientId } = await preconditionClient(tpp, { authMethod: method }, `a registered client of ${tpp.name}`)
    const issued = await precondition('an access token of the client', async () => {
      const ex = await tpp.tokens.clientCredentials(clientId, method)
      ensureSucceeded(ex, 200)
      return ex
    })
    const token = await ensureAccessToken(issued)
    const lifetime = Number(bodyOf(issued).expires_in)
    test.skip(
      !Number.isFinite(lifetime) || lifetime > maxWait,
      `the access tokens of ${tpp.name} live ${Number.isFinite(lifetime) ? `${lifetime} s` : 'an unknown time (no expires_in)'}; this test waits at most ${maxWait} s for one to expire`,
    )
    test.setTimeout(30_000 + lifetime * 1000)
    await controlManagement(
      tpp,
      'get',
      { clientId, authMethod: method },
      {
        bearer: token,
        title: 'GET /register/{ClientId} with the token before it expires answers 200',
      },
    )
    await test.step(`wait for the token to expire (expires_in ${lifetime} s): GET answers 401 [RFC6750-3.1]`, async () => {
      await expect
        .poll(
          async () => {
            const ex = await tpp.dcr.get(clientId, token)
            return ex.kind === 'response' ? ex.status : ex.kind
          },
          { timeout: (lifetime + 5) * 1000, intervals: [500] },
        )
        .toBe(401)
    })
    await checkUnauthorized(await tpp.dcr.get(clientId, token), 'invalid_token')
    if (target.operations.put) {
      const before = await readRegistration(tpp, clientId, method, target)
      await checkUnauthorized(
        await tpp.dcr.update(clientId, token, (await changingUpdate(tpp, {})).jws),
        'invalid_token',
      )
      await checkRegistrationUnchanged(before, await readRegistration(tpp, clientId, method, target))
    }
    if (target.operations.delete) {
      await checkUnauthorized(await tpp.dcr.delete(clientId, token), 'invalid_token')
      await checkClientAlive(tpp, clientId, method, target)
    }
    await controlOperations(
      tpp,
      { clientId, authMethod: method },
      offered(target).filter(op => op !== 'get'),
    )
  })

  test('NEG-MGMT-06 answers 401 for a client id it never issued, whatever the operation', {
    annotation: [
      spec('OBDCR-GET-register'),
      spec('OBDCR-PUT-register'),
      spec('OBDCR-DELETE-register'),
      spec('RFC7592-2.1'),
    ],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, target }) => {
    const ops = offered(target)
    test.skip(ops.length === 0, `${target.name} offers no management operation`)
    for (const op of ops) {
      // The presented token is revoked by the refusal (NEG-MGMT-07): a fresh one per call.
      const ex = await call(tpp, op, randomUUID(), await token())
      await checkUnauthorized(ex)
      await checkBearerErrorIs(ex, ['invalid_token', 'invalid_request'])
    }
    await controlOperations(tpp, { clientId, authMethod }, ops)
  })

  test('NEG-MGMT-07 revokes the token presented for an unknown client id: it no longer works on its own client', {
    annotation: [spec('OBDCR-GET-register'), spec('RFC7592-2.1'), requires('operation:get')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, target }) => {
    const presented = await token()
    await checkUnauthorized(await tpp.dcr.get(randomUUID(), presented))
    const ex = await checkTokenRefused(tpp, clientId, presented, target, 'revoked', 'OBDCR-GET-register')
    await checkUnauthorized(ex, 'invalid_token')
    await controlManagement(
      tpp,
      'get',
      { clientId, authMethod },
      {
        title: 'a fresh token of the client, never presented elsewhere: GET /register/{ClientId} answers 200',
      },
    )
  })

  test("NEG-MGMT-08 refuses another client's token on a client's URL as for an unknown client, and changes nothing", {
    annotation: [spec('RFC7592-2.1'), spec('RFC7592-2.2'), spec('RFC7592-2.3'), spec('OBDCR-GET-register')],
  }, async ({ registeredClient: a, target }) => {
    const ops = offered(target)
    test.skip(ops.length === 0, `${target.name} offers no management operation`)
    const { tpp, authMethod } = a
    const b = await secondClient(tpp)
    const before = await readRegistration(tpp, b, authMethod, target)
    const unknown = await call(tpp, ops[0] as Operation, randomUUID(), await a.token())
    const foreignTokens: string[] = []
    for (const op of ops) {
      const tokenA = await a.token()
      foreignTokens.push(tokenA)
      const ex = await call(tpp, op, b, tokenA)
      await checkUnauthorized(ex)
      await checkBearerErrorIs(ex, ['invalid_token', 'invalid_request'])
      await test.step(`the answer is the one an unknown client id gets (no enumeration) [RFC7592-2.1]`, async () => {
        const code = (e: Exchange) => (e.kind === 'response' ? bodyOf(e).error : undefined)
        const challenge = (e: Exchange) =>
          bearerChallenge(e.kind === 'response' ? e.headers['www-authenticate'] : undefined)?.error
        expect
          .soft(outcomeOf(ex).slice(0, 8), 'status differs from the unknown-client answer')
          .toBe(outcomeOf(unknown).slice(0, 8))
        expect.soft(code(ex), 'error differs from the unknown-client answer').toBe(code(unknown))
        expect
          .soft(challenge(ex), 'WWW-Authenticate error differs from the unknown-client answer')
          .toBe(challenge(unknown))
      })
    }
    await checkRegistrationUnchanged(before, await readRegistration(tpp, b, authMethod, target))
    await checkClientAlive(tpp, b, authMethod, target)
    // OB DCR: a token presented for a client it was not issued to is revoked, as for an unknown client.
    await checkTokenRefused(tpp, a.clientId, foreignTokens[0] as string, target, 'foreign-used', 'OBDCR-GET-register')
    await controlOperations(tpp, { clientId: b, authMethod }, ops)
  })

  test('NEG-MGMT-09 refuses tokens of the wrong kind: the client assertion, the software statement', {
    annotation: [spec('RFC6750-3.1'), spec('OBDCR-Authentication'), requires('operation:get')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, request }, discovery, target }) => {
    await controlManagement(
      tpp,
      'get',
      { clientId, authMethod },
      {
        title: 'GET /register/{ClientId} with a client-credentials access token of the client answers 200',
      },
    )
    // OB DCR manages a client with a client-credentials access token. Signed JWTs a lax server
    // might take for one: the client's own assertion (signed by the client, iss = sub = client_id)
    // and the directory-signed software statement of its registration.
    const aud = target.clientAssertionAud === 'issuer' ? discovery.endpoints.issuer : discovery.endpoints.tokenAud
    const wrong: [string, string][] = [
      ['a client assertion of the client', await clientAssertion(clientId, aud, tpp.profile.signing)],
      ['the software statement of its registration', request.ssa],
    ]
    for (const [name, bearer] of wrong) {
      await test.step(`GET with ${name} as bearer token`, async () => {
        await checkUnauthorized(await tpp.dcr.get(clientId, bearer), 'invalid_token')
      })
    }
  })

  test('NEG-MGMT-10 after DELETE: GET and PUT 401, DELETE again 400 or 401, client_credentials invalid_client', {
    annotation: [spec('RFC7592-2.3'), spec('RFC6749-5.2'), spec('OBDCR-DELETE-register'), requires('operation:delete')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, target }) => {
    const old = await token()
    // The controls: the same GET and PUT with the same token, before the client is deleted.
    for (const op of offered(target).filter(o => o !== 'delete')) {
      await controlManagement(
        tpp,
        op,
        { clientId, authMethod },
        {
          bearer: old,
          title: `${op.toUpperCase()} /register/{ClientId} with the same token before the DELETE succeeds`,
        },
      )
    }
    await ensureStatus(await tpp.dcr.delete(clientId, old), 204, 'RFC7592-2.3')
    if (target.operations.get) await checkUnauthorized(await tpp.dcr.get(clientId, old))
    if (target.operations.put)
      await checkUnauthorized(await tpp.dcr.update(clientId, old, (await tpp.registrationRequest()).jws))
    const again = await tpp.dcr.delete(clientId, old)
    await ensureRejected(again, [400, 401], { ref: 'RFC7592-2.3' })
    await checkNoClientId(again, 'RFC7592-2.3')
    await checkTokenRefusal(await tpp.tokens.clientCredentials(clientId, authMethod), ['invalid_client'])
  })

  test('NEG-MGMT-11 after DELETE the tokens issued earlier are dead: refused, and inactive on introspection', {
    annotation: [spec('OBDCR-DELETE-register'), spec('RFC7592-2.3'), spec('RFC7662-2.2'), requires('operation:delete')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, target, introspect }) => {
    const sibling = await secondClient(tpp)
    const earlier = await token()
    await control('before the DELETE, introspection says the token is active', async () => {
      const live = await introspect(tpp.profile, sibling, authMethod, earlier)
      ensureSucceeded(live, 200)
      if (bodyOf(live).active !== true) throw new Error(`introspection said ${live.text}`)
    })
    if (target.operations.get) {
      await controlManagement(
        tpp,
        'get',
        { clientId, authMethod },
        {
          bearer: earlier,
          title: 'before the DELETE, the token reads its client: GET /register/{ClientId} answers 200',
        },
      )
    }
    await ensureStatus(await tpp.dcr.delete(clientId, await token()), 204, 'RFC7592-2.3')
    // RFC 7662: another client of the same software asks about the token (the deleted one cannot
    // authenticate). Asked first: presenting the token for a client that is gone revokes it anyway.
    const ex = await introspect(tpp.profile, sibling, authMethod, earlier)
    await ensureStatus(ex, 200, 'RFC7662-2.2')
    await checkIntrospectionActive(ex, false)
    await checkTokenRefused(tpp, clientId, earlier, target, 'deleted client’s', 'OBDCR-DELETE-register')
  })

  test('NEG-MGMT-12 keeps the tokens issued before a successful PUT working', {
    annotation: [spec('OBDCR-PUT-register'), spec('RFC7592-2.2'), requires('operation:put'), requires('operation:get')],
  }, async ({ registeredClient: { tpp, clientId, body, token } }) => {
    const earlier = await token()
    await ensureStatus(
      await tpp.dcr.update(clientId, earlier, (await changingUpdate(tpp, body)).jws),
      200,
      'RFC7592-2.2',
    )
    await ensureStatus(await tpp.dcr.get(clientId, earlier), 200, 'OBDCR-PUT-register')
  })

  /** A PUT refused for its body: 400, the error, and nothing changed. */
  /** The fixtures a refused PUT needs: the client, how it gets its token, the target and the schemas. */
  interface PutContext {
    tpp: Tpp
    clientId: string
    authMethod: AuthMethod
    target: Target
    schemas: { registrationError: Parameters<typeof checkRegistrationRefusal>[2] }
  }

  async function refusedUpdate(
    { tpp, clientId, authMethod, target, schemas }: PutContext,
    jws: string,
    allowed: readonly RegistrationError[],
  ) {
    const before = await readRegistration(tpp, clientId, authMethod, target)
    const ex = await tpp.dcr.update(clientId, await tpp.accessToken(clientId, authMethod), jws)
    await ensureStatus(ex, 400, 'RFC7592-2.2')
    await checkRegistrationRefusal(ex, allowed, schemas.registrationError)
    await checkRegistrationUnchanged(before, await readRegistration(tpp, clientId, authMethod, target))
    await controlManagement(
      tpp,
      'put',
      { clientId, authMethod },
      {
        title: 'the same PUT with a valid registration request answers 200',
      },
    )
  }

  test('NEG-MGMT-13 refuses a PUT adding a redirect URI that is not in the software statement', {
    annotation: [spec('RFC7592-2.2'), spec('OBDCR-redirect_uris'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod }, target, schemas }) => {
    const req = await tpp.registrationRequest({
      redirectUris: [tpp.profile.redirectUris[0] as string, 'https://attacker.example/callback'],
    })
    await refusedUpdate({ tpp, clientId, authMethod, target, schemas }, req.jws, [
      'invalid_redirect_uri',
      'invalid_client_metadata',
    ])
  })

  test("NEG-MGMT-14 refuses a PUT changing jwks_uri to a host other than the software statement's", {
    annotation: [spec('RFC7592-2.2'), spec('OBDCR-Of-JWS-and-JWKS'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod }, target, schemas }) => {
    const req = await tpp.registrationRequest({ claims: { jwks_uri: 'https://attacker.example/jwks.json' } })
    await refusedUpdate({ tpp, clientId, authMethod, target, schemas }, req.jws, ['invalid_client_metadata'])
  })

  test('NEG-MGMT-15 refuses a PUT that gives the keys by value (jwks) instead of the software JWKS', {
    annotation: [spec('RFC7592-2.2'), spec('OBDCR-Of-JWS-and-JWKS'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod }, target, schemas }) => {
    const jwk = { ...createPublicKey(tpp.profile.signing.key).export({ format: 'jwk' }), kid: tpp.profile.signing.kid }
    const req = await tpp.registrationRequest({ claims: { jwks: { keys: [jwk] } } })
    await refusedUpdate({ tpp, clientId, authMethod, target, schemas }, req.jws, ['invalid_client_metadata'])
  })

  test('NEG-MGMT-16 refuses a PUT without a software statement', {
    annotation: [spec('RFC7592-2.2'), spec('OBDCR-data-dictionary'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod }, target, schemas }) => {
    const req = await tpp.registrationRequest({ claims: { software_statement: undefined } })
    await refusedUpdate({ tpp, clientId, authMethod, target, schemas }, req.jws, [
      'invalid_software_statement',
      'invalid_client_metadata',
    ])
  })

  test('NEG-MGMT-17 refuses a PUT whose software statement signature was altered', {
    annotation: [spec('RFC7592-2.2'), spec('RFC7591-3.2.2'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod }, target, schemas }) => {
    const req = await tpp.registrationRequest({ ssaVariant: 'tampered-signature' })
    await refusedUpdate({ tpp, clientId, authMethod, target, schemas }, req.jws, ['invalid_software_statement'])
  })

  test('NEG-MGMT-18 leaves the registration as it was after a series of refused PUTs (no partial update)', {
    annotation: [spec('RFC7592-2.2'), requires('operation:put'), requires('operation:get')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, target }) => {
    const before = await readRegistration(tpp, clientId, authMethod, target)
    const attempts: { name: string; bearer: Bearer; opts: Parameters<Tpp['registrationRequest']>[0] }[] = [
      {
        name: 'a redirect URI outside the SSA',
        bearer: await token(),
        opts: { redirectUris: ['https://attacker.example/cb'], claims: { response_types: ['code'] } },
      },
      {
        name: 'no software statement',
        bearer: await token(),
        opts: { claims: { software_statement: undefined, response_types: ['code'] } },
      },
      {
        name: 'an altered SSA signature',
        bearer: await token(),
        opts: { ssaVariant: 'tampered-signature', claims: { response_types: ['code'] } },
      },
      { name: 'a garbage token', bearer: GARBAGE_TOKEN, opts: { claims: { response_types: ['code'] } } },
    ]
    for (const a of attempts) {
      await test.step(`PUT with ${a.name} is refused`, async () => {
        const ex = await tpp.dcr.update(clientId, a.bearer, (await tpp.registrationRequest(a.opts)).jws)
        await ensureRejected(ex, [400, 401], { ref: 'RFC7592-2.2' })
      })
    }
    await checkRegistrationUnchanged(before, await readRegistration(tpp, clientId, authMethod, target))
    await controlManagement(
      tpp,
      'put',
      { clientId, authMethod },
      {
        title: 'a valid PUT with a valid token answers 200',
      },
    )
  })

  test('NEG-MGMT-19 refuses a PUT carrying server-managed fields with invalid_request', {
    annotation: [spec('RFC7592-2.2'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, body }, target, schemas }) => {
    const fields: Claims = {
      registration_access_token: 'a-token-the-client-may-not-set',
      registration_client_uri: tpp.dcr.clientUrl(clientId),
      client_secret_expires_at: 0,
      client_id_issued_at: typeof body.client_id_issued_at === 'number' ? body.client_id_issued_at : 1_700_000_000,
    }
    for (const [name, value] of Object.entries(fields)) {
      await test.step(`PUT with ${name}`, async () => {
        const req = await tpp.registrationRequest({ claims: { client_id: clientId, [name]: value } })
        await refusedUpdate({ tpp, clientId, authMethod, target, schemas }, req.jws, ['invalid_request'])
      })
    }
  })

  test("NEG-MGMT-20 refuses a PUT naming another client's client_id, or a client_secret that does not match", {
    annotation: [spec('RFC7592-2.2'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod }, target, schemas }) => {
    const other = await secondClient(tpp)
    const cases: [string, Claims][] = [
      ["another client's client_id", { client_id: other }],
      ['a client_secret that does not match', { client_id: clientId, client_secret: 'not-the-secret-of-this-client' }],
    ]
    for (const [name, claims] of cases) {
      await test.step(`PUT with ${name}`, async () => {
        const req = await tpp.registrationRequest({ claims })
        await refusedUpdate({ tpp, clientId, authMethod, target, schemas }, req.jws, ['invalid_request'])
      })
    }
  })

  test('NEG-MGMT-21 treats optional fields a PUT omits as removed, not kept (or refuses the change)', {
    annotation: [spec('RFC7592-2.2'), spec('OBDCR-PUT-register'), requires('operation:put')],
  }, async ({ tpp, authMethod, target }) => {
    // response_types is optional (OB DCR 0..*, default "code id_token"): registered as ["code"], then left out.
    const { clientId, exchange } = await preconditionClient(
      tpp,
      { claims: { response_types: ['code'] } },
      'a client registered with response_types ["code"]',
    )
    test.skip(
      JSON.stringify(bodyOf(exchange).response_types) !== JSON.stringify(['code']),
      `${target.name} did not register response_types ["code"] as asked (got ${JSON.stringify(bodyOf(exchange).response_types)})`,
    )
    const ex = await tpp.dcr.update(
      clientId,
      await tpp.accessToken(clientId, authMethod),
      (await tpp.registrationRequest({ claims: { response_types: undefined } })).jws,
    )
    await ensureRejected(ex, [200, 400], { ref: 'RFC7592-2.2' })
    if (ex.kind === 'response' && ex.status === 400) {
      await checkErrorIs(ex, ['invalid_client_metadata', 'invalid_request'])
      await controlManagement(
        tpp,
        'put',
        { clientId, authMethod },
        {
          title: 'the same PUT naming response_types answers 200',
        },
      )
      return
    }
    await test.step('response_types was removed or reset to its default, not kept [RFC7592-2.2]', async () => {
      const now = bodyOf(ex).response_types
      expect.soft(now, 'the omitted response_types kept its old value ["code"]').not.toEqual(['code'])
      recordAnswer('omitted-response_types', JSON.stringify(now ?? null))
    })
  })

  test('NEG-MGMT-22 answers 405 for a management operation it does not offer, after checking the token', {
    annotation: [spec('RFC7592-2'), spec('OBDCR-OpenAPI-405')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, target }) => {
    const off = OPERATIONS.filter(op => !target.operations[op])
    test.skip(off.length === 0, `${target.name} offers GET, PUT and DELETE: no operation to see refused with 405`)
    for (const op of off) {
      const ex = await call(tpp, op, clientId, await token())
      await ensureStatus(ex, 405, 'RFC9110-15.5.6')
      await checkNoClientId(ex, 'RFC7592-2')
    }
    // The control: an operation the bank offers succeeds with such a token (the token was issued: the fixture's control).
    await controlOperations(tpp, { clientId, authMethod }, offered(target).slice(0, 1))
  })

  test('NEG-MGMT-26 refuses GET, PUT and DELETE with a bound token over its certificate once that certificate has expired', {
    annotation: [
      spec('RFC8705-3'),
      spec('RFC5280-6.1.3'),
      spec('RFC7592-2'),
      requires('cert:issue'),
      requires('operation:get'),
    ],
  }, async ({ registeredClient: { tpp, clientId, authMethod, body }, target, tppFor, handshakeControl }) => {
    // Seconds the certificate lives once the token is bound to it: the test waits that long.
    const lifetime = 4
    const issuer = target.transportIssuer as NonNullable<typeof target.transportIssuer>
    const holder = await precondition(
      `a certificate of the TPP's subject and key that expires in ${lifetime} s`,
      async () => {
        const { cert } = await issueClientCertificate(issuer, tpp.profile.transport, {
          notBefore: new Date(Date.now() - 60_000),
          notAfter: new Date(Date.now() + lifetime * 1000),
        })
        const profile: TppProfile = {
          ...tpp.profile,
          name: `${tpp.profile.name}-expiring-${randomUUID()}`,
          transport: { ...tpp.profile.transport, cert: Buffer.from(cert) },
        }
        return tppFor(tpp.profile, profile)
      },
    )
    const token = await precondition('an access token bound to that certificate', () =>
      tokenOk(holder, clientId, authMethod),
    )
    await controlManagement(
      holder,
      'get',
      { clientId, authMethod },
      {
        bearer: token,
        title:
          'the token works over its certificate while the certificate is valid: GET /register/{ClientId} answers 200',
      },
    )
    const before = await readRegistration(tpp, clientId, authMethod, target)
    await test.step(`the certificate expires (at most ${lifetime} s): GET over it is then refused [RFC8705-3]`, async () => {
      await expect
        .poll(
          async () => {
            const ex = await holder.dcr.get(clientId, token)
            return ex.kind === 'response' ? ex.status : ex.kind
          },
          { timeout: (lifetime + 6) * 1000, intervals: [500] },
        )
        .not.toBe(200)
    })
    for (const op of offered(target)) {
      const jws = op === 'put' ? (await changingUpdate(tpp, body)).jws : undefined
      const ex = await call(holder, op, clientId, token, jws)
      await ensureRejected(ex, [401], { tlsRefusal: handshakeControl, ref: 'RFC8705-3' })
      if (ex.kind === 'response') await checkWwwAuthenticateBearer(ex, 'invalid_token')
      await checkNoClientId(ex, 'RFC7592-2.1')
    }
    await checkRegistrationUnchanged(before, await readRegistration(tpp, clientId, authMethod, target))
    await checkClientAlive(tpp, clientId, authMethod, target)
    await controlOperations(tpp, { clientId, authMethod }, offered(target))
  })

  test('NEG-MGMT-23 refuses a PUT that replays the jti of the registration request', {
    annotation: [spec('OBDCR-data-dictionary'), spec('RFC7519-4.1.7'), requires('operation:put')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, request }, target, schemas }) => {
    const replay = await tpp.registrationRequest({ claims: { jti: request.claims.jti, response_types: ['code'] } })
    await refusedUpdate({ tpp, clientId, authMethod, target, schemas }, replay.jws, [
      'invalid_client_metadata',
      'invalid_request',
    ])
  })
})
