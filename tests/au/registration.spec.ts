/**
 * Registrations a Data Holder accepts, and the registration read, updated and deleted (CDS 1.36
 * "Registration Request using JWT", "Registration Response", "Registration Management"): the
 * POST-accepted reference behaviours (research §7.6, CDR-B01 … B07) and the GET, PUT and DELETE
 * successes (B36, B40, B41, B46, B50, B53).
 */
import { AU_CDR, expect, requiresAu, test } from '../../fixtures/au/test.ts'
import { decodeJws } from '../../fixtures/builders/jose.ts'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import {
  bodyOf,
  checkNoRequestClaims,
  checkNotRegistered,
  checkRegistered,
  checkSoftwareStatementUnmodified,
  checkSsaMetadataReturned,
  recordChoice,
  validateCdrRegistration,
} from '../checks/cdr.ts'
import { checkErrorIs } from '../checks/errors.ts'
import { checkEmptyBody, checkJsonContentType, checkStatus, ensureRejected, ensureStatus } from '../checks/http.ts'
import { behaviour, CDS, formOf, freshToken, spec } from './support.ts'

const TAGS = [AU_CDR, '@dcr', '@positive']

test.describe('AU CDR: registrations a Data Holder accepts', { tag: TAGS }, () => {
  test('AU-DCR-011 registers a recipient: 201 with every registered value, the SSA unmodified and its metadata flattened', {
    annotation: [spec(CDS.response), spec(CDS.api), behaviour(1), formOf('POS-REG-01', 'POS-REG-04', 'POS-REG-06')],
  }, async ({ recipient, cdrSchemas }) => {
    const { request, exchange } = await recipient.register()
    await ensureStatus(exchange, 201, CDS.response)
    await checkJsonContentType(exchange, CDS.api)
    await validateCdrRegistration(exchange, cdrSchemas.registration_response)
    const body = bodyOf(exchange)
    await checkSoftwareStatementUnmodified(body, request.ssa)
    await checkSsaMetadataReturned(body, request.ssa)
    await checkNoRequestClaims(body)
    for (const name of [
      'redirect_uris',
      'token_endpoint_auth_method',
      'token_endpoint_auth_signing_alg',
      'grant_types',
      'response_types',
      'application_type',
      'id_token_signed_response_alg',
      'authorization_signed_response_alg',
      'request_object_signing_alg',
    ]) {
      const shown = name === 'redirect_uris' ? 'the redirect URIs requested' : undefined
      await checkRegistered(body, name, request.claims[name], CDS.response, shown)
    }
  })

  test('AU-DCR-012 registers the mandatory claims only: application_type, request_object_signing_alg and redirect_uris defaulted', {
    annotation: [spec(CDS.request), behaviour(2), formOf('POS-REG-09')],
  }, async ({ recipient, cdrSchemas }) => {
    const { request, exchange } = await recipient.register({
      claims: { application_type: undefined, request_object_signing_alg: undefined, redirect_uris: undefined },
    })
    await ensureStatus(exchange, 201, CDS.response)
    await validateCdrRegistration(exchange, cdrSchemas.registration_response)
    const body = bodyOf(exchange)
    await checkRegistered(body, 'application_type', 'web', CDS.api)
    await checkRegistered(
      body,
      'redirect_uris',
      decodeJws(request.ssa).payload.redirect_uris,
      CDS.request,
      'the redirect URIs of the SSA',
    )
    await test.step(
      'request_object_signing_alg is answered with a default, PS256 or ES256 [CDS-REG-REQ]',
      async () => {
        expect
          .soft(
            ['PS256', 'ES256'],
            `request_object_signing_alg was ${JSON.stringify(body.request_object_signing_alg ?? null)}`,
          )
          .toContain(body.request_object_signing_alg)
      },
      { box: true },
    )
  })

  test('AU-DCR-013 registers authorization_signed_response_alg ES256 and PS256 as sent (JARM)', {
    annotation: [spec(CDS.request), behaviour(3)],
  }, async ({ recipient, auTarget }) => {
    for (const alg of ['ES256', 'PS256']) {
      await test.step(`authorization_signed_response_alg ${alg}`, async () => {
        const { exchange } = await recipient.register({ claims: { authorization_signed_response_alg: alg } })
        await ensureStatus(exchange, 201, CDS.response)
        await checkRegistered(bodyOf(exchange), 'authorization_signed_response_alg', alg, CDS.request)
      })
    }
    if (auTarget.policies.jarmSigningAlgDefault !== false) {
      await test.step('omitted: registered as PS256 where the Data Holder defaults it (CDS Authentication Flows)', async () => {
        const { exchange } = await recipient.register({ claims: { authorization_signed_response_alg: undefined } })
        recordChoice(
          'omitted-authorization_signed_response_alg',
          exchange.kind === 'response' ? `HTTP ${exchange.status}` : 'tls',
        )
        if (auTarget.policies.jarmSigningAlgDefault) {
          await ensureStatus(exchange, 201, CDS.flows)
          await checkRegistered(bodyOf(exchange), 'authorization_signed_response_alg', 'PS256', CDS.flows)
        }
      })
    }
  })

  test('AU-DCR-014 registers every JARM encryption pair (RSA-OAEP, RSA-OAEP-256 × A256GCM, A128CBC-HS256) when it offers encryption', {
    annotation: [spec(CDS.request), spec(CDS.flows), behaviour(4)],
  }, async ({ recipient, auTarget }) => {
    for (const alg of ['RSA-OAEP', 'RSA-OAEP-256']) {
      for (const enc of ['A256GCM', 'A128CBC-HS256']) {
        for (const signing of ['ES256', 'PS256']) {
          await test.step(`${signing} signed, ${alg} / ${enc} encrypted`, async () => {
            const { exchange } = await recipient.register({
              claims: {
                authorization_signed_response_alg: signing,
                authorization_encrypted_response_alg: alg,
                authorization_encrypted_response_enc: enc,
              },
            })
            if (auTarget.policies.jarmEncryption === false) {
              await checkStatus(exchange, 400, CDS.flows)
              await checkErrorIs(exchange, ['invalid_client_metadata'], CDS.flows)
              return
            }
            await ensureStatus(exchange, 201, CDS.response)
            const body = bodyOf(exchange)
            await checkRegistered(body, 'authorization_encrypted_response_alg', alg, CDS.request)
            await checkRegistered(body, 'authorization_encrypted_response_enc', enc, CDS.request)
          })
        }
      }
    }
  })

  test('AU-DCR-015 registers authorization_encrypted_response_alg without _enc, with the default enc A128CBC-HS256', {
    annotation: [spec(CDS.request), behaviour(5)],
    // The default is only observable where the Data Holder offers encryption.
  }, async ({ recipient, auTarget }) => {
    test.skip(auTarget.policies.jarmEncryption === false, `${auTarget.name} declares it offers no JARM encryption`)
    const { exchange } = await recipient.register({ claims: { authorization_encrypted_response_alg: 'RSA-OAEP-256' } })
    await ensureStatus(exchange, 201, CDS.response)
    const body = bodyOf(exchange)
    await checkRegistered(body, 'authorization_encrypted_response_alg', 'RSA-OAEP-256', CDS.request)
    await checkRegistered(body, 'authorization_encrypted_response_enc', 'A128CBC-HS256', CDS.request)
  })

  test('AU-DCR-016 registers the Authorization Code Flow without ID token encryption, and never returns it', {
    annotation: [spec(CDS.request), behaviour(6)],
  }, async ({ recipient, auTarget }) => {
    const { exchange } = await recipient.register()
    await ensureStatus(exchange, 201, CDS.response)
    await checkNotRegistered(bodyOf(exchange), 'id_token_encrypted_response_alg', CDS.request)
    await checkNotRegistered(bodyOf(exchange), 'id_token_encrypted_response_enc', CDS.request)
    if (auTarget.policies.idTokenEncryptionWithCode === 'ignore') {
      await test.step('ID token encryption sent with code is ignored, not registered', async () => {
        const { exchange: ex } = await recipient.register({
          claims: { id_token_encrypted_response_alg: 'RSA-OAEP', id_token_encrypted_response_enc: 'A256GCM' },
        })
        await ensureStatus(ex, 201, CDS.response)
        await checkNotRegistered(bodyOf(ex), 'id_token_encrypted_response_alg', CDS.request)
      })
    }
  })

  test('AU-DCR-017 registers a localhost redirect URI that the SSA holds', {
    annotation: [spec(CDS.request), behaviour(7), requiresAu('ssa:mint')],
  }, async ({ recipient }) => {
    const localhost = 'https://localhost:9001/consent/callback'
    const { exchange } = await recipient.register({
      ssaClaims: { redirect_uris: [...recipient.profile.redirectUris, localhost] },
      claims: { redirect_uris: [localhost] },
    })
    await ensureStatus(exchange, 201, CDS.response)
    await checkRegistered(bodyOf(exchange), 'redirect_uris', [localhost], CDS.request)
  })

  test("AU-DCR-018 registers the SSA's scope without the scopes it does not support, whatever scope the request sends", {
    annotation: [spec(CDS.validation), spec(CDS.ssa), formOf('NEG-SSA-17')],
  }, async ({ recipient, auDiscovery }) => {
    const supported = (auDiscovery.config.scopes_supported ?? []) as string[]
    const { request, exchange } = await recipient.register({ claims: { scope: 'openid' } })
    await ensureStatus(exchange, 201, CDS.response)
    const registered = String(bodyOf(exchange).scope ?? '').split(' ')
    const ssaScopes = String(decodeJws(request.ssa).payload.scope).split(' ')
    await test.step(
      'the registered scope is the SSA scopes the Data Holder supports (scopes_supported) [CDS-REG-VAL]',
      async () => {
        expect
          .soft(
            registered.filter(s => !supported.includes(s)),
            'unsupported scopes registered',
          )
          .toEqual([])
        expect
          .soft(
            registered.filter(s => !ssaScopes.includes(s)),
            'scopes not in the SSA registered',
          )
          .toEqual([])
        const expected = ssaScopes.filter(s => supported.includes(s))
        expect
          .soft([...registered].sort(), 'the SSA scopes the Data Holder supports')
          .toEqual([...new Set(expected)].sort())
      },
      { box: true },
    )
  })
})

test.describe('AU CDR: a registration read, updated and deleted', { tag: TAGS }, () => {
  test('AU-DCR-019 GET /register/{ClientId} answers 200 with the registration', {
    annotation: [spec(CDS.management), behaviour(36), formOf('POS-REG-11', 'FMT-07')],
  }, async ({ registeredClient, cdrSchemas }) => {
    const token = await freshToken(registeredClient)
    const ex = await registeredClient.recipient.dcr.get(registeredClient.clientId, token)
    await ensureStatus(ex, 200, CDS.management)
    await checkJsonContentType(ex, CDS.api)
    await validateCdrRegistration(ex, cdrSchemas.registration_response)
    const body = bodyOf(ex)
    await checkRegistered(
      body,
      'client_id',
      registeredClient.clientId,
      CDS.management,
      'the client id of the registration',
    )
    await checkSoftwareStatementUnmodified(body, registeredClient.ssa)
    await checkRegistered(
      body,
      'redirect_uris',
      registeredClient.body.redirect_uris,
      CDS.management,
      'the redirect URIs registered',
    )
  })

  test('AU-DCR-020 PUT /register/{ClientId} with a new SSA of the product answers 200 with the updated registration', {
    annotation: [spec(CDS.management), behaviour(41), formOf('POS-REG-13')],
  }, async ({ registeredClient, cdrSchemas }) => {
    const r = registeredClient.recipient
    const token = await freshToken(registeredClient)
    const second = r.profile.redirectUris[1] as string
    const update = await r.registrationRequest({
      ssaClaims: { software_id: registeredClient.softwareId },
      claims: { redirect_uris: [second] },
    })
    const ex = await r.dcr.update(registeredClient.clientId, token, update.jws)
    await ensureStatus(ex, 200, CDS.management)
    await validateCdrRegistration(ex, cdrSchemas.registration_response)
    await checkRegistered(bodyOf(ex), 'redirect_uris', [second], CDS.management, "[the SSA's second redirect URI]")
    await checkSoftwareStatementUnmodified(bodyOf(ex), update.ssa)
    const after = await r.dcr.get(registeredClient.clientId, token)
    await ensureStatus(after, 200, CDS.management)
    await checkRegistered(bodyOf(after), 'redirect_uris', [second], CDS.management, "[the SSA's second redirect URI]")
  })

  test('AU-DCR-021 DELETE /register/{ClientId} answers 204; the client and its token are then refused', {
    annotation: [
      spec(CDS.management),
      behaviour(53, 40),
      formOf('POS-REG-14', 'NEG-MGMT-10'),
      requiresAu('operation:delete'),
    ],
  }, async ({ registeredClient }) => {
    const r = registeredClient.recipient
    const token = await freshToken(registeredClient)
    const ex = await r.dcr.delete(registeredClient.clientId, token)
    await ensureStatus(ex, 204, CDS.api)
    await checkEmptyBody(ex, CDS.api)
    const get = await r.dcr.get(registeredClient.clientId, token)
    await checkStatus(get, 401, CDS.api)
    const cc = await r.tokens.clientCredentials(registeredClient.clientId, 'private_key_jwt', {
      scope: 'cdr:registration',
    })
    await ensureRejected(cc, [400, 401], { ref: CDS.clientAuth })
    await checkErrorIs(cc, ['invalid_client'], 'RFC6749-5.2')
  })

  test('AU-DCR-022 PUT with an SSA holding a localhost redirect URI answers 200', {
    annotation: [spec(CDS.management), behaviour(50), requiresAu('ssa:mint')],
  }, async ({ registeredClient }) => {
    const r = registeredClient.recipient
    const localhost = 'https://localhost:9001/consent/callback'
    const update = await r.registrationRequest({
      ssaClaims: { software_id: registeredClient.softwareId, redirect_uris: [...r.profile.redirectUris, localhost] },
      claims: { redirect_uris: [localhost] },
    })
    const ex = await r.dcr.update(registeredClient.clientId, await freshToken(registeredClient), update.jws)
    await ensureStatus(ex, 200, CDS.management)
    await checkRegistered(bodyOf(ex), 'redirect_uris', [localhost], CDS.management)
  })

  test('AU-DCR-023 PUT with fields the Data Holder does not support answers 200 and neither keeps nor returns them', {
    annotation: [spec(CDS.management), spec(CDS.response), behaviour(46)],
  }, async ({ registeredClient }) => {
    const r = registeredClient.recipient
    const token = await freshToken(registeredClient)
    const update = await r.registrationRequest({
      ssaClaims: { software_id: registeredClient.softwareId },
      claims: { adr_name: 'Mercury', favourite_colour: 'blue' },
    })
    const ex: Exchange = await r.dcr.update(registeredClient.clientId, token, update.jws)
    await ensureStatus(ex, 200, CDS.management)
    await checkNotRegistered(bodyOf(ex), 'adr_name', CDS.response)
    await checkNotRegistered(bodyOf(ex), 'favourite_colour', CDS.response)
    const after = await r.dcr.get(registeredClient.clientId, token)
    await ensureStatus(after, 200, CDS.management)
    await checkNotRegistered(bodyOf(after), 'adr_name', CDS.management)
  })

  test('AU-DCR-075 POST with claims the Data Holder does not support registers without them (software_id from the SSA)', {
    annotation: [spec(CDS.response), formOf('POS-REG-08', 'NEG-SSA-12')],
  }, async ({ recipient }) => {
    const { request, exchange } = await recipient.register({
      claims: { software_id: 'AAAAAAAA-0000-4000-8000-000000000000', adr_name: 'Mercury' },
    })
    await ensureStatus(exchange, 201, CDS.response)
    await checkRegistered(bodyOf(exchange), 'software_id', request.softwareId, CDS.response, "the SSA's software_id")
    await checkNotRegistered(bodyOf(exchange), 'adr_name', CDS.response)
  })
})
