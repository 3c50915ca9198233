/**
 * What the security reviews of the AU mock found a real Data Holder could also get wrong (README
 * "Security notes", AU): another recipient's client certificate acting for a client, refresh
 * tokens cycled against CDS, registration requests valid for ever; introspection of access tokens,
 * sharing_duration ignored, a cdr_arrangement_id that is not the client's. Each refusal has its
 * control: the same request done right succeeds against the same Data Holder.
 */
import { randomUUID } from 'node:crypto'
import {
  authorize,
  codeFlowTokens,
  introspectToken,
  pushRequest,
  readJarm,
  redeemCode,
  redirectOf,
  SHARING_DURATION,
} from '../../fixtures/au/auth_code.ts'
import { AU_CDR, expect, requiresAu, test } from '../../fixtures/au/test.ts'
import { outcomeOf } from '../../fixtures/clients/exchange.ts'
import { bodyOf, checkCdrRefusal } from '../checks/cdr.ts'
import { checkErrorIs } from '../checks/errors.ts'
import { ensureRejected, ensureStatus } from '../checks/http.ts'
import { CDS, control, formOf, inconclusive, precondition, spec } from './support.ts'

test.describe('AU CDR: the security review', { tag: [AU_CDR, '@security'] }, () => {
  test("AU-DCR-170 refuses another recipient's client certificate acting for the client: its assertion or its code over it", {
    annotation: [
      spec(CDS.certificates),
      spec('RFC8705-3'),
      formOf('NEG-TOK-32', 'NEG-BIND-08'),
      requiresAu('recipient:second'),
    ],
    // Both refusals are the token endpoint's: its verdict rests on POST /token.
    tag: ['@negative', '@token'],
  }, async ({ registeredClient, recipientFor, auTarget, auDiscovery }) => {
    const r = registeredClient.recipient
    const id = registeredClient.clientId
    const otherCert = await recipientFor(r.profile, auTarget.secondRecipient)
    const tokenRequest = (over: typeof r) =>
      over.tokens.clientCredentials(id, 'private_key_jwt', { scope: 'cdr:registration' })
    await test.step("the client's assertion over another recipient's certificate: invalid_client", async () => {
      const ex = await tokenRequest(otherCert)
      await ensureRejected(ex, [400, 401], { ref: CDS.certificates })
      await checkErrorIs(ex, ['invalid_client'], 'RFC6749-5.2')
    })
    await control('the same token request over its own certificate', () => tokenRequest(r), [200])
    const { code, pushed } = await precondition('an authorisation code of the client', async () => {
      const p = await pushRequest(r, auDiscovery, id)
      if (!p.requestUri) inconclusive(`PAR: ${outcomeOf(p.exchange)}`)
      const response = redirectOf(
        await authorize(r, auDiscovery, { client_id: id, request_uri: p.requestUri }),
      )?.searchParams.get('response')
      if (!response) inconclusive('authorize: no JARM response')
      return { code: String((await readJarm(r, auDiscovery, id, response)).claims.code), pushed: p }
    })
    const redeem = (over: typeof r) => redeemCode(over, id, code, pushed.redirectUri, pushed.verifier)
    await test.step("the code redeemed over another recipient's certificate: refused", async () => {
      const ex = await redeem(otherCert)
      await ensureRejected(ex, [400, 401], { ref: CDS.certificates })
      await checkErrorIs(ex, ['invalid_client', 'invalid_grant'], 'RFC6749-5.2')
    })
    await control('the same code redeemed over its own certificate', () => redeem(r), [200])
  })

  test('AU-DCR-171 keeps the refresh token: it refreshes again, and no answer cycles it', {
    annotation: [spec(CDS.tokens), spec('RFC6749-6')],
  }, async ({ registeredClient, auDiscovery }) => {
    const r = registeredClient.recipient
    const id = registeredClient.clientId
    const issued = await precondition('tokens of an arrangement', async () => {
      const ex = await codeFlowTokens(r, auDiscovery, id)
      const token = bodyOf(ex).refresh_token
      if (typeof token !== 'string') inconclusive(`no refresh token was issued: ${outcomeOf(ex)}`, ex)
      return token
    })
    const refresh = () =>
      r.tokens.clientCredentials(id, 'private_key_jwt', {
        form: { grant_type: 'refresh_token', refresh_token: issued },
      })
    const first = await control('a first refresh', refresh, [200])
    await test.step(
      'the answer gives no new refresh token, or the same [CDS-TOKENS]',
      async () => {
        expect(bodyOf(first).refresh_token ?? issued, 'CDS Tokens: "Data Holders MUST NOT cycle refresh tokens"').toBe(
          issued,
        )
      },
      { box: true },
    )
    await ensureStatus(await refresh(), 200, CDS.tokens)
  })

  test('AU-DCR-172 refuses a registration request issued long ago or valid for ever', {
    annotation: [spec(CDS.request), spec('RFC7519-4.1.4'), formOf('NEG-JWT-15')],
    tag: '@negative',
  }, async ({ recipient, cdrSchemas }) => {
    const faults: [string, Record<string, unknown>][] = [
      ['iat -100 (before 1970)', { iat: -100 }],
      ['exp 1e20', { exp: 1e20 }],
    ]
    for (const [what, claims] of faults) {
      await test.step(`${what}: refused`, async () => {
        const { exchange } = await recipient.register({ claims })
        await checkCdrRefusal(exchange, ['invalid_client_metadata'], cdrSchemas.registration_error, CDS.request)
      })
    }
    await control('the same registration valid for five minutes', async () => (await recipient.register()).exchange)
  })

  test('AU-DCR-173 introspects refresh tokens only: an access token is active: false', {
    annotation: [spec(CDS.tokens), spec('RFC7662-2.2')],
    tag: ['@negative', '@token'],
  }, async ({ registeredClient, auDiscovery }) => {
    test.skip(!auDiscovery.config.introspection_endpoint, 'the Data Holder publishes no introspection_endpoint')
    const r = registeredClient.recipient
    const id = registeredClient.clientId
    const tokens = await precondition('an access token and a refresh token of an arrangement', async () => {
      const ex = await codeFlowTokens(r, auDiscovery, id)
      const body = bodyOf(ex)
      if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string')
        inconclusive(`no access and refresh token: ${outcomeOf(ex)}`, ex)
      return { access: body.access_token, refresh: body.refresh_token }
    })
    // The control first: a Data Holder that refuses every introspection gets no verdict, not a FAIL.
    const refresh = await control(
      'the refresh token of the same grant',
      () => introspectToken(r, auDiscovery, id, tokens.refresh),
      [200],
    )
    await test.step(
      'the refresh token introspects as active [CDS-TOKENS]',
      async () => {
        expect(bodyOf(refresh).active).toBe(true)
      },
      { box: true },
    )
    const access = await introspectToken(r, auDiscovery, id, tokens.access)
    await test.step(
      'the access token introspects as active: false [CDS-TOKENS]',
      async () => {
        expect(access.kind === 'response' && [200, 400].includes(access.status), `answered ${outcomeOf(access)}`).toBe(
          true,
        )
        if (access.kind === 'response' && access.status === 200)
          expect(bodyOf(access).active, 'CDS: "Introspection of Access Tokens ... MUST NOT be supported"').toBe(false)
      },
      { box: true },
    )
  })

  test('AU-DCR-174 follows sharing_duration: once-off access has no refresh token; a negative duration is refused', {
    annotation: [spec(CDS.requestObject)],
    tag: ['@negative', '@token'],
  }, async ({ registeredClient, auDiscovery }) => {
    const r = registeredClient.recipient
    const id = registeredClient.clientId
    // The control first: a Data Holder that refuses every flow gets no verdict, not a FAIL.
    const ongoing = await control(
      'the code flow with sharing_duration 90 days',
      () => codeFlowTokens(r, auDiscovery, id),
      [200],
    )
    await test.step(
      'ongoing sharing: a refresh token [CDS-REQ-OBJ]',
      async () => {
        expect(typeof bodyOf(ongoing).refresh_token).toBe('string')
      },
      { box: true },
    )
    await test.step(
      'no sharing_duration (once-off): an access token and no refresh token [CDS-REQ-OBJ]',
      async () => {
        const ex = await codeFlowTokens(r, auDiscovery, id, { claims: undefined })
        await ensureStatus(ex, 200, CDS.tokens)
        expect(typeof bodyOf(ex).access_token).toBe('string')
        expect(bodyOf(ex).refresh_token, 'CDS: "only an Access Token (without a Refresh Token)"').toBeUndefined()
      },
      { box: true },
    )
    await test.step('sharing_duration -1: refused at PAR', async () => {
      const { exchange } = await pushRequest(r, auDiscovery, id, { claims: { sharing_duration: -1 } })
      await ensureRejected(exchange, [400], { ref: CDS.requestObject })
      await checkErrorIs(exchange, ['invalid_request', 'invalid_request_object'] as never, 'RFC9126-2.3')
    })
  })

  test("AU-DCR-175 refuses a cdr_arrangement_id that is not one of the client's arrangements at PAR", {
    annotation: [spec(CDS.requestObject), spec('RFC9126-2.3')],
    tag: '@negative',
  }, async ({ registeredClient, auDiscovery }) => {
    const r = registeredClient.recipient
    const id = registeredClient.clientId
    const arrangement = await precondition('an arrangement of the client', async () => {
      const ex = await codeFlowTokens(r, auDiscovery, id)
      const value = bodyOf(ex).cdr_arrangement_id
      if (typeof value !== 'string') inconclusive(`no cdr_arrangement_id: ${outcomeOf(ex)}`, ex)
      return value
    })
    const naming = (cdrArrangementId: string) => ({
      claims: { sharing_duration: SHARING_DURATION, cdr_arrangement_id: cdrArrangementId },
    })
    await control(
      "a request naming the client's own arrangement",
      async () => (await pushRequest(r, auDiscovery, id, naming(arrangement))).exchange,
      [201],
    )
    await test.step('the same request naming an unknown cdr_arrangement_id: refused', async () => {
      const { exchange } = await pushRequest(r, auDiscovery, id, naming(randomUUID()))
      await ensureRejected(exchange, [400], { ref: CDS.requestObject })
      await checkErrorIs(exchange, ['invalid_request', 'invalid_request_object'] as never, 'RFC9126-2.3')
    })
  })
})
