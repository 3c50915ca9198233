/**
 * The token endpoint's authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6, OIDC Core
 * §3.1.3, FAPI 1 Advanced §5.2.2): the hybrid flow's two ID tokens, and the refusals — a wrong
 * PKCE verifier, a code used twice, a code of another client, another redirect_uri.
 */

import { expect, jsonOf, registerFlowClient, test } from '../../fixtures/auth_code.ts'
import { pkcePair } from '../../fixtures/builders/authorization.ts'
import { control } from '../../fixtures/controls.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import { forEachAuthMethod } from '../../fixtures/test.ts'
import { warn } from '../checks/annotations.ts'
import { ensureCodeTokens, validateIdToken } from '../checks/auth_code.ts'
import { checkErrorIs } from '../checks/errors.ts'
import { checkJsonContentType, checkNoStore, ensureStatus } from '../checks/http.ts'
import { approvedCode, controlCodeTokens } from './flows.ts'

const spec = (description: string) => ({ type: 'spec', description })

test.describe('POS-AUTH the hybrid flow', { tag: ['@auth-code', '@positive'] }, () => {
  forEachAuthMethod(() => {
    test('POS-AUTH-04 returns a code with an ID token holding c_hash and s_hash, then tokens with another ID token', {
      annotation: [spec('OIDC-Core-3.3.2.11'), spec('FAPI1-ADV-5.2.2.1'), spec('OIDC-Core-3.1.3.3'), spec('RFC8705-3')],
    }, async ({ aisp, customer, registeredClient: client }) => {
      const { sent, outcome, code } = await approvedCode(aisp, customer, client)
      const keys = await aisp.bankKeys(client)
      await test.step('the authorization response is in the fragment, with an id_token [OIDC-Core-3.3.2.5]', async () => {
        expect(outcome.redirect.startsWith(`${sent.redirectUri}#`), outcome.redirect).toBe(true)
        expect(outcome.params.id_token, 'id_token').toBeTruthy()
      })
      await validateIdToken(outcome.params.id_token ?? '', keys, {
        issuer: aisp.issuer,
        clientId: client.clientId,
        intentId: sent.intentId,
        nonce: sent.nonce,
        code,
        state: sent.state,
      })
      const redeemed = await aisp.redeem(client, sent, code)
      await checkNoStore(redeemed)
      const tokens = await ensureCodeTokens(redeemed)
      await validateIdToken(tokens.idToken, keys, {
        issuer: aisp.issuer,
        clientId: client.clientId,
        intentId: sent.intentId,
        nonce: sent.nonce,
      })
      const consent = await aisp.readConsent(client, sent.intentId)
      await test.step('the consent is now Authorised [OB-AIS-consent-status]', async () => {
        expect.soft((jsonOf(consent).Data as Record<string, unknown> | undefined)?.Status).toBe('Authorised')
      })
    })
  })
})

test.describe('NEG-CODE authorization code refusals', { tag: ['@auth-code', '@negative'] }, () => {
  test('NEG-CODE-01 refuses a code_verifier that does not match the code_challenge', {
    annotation: [spec('RFC7636-4.6')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    await controlCodeTokens(aisp, customer, client)
    const { sent, code } = await approvedCode(aisp, customer, client)
    const ex = await aisp.redeem(client, sent, code, { code_verifier: pkcePair().verifier })
    await ensureStatus(ex, 400, 'RFC7636-4.6')
    await checkJsonContentType(ex, 'RFC6749-5.2')
    await checkErrorIs(ex, ['invalid_grant'], 'RFC7636-4.6')
  })

  test('NEG-CODE-02 refuses a code used a second time', {
    annotation: [spec('RFC6749-4.1.2'), spec('RFC6749-10.5')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    const { sent, code } = await approvedCode(aisp, customer, client)
    const first = await control('the code, used the first time, gets tokens', async () =>
      ensureCodeTokens(await aisp.redeem(client, sent, code)),
    )
    const second = await aisp.redeem(client, sent, code)
    await ensureStatus(second, 400, 'RFC6749-5.2')
    await checkErrorIs(second, ['invalid_grant'], 'RFC6749-4.1.2')
    // RFC 6749 §4.1.2: the bank SHOULD also revoke what the first use obtained.
    const list = await aisp.resource('/accounts', first.accessToken, client.tpp.profile)
    if (list.kind === 'response' && list.status === 200) {
      warn('the access token of the first use still works after the code was replayed (RFC 6749 §4.1.2: SHOULD revoke)')
    }
  })

  test('NEG-CODE-03 refuses a code issued to another client', {
    annotation: [spec('RFC6749-4.1.3'), requires('tpp:second')],
  }, async ({ aisp, customer, registeredClient: client, secondTpp }) => {
    await controlCodeTokens(aisp, customer, client)
    const other = await registerFlowClient(secondTpp)
    const { sent, code } = await approvedCode(aisp, customer, client)
    const ex = await aisp.redeem(other, sent, code)
    await ensureStatus(ex, 400, 'RFC6749-5.2')
    await checkErrorIs(ex, ['invalid_grant'], 'RFC6749-4.1.3')
  })

  test('NEG-CODE-04 refuses a redirect_uri other than the authorization request’s', {
    annotation: [spec('RFC6749-4.1.3')],
  }, async ({ aisp, customer, registeredClient: client, tpp }) => {
    await controlCodeTokens(aisp, customer, client)
    const { sent, code } = await approvedCode(aisp, customer, client)
    const other = tpp.profile.redirectUris.find(u => u !== sent.redirectUri) ?? `${sent.redirectUri}/other`
    const ex = await aisp.redeem(client, sent, code, { redirect_uri: other })
    await ensureStatus(ex, 400, 'RFC6749-5.2')
    await checkErrorIs(ex, ['invalid_grant'], 'RFC6749-4.1.3')
  })
})
