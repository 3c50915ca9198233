/**
 * Client management with a token of the wrong kind (NEG-MGMT-09): OB DCR manages a client with a
 * client-credentials access token only. The authorization-code flow gives the client two other
 * tokens of its own — a customer's access token and a refresh token — and neither may open
 * `/register/{ClientId}`. (The signed-JWT cases of NEG-MGMT-09 are in tests/negative/management.spec.ts.)
 */
import { test } from '../../fixtures/auth_code.ts'
import { controlManagement } from '../../fixtures/controls.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import { checkUnauthorized } from '../dcr/flows.ts'
import { approvedTokens } from './flows.ts'

const spec = (description: string) => ({ type: 'spec', description })

test.describe('client management with tokens of other grants', { tag: ['@auth-code', '@management'] }, () => {
  test("NEG-MGMT-09 refuses the client's authorization-code access token and refresh token at client management", {
    tag: '@negative',
    annotation: [spec('OBDCR-Authentication'), spec('RFC6750-3.1'), spec('RFC7592-2.1'), requires('operation:get')],
  }, async ({ aisp, customer, registeredClient: client }) => {
    await controlManagement(client.tpp, 'get', client, {
      title: 'GET /register/{ClientId} with a client-credentials token of the client answers 200',
    })
    const { tokens } = await approvedTokens(aisp, customer, client)
    for (const [name, bearer] of [
      ['a customer access token (authorization_code grant)', tokens.accessToken],
      ['a refresh token', tokens.refreshToken],
    ] as const) {
      await test.step(`GET /register/{ClientId} with ${name}: 401 invalid_token`, async () => {
        await checkUnauthorized(await client.tpp.dcr.get(client.clientId, bearer), 'invalid_token')
      })
    }
  })
})
