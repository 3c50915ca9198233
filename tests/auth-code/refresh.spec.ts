/**
 * The refresh_token grant with rotation (RFC 6749 §6, RFC 9700 §4.14.2): a refresh gives a new
 * pair that works, and the refresh token just used is dead.
 */
import { expect, jsonOf, test } from '../../fixtures/auth_code.ts'
import { control, ensureSucceeded } from '../../fixtures/controls.ts'
import { checkAccountsAre } from '../checks/auth_code.ts'
import { checkErrorIs } from '../checks/errors.ts'
import { ensureStatus } from '../checks/http.ts'
import { approvedTokens } from './flows.ts'

const spec = (description: string) => ({ type: 'spec', description })

test.describe('refresh tokens', { tag: ['@auth-code'] }, () => {
  test('POS-AUTH-05 refreshes to a new access token and a new refresh token', {
    tag: '@positive',
    annotation: [spec('RFC6749-6'), spec('RFC9700-4.14.2')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    const { tokens, outcome } = await approvedTokens(aisp, customer, client)
    const refreshed = await aisp.refresh(client, tokens.refreshToken)
    await ensureStatus(refreshed, 200, 'RFC6749-6')
    const body = jsonOf(refreshed)
    await test.step('a new refresh token replaces the one used [RFC9700-4.14.2]', async () => {
      expect(typeof body.refresh_token, 'refresh_token').toBe('string')
      expect.soft(body.refresh_token, 'the refresh token was not rotated').not.toBe(tokens.refreshToken)
    })
    const list = await aisp.resource('/accounts', String(body.access_token), client.tpp.profile)
    await ensureStatus(list, 200)
    await checkAccountsAre(list, outcome.accountIds)
  })

  test('NEG-REF-01 refuses a refresh token that has already been used', {
    tag: '@negative',
    annotation: [spec('RFC9700-4.14.2'), spec('RFC6749-5.2')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    const { tokens } = await approvedTokens(aisp, customer, client)
    await control('the refresh token, used the first time, gets new tokens', async () => {
      ensureSucceeded(await aisp.refresh(client, tokens.refreshToken), 200)
    })
    const reused = await aisp.refresh(client, tokens.refreshToken)
    await ensureStatus(reused, 400, 'RFC6749-5.2')
    await checkErrorIs(reused, ['invalid_grant'], 'RFC6749-5.2')
  })
})
