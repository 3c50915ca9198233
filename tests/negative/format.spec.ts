/**
 * FMT: the shape of answers, whatever the endpoint (catalogue §2.9): registration errors, error
 * members and their characters, caching of credentials, authentication challenges on 401,
 * discovery metadata, the media type of the client configuration.
 *
 * The refusals' positive controls: a valid registration and token request of the same TPP (the
 * `registeredClient` fixture's, or a `control:` step), and each management call with a valid token.
 */
import { randomUUID } from 'node:crypto'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import { controlOperations, controlRegistration } from '../../fixtures/controls.ts'
import { test } from '../../fixtures/negative.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import { checkTokenErrorStatus } from '../checks/client_auth.ts'
import { checkAuthMethodsAdvertised, checkMtlsEndpointAliases, checkRegistrationEndpoint } from '../checks/discovery.ts'
import { checkErrorCharset, checkRegistrationRefusal, type RegistrationError } from '../checks/errors.ts'
import {
  checkBoundTokensAdvertised,
  checkChallengeOn401,
  checkErrorDescriptionLength,
  checkErrorUri,
  checkMtlsAliasesNameTokenAndRegistration,
} from '../checks/format.ts'
import { checkJsonContentType, checkNoStore, ensureRejected, ensureStatus } from '../checks/http.ts'
import { bodyOf } from '../checks/registration.ts'
import { ensureAccessToken } from '../checks/token.ts'
import { checkUnauthorized } from '../dcr/flows.ts'

const spec = (description: string) => ({ type: 'spec', description })

/** A hostile value a bank might echo into error_description: CR, LF, TAB, a quote, a backslash, and length. */
const HOSTILE_URI = `https://attacker.example/cb?x=${'a'.repeat(400)}\r\n\t"\\`

// Polarity per test: FMT-01/02/03/05 check refusals, FMT-04/06/07 check successful answers.
test.describe('FMT answer format', { tag: ['@format'] }, () => {
  test('FMT-01 answers registration errors with 400, JSON, a registered error code and no client_id', {
    tag: ['@dcr', '@negative'],
    annotation: [spec('RFC7591-3.2.2'), spec('OBDCR-OpenAPI-RegistrationError')],
  }, async ({ tpp, schemas }) => {
    await controlRegistration(tpp, {}, 'a valid registration of the same TPP: 201')
    const cases: [string, Parameters<typeof tpp.register>[0], readonly RegistrationError[]][] = [
      [
        'a redirect URI outside the software statement',
        { redirectUris: ['https://attacker.example/cb'] },
        ['invalid_redirect_uri', 'invalid_client_metadata'],
      ],
      [
        'no token_endpoint_auth_method',
        { claims: { token_endpoint_auth_method: undefined } },
        ['invalid_client_metadata'],
      ],
      ['an altered software statement signature', { ssaVariant: 'tampered-signature' }, ['invalid_software_statement']],
      [
        'a software statement signed by an untrusted key',
        { ssaVariant: 'untrusted-signer' },
        ['unapproved_software_statement', 'invalid_software_statement'],
      ],
    ]
    for (const [name, opts, allowed] of cases) {
      await test.step(`a registration with ${name}`, async () => {
        const { exchange } = await tpp.register(opts)
        await ensureStatus(exchange, 400, 'RFC7591-3.2.2')
        await checkRegistrationRefusal(exchange, allowed, schemas.registrationError)
      })
    }
  })

  test('FMT-02 keeps error and error_description to the characters RFC 6749 allows and 500 characters', {
    tag: '@negative',
    annotation: [spec('RFC6749-5.2'), spec('OBDCR-OpenAPI-RegistrationError')],
  }, async ({ registeredClient: { tpp, clientId, authMethod } }) => {
    // Errors whose description may echo what was sent: CR, LF, TAB, quote, backslash, length.
    const answers: Exchange[] = [
      (await tpp.register({ redirectUris: [HOSTILE_URI] })).exchange,
      await tpp.tokens.clientCredentials(clientId, authMethod, { scope: `foo\r\n\t"\\${'b'.repeat(600)}` }),
      await tpp.tokens.clientCredentials(clientId, authMethod, { form: { grant_type: `x\r\n"\\${'c'.repeat(600)}` } }),
    ]
    for (const ex of answers) {
      await test.step(`${ex.request.method} ${new URL(ex.request.url).pathname}`, async () => {
        await ensureStatus(ex, 400, 'RFC6749-5.2')
        await checkErrorCharset(ex)
        await checkErrorDescriptionLength(ex)
      })
    }
  })

  test('FMT-03 gives error_uri, where present, as a valid URI', {
    tag: '@negative',
    annotation: [spec('RFC6749-5.2'), spec('RFC7591-3.2.2')],
  }, async ({ registeredClient: { tpp, clientId, authMethod } }) => {
    const registration = (await tpp.register({ redirectUris: ['https://attacker.example/cb'] })).exchange
    await ensureStatus(registration, 400, 'RFC7591-3.2.2')
    await checkErrorUri(registration)
    const scope = await tpp.tokens.clientCredentials(clientId, authMethod, { scope: 'foo' })
    await ensureStatus(scope, 400, 'RFC6749-5.2')
    await checkErrorUri(scope)
    // RFC 6749 §5.2: invalid_client may be 400 or 401 (401, with WWW-Authenticate, when the client
    // authenticated with the Authorization header).
    const unknown = await tpp.tokens.clientCredentials(randomUUID(), authMethod)
    await ensureRejected(unknown, [400, 401], { ref: 'RFC6749-5.2' })
    await checkTokenErrorStatus(unknown)
    await checkErrorUri(unknown)
  })

  test('FMT-04 marks token responses and registrations carrying credentials Cache-Control: no-store', {
    tag: '@positive',
    annotation: [spec('RFC6749-5.1'), spec('RFC7591-3.2.1')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, registration } }) => {
    const issued = await tpp.tokens.clientCredentials(clientId, authMethod)
    await ensureAccessToken(issued)
    await checkNoStore(issued, 'RFC6749-5.1')
    const body = bodyOf(registration)
    if (body.client_secret !== undefined || body.registration_access_token !== undefined) {
      await checkNoStore(registration, 'RFC7591-3.2.1')
    } else {
      test.info().annotations.push({
        type: 'skipped-step',
        description: 'no-store on the registration: it carries no client_secret or registration_access_token',
      })
    }
  })

  test('FMT-05 sends WWW-Authenticate: Bearer with every 401 of the client configuration endpoint', {
    tag: '@negative',
    annotation: [spec('RFC6750-3'), spec('OBDCR-OpenAPI-401')],
  }, async ({ registeredClient: { tpp, clientId, authMethod, token }, target }) => {
    const answers: Exchange[] = []
    if (target.operations.get) answers.push(await tpp.dcr.get(clientId, 'not-a-token'))
    if (target.operations.put) answers.push(await tpp.dcr.update(clientId, null, (await tpp.registrationRequest()).jws))
    if (target.operations.delete) answers.push(await tpp.dcr.delete(randomUUID(), await token()))
    test.skip(answers.length === 0, `${target.name} offers no management operation`)
    for (const ex of answers) {
      await checkUnauthorized(ex)
      await checkChallengeOn401(ex, 'Bearer')
    }
    await controlOperations(
      tpp,
      { clientId, authMethod },
      (['get', 'put', 'delete'] as const).filter(op => target.operations[op]),
    )
  })

  test('FMT-06 advertises the registration endpoint, mTLS aliases, auth methods and bound tokens in discovery', {
    tag: '@positive',
    annotation: [spec('OIDCD-3'), spec('RFC8705-5'), spec('RFC8705-3.3'), spec('OBDCR-Discovery')],
  }, async ({ freshDiscovery, target }) => {
    // The checks of DCR-001, plus the certificate-bound token metadata.
    const { exchange, config } = await freshDiscovery()
    await ensureStatus(exchange, 200, 'OIDCD-4.2')
    await checkRegistrationEndpoint(config)
    await checkMtlsEndpointAliases(config)
    await checkMtlsAliasesNameTokenAndRegistration(config)
    await checkAuthMethodsAdvertised(config, target.authMethods)
    await checkBoundTokensAdvertised(config)
  })

  test('FMT-07 serves the client configuration as application/json', {
    tag: ['@dcr', '@positive'],
    annotation: [spec('RFC7592-2.1'), requires('operation:get')],
  }, async ({ registeredClient: { tpp, clientId, token } }) => {
    const ex = await tpp.dcr.get(clientId, await token())
    await ensureStatus(ex, 200, 'RFC7592-2.1')
    await checkJsonContentType(ex, 'RFC7592-2.1')
  })
})
