/**
 * Enough of the Authorization Code Flow for a registered recipient (CDS 1.36 "Authentication
 * Flows", "Pushed Authorisation", "Request Object"): PAR with a signed request object and PKCE,
 * the JARM response (signed with the registered alg; encrypted when the client registered
 * encryption), the code for tokens with a `cdr_arrangement_id`; and the refusals that keep it
 * safe: a request object by value at /authorize, a request_uri used twice, a wrong code_verifier,
 * a code used twice, request objects without nbf, living too long, or expired.
 */
import {
  authorize,
  cdrRequestObjectClaims,
  pushRequest,
  readJarm,
  redeemCode,
  redirectOf,
} from '../../fixtures/au/auth_code.ts'
import { AU_CDR, type CdrRegisteredClient, expect, test } from '../../fixtures/au/test.ts'
import { signJws } from '../../fixtures/builders/jose.ts'
import type { Discovery } from '../../fixtures/clients/discovery.ts'
import { outcomeOf } from '../../fixtures/clients/exchange.ts'
import { bodyOf } from '../checks/cdr.ts'
import { checkErrorIs } from '../checks/errors.ts'
import { ensureRejected, ensureStatus } from '../checks/http.ts'
import { CDS, control, formOf, inconclusive, precondition, registerFirst, spec } from './support.ts'

const TAGS = [AU_CDR, '@auth-code']

/** PAR then /authorize: the code of the JARM response (a precondition). */
async function codeOf(client: CdrRegisteredClient, d: Discovery) {
  const r = client.recipient
  const pushed = await pushRequest(r, d, client.clientId)
  if (!pushed.requestUri) inconclusive(`PAR: ${outcomeOf(pushed.exchange)}`)
  const redirect = redirectOf(await authorize(r, d, { client_id: client.clientId, request_uri: pushed.requestUri }))
  const response = redirect?.searchParams.get('response')
  if (!response) inconclusive(`authorize: no JARM response in ${redirect?.toString() ?? 'the answer'}`)
  const { claims } = await readJarm(r, d, client.clientId, response)
  return { code: String(claims.code), pushed }
}

test.describe('AU CDR: the Authorization Code Flow of a registered recipient', { tag: TAGS }, () => {
  test('AU-DCR-120 PAR, authorize and token: a signed JARM response, then tokens with a cdr_arrangement_id', {
    annotation: [spec(CDS.par), spec(CDS.flows), spec(CDS.tokens), formOf('POS-AUTH-03')],
  }, async ({ registeredClient, auDiscovery, cdrSchemas }) => {
    const r = registeredClient.recipient
    const pushed = await pushRequest(r, auDiscovery, registeredClient.clientId)
    await ensureStatus(pushed.exchange, 201, 'RFC9126-2.2')
    await test.step(
      'the request_uri lives 10 to 90 seconds [CDS-PAR]',
      async () => {
        const expiresIn = Number(bodyOf(pushed.exchange).expires_in)
        expect.soft(expiresIn >= 10 && expiresIn <= 90, `expires_in was ${expiresIn}`).toBe(true)
      },
      { box: true },
    )
    const answer = await authorize(r, auDiscovery, {
      client_id: registeredClient.clientId,
      request_uri: String(pushed.requestUri),
    })
    const redirect = redirectOf(answer)
    await test.step(
      'authorize redirects to the registered redirect URI with a JARM response and no bare code [CDS-FLOWS]',
      async () => {
        expect(redirect?.origin + (redirect?.pathname ?? ''), `the answer was ${outcomeOf(answer)}`).toBe(
          pushed.redirectUri,
        )
        expect.soft(redirect?.searchParams.get('code'), 'the code travels outside the signed response').toBeNull()
        expect(redirect?.searchParams.get('response'), 'no response parameter').toBeTruthy()
      },
      { box: true },
    )
    const jarm = await test.step(
      'the JARM response verifies with the Data Holder JWKS: iss, aud, exp, state, code [CDS-FLOWS]',
      async () => {
        const result = await readJarm(
          r,
          auDiscovery,
          registeredClient.clientId,
          String(redirect?.searchParams.get('response')),
        )
        expect.soft(result.claims.state).toBe(pushed.state)
        expect.soft(typeof result.claims.code).toBe('string')
        expect.soft(result.alg).toBe(registeredClient.body.authorization_signed_response_alg)
        return result
      },
      { box: true },
    )
    const tokens = await redeemCode(
      r,
      registeredClient.clientId,
      String(jarm.claims.code),
      pushed.redirectUri,
      pushed.verifier,
    )
    await ensureStatus(tokens, 200, CDS.tokens)
    await test.step(
      'the token answer carries an access token, a refresh token, an ID token and a cdr_arrangement_id [CDS-TOKENS]',
      async () => {
        const body = bodyOf(tokens)
        const { valid, errors } = cdrSchemas.token_response.validate(body)
        expect.soft(valid, errors.join('\n')).toBe(true)
        for (const k of ['refresh_token', 'id_token', 'cdr_arrangement_id'])
          expect.soft(typeof body[k], k).toBe('string')
      },
      { box: true },
    )
  })

  test('AU-DCR-121 encrypts the JARM response to the recipient when it registered authorization_encrypted_response_alg', {
    annotation: [spec(CDS.flows)],
  }, async ({ recipient, auDiscovery, auTarget }) => {
    test.skip(auTarget.policies.jarmEncryption === false, `${auTarget.name} declares it offers no JARM encryption`)
    test.skip(!recipient.profile.encryptionKey, 'the suite holds no decryption key of the recipient')
    // Setup, not the rule under test (AU-DCR-014 checks the registration): without it, no verdict.
    const { exchange } = await registerFirst(recipient, 'register a client with JARM encryption', {
      claims: { authorization_encrypted_response_alg: 'RSA-OAEP-256', authorization_encrypted_response_enc: 'A256GCM' },
    })
    const clientId = String(bodyOf(exchange).client_id)
    const pushed = await pushRequest(recipient, auDiscovery, clientId)
    if (!pushed.requestUri) inconclusive(`PAR: ${outcomeOf(pushed.exchange)}`)
    const redirect = redirectOf(
      await authorize(recipient, auDiscovery, { client_id: clientId, request_uri: String(pushed.requestUri) }),
    )
    const response = String(redirect?.searchParams.get('response'))
    await test.step(
      'the response is a JWE (five parts) that decrypts to a JWT signed by the Data Holder [CDS-FLOWS]',
      async () => {
        expect(response.split('.').length, 'the response is not encrypted').toBe(5)
        const jarm = await readJarm(recipient, auDiscovery, clientId, response)
        expect.soft(jarm.encrypted).toBe(true)
        expect.soft(jarm.claims.state).toBe(pushed.state)
      },
      { box: true },
    )
  })

  test('AU-DCR-122 refuses a request object by value at /authorize (requests are pushed)', {
    annotation: [spec(CDS.par), formOf('NEG-AUTHZ-01')],
    tag: '@negative',
  }, async ({ registeredClient, auDiscovery }) => {
    test.skip(auDiscovery.config.require_pushed_authorization_requests !== true, 'the Data Holder does not require PAR')
    const r = registeredClient.recipient
    const claims = cdrRequestObjectClaims(
      registeredClient.clientId,
      auDiscovery.endpoints.issuer,
      r.profile.redirectUris[0] as string,
      'x'.repeat(43),
      'state-1',
    )
    const ex = await authorize(r, auDiscovery, {
      client_id: registeredClient.clientId,
      request: await signJws(claims, r.profile.signing),
    })
    await ensureRejected(ex, [400], { ref: CDS.par })
    await control('the same request pushed first', async () => {
      const pushed = await pushRequest(r, auDiscovery, registeredClient.clientId)
      return authorize(r, auDiscovery, { client_id: registeredClient.clientId, request_uri: String(pushed.requestUri) })
    }, [302, 303])
  })

  test('AU-DCR-123 refuses a request_uri used a second time', {
    annotation: [spec(CDS.par)],
    tag: '@negative',
  }, async ({ registeredClient, auDiscovery }) => {
    const r = registeredClient.recipient
    const pushed = await precondition('push a request', async () =>
      pushRequest(r, auDiscovery, registeredClient.clientId),
    )
    const params = { client_id: registeredClient.clientId, request_uri: String(pushed.requestUri) }
    await control('the request_uri used once', () => authorize(r, auDiscovery, params), [302, 303])
    const again = await authorize(r, auDiscovery, params)
    await ensureRejected(again, [400], { ref: CDS.par })
  })

  test('AU-DCR-124 refuses a code with the wrong code_verifier (PKCE)', {
    annotation: [spec(CDS.flows), spec('RFC7636-4.6'), formOf('NEG-CODE-01')],
    // Redeemed at the token endpoint: its verdict rests on POST /token.
    tag: ['@negative', '@token'],
  }, async ({ registeredClient, auDiscovery }) => {
    const r = registeredClient.recipient
    const { code, pushed } = await codeOf(registeredClient, auDiscovery)
    const bad = await redeemCode(r, registeredClient.clientId, code, pushed.redirectUri, 'w'.repeat(43))
    await ensureRejected(bad, [400], { ref: 'RFC7636-4.6' })
    await checkErrorIs(bad, ['invalid_grant'], 'RFC6749-5.2')
    await control(
      'the same code with its code_verifier',
      () => redeemCode(r, registeredClient.clientId, code, pushed.redirectUri, pushed.verifier),
      [200],
    )
  })

  test('AU-DCR-125 refuses a code redeemed a second time', {
    annotation: [spec('RFC6749-4.1.2'), formOf('NEG-CODE-02')],
    // Redeemed at the token endpoint: its verdict rests on POST /token.
    tag: ['@negative', '@token'],
  }, async ({ registeredClient, auDiscovery }) => {
    const r = registeredClient.recipient
    const { code, pushed } = await codeOf(registeredClient, auDiscovery)
    const redeem = () => redeemCode(r, registeredClient.clientId, code, pushed.redirectUri, pushed.verifier)
    await control('the code redeemed once', redeem, [200])
    const again = await redeem()
    await ensureRejected(again, [400], { ref: 'RFC6749-4.1.2' })
    await checkErrorIs(again, ['invalid_grant'], 'RFC6749-5.2')
  })

  const requestObjectRefusals = [
    {
      id: 'AU-DCR-126',
      title: 'refuses a pushed request object without nbf, or living more than 60 minutes',
      ref: CDS.requestObject,
      faults: [{ nbf: undefined }, { exp: '+2h' }],
    },
    {
      id: 'AU-DCR-127',
      title: 'refuses a pushed request object whose exp has passed',
      ref: CDS.requestObject,
      faults: [{ nbf: '-10m', iat: '-10m', exp: '-5m' }],
    },
  ]
  for (const c of requestObjectRefusals) {
    test(`${c.id} ${c.title}`, { annotation: [spec(c.ref), spec('RFC9126-2.3')], tag: '@negative' }, async ({
      registeredClient,
      auDiscovery,
    }) => {
      const r = registeredClient.recipient
      for (const fault of c.faults) {
        await test.step(`request object with ${JSON.stringify(fault)}: refused`, async () => {
          const { exchange } = await pushRequest(r, auDiscovery, registeredClient.clientId, fault)
          await ensureRejected(exchange, [400], { ref: c.ref })
          await checkErrorIs(exchange, ['invalid_request_object', 'invalid_request'] as never, 'RFC9126-2.3')
        })
      }
      await control(
        'the same request object with nbf, exp five minutes later',
        async () => (await pushRequest(r, auDiscovery, registeredClient.clientId)).exchange,
        [201],
      )
    })
  }
})
