/**
 * The accounts API (OB Account and Transaction API v3.1) behind the flow: the consented accounts
 * and their balances, only those, only while the consent stands (a deleted consent's token is
 * refused, and inactive at introspection), and only over the certificate the token is bound to
 * (RFC 8705 §3).
 */
import { createHash, X509Certificate } from 'node:crypto'
import { type AispFlow, expect, jsonOf, test } from '../../fixtures/auth_code.ts'
import { control, ensureSucceeded, precondition } from '../../fixtures/controls.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import type { TppProfile } from '../../fixtures/targets/types.ts'
import { checkAccountsAre } from '../checks/auth_code.ts'
import { checkIntrospectionActive } from '../checks/binding.ts'
import { checkStatus, checkWwwAuthenticateBearer, ensureRejected, ensureStatus } from '../checks/http.ts'
import { approvedTokens } from './flows.ts'

const spec = (description: string) => ({ type: 'spec', description })

/** `control:` the customer's token over the certificate it is bound to reads the accounts. */
async function ownCertificateControl(aisp: AispFlow, accessToken: string, own: TppProfile) {
  await control(`the same token over ${own.name}'s own certificate: GET /accounts answers 200`, async () => {
    ensureSucceeded(await aisp.resource('/accounts', accessToken, own), 200)
  })
}

test.describe('the accounts API', { tag: ['@auth-code'] }, () => {
  test('POS-ACC-01 serves the consented accounts and their balances', {
    tag: '@positive',
    annotation: [spec('OB-AIS-accounts'), spec('OB-AIS-balances')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    const { tokens, outcome } = await approvedTokens(aisp, customer, client, { accounts: 'all' })
    const list = await aisp.resource('/accounts', tokens.accessToken, client.tpp.profile)
    await ensureStatus(list, 200)
    await checkAccountsAre(list, outcome.accountIds)
    for (const id of outcome.accountIds) {
      const balances = await aisp.resource(`/accounts/${id}/balances`, tokens.accessToken, client.tpp.profile)
      await checkStatus(balances, 200)
      await test.step(`the balance of ${id} names the account and an amount [OB-AIS-balances]`, async () => {
        const data =
          balances.kind === 'response' ? (balances.json as { Data?: { Balance?: unknown[] } }).Data : undefined
        const balance = data?.Balance?.[0] as Record<string, unknown> | undefined
        expect.soft(balance?.AccountId).toBe(id)
        expect.soft((balance?.Amount as Record<string, unknown> | undefined)?.Amount).toMatch(/^\d{1,13}(\.\d{1,5})?$/)
      })
    }
  })

  test('NEG-ACC-01 serves no account the customer did not choose', {
    tag: '@negative',
    annotation: [spec('OB-AIS-consent')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    const { tokens, outcome } = await approvedTokens(aisp, customer, client, { accounts: 'first' })
    const left = outcome.offered.filter(a => !outcome.accountIds.includes(a))
    test.skip(left.length === 0, 'the customer has a single account: nothing was left out of the consent')
    const list = await aisp.resource('/accounts', tokens.accessToken, client.tpp.profile)
    await ensureStatus(list, 200)
    await checkAccountsAre(list, outcome.accountIds)
    await control('the balances of the account the customer chose: 200', async () => {
      const chosen = outcome.accountIds[0] as string
      ensureSucceeded(await aisp.resource(`/accounts/${chosen}/balances`, tokens.accessToken, client.tpp.profile), 200)
    })
    const other = await aisp.resource(`/accounts/${left[0]}/balances`, tokens.accessToken, client.tpp.profile)
    await ensureRejected(other, [403, 404, 400], { ref: 'OB-AIS-consent' })
  })

  test('NEG-ACC-02 ends what a consent the TPP deleted authorised: its access token reads no account and introspects inactive', {
    tag: '@negative',
    annotation: [spec('OB-AIS-consent'), spec('RFC7662-2.2')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    const { sent, tokens } = await approvedTokens(aisp, customer, client)
    await control('before the deletion, the access token reads the accounts and introspects active', async () => {
      ensureSucceeded(await aisp.resource('/accounts', tokens.accessToken, client.tpp.profile), 200)
      const ex = await aisp.introspect(client, tokens.accessToken)
      ensureSucceeded(ex, 200)
      if (jsonOf(ex).active !== true) throw new Error(`introspection answered ${JSON.stringify(jsonOf(ex))}`)
    })
    await precondition('the TPP deletes the consent', async () => {
      ensureSucceeded(await aisp.deleteConsent(client, sent.intentId), [204, 200])
    })
    const read = await aisp.resource('/accounts', tokens.accessToken, client.tpp.profile)
    await ensureRejected(read, [401, 403], { ref: 'OB-AIS-consent' })
    const ex = await aisp.introspect(client, tokens.accessToken)
    await ensureStatus(ex, 200, 'RFC7662-2.2')
    await checkIntrospectionActive(ex, false)
  })

  test('NEG-BIND-01 binds the code grant’s access token to the certificate it was issued over (cnf x5t#S256)', {
    tag: '@negative',
    annotation: [spec('RFC8705-3.1'), spec('RFC8705-3.2'), spec('RFC7662-2.2')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    const { tokens } = await approvedTokens(aisp, customer, client)
    const ex = await aisp.introspect(client, tokens.accessToken)
    await ensureStatus(ex, 200, 'RFC7662-2.2')
    const expected = createHash('sha256')
      .update(new X509Certificate(client.tpp.profile.transport.cert).raw)
      .digest('base64url')
    await test.step('introspection says active, with cnf x5t#S256 = SHA-256 of the client certificate [RFC8705-3.1]', async () => {
      const body = jsonOf(ex)
      expect(body.active, 'active').toBe(true)
      const cnf = body.cnf as Record<string, unknown> | undefined
      expect(cnf?.['x5t#S256'], `cnf was ${JSON.stringify(cnf ?? null)}`).toBe(expected)
    })
  })

  test('NEG-BIND-02 refuses at the accounts API a customer’s access token shown with another client certificate', {
    tag: '@negative',
    annotation: [spec('RFC8705-3'), requires('tpp:second')],
  }, async ({ aisp, customer, registeredClient: client, target }) => {
    const { tokens } = await approvedTokens(aisp, customer, client)
    const other = target.secondTpp
    if (!other) throw new Error('unreachable: requires tpp:second')
    await ownCertificateControl(aisp, tokens.accessToken, client.tpp.profile)
    const ex = await aisp.resource('/accounts', tokens.accessToken, other)
    await ensureStatus(ex, 401, 'RFC8705-3')
    await checkWwwAuthenticateBearer(ex, 'invalid_token')
  })

  test('NEG-BIND-03 refuses at the accounts API a customer’s access token shown without a client certificate', {
    tag: '@negative',
    annotation: [spec('RFC8705-3')],
  }, async ({ aisp, customer, registeredClient: client, handshakeControl }) => {
    const { tokens } = await approvedTokens(aisp, customer, client)
    await ownCertificateControl(aisp, tokens.accessToken, client.tpp.profile)
    const ex = await aisp.resource('/accounts', tokens.accessToken, 'none')
    await ensureRejected(ex, [401], { tlsRefusal: handshakeControl, ref: 'RFC8705-3' })
  })
})
