/**
 * NEG-BIND: access tokens are bound to the client certificate they were issued over (catalogue
 * §2.8; RFC 8705 §3; FAPI 1 Advanced §5.2.2): the token says so (`cnf.x5t#S256`), and the bank
 * refuses it over any other certificate or none. The client configuration endpoint is the
 * protected resource every DCR bank has; the accounts API tests do the same for customer tokens.
 */
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import {
  controlManagement,
  controlRegistration,
  precondition,
  preconditionClient,
  tokenOk,
} from '../../fixtures/controls.ts'
import { expect, test, withAuthMethod } from '../../fixtures/negative.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import {
  certThumbprint,
  checkCnfThumbprint,
  checkIntrospectionActive,
  cnfSource,
  introspectionCnf,
  jwtPayload,
} from '../checks/binding.ts'
import { checkTokenRefusal } from '../checks/client_auth.ts'
import { checkRegistrationRefusal } from '../checks/errors.ts'
import { checkWwwAuthenticateBearer, ensureRejected, ensureStatus } from '../checks/http.ts'
import { bodyOf, ensureClientId } from '../checks/registration.ts'
import { checkUnauthorized } from '../dcr/flows.ts'

const spec = (description: string) => ({ type: 'spec', description })

test.describe('NEG-BIND certificate-bound access tokens', { tag: ['@token', '@negative', '@binding'] }, () => {
  test('NEG-BIND-01 binds the token to the presented certificate: cnf.x5t#S256 is its SHA-256 thumbprint', {
    annotation: [spec('RFC8705-3.1'), spec('RFC8705-3.2'), spec('RFC7662-2.2')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, introspect }) => {
    const value = await token()
    let introspection: Exchange | undefined
    if (!jwtPayload(value)) {
      introspection = await introspect(tpp.profile, clientId, authMethod, value)
      await ensureStatus(introspection, 200, 'RFC7662-2.2')
      await checkIntrospectionActive(introspection, true)
    }
    await checkCnfThumbprint(cnfSource(value, introspection), certThumbprint(tpp.profile.transport.cert))
  })

  test("NEG-BIND-02 refuses client 2's token presented with client 1's certificate: 401 invalid_token", {
    annotation: [spec('RFC8705-3'), requires('tpp:second'), requires('operation:get')],
  }, async ({ tpp, secondTpp, authMethod }) => {
    const { clientId: client2 } = await preconditionClient(secondTpp, {}, 'client 2, registered by the second TPP')
    const token2 = await precondition("client 2's access token", () => tokenOk(secondTpp, client2, authMethod))
    await controlManagement(
      secondTpp,
      'get',
      { clientId: client2, authMethod },
      {
        bearer: token2,
        title: "client 2's token works over client 2's certificate: GET /register/{ClientId} answers 200",
      },
    )
    await checkUnauthorized(await tpp.dcr.get(client2, token2), 'invalid_token')
  })

  test('NEG-BIND-03 refuses a bound token presented without a client certificate', {
    annotation: [spec('RFC8705-3'), requires('operation:get')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, tppFor, target, handshakeControl }) => {
    const value = await token()
    await controlManagement(
      tpp,
      'get',
      { clientId, authMethod },
      {
        bearer: value,
        title: `the same token over ${tpp.name}'s certificate: GET /register/{ClientId} answers 200`,
      },
    )
    const bare = await tppFor(target.tpp, 'none')
    const ex = await bare.dcr.get(clientId, value)
    await ensureRejected(ex, [401], { tlsRefusal: handshakeControl, ref: 'RFC8705-3' })
    if (ex.kind === 'response') await checkWwwAuthenticateBearer(ex, 'invalid_token')
  })

  withAuthMethod('private_key_jwt', () => {
    test('NEG-BIND-04 issues no token to a request without a client certificate (no holder-of-key mechanism)', {
      annotation: [spec('FAPI1-ADV-5.2.2'), spec('RFC8705-3')],
    }, async ({ registeredClient: { clientId }, tppFor, target, handshakeControl }) => {
      // The control, the same request over the client's certificate, is the fixture's first token.
      const bare = await tppFor(target.tpp, 'none')
      const ex = await bare.tokens.clientCredentials(clientId, 'private_key_jwt')
      await checkTokenRefusal(ex, ['invalid_request', 'invalid_client', 'unauthorized_client'], {
        tlsRefusal: handshakeControl,
        ref: 'FAPI1-ADV-5.2.2',
      })
    })
  })

  test('NEG-BIND-05 registers clients with tls_client_certificate_bound_access_tokens true and refuses false', {
    annotation: [spec('RFC8705-3.4'), spec('FAPI1-ADV-5.2.2')],
  }, async ({ tpp, schemas }) => {
    const refused = await tpp.register({ claims: { tls_client_certificate_bound_access_tokens: false } })
    await ensureStatus(refused.exchange, 400, 'RFC8705-3.4')
    await checkRegistrationRefusal(refused.exchange, ['invalid_client_metadata'], schemas.registrationError)
    const { exchange } = await controlRegistration(
      tpp,
      {},
      'the same registration asking for bound tokens is accepted: 201',
    )
    await test.step('the registration says tls_client_certificate_bound_access_tokens: true [RFC8705-3.4]', async () => {
      const v = bodyOf(exchange).tls_client_certificate_bound_access_tokens
      expect.soft(v, `tls_client_certificate_bound_access_tokens was ${JSON.stringify(v ?? null)}`).toBe(true)
    })
  })

  test('NEG-BIND-06 introspection shows the binding of a live token and active false once its client is deleted', {
    annotation: [spec('RFC8705-3.2'), spec('RFC7662-2.2'), requires('operation:delete')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, introspect }) => {
    const value = await token()
    const live = await introspect(tpp.profile, clientId, authMethod, value)
    await ensureStatus(live, 200, 'RFC7662-2.2')
    await checkIntrospectionActive(live, true)
    await checkCnfThumbprint(introspectionCnf(live), certThumbprint(tpp.profile.transport.cert))
    const { exchange } = await tpp.register()
    await ensureStatus(exchange, 201, 'RFC7591-3.2.1')
    const sibling = await ensureClientId(exchange)
    await ensureStatus(await tpp.dcr.delete(clientId, await token()), 204, 'RFC7592-2.3')
    // The deleted client cannot authenticate any more: a client of the same software asks.
    const after = await introspect(tpp.profile, sibling, authMethod, value)
    await ensureStatus(after, 200, 'RFC7662-2.2')
    await checkIntrospectionActive(after, false)
  })

  test("NEG-BIND-07 refuses a token over the client's rotated certificate, which gets a token of its own", {
    annotation: [spec('RFC8705-3'), requires('operation:get')],
  }, async ({ registeredClient: { clientId, authMethod, token }, tppFor, target }) => {
    test.skip(
      target.rotatedTpp === undefined,
      `${target.name} gives the suite no second transport certificate of the TPP (same subject DN, another key)`,
    )
    const rotated = await tppFor(target.rotatedTpp as NonNullable<typeof target.rotatedTpp>)
    const old = await token()
    await checkUnauthorized(await rotated.dcr.get(clientId, old), 'invalid_token')
    await controlManagement(
      rotated,
      'get',
      { clientId, authMethod },
      {
        title: 'the rotated certificate gets its own token, which works over it: GET /register/{ClientId} answers 200',
      },
    )
  })
})
