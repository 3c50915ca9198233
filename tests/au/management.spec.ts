/**
 * Registration management a Data Holder must refuse (CDS 1.36 "Registration Management", DCR API
 * 401 / 403): expired, missing, invalid, foreign or under-scoped tokens, unknown clients, tokens
 * shown over another certificate, PUTs that break the POST rules, other methods — the GET, PUT and
 * DELETE reference behaviours (CDR-B37 … B57) and the AU form of the catalogue's management and
 * binding sections. Each refusal is paired with the same call done right (its control), and a
 * refused call must leave the registration as it was.
 */

import { codeFlowTokens } from '../../fixtures/au/auth_code.ts'
import type { Recipient } from '../../fixtures/au/recipient.ts'
import { AU_CDR, type CdrRegisteredClient, expect, requiresAu, test } from '../../fixtures/au/test.ts'
import type { Bearer } from '../../fixtures/clients/dcr_client.ts'
import { type Exchange, outcomeOf } from '../../fixtures/clients/exchange.ts'
import { bodyOf, checkCdrRefusal } from '../checks/cdr.ts'
import { checkErrorIs } from '../checks/errors.ts'
import { checkJsonContentTypeIfBody, checkWwwAuthenticateBearer, ensureRejected } from '../checks/http.ts'
import {
  behaviour,
  CDS,
  control,
  formOf,
  freshToken,
  inconclusive,
  precondition,
  readBack,
  registerFirst,
  spec,
} from './support.ts'

const TAGS = [AU_CDR, '@dcr', '@management', '@negative']

type Op = 'GET' | 'PUT' | 'DELETE'

/** Where a management call goes: another client id in the URL, or over another recipient's certificate. */
interface CallOptions {
  clientId?: string
  /** Call over another recipient's certificate (the one a foreign token is bound to). */
  via?: Recipient
}

/** One management call of `client` with `bearer` (PUT: a valid update of the same software product). */
async function call(client: CdrRegisteredClient, op: Op, bearer: Bearer, o: CallOptions = {}): Promise<Exchange> {
  const { dcr } = o.via ?? client.recipient
  const clientId = o.clientId ?? client.clientId
  if (op === 'GET') return dcr.get(clientId, bearer)
  if (op === 'DELETE') return dcr.delete(clientId, bearer)
  const update = await client.recipient.registrationRequest({ ssaClaims: { software_id: client.softwareId } })
  return dcr.update(clientId, bearer, update.jws)
}

/** RFC 6750 §3, CDS DCR API 401: refused with a Bearer challenge (error one of `errors` when the token was seen). */
async function checkUnauthorized(ex: Exchange, errors?: readonly string[]) {
  await ensureRejected(ex, [401], { ref: CDS.api })
  await checkWwwAuthenticateBearer(ex)
  await checkJsonContentTypeIfBody(ex, 'RFC6750-3')
  if (errors && ex.kind === 'response' && ex.text.trim() !== '') await checkErrorIs(ex, errors as never, 'RFC6750-3.1')
}

/** Refused on GET, PUT and DELETE, each as `check` wants, then the registration is unchanged and the right token works. */
async function refusedEverywhere(
  client: CdrRegisteredClient,
  bearer: Bearer,
  check: (ex: Exchange) => Promise<void>,
  o: CallOptions = {},
) {
  const before = await readBack(client)
  for (const op of ['GET', 'PUT', 'DELETE'] as const) {
    await test.step(`${op}: refused`, async () => check(await call(client, op, bearer, o)))
  }
  const after = await readBack(client)
  await test.step(
    'the registration is unchanged [CDS-REG-MGMT]',
    async () => {
      expect.soft(after, 'the registration changed although every call was refused').toEqual(before)
    },
    { box: true },
  )
}

test.describe('AU CDR: registration management refusals', { tag: TAGS }, () => {
  test('AU-DCR-080 refuses an expired access token on GET, PUT and DELETE: 401 invalid_token', {
    annotation: [
      spec(CDS.management),
      spec('RFC6750-3.1'),
      behaviour(37, 43, 54),
      formOf('NEG-MGMT-05'),
      requiresAu('tokens:short-lived'),
    ],
  }, async ({ auTarget, recipientFor }) => {
    const r = await recipientFor(auTarget.shortLivedTokens ?? auTarget.recipient)
    // Setup, not the rule under test: a refused registration or token leaves the test without a verdict.
    const { request, exchange } = await registerFirst(r, 'register a client of the short-lived-token recipient')
    const clientId = String(bodyOf(exchange).client_id)
    const issued = await precondition('a cdr:registration token with its expires_in', async () => {
      const ex = await r.tokens.clientCredentials(clientId, 'private_key_jwt', { scope: 'cdr:registration' })
      const body = bodyOf(ex)
      if (ex.kind !== 'response' || ex.status !== 200 || typeof body.access_token !== 'string')
        throw new Error(`POST /token: ${outcomeOf(ex)}`)
      if (!(Number(body.expires_in) > 0)) throw new Error(`POST /token: expires_in ${JSON.stringify(body.expires_in)}`)
      return body
    })
    const token = String(issued.access_token)
    const lifetime = Number(issued.expires_in)
    test.setTimeout(30_000 + lifetime * 1000)
    await control('GET with the token while it lives', () => r.dcr.get(clientId, token), [200])
    await test.step(`wait for the token to expire (expires_in ${lifetime} s): GET answers 401 [RFC6750-3.1]`, async () => {
      await expect
        .poll(
          async () => {
            const ex = await r.dcr.get(clientId, token)
            return ex.kind === 'response' ? ex.status : ex.kind
          },
          { timeout: (lifetime + 5) * 1000, intervals: [500] },
        )
        .toBe(401)
    })
    const client: CdrRegisteredClient = {
      clientId,
      softwareId: request.softwareId,
      body: bodyOf(exchange),
      registration: exchange,
      ssa: request.ssa,
      recipient: r,
      token: scope => r.accessToken(clientId, scope),
    }
    await refusedEverywhere(client, token, ex => checkUnauthorized(ex, ['invalid_token']))
  })

  test('AU-DCR-081 refuses an unknown client id on GET, PUT and DELETE: 401, not 404', {
    annotation: [spec(CDS.api), behaviour(38, 44, 55), formOf('NEG-MGMT-06')],
  }, async ({ registeredClient }) => {
    const token = await freshToken(registeredClient)
    const unknown = '5d1b3e8a-0000-4000-8000-00000000dead'
    await refusedEverywhere(
      registeredClient,
      token,
      ex => checkUnauthorized(ex, ['invalid_token', 'invalid_request', 'invalid_client']),
      { clientId: unknown },
    )
    await control(
      'the same token on its own client',
      () => registeredClient.recipient.dcr.get(registeredClient.clientId, token),
      [200],
    )
  })

  test("AU-DCR-082 refuses another client's token on GET, PUT and DELETE: 401", {
    annotation: [spec(CDS.api), behaviour(39, 51, 56), formOf('NEG-MGMT-08'), requiresAu('recipient:second')],
  }, async ({ registeredClient, secondRecipient }) => {
    const { exchange } = await registerFirst(secondRecipient, 'register a client of the second recipient')
    const foreignToken = await precondition("the second client's cdr:registration token", () =>
      secondRecipient.accessToken(String(bodyOf(exchange).client_id)),
    )
    // Shown over the second recipient's own certificate: only the client it is presented for is wrong.
    await refusedEverywhere(
      registeredClient,
      foreignToken,
      ex => checkUnauthorized(ex, ['invalid_token', 'invalid_request', 'invalid_client']),
      { via: secondRecipient },
    )
    await control(
      "the second client's token on its own client",
      () => secondRecipient.dcr.get(String(bodyOf(exchange).client_id), foreignToken),
      [200],
    )
  })

  test('AU-DCR-083 refuses a token without the cdr:registration scope on GET, PUT and DELETE: 403', {
    annotation: [spec(CDS.management), behaviour(47), formOf('NEG-MGMT-09')],
  }, async ({ registeredClient, auDiscovery }) => {
    // A data access token of the client (Authorization Code Flow, scope openid bank:accounts.basic:read):
    // CDS "Access tokens issued for consuming CDR Data SHOULD NOT be used for client registration maintenance".
    const r = registeredClient.recipient
    const issued = await precondition('a data access token of the client (PAR, authorize, code)', async () => {
      const ex = await codeFlowTokens(r, auDiscovery, registeredClient.clientId)
      if (ex.kind !== 'response' || ex.status !== 200) throw new Error(outcomeOf(ex))
      return bodyOf(ex)
    })
    const scope = String(issued.scope ?? '').split(' ')
    if (scope.includes('cdr:registration'))
      inconclusive(`the data access token carries cdr:registration (scope ${issued.scope})`)
    await refusedEverywhere(registeredClient, String(issued.access_token), async ex => {
      await ensureRejected(ex, [403], { ref: CDS.management })
    })
  })

  test('AU-DCR-084 refuses a call without an access token: 401 with a Bearer challenge', {
    annotation: [spec(CDS.api), spec('RFC6750-3'), behaviour(48), formOf('NEG-MGMT-01', 'FMT-05')],
  }, async ({ registeredClient }) => {
    await refusedEverywhere(registeredClient, null, ex => checkUnauthorized(ex))
  })

  test('AU-DCR-085 refuses an invalid access token: 401 invalid_token', {
    annotation: [spec(CDS.api), spec('RFC6750-3.1'), behaviour(49), formOf('NEG-MGMT-04')],
  }, async ({ registeredClient }) => {
    await refusedEverywhere(registeredClient, 'not-a-token-this-data-holder-issued', ex =>
      checkUnauthorized(ex, ['invalid_token']),
    )
  })

  test("AU-DCR-086 refuses the client's own token shown over another client certificate: 401 (holder of key)", {
    annotation: [
      spec(CDS.tls),
      spec('RFC8705-3'),
      formOf('NEG-BIND-02', 'NEG-MGMT-26'),
      requiresAu('recipient:second'),
    ],
  }, async ({ registeredClient, recipientFor, auTarget }) => {
    const token = await freshToken(registeredClient)
    const otherCert = await recipientFor(registeredClient.recipient.profile, auTarget.secondRecipient)
    const ex = await otherCert.dcr.get(registeredClient.clientId, token)
    await checkUnauthorized(ex, ['invalid_token'])
    await control(
      'the same token over its own certificate',
      () => registeredClient.recipient.dcr.get(registeredClient.clientId, token),
      [200],
    )
  })

  test('AU-DCR-087 refuses a PUT whose redirect URI is not in the SSA: 400 invalid_redirect_uri, nothing changed', {
    annotation: [spec(CDS.management), behaviour(42), formOf('NEG-MGMT-13', 'NEG-MGMT-24')],
  }, async ({ registeredClient, cdrSchemas }) => {
    const r = registeredClient.recipient
    const token = await freshToken(registeredClient)
    const before = await readBack(registeredClient)
    const bad = await r.registrationRequest({
      ssaClaims: { software_id: registeredClient.softwareId },
      claims: { redirect_uris: ['https://evil.example/cb'] },
    })
    await checkCdrRefusal(
      await r.dcr.update(registeredClient.clientId, token, bad.jws),
      ['invalid_redirect_uri'],
      cdrSchemas.registration_error,
      CDS.request,
    )
    expect.soft(await readBack(registeredClient), 'the registration changed').toEqual(before)
    await control('the same PUT with a redirect URI of the SSA', async () => {
      const good = await r.registrationRequest({ ssaClaims: { software_id: registeredClient.softwareId } })
      return r.dcr.update(registeredClient.clientId, token, good.jws)
    }, [200])
  })

  test('AU-DCR-088 refuses a PUT without software_statement: 400', {
    annotation: [spec(CDS.management), behaviour(45), formOf('NEG-MGMT-16')],
  }, async ({ registeredClient, cdrSchemas }) => {
    const r = registeredClient.recipient
    const token = await freshToken(registeredClient)
    const bad = await r.registrationRequest({
      ssaClaims: { software_id: registeredClient.softwareId },
      claims: { software_statement: undefined },
    })
    await checkCdrRefusal(
      await r.dcr.update(registeredClient.clientId, token, bad.jws),
      ['invalid_client_metadata', 'invalid_software_statement'],
      cdrSchemas.registration_error,
      CDS.management,
    )
    await control('the same PUT with its SSA', async () => {
      const good = await r.registrationRequest({ ssaClaims: { software_id: registeredClient.softwareId } })
      return r.dcr.update(registeredClient.clientId, token, good.jws)
    }, [200])
  })

  test('AU-DCR-089 refuses a PUT carrying the SSA of another software product: 400', {
    annotation: [spec(CDS.ssa), spec(CDS.management), requiresAu('ssa:mint')],
  }, async ({ registeredClient, cdrSchemas }) => {
    const r = registeredClient.recipient
    const token = await freshToken(registeredClient)
    const other = await r.registrationRequest()
    await checkCdrRefusal(
      await r.dcr.update(registeredClient.clientId, token, other.jws),
      ['invalid_client_metadata', 'invalid_software_statement'],
      cdrSchemas.registration_error,
      CDS.ssa,
    )
    await control('the same PUT with an SSA of its own product', async () => {
      const good = await r.registrationRequest({ ssaClaims: { software_id: registeredClient.softwareId } })
      return r.dcr.update(registeredClient.clientId, token, good.jws)
    }, [200])
  })

  test('AU-DCR-090 refuses PATCH, TRACE and unknown methods on /register/{ClientId}: 405 or 501, nothing changed', {
    annotation: [spec(CDS.management), spec('RFC9110-15.5.6'), behaviour(52, 57)],
  }, async ({ registeredClient }) => {
    const r = registeredClient.recipient
    const token = await freshToken(registeredClient)
    const before = await readBack(registeredClient)
    const update = await r.registrationRequest({
      ssaClaims: { software_id: registeredClient.softwareId },
      claims: { redirect_uris: [r.profile.redirectUris[2] as string] },
    })
    const url = r.dcr.clientUrl(registeredClient.clientId)
    for (const method of ['PATCH', 'TRACE', 'COPY', 'LINK', 'PURGE']) {
      await test.step(`${method}: refused`, async () => {
        const ex = await r.call({
          method,
          url,
          label: `${method} /register/{ClientId}`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/jwt' },
          data: update.jws,
        })
        await ensureRejected(ex, [405, 501], { ref: 'RFC9110-15.5.6' })
      })
    }
    expect.soft(await readBack(registeredClient), 'a refused method changed the registration').toEqual(before)
  })
})
