/**
 * POS-REG: the happy path of registration and the validation of what the bank returns
 * (catalogue §2.1), for every client authentication method the target offers.
 *
 * Adapted or left out where the UK profile does not have what they test:
 * - POS-REG-12 reads the client twice. OB DCR manages clients with client-credentials access
 *   tokens, not RFC 7592 registration access tokens; where a bank does return and rotate one,
 *   the rotated token must work (RFC 7592 §3), else the same client-credentials token must.
 * - The "⊇ required scopes" half of POS-REG-05: the UK profile configures no scope a bank must
 *   always grant; the scope is checked to stay within what was asked.
 * - The "new redirect URI usable" half of POS-REG-13 needs the authorization-code flow, which this
 *   suite's DCR part does not drive; the new URI is checked to be registered (PUT answer and GET).
 */
import { requires } from '../../fixtures/targets/capabilities.ts'
import { expect, forEachAuthMethod, test } from '../../fixtures/test.ts'
import { recordAnswer } from '../checks/annotations.ts'
import { checkEmptyBody, checkJsonContentType, checkNoStore, ensureStatus } from '../checks/http.ts'
import {
  bodyOf,
  checkAuthMethodMembers,
  checkClientSecretExpiry,
  checkDefaultsReturned,
  checkManagementCredentials,
  checkMemberIgnored,
  checkRedirectUris,
  checkRegisteredMetadata,
  checkSameClient,
  checkScopeShape,
  checkScopeWithinRequested,
  checkSoftwareStatementEchoed,
  checkSubjectDnMember,
  ensureClientId,
  scopesOf,
  validateRegistrationResponse,
} from '../checks/registration.ts'
import { ensureAccessToken, validateTokenResponse } from '../checks/token.ts'

const spec = (description: string) => ({ type: 'spec', description })

test.describe('POS-REG registration happy path', { tag: ['@dcr', '@positive'] }, () => {
  forEachAuthMethod(method => {
    test('POS-REG-01 registers a client from a valid request over mutual TLS', {
      annotation: [spec('RFC7591-3.2.1'), spec('OBDCR-POST-register')],
    }, async ({ tpp }) => {
      const { exchange } = await tpp.register()
      await ensureStatus(exchange, 201, 'RFC7591-3.2.1')
      await checkJsonContentType(exchange, 'RFC7591-3.2.1')
      await ensureClientId(exchange)
      await test.step('the answer carries no error [RFC7591-3.2.1]', async () => {
        const body = exchange.kind === 'response' ? (exchange.json as Record<string, unknown>) : {}
        expect.soft(body.error, `error was ${JSON.stringify(body.error)}`).toBeUndefined()
      })
    })

    test('POS-REG-02 returns registration_client_uri and registration_access_token together or not at all', {
      annotation: [spec('RFC7592-3'), spec('OBDCR-Authentication')],
    }, async ({ registeredClient }) => {
      await checkManagementCredentials(registeredClient.registration)
    })

    test('POS-REG-03 returns client_secret_expires_at with any client_secret', {
      annotation: [spec('RFC7591-3.2.1'), spec('OBDCR-data-dictionary')],
    }, async ({ registeredClient }) => {
      await checkClientSecretExpiry(registeredClient.registration)
    })

    test('POS-REG-04 returns the software statement unmodified', {
      annotation: [spec('RFC7591-3.2.1'), spec('OBDCR-data-dictionary')],
    }, async ({ registeredClient }) => {
      await checkSoftwareStatementEchoed(registeredClient.registration, registeredClient.request.ssa)
    })

    test('POS-REG-05 accepts reordered grant_types and scopes and grants no more scope than requested', {
      annotation: [spec('RFC7591-2'), spec('RFC6749-3.3')],
    }, async ({ tpp }) => {
      const plain = await tpp.registrationClaims()
      const requested = scopesOf(plain.claims.scope)
      const { exchange } = await tpp.register({
        ssa: plain.ssa,
        scopes: [...requested].reverse(),
        claims: { grant_types: [...(plain.claims.grant_types as string[])].reverse() },
      })
      await ensureStatus(exchange, 201, 'RFC7591-3.2.1')
      await checkScopeWithinRequested(exchange, requested)
    })

    test('POS-REG-06 returns a registration valid against the OB DCR response schema', {
      annotation: [spec('OBDCR-data-dictionary'), spec('RFC7591-3.2.1')],
    }, async ({ registeredClient, schemas }) => {
      const ex = registeredClient.registration
      await validateRegistrationResponse(ex, schemas.registrationResponse, schemas.version)
      await checkScopeShape(ex, schemas.version)
      await checkSubjectDnMember(ex, schemas.version, method)
      await checkAuthMethodMembers(ex, schemas.version)
      await checkRegisteredMetadata(ex, registeredClient.request.claims)
    })

    test('POS-REG-07 issues a client_credentials access token to a client just registered', {
      tag: '@token',
      annotation: [spec('RFC6749-4.4'), spec('RFC7523-2.2'), spec('RFC8705-2')],
    }, async ({ registeredClient, schemas }) => {
      const { tpp, clientId } = registeredClient
      const scope = tpp.profile.tokenScope
      const ex = await tpp.tokens.clientCredentials(clientId, method, scope === undefined ? {} : { scope })
      await ensureAccessToken(ex)
      await validateTokenResponse(ex, schemas.tokenResponse)
      await checkNoStore(ex, 'RFC6749-5.1')
    })

    test('POS-REG-08 ignores a metadata member it does not know', {
      annotation: [spec('RFC7591-2'), spec('OBDCR-data-dictionary')],
    }, async ({ tpp }) => {
      const member = 'x_conformance_unknown_member'
      const { exchange } = await tpp.register({ claims: { [member]: 'ignore me' } })
      await ensureStatus(exchange, 201, 'RFC7591-2')
      await checkMemberIgnored(exchange, member)
    })

    test('POS-REG-09 applies and returns defaults for the optional response_types and scope', {
      annotation: [spec('RFC7591-3.2.1'), spec('OBDCR-data-dictionary')],
    }, async ({ tpp }) => {
      // OB DCR: response_types 0..* "defaults to code id_token"; scope "if not specified, default scopes are assigned".
      const { exchange } = await tpp.register({ claims: { response_types: undefined, scope: undefined } })
      await ensureStatus(exchange, 201, 'RFC7591-3.2.1')
      await checkDefaultsReturned(exchange, ['response_types', 'scope'])
    })

    test('POS-REG-10 registers every redirect URI of the software statement when several are asked for', {
      annotation: [spec('OBDCR-redirect_uris'), spec('RFC7591-2')],
    }, async ({ tpp }) => {
      const uris = tpp.profile.redirectUris
      test.skip(uris.length < 2, `the TPP's software statement has only ${uris.length} redirect URI`)
      const { exchange } = await tpp.register({ redirectUris: uris })
      await ensureStatus(exchange, 201, 'RFC7591-3.2.1')
      await checkRedirectUris(exchange, uris)
    })

    test('POS-REG-11 reads back the client as registered', {
      annotation: [spec('RFC7592-2.1'), spec('OBDCR-GET-register'), requires('operation:get')],
    }, async ({ registeredClient }) => {
      const ex = await registeredClient.tpp.dcr.get(registeredClient.clientId, await registeredClient.token())
      await ensureStatus(ex, 200, 'RFC7592-2.1')
      await checkJsonContentType(ex, 'RFC7592-2.1')
      await checkSameClient(ex, registeredClient.registration)
    })

    test('POS-REG-12 reads the client twice, with a rotated registration access token where one is issued', {
      annotation: [spec('RFC7592-3'), spec('RFC7592-2.1'), spec('OBDCR-GET-register'), requires('operation:get')],
    }, async ({ registeredClient }) => {
      const { tpp, clientId } = registeredClient
      const token = await registeredClient.token()
      const first = await tpp.dcr.get(clientId, token)
      await ensureStatus(first, 200, 'RFC7592-2.1')
      await checkSameClient(first, registeredClient.registration)
      // RFC 7592 §3: a server MAY issue a new registration access token with each read; the
      // client MUST then use it. OB DCR banks authenticate these calls with client-credentials tokens.
      const issued = registeredClient.body.registration_access_token
      const rotated = bodyOf(first).registration_access_token
      const bearer = typeof rotated === 'string' && rotated !== issued ? rotated : token
      if (bearer !== token) recordAnswer('registration_access_token', 'rotated on GET')
      const second = await tpp.dcr.get(clientId, bearer)
      await ensureStatus(second, 200, 'RFC7592-3')
      await checkSameClient(second, registeredClient.registration)
    })

    test('POS-REG-13 updates the redirect URI to another one of the software statement', {
      annotation: [spec('RFC7592-2.2'), spec('OBDCR-PUT-register'), requires('operation:put')],
    }, async ({ registeredClient, target }) => {
      const { tpp, clientId } = registeredClient
      const other = tpp.profile.redirectUris.find(u => !(registeredClient.body.redirect_uris as string[]).includes(u))
      test.skip(other === undefined, `the TPP's software statement has no second redirect URI to change to`)
      const token = await registeredClient.token()
      const update = await tpp.registrationRequest({ redirectUris: [other as string] })
      const ex = await tpp.dcr.update(clientId, token, update.jws)
      await ensureStatus(ex, 200, 'RFC7592-2.2')
      await checkJsonContentType(ex, 'RFC7592-2.2')
      await checkRedirectUris(ex, [other as string], 'RFC7592-2.2')
      await test.step('the client keeps its client_id [RFC7592-2.2]', async () => {
        expect.soft(await ensureClientId(ex), 'PUT changed the client_id').toBe(clientId)
      })
      if (target.operations.get) {
        const read = await tpp.dcr.get(clientId, token)
        await ensureStatus(read, 200, 'RFC7592-2.1')
        await checkRedirectUris(read, [other as string], 'RFC7592-2.2')
      }
    })

    test('POS-REG-14 deletes the client with 204 No Content', {
      annotation: [spec('RFC7592-2.3'), spec('OBDCR-DELETE-register'), requires('operation:delete')],
    }, async ({ registeredClient }) => {
      const ex = await registeredClient.tpp.dcr.delete(registeredClient.clientId, await registeredClient.token())
      await ensureStatus(ex, 204, 'RFC7592-2.3')
      await checkEmptyBody(ex)
    })
  })
})
