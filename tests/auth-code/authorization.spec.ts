/**
 * The authorization request (FAPI 1 Advanced §5.2.2, RFC 9101, RFC 9126, OB Security Profile):
 * a pushed request with response type `code` goes through; request objects that have expired or
 * were used before, intents that name no consent or one already authorised, and redirect URIs
 * that were not registered are refused as RFC 6749 §4.1.2.1 says.
 */
import { randomUUID } from 'node:crypto'
import { expect, jsonOf, registerFlowClient, test } from '../../fixtures/auth_code.ts'
import { forEachAuthMethod } from '../../fixtures/test.ts'
import {
  ensureAuthorizationAccepted,
  ensureAuthorizationRefused,
  ensureCode,
  ensureCodeTokens,
  ensureNotRedirectedTo,
  validateIdToken,
} from '../checks/auth_code.ts'
import { checkNoStore, ensureStatus } from '../checks/http.ts'
import { controlAuthorization } from './flows.ts'

const spec = (description: string) => ({ type: 'spec', description })

test.describe('POS-AUTH authorization with a pushed request', { tag: ['@auth-code', '@positive'] }, () => {
  forEachAuthMethod(() => {
    test('POS-AUTH-03 pushes a signed request object, authorises with its request_uri and gets a code in the query', {
      annotation: [spec('RFC9126-2'), spec('RFC9126-4'), spec('FAPI1-ADV-5.2.2'), spec('RFC7636-4.3')],
    }, async ({ aisp, customer, tpp, authMethod }) => {
      const client = await registerFlowClient(tpp, {
        authMethod,
        claims: { response_types: ['code', 'code id_token'] },
      })
      const intentId = await aisp.consentId(client)
      const sent = await aisp.requestObject(client, intentId, { responseType: 'code' })
      const pushed = await aisp.push(client, sent)
      await ensureStatus(pushed, 201, 'RFC9126-2.2')
      await checkNoStore(pushed, 'RFC9126-2.2')
      const requestUri = jsonOf(pushed).request_uri
      await test.step('the answer carries a request_uri and its expires_in [RFC9126-2.2]', async () => {
        expect(typeof requestUri, `request_uri was ${JSON.stringify(requestUri ?? null)}`).toBe('string')
        expect.soft(typeof jsonOf(pushed).expires_in).toBe('number')
      })
      const outcome = await customer.authorize(aisp.requestUriUrl(client, String(requestUri)))
      await test.step('the code comes back in the query, as response type code asks [OAuth-Multiple-Response-Types-2.1]', async () => {
        expect(outcome.redirect.startsWith(`${sent.redirectUri}?`), outcome.redirect).toBe(true)
      })
      const code = await ensureCode(outcome.params, sent.state)
      const tokens = await ensureCodeTokens(await aisp.redeem(client, sent, code))
      await validateIdToken(tokens.idToken, await aisp.bankKeys(client), {
        issuer: aisp.issuer,
        clientId: client.clientId,
        intentId,
        nonce: sent.nonce,
      })
      const again = await customer.open(aisp.requestUriUrl(client, String(requestUri)))
      await ensureAuthorizationRefused(again, sent, ['invalid_request_uri', 'invalid_request'], 'RFC9126-4')
    })
  })
})

test.describe('NEG-AUTHZ authorization request refusals', { tag: ['@auth-code', '@negative'] }, () => {
  test('NEG-AUTHZ-01 refuses a request object whose exp has passed', {
    annotation: [spec('RFC9101-6.3'), spec('FAPI1-ADV-5.2.2-13'), spec('RFC6749-4.1.2.1')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    await controlAuthorization(aisp, customer, client)
    const intentId = await aisp.consentId(client)
    const sent = await aisp.requestObject(client, intentId, { claims: { iat: '-10m', nbf: '-10m', exp: '-5m' } })
    const ex = await customer.open(aisp.authorizationUrl(client, sent))
    await ensureAuthorizationRefused(ex, sent, ['invalid_request_object', 'invalid_request'])
  })

  test('NEG-AUTHZ-02 refuses a request object that has already started an authorization', {
    annotation: [spec('RFC9101-10.5'), spec('RFC7519-4.1.7'), spec('RFC6749-4.1.2.1')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    await controlAuthorization(aisp, customer, client)
    const intentId = await aisp.consentId(client)
    const sent = await aisp.requestObject(client, intentId)
    const url = aisp.authorizationUrl(client, sent)
    await ensureAuthorizationAccepted(await customer.open(url), sent.redirectUri)
    await ensureAuthorizationRefused(await customer.open(url), sent, ['invalid_request_object', 'invalid_request'])
  })

  test('NEG-AUTHZ-03 refuses an openbanking_intent_id that names no consent', {
    annotation: [spec('OB-Security-Profile-openbanking_intent_id'), spec('RFC6749-4.1.2.1')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    await controlAuthorization(aisp, customer, client)
    const sent = await aisp.requestObject(client, `aac-${randomUUID()}`)
    const ex = await customer.open(aisp.authorizationUrl(client, sent))
    await ensureAuthorizationRefused(ex, sent, ['invalid_request', 'invalid_request_object', 'access_denied'])
  })

  test('NEG-AUTHZ-04 refuses an openbanking_intent_id whose consent is already authorised', {
    annotation: [spec('OB-AIS-consent-status'), spec('RFC6749-4.1.2.1')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    // The control: the first authorization of the consent comes back with a code.
    const { sent: first } = await controlAuthorization(aisp, customer, client)
    const sent = await aisp.requestObject(client, first.intentId)
    const ex = await customer.open(aisp.authorizationUrl(client, sent))
    await ensureAuthorizationRefused(ex, sent, ['invalid_request', 'invalid_request_object', 'access_denied'])
  })

  test('NEG-AUTHZ-05 shows an error page and does not redirect to a redirect_uri that is not registered', {
    annotation: [spec('RFC6749-4.1.2.1'), spec('RFC6749-3.1.2.4')],
  }, async ({ aisp, customer, registeredClient: client, tpp }) => {
    await controlAuthorization(aisp, customer, client)
    const unregistered = tpp.profile.redirectUris[1] ?? 'https://unregistered.tpp.example/callback'
    const intentId = await aisp.consentId(client)
    const sent = await aisp.requestObject(client, intentId, { redirectUri: unregistered })
    const ex = await customer.open(aisp.authorizationUrl(client, sent))
    await ensureNotRedirectedTo(ex, unregistered)
  })
})
