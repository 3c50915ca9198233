/**
 * What the security review of the AU mock found a real Data Holder could also get wrong (README
 * "Security notes", AU): another recipient's client certificate acting for a client, refresh
 * tokens cycled against CDS, and registration requests valid for ever. Each refusal has its
 * control: the same request done right succeeds against the same Data Holder.
 */
import {
  authorize,
  codeFlowTokens,
  pushRequest,
  readJarm,
  redeemCode,
  redirectOf,
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
})
