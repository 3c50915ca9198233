/**
 * The shapes of a Data Holder's and the Register's answers (CDS 1.36 DCR API RegistrationError,
 * Register API ResponseErrorListV2; RFC 6749 §5.1, RFC 6750 §3): the AU form of the catalogue's
 * format section. Each error is provoked by one fault and paired with its control.
 */
import { AU_CDR, requiresAu, test } from '../../fixtures/au/test.ts'
import { checkCdrRefusal, checkCdsError } from '../checks/cdr.ts'
import { checkErrorCharset } from '../checks/errors.ts'
import { checkNoStore, checkWwwAuthenticateBearer, ensureRejected, ensureStatus } from '../checks/http.ts'
import { registerToken, ssaUrl } from './register_support.ts'
import { CDS, control, formOf, freshToken, spec } from './support.ts'

test.describe('AU CDR: error and answer formats', { tag: [AU_CDR, '@format'] }, () => {
  test('AU-DCR-140 a refused registration is a JSON RegistrationError with one of the four codes', {
    annotation: [spec(CDS.api), spec(CDS.errors), formOf('FMT-01', 'FMT-02')],
    tag: ['@dcr', '@negative'],
  }, async ({ recipient, cdrSchemas }) => {
    const { exchange } = await recipient.register({ claims: { redirect_uris: ['https://evil.example/cb'] } })
    await checkCdrRefusal(exchange, ['invalid_redirect_uri'], cdrSchemas.registration_error, CDS.errors)
    await checkErrorCharset(exchange)
    await control(
      'the same registration without the bad redirect URI',
      async () => (await recipient.register()).exchange,
    )
  })

  test('AU-DCR-141 registration answers and token answers carry Cache-Control: no-store', {
    annotation: [spec('RFC6749-5.1'), spec('RFC7591-3.2.1'), formOf('FMT-04')],
  }, async ({ registeredClient }) => {
    await checkNoStore(registeredClient.registration, 'RFC7591-3.2.1')
    const token = await registeredClient.recipient.tokens.clientCredentials(
      registeredClient.clientId,
      'private_key_jwt',
      { scope: 'cdr:registration' },
    )
    // The header of a token answer, not of a refusal (which carries no-store as well).
    await ensureStatus(token, 200, CDS.tokens)
    await checkNoStore(token, 'RFC6749-5.1')
    const get = await registeredClient.recipient.dcr.get(registeredClient.clientId, await freshToken(registeredClient))
    await ensureStatus(get, 200, CDS.management)
    await checkNoStore(get, 'RFC6749-5.1')
  })

  test('AU-DCR-142 every 401 of the management API carries a WWW-Authenticate Bearer challenge', {
    annotation: [spec(CDS.api), spec('RFC6750-3'), formOf('FMT-05')],
    tag: ['@management', '@negative'],
  }, async ({ registeredClient }) => {
    const r = registeredClient.recipient
    for (const [what, bearer] of [
      ['no token', null],
      ['an unknown token', 'unknown-token'],
    ] as const) {
      await test.step(what, async () => {
        const ex = await r.dcr.get(registeredClient.clientId, bearer)
        await ensureRejected(ex, [401], { ref: CDS.api })
        await checkWwwAuthenticateBearer(ex, bearer === null ? undefined : 'invalid_token')
      })
    }
    await control(
      "the same GET with the client's token",
      async () => r.dcr.get(registeredClient.clientId, await freshToken(registeredClient)),
      [200],
    )
  })

  test('AU-DCR-143 Register errors are the CDS error list (ResponseErrorListV2)', {
    annotation: [spec(CDS.register), requiresAu('register:api')],
    tag: ['@register', '@negative'],
  }, async ({ recipient, cdrSchemas }) => {
    const token = await registerToken(recipient)
    const ex = await recipient.call({
      method: 'GET',
      url: ssaUrl(recipient, { industry: 'banking' }),
      label: 'GET /cdr-register/v1/banking/.../ssa',
      headers: { 'x-v': '4', authorization: `Bearer ${token}` },
    })
    await checkCdsError(ex, 400, 'urn:au-cds:error:cds-all:Field/Invalid', cdrSchemas.register_error)
    await control(
      'the same request for industry "all"',
      () =>
        recipient.call({
          method: 'GET',
          url: ssaUrl(recipient),
          headers: { 'x-v': '4', authorization: `Bearer ${token}` },
        }),
      [200],
    )
  })
})
