/**
 * The token endpoint of a Data Holder for a registered recipient (CDS 1.36 "Client
 * Authentication", "Tokens"): a `cdr:registration` client credentials token, certificate-bound,
 * living 2 to 10 minutes; and the AU form of the catalogue's token and binding sections —
 * assertions with the wrong audience, subject, expiry, algorithm or a replayed jti, a data scope
 * asked with client credentials, no client certificate. Each refusal has its control: the same
 * request done right gets a token.
 */
import { AU_CDR, type CdrRegisteredClient, expect, test } from '../../fixtures/au/test.ts'
import { send } from '../../fixtures/clients/exchange.ts'
import type { ClientCredentialsOptions } from '../../fixtures/clients/token_client.ts'
import { bodyOf } from '../checks/cdr.ts'
import { checkErrorIs, type TokenError } from '../checks/errors.ts'
import { checkNoStore, ensureRejected, ensureStatus } from '../checks/http.ts'
import { CDS, control, formOf, spec } from './support.ts'

const TAGS = [AU_CDR, '@token']

/** A client credentials request of the client, shaped by `opts`. */
const tokenRequest = (client: CdrRegisteredClient, opts: ClientCredentialsOptions = {}) =>
  client.recipient.tokens.clientCredentials(client.clientId, 'private_key_jwt', { scope: 'cdr:registration', ...opts })

interface TokenRefusal {
  id: string
  title: string
  forms: string[]
  errors: TokenError[]
  opts: (client: CdrRegisteredClient) => ClientCredentialsOptions
  ref: string
}

const REFUSALS: TokenRefusal[] = [
  {
    id: 'AU-DCR-101',
    title: 'refuses a token request without client_assertion',
    forms: ['NEG-TOK-01'],
    errors: ['invalid_client', 'invalid_request'],
    ref: CDS.clientAuth,
    opts: () => ({ form: { client_assertion: undefined, client_assertion_type: undefined } }),
  },
  {
    id: 'AU-DCR-102',
    title: 'refuses a client assertion whose aud is another server',
    forms: ['NEG-TOK-04'],
    errors: ['invalid_client'],
    ref: CDS.clientAuth,
    opts: () => ({ assertionClaims: { aud: 'https://other-dh.example.com.au/token' } }),
  },
  {
    id: 'AU-DCR-103',
    title: 'refuses a client assertion whose sub is not the client_id',
    forms: ['NEG-TOK-08'],
    errors: ['invalid_client'],
    ref: CDS.clientAuth,
    opts: () => ({ assertionClaims: { sub: 'someone-else' } }),
  },
  {
    id: 'AU-DCR-104',
    title: 'refuses a client assertion whose exp has passed',
    forms: ['NEG-TOK-13'],
    errors: ['invalid_client'],
    ref: CDS.clientAuth,
    opts: () => ({ assertionClaims: { exp: '-5m', iat: '-10m' } }),
  },
  {
    id: 'AU-DCR-106',
    title: 'refuses a client assertion signed RS256',
    forms: ['NEG-TOK-18'],
    errors: ['invalid_client'],
    ref: CDS.clientAuth,
    opts: c => ({ signer: { ...c.recipient.profile.signing, alg: 'RS256' } }),
  },
  {
    id: 'AU-DCR-107',
    title: 'refuses a client credentials token for a data scope (bank:accounts.basic:read)',
    forms: ['NEG-TOK-31'],
    errors: ['invalid_scope'],
    ref: CDS.tokens,
    opts: () => ({ scope: 'bank:accounts.basic:read' }),
  },
  {
    id: 'AU-DCR-108',
    title: 'refuses an unsupported grant_type',
    forms: ['NEG-TOK-28'],
    errors: ['unsupported_grant_type'],
    ref: 'RFC6749-5.2',
    opts: () => ({ form: { grant_type: 'password' } }),
  },
]

test.describe('AU CDR: tokens of a registered recipient', { tag: TAGS }, () => {
  test('AU-DCR-100 issues a cdr:registration token: Bearer, bound to the certificate, living 2 to 10 minutes', {
    annotation: [spec(CDS.tokens), spec(CDS.management), formOf('POS-REG-07', 'FMT-04')],
  }, async ({ registeredClient, cdrSchemas }) => {
    const ex = await tokenRequest(registeredClient)
    await ensureStatus(ex, 200, CDS.tokens)
    await checkNoStore(ex, 'RFC6749-5.1')
    await test.step(
      'the answer matches the token schema: expires_in between 120 and 600 seconds [CDS-TOKENS]',
      async () => {
        const { valid, errors } = cdrSchemas.token_response.validate(bodyOf(ex))
        expect.soft(valid, errors.join('\n')).toBe(true)
      },
      { box: true },
    )
    await test.step(
      'the scope granted is cdr:registration [CDS-REG-MGMT]',
      async () => {
        expect.soft(String(bodyOf(ex).scope ?? 'cdr:registration').split(' ')).toContain('cdr:registration')
      },
      { box: true },
    )
  })

  for (const c of REFUSALS) {
    test(`${c.id} ${c.title}`, { annotation: [spec(c.ref), formOf(...c.forms)], tag: '@negative' }, async ({
      registeredClient,
    }) => {
      const ex = await tokenRequest(registeredClient, c.opts(registeredClient))
      await ensureRejected(ex, [400, 401], { ref: c.ref })
      await checkErrorIs(ex, c.errors, 'RFC6749-5.2')
      await control('the same token request done right', () => tokenRequest(registeredClient), [200])
    })
  }

  test('AU-DCR-105 refuses a client assertion used a second time (its jti is single use)', {
    annotation: [spec(CDS.clientAuth), formOf('NEG-TOK-17')],
    tag: '@negative',
  }, async ({ registeredClient }) => {
    const r = registeredClient.recipient
    const form = await r.tokens.form(registeredClient.clientId, 'private_key_jwt', { scope: 'cdr:registration' })
    const once = () => r.call({ method: 'POST', url: r.tokens.tokenEndpoint, label: 'POST /token', form })
    await control('the assertion used once', once, [200])
    const again = await once()
    await ensureRejected(again, [400, 401], { ref: CDS.clientAuth })
    await checkErrorIs(again, ['invalid_client'], 'RFC6749-5.2')
  })

  test('AU-DCR-109 refuses a token request without a client certificate (tokens are bound to it)', {
    annotation: [spec(CDS.tls), spec('RFC8705-3'), formOf('NEG-BIND-04', 'NEG-TLS-03')],
    tag: '@negative',
  }, async ({ registeredClient, tlsContext, exchangeLog, handshakeControl }) => {
    const r = registeredClient.recipient
    const form = await r.tokens.form(registeredClient.clientId, 'private_key_jwt', { scope: 'cdr:registration' })
    const ex = await send(
      await tlsContext('none'),
      { method: 'POST', url: r.tokens.tokenEndpoint, label: 'POST /token', form },
      exchangeLog,
    )
    await ensureRejected(ex, [400, 401], { tlsRefusal: handshakeControl, ref: CDS.tls })
    await control('the same request over the client certificate', () => tokenRequest(registeredClient), [200])
  })
})
