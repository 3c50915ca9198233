/**
 * The security review's holes in the authorization code flow (catalogue §2.10): a code or refresh
 * token redeemed over another organisation's certificate (NEG-BIND-08), a pushed authorization
 * request without mutual TLS (NEG-TOK-34), and a refresh refused for a wider scope that used its
 * token up (NEG-TOK-35). Each refusal is followed by its positive control: the same request
 * without the fault succeeds, with the very code or token the refused request carried — so the
 * refusal changed nothing.
 *
 * The customer's part is played on the mock bank's own pages (fixtures/auth_code.ts): against a
 * bank target these tests skip with that reason.
 */
import { expect, jsonOf, test } from '../../fixtures/auth_code.ts'
import type { TlsIdentity } from '../../fixtures/clients/tls.ts'
import { control, ensureSucceeded } from '../../fixtures/controls.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import type { TppProfile } from '../../fixtures/targets/types.ts'
import { approvedCode, approvedTokens } from '../auth-code/flows.ts'
import { warn } from '../checks/annotations.ts'
import { ensureCodeTokens } from '../checks/auth_code.ts'
import { checkTokenRefusal } from '../checks/client_auth.ts'
import { checkErrorIs } from '../checks/errors.ts'
import { ensureRejected, ensureStatus } from '../checks/http.ts'

const spec = (description: string) => ({ type: 'spec', description })

test.describe('the code and refresh grants, and PAR, after the security review', {
  tag: ['@auth-code', '@negative', '@token'],
  annotation: requires('auth:private_key_jwt'),
}, () => {
  test.use({ authMethod: 'private_key_jwt' })

  test("NEG-BIND-08 refuses a client's code and refresh token redeemed over another organisation's certificate", {
    tag: '@binding',
    annotation: [spec('RFC8705-3'), spec('FAPI1-ADV-5.2.2'), spec('RFC6749-4.1.3'), requires('tpp:second')],
  }, async ({ aisp, customer, registeredClient: client, target }) => {
    // The thief holds the client's code (or refresh token) and can even sign its assertions; it
    // presents its own organisation's certificate, trusted by the bank.
    const thief = { ...client, over: target.secondTpp as TppProfile }
    const { sent, code } = await approvedCode(aisp, customer, client)
    const stolenCode = await aisp.redeem(thief, sent, code)
    await checkTokenRefusal(stolenCode, ['invalid_client', 'invalid_grant'], { ref: 'RFC8705-3' })
    const tokens = await control("the same code over the client's own certificate gets tokens", async () =>
      ensureCodeTokens(await aisp.redeem(client, sent, code)),
    )
    const stolenRefresh = await aisp.refresh(thief, tokens.refreshToken)
    await checkTokenRefusal(stolenRefresh, ['invalid_client', 'invalid_grant'], { ref: 'RFC8705-3' })
    await control("the same refresh token over the client's own certificate gets new tokens", async () => {
      ensureSucceeded(await aisp.refresh(client, tokens.refreshToken), 200)
    })
  })

  test('NEG-TOK-35 refuses a refresh for a wider scope without using the refresh token up: the retry works', {
    annotation: [spec('RFC6749-6'), spec('RFC6749-5.2'), spec('RFC9700-4.14.2')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    const { tokens, sent } = await approvedTokens(aisp, customer, client)
    const granted = String(sent.claims.scope ?? 'openid accounts').split(' ')
    const wider = [...granted, ['payments', 'fundsconfirmations'].find(s => !granted.includes(s)) ?? 'payments']
    const refused = await aisp.refresh(client, tokens.refreshToken, { scope: wider.join(' ') })
    await ensureStatus(refused, 400, 'RFC6749-5.2')
    await checkErrorIs(refused, ['invalid_scope'], 'RFC6749-6')
    await test.step('the refused refresh issued no token [RFC6749-5.2]', async () => {
      expect.soft(jsonOf(refused).access_token, 'an access_token was issued').toBeUndefined()
    })
    // The retry is this test's check, not a control: the refused request must have used nothing up.
    await test.step('the same refresh without the wider scope still gets new tokens: the refusal used nothing up [RFC6749-6]', async () => {
      const retry = await aisp.refresh(client, tokens.refreshToken)
      await ensureStatus(retry, 200, 'RFC6749-6')
      const list = await aisp.resource('/accounts', String(jsonOf(retry).access_token), client.tpp.profile)
      await ensureStatus(list, 200)
    })
  })

  test('NEG-TOK-34 refuses a pushed authorization request of a private_key_jwt client without a certificate or over an untrusted one', {
    annotation: [spec('FAPI1-ADV-5.2.2'), spec('RFC9126-2.1'), spec('RFC8705-2')],
  }, async ({ aisp, registeredClient: client, target, handshakeControl }) => {
    const intentId = await aisp.consentId(client)
    const identities: [string, TlsIdentity][] = [['without a client certificate', 'none']]
    const selfSigned = target.refusedCerts['self-signed']
    if (selfSigned) identities.push(['over a self-signed certificate', selfSigned])
    else warn(`${target.name} gives the suite no self-signed certificate: only the push without one is tried`)
    for (const [how, over] of identities) {
      await test.step(`POST /par ${how}`, async () => {
        const ex = await aisp.push({ ...client, over }, await aisp.requestObject(client, intentId))
        await ensureRejected(ex, [400, 401], { tlsRefusal: handshakeControl, ref: 'FAPI1-ADV-5.2.2' })
        if (ex.kind === 'response') {
          await checkErrorIs(ex, ['invalid_client', 'invalid_request'], 'RFC9126-2.3')
          expect.soft(jsonOf(ex).request_uri, 'a request_uri was issued').toBeUndefined()
        }
      })
    }
    await control("the same push over the client's own certificate gets a request_uri", async () => {
      const ex = await aisp.push(client, await aisp.requestObject(client, intentId))
      ensureSucceeded(ex, 201)
      expect(typeof jsonOf(ex).request_uri, 'request_uri').toBe('string')
    })
  })
})
