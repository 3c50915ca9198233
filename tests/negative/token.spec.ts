/**
 * NEG-TOK: the token endpoint refuses client_credentials requests whose client authentication is
 * wrong or whose request is malformed (catalogue §2.7; RFC 6749 §4.4, §5.2; RFC 7523 §3;
 * RFC 8705 §2; OIDC Core §9), with the status RFC 6749 §5.2 allows: `invalid_client` 400 or 401
 * (the report records which), every other error 400.
 *
 * Where the suites the catalogue draws on disagree on the code (an expired or replayed assertion:
 * `invalid_client` or `invalid_request`; a missing parameter), both are accepted and the report
 * names the one the target used.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import {
  CLIENT_ASSERTION_TYPE,
  clientAssertion,
  clientAssertionClaims,
} from '../../fixtures/builders/client_assertion.ts'
import { dnWithOneAttributeChanged, equivalentDns } from '../../fixtures/builders/dn.ts'
import { type Claims, hs256WithPublicKey, signJws, signWithHeader, unsecuredJwt } from '../../fixtures/builders/jose.ts'
import { dnClaim } from '../../fixtures/builders/registration.ts'
import { outcomeOf, send } from '../../fixtures/clients/exchange.ts'
import type { TlsIdentity } from '../../fixtures/clients/tls.ts'
import type { ClientCredentialsOptions } from '../../fixtures/clients/token_client.ts'
import { control, ensureSucceeded, precondition, preconditionClient } from '../../fixtures/controls.ts'
import { expect, test, withAuthMethod } from '../../fixtures/negative.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import type { TppProfile } from '../../fixtures/targets/types.ts'
import type { RegisteredClient } from '../../fixtures/test.ts'
import { recordAnswer, warn } from '../checks/annotations.ts'
import { checkIntrospectionActive } from '../checks/binding.ts'
import { checkTokenRefusal } from '../checks/client_auth.ts'
import { checkErrorIs, type TokenError } from '../checks/errors.ts'
import { ensureRejected, ensureStatus } from '../checks/http.ts'
import { bodyOf, ensureClientId, scopesOf } from '../checks/registration.ts'
import { ensureAccessToken } from '../checks/token.ts'
import { checkUnauthorized } from '../dcr/flows.ts'

const spec = (description: string) => ({ type: 'spec', description })
const EXPIRED_OR_REPLAYED: readonly TokenError[] = ['invalid_client', 'invalid_request']

/** A fresh RSA key that no directory knows. */
const strangerKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey

test.describe('NEG-TOK token endpoint refusals', { tag: ['@token', '@negative'] }, () => {
  withAuthMethod('private_key_jwt', () => {
    /** One client_credentials request of the registered client, shaped by `opts`. */
    const attempt = (c: RegisteredClient, opts: ClientCredentialsOptions) =>
      c.tpp.tokens.clientCredentials(c.clientId, 'private_key_jwt', opts)

    test('NEG-TOK-01 refuses a private_key_jwt client that sends no client_assertion', {
      annotation: [spec('RFC7523-2.2'), spec('RFC6749-5.2')],
    }, async ({ registeredClient: c }) => {
      await test.step('client_assertion_type without client_assertion', async () => {
        await checkTokenRefusal(await attempt(c, { form: { client_assertion: undefined } }), [
          'invalid_client',
          'invalid_request',
        ])
      })
      await test.step('neither client_assertion nor client_assertion_type', async () => {
        await checkTokenRefusal(
          await attempt(c, { form: { client_assertion: undefined, client_assertion_type: undefined } }),
          ['invalid_client', 'invalid_request'],
        )
      })
    })

    test('NEG-TOK-02 refuses a client_assertion_type that is missing, empty or another URN', {
      annotation: [spec('RFC7523-2.2'), spec('RFC6749-5.2')],
    }, async ({ registeredClient: c }) => {
      const cases: [string, string | undefined, readonly TokenError[]][] = [
        ['missing', undefined, ['invalid_client', 'invalid_request']],
        ['empty', '', ['invalid_client', 'invalid_request']],
        ['the SAML bearer URN', 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer', ['invalid_client']],
        ['foo', 'foo', ['invalid_client']],
      ]
      for (const [name, value, allowed] of cases) {
        await test.step(`client_assertion_type ${name}`, async () => {
          await checkTokenRefusal(await attempt(c, { form: { client_assertion_type: value } }), allowed)
        })
      }
    })

    test('NEG-TOK-03 refuses a client_assertion that is empty or not a JWT', {
      annotation: [spec('RFC7523-3'), spec('RFC6749-5.2')],
    }, async ({ registeredClient: c }) => {
      const cases: [string, string, readonly TokenError[]][] = [
        // RFC 6749 §3.1: a parameter sent without a value counts as omitted.
        ['empty', '', ['invalid_client', 'invalid_request']],
        ['"foo"', 'foo', ['invalid_client']],
        ['three parts of garbage', 'not.a.jwt', ['invalid_client']],
      ]
      for (const [name, value, allowed] of cases) {
        await test.step(`client_assertion ${name}`, async () => {
          await checkTokenRefusal(await attempt(c, { assertion: value }), allowed)
        })
      }
    })

    test('NEG-TOK-04 refuses an assertion whose aud is another server, or that has no aud', {
      annotation: [spec('RFC7523-3'), spec('RFC6749-5.2')],
    }, async ({ registeredClient: c }) => {
      for (const [name, aud] of [
        ['another server', 'https://other-bank.example/token'],
        ['missing', undefined],
      ] as const) {
        await test.step(`aud ${name}`, async () => {
          await checkTokenRefusal(await attempt(c, { assertionClaims: { aud } }), ['invalid_client', 'invalid_request'])
        })
      }
    })

    test('NEG-TOK-05 refuses an assertion whose aud only partly matches the token endpoint or the issuer', {
      annotation: [spec('RFC7523-3')],
    }, async ({ registeredClient: c, discovery }) => {
      const { tokenAud, token, issuer } = discovery.endpoints
      const cases: Record<string, string> = {
        'the token endpoint plus "/x"': `${tokenAud}/x`,
        '"foo" plus the token endpoint': `foo${tokenAud}`,
        'the issuer plus "/foo"': `${issuer.replace(/\/$/, '')}/foo`,
      }
      const mtls = new URL(token)
      if (mtls.origin !== new URL(issuer).origin) {
        cases['the issuer path on the mTLS host'] = `${mtls.origin}${new URL(issuer).pathname}`
        cases['the token path on the issuer host'] = `${new URL(issuer).origin}${mtls.pathname}`
      }
      for (const [name, aud] of Object.entries(cases)) {
        await test.step(`aud is ${name}`, async () => {
          await checkTokenRefusal(await attempt(c, { assertionClaims: { aud } }), ['invalid_client'])
        })
      }
    })

    test('NEG-TOK-06 accepts the token endpoint URL and the issuer as aud (and says whether an array is accepted)', {
      tag: '@positive',
      annotation: [spec('RFC7523-3'), spec('RFC9126-2'), spec('FAPI1-ADV-5.2.2')],
    }, async ({ registeredClient: c, discovery, target }) => {
      const { tokenAud, token, issuer } = discovery.endpoints
      const configured = target.clientAssertionAud === 'issuer' ? issuer : tokenAud
      const cases: [string, string | string[], 'required' | 'warning'][] = [
        // OIDC Core §9: the token endpoint URL SHOULD be the aud; FAPI suites accept the issuer too
        // (OIDF: refusing it is a warning). The one the target file names must work.
        ['the token endpoint URL', tokenAud, configured === tokenAud ? 'required' : 'warning'],
        ['the issuer', issuer, configured === issuer ? 'required' : 'warning'],
        ['an array holding the issuer', [issuer], 'warning'],
      ]
      if (token !== tokenAud) cases.push(['the mTLS alias of the token endpoint', token, 'warning'])
      for (const [name, aud, level] of cases) {
        await test.step(`aud is ${name} [RFC7523-3]`, async () => {
          const ex = await attempt(c, { assertionClaims: { aud } })
          const ok = ex.kind === 'response' && ex.status === 200
          recordAnswer(`aud ${name}`, ok ? 'accepted' : 'refused')
          if (level === 'required') expect.soft(ok, `aud ${name} was refused: ${outcomeOf(ex)}`).toBe(true)
          else if (!ok) warn(`the token endpoint refuses an assertion whose aud is ${name}: ${outcomeOf(ex)}`)
        })
      }
    })

    test('NEG-TOK-07 refuses an assertion without sub', {
      annotation: [spec('RFC7523-3'), spec('OIDCC-9')],
    }, async ({ registeredClient: c }) => {
      await checkTokenRefusal(await attempt(c, { assertionClaims: { sub: undefined } }), [
        'invalid_client',
        'invalid_request',
      ])
    })

    test('NEG-TOK-08 refuses an assertion whose sub is not the client_id', {
      annotation: [spec('RFC7523-3'), spec('OIDCC-9')],
    }, async ({ registeredClient: c }) => {
      await checkTokenRefusal(await attempt(c, { assertionClaims: { sub: randomUUID() } }), ['invalid_client'])
    })

    test('NEG-TOK-09 refuses an assertion whose iss is not the client_id, or that has no iss', {
      annotation: [spec('RFC7523-3'), spec('OIDCC-9')],
    }, async ({ registeredClient: c }) => {
      for (const [name, iss] of [
        ['another client id', randomUUID()],
        ['missing', undefined],
      ] as const) {
        await test.step(`iss ${name}`, async () => {
          await checkTokenRefusal(await attempt(c, { assertionClaims: { iss } }), ['invalid_client'])
        })
      }
    })

    test('NEG-TOK-10 refuses an assertion whose iss and sub differ when no client_id parameter is sent', {
      annotation: [spec('OIDCC-9'), spec('RFC7523-3')],
    }, async ({ registeredClient: c }) => {
      const ex = await attempt(c, { assertionClaims: { iss: randomUUID() }, form: { client_id: undefined } })
      await checkTokenRefusal(ex, ['invalid_client'])
    })

    test("NEG-TOK-11 refuses a client_id parameter that is not the assertion's iss and sub", {
      annotation: [spec('RFC6749-2.3'), spec('RFC6749-5.2')],
    }, async ({ registeredClient: c }) => {
      const { clientId: other } = await preconditionClient(c.tpp, {}, 'a second client of the same TPP')
      await checkTokenRefusal(await attempt(c, { form: { client_id: other } }), ['invalid_client'])
    })

    test('NEG-TOK-13 refuses an assertion without exp, or whose exp passed five minutes ago', {
      annotation: [spec('RFC7523-3'), spec('OIDCC-9')],
    }, async ({ registeredClient: c }) => {
      for (const [name, claims] of [
        ['without exp', { exp: undefined }],
        ['expired five minutes ago', { iat: '-10m', exp: '-5m' }],
      ] as const) {
        await test.step(`an assertion ${name}`, async () => {
          await checkTokenRefusal(await attempt(c, { assertionClaims: claims }), EXPIRED_OR_REPLAYED)
        })
      }
    })

    test('NEG-TOK-14 refuses an assertion that expires more than a day ahead', {
      annotation: [spec('RFC7523-3')],
    }, async ({ registeredClient: c }) => {
      await checkTokenRefusal(await attempt(c, { assertionClaims: { exp: '+2d' } }), [
        'invalid_client',
        'invalid_request',
      ])
    })

    test('NEG-TOK-15 refuses iat or nbf more than 60 s ahead and accepts them 8 s ahead', {
      annotation: [spec('RFC7523-3'), spec('FAPI2-SP-clock-skew')],
    }, async ({ registeredClient: c }) => {
      for (const name of ['iat', 'nbf'] as const) {
        await test.step(`${name} 90 s in the future is refused`, async () => {
          const claims: Claims = { [name]: '+90s', exp: '+3m' }
          await checkTokenRefusal(await attempt(c, { assertionClaims: claims }), ['invalid_client', 'invalid_request'])
        })
      }
      await test.step('iat and nbf 8 s in the future are accepted (clock skew)', async () => {
        await ensureAccessToken(await attempt(c, { assertionClaims: { iat: '+8s', nbf: '+8s', exp: '+68s' } }))
      })
    })

    test('NEG-TOK-16 refuses an assertion without jti', {
      annotation: [spec('OIDCC-9'), spec('RFC7523-3')],
    }, async ({ registeredClient: c }) => {
      await checkTokenRefusal(await attempt(c, { assertionClaims: { jti: undefined } }), [
        'invalid_client',
        'invalid_request',
      ])
    })

    test('NEG-TOK-17 refuses the same assertion used a second time', {
      annotation: [spec('RFC7523-3'), spec('OIDCC-9')],
    }, async ({ registeredClient: c, discovery, target }) => {
      const aud = target.clientAssertionAud === 'issuer' ? discovery.endpoints.issuer : discovery.endpoints.tokenAud
      const assertion = await clientAssertion(c.clientId, aud, c.tpp.profile.signing)
      await ensureAccessToken(await attempt(c, { assertion }))
      await checkTokenRefusal(await attempt(c, { assertion }), EXPIRED_OR_REPLAYED)
    })

    test('NEG-TOK-18 refuses an assertion signed RS256, RS512, HS256 or not at all', {
      annotation: [spec('FAPI1-ADV-8.6'), spec('RFC7523-3')],
    }, async ({ registeredClient: c, discovery, target }) => {
      const aud = target.clientAssertionAud === 'issuer' ? discovery.endpoints.issuer : discovery.endpoints.tokenAud
      const signer = c.tpp.profile.signing
      const claims = () => clientAssertionClaims(c.clientId, aud)
      const rsa = signer.key.asymmetricKeyType === 'rsa' || signer.key.asymmetricKeyType === 'rsa-pss'
      const cases: [string, () => Promise<string> | string][] = [
        ['HS256 with the public key as secret', () => hs256WithPublicKey(claims(), signer)],
        ['alg none', () => unsecuredJwt(claims(), { kid: signer.kid })],
      ]
      if (rsa) {
        cases.unshift(
          ['RS256 with the registered key', () => signJws(claims(), { ...signer, alg: 'RS256' })],
          ['RS512 with the registered key', () => signJws(claims(), { ...signer, alg: 'RS512' })],
        )
      }
      for (const [name, make] of cases) {
        await test.step(name, async () => {
          await checkTokenRefusal(await attempt(c, { assertion: await make() }), ['invalid_client'])
        })
      }
    })

    test('NEG-TOK-19 refuses an assertion whose alg is not the registered token_endpoint_auth_signing_alg', {
      annotation: [spec('OIDCR-2'), spec('RFC7523-3')],
    }, async ({ registeredClient: { tpp } }) => {
      // The control: a client registered for the TPP's own alg gets a token (the fixture's).
      // Registered for the other FAPI alg, signed with the TPP's own key and alg.
      const other = tpp.profile.signing.alg === 'ES256' ? 'PS256' : 'ES256'
      const { clientId } = await preconditionClient(
        tpp,
        { authMethod: 'private_key_jwt', claims: { token_endpoint_auth_signing_alg: other } },
        `a client registered with token_endpoint_auth_signing_alg ${other}`,
      )
      await checkTokenRefusal(await tpp.tokens.clientCredentials(clientId, 'private_key_jwt'), ['invalid_client'])
    })

    test("NEG-TOK-20 refuses an assertion signed with a key that is not in the client's JWKS", {
      annotation: [spec('RFC7523-3'), spec('OBDCR-Of-JWS-and-JWKS')],
    }, async ({ registeredClient: c }) => {
      const own = c.tpp.profile.signing
      for (const [name, signer] of [
        ['an unknown kid', { key: strangerKey(), kid: `stranger-${randomUUID()}`, alg: 'PS256' }],
        ["the registered key's kid", { key: strangerKey(), kid: own.kid, alg: 'PS256' }],
      ] as const) {
        await test.step(`a foreign key under ${name}`, async () => {
          await checkTokenRefusal(await attempt(c, { signer }), ['invalid_client'])
        })
      }
    })

    test('NEG-TOK-26 refuses a private_key_jwt client that authenticates with its certificate only', {
      annotation: [spec('OIDCR-2'), spec('RFC8705-2')],
    }, async ({ registeredClient: c }) => {
      const ex = await c.tpp.tokens.clientCredentials(c.clientId, 'tls_client_auth')
      await checkTokenRefusal(ex, ['invalid_client'])
    })
  })

  withAuthMethod('tls_client_auth', () => {
    test('NEG-TOK-21 refuses a tls_client_auth client that presents no certificate', {
      tag: '@tls',
      annotation: [spec('RFC8705-2')],
    }, async ({ registeredClient: c, tppFor, target, handshakeControl }) => {
      // The control, the same request over the client's certificate, is the fixture's first token.
      const bare = await tppFor(target.tpp, 'none')
      const ex = await bare.tokens.clientCredentials(c.clientId, 'tls_client_auth')
      await checkTokenRefusal(ex, ['invalid_client', 'invalid_request'], {
        tlsRefusal: handshakeControl,
        ref: 'RFC8705-2',
      })
    })

    test("NEG-TOK-22 refuses a trusted certificate whose subject DN is not the client's registered DN", {
      annotation: [spec('RFC8705-2.1.2'), requires('tpp:second')],
    }, async ({ registeredClient: c, tppFor, target }) => {
      const other = await tppFor(target.tpp, target.secondTpp)
      await checkTokenRefusal(await other.tokens.clientCredentials(c.clientId, 'tls_client_auth'), ['invalid_client'])
    })

    test('NEG-TOK-23 matches the subject DN as a DN: the same DN written otherwise works, one attribute changed does not', {
      annotation: [spec('RFC8705-2.1.2'), spec('RFC4517-4.2.15'), spec('RFC4514-2')],
    }, async ({ registeredClient: { tpp }, target }) => {
      // The control: a client registered with the certificate's DN as given gets a token (the fixture's).
      const member = dnClaim(target.specVersion)
      const dn = tpp.profile.transport.subjectDn
      const registerWith = async (written: string) => {
        const { exchange } = await tpp.register({ authMethod: 'tls_client_auth', claims: { [member]: written } })
        return exchange
      }
      for (const [name, written] of Object.entries(equivalentDns(dn, target.specVersion))) {
        await test.step(`${member} with ${name} (${written}) gets a token [RFC8705-2.1.2]`, async () => {
          const exchange = await registerWith(written)
          await ensureStatus(exchange, 201, 'RFC7591-3.2.1')
          const ex = await tpp.tokens.clientCredentials(await ensureClientId(exchange), 'tls_client_auth')
          expect.soft(ex.kind === 'response' && ex.status, `${name}: ${outcomeOf(ex)}`).toBe(200)
        })
      }
      await test.step('one attribute changed: refused', async () => {
        const exchange = await registerWith(dnWithOneAttributeChanged(dn))
        if (exchange.kind === 'response' && exchange.status === 400) {
          // Refusing to register a DN that is not the registering certificate's is a refusal too.
          recordAnswer('changed-dn', 'refused at registration')
          return
        }
        await ensureStatus(exchange, 201, 'RFC7591-3.2.1')
        const ex = await tpp.tokens.clientCredentials(await ensureClientId(exchange), 'tls_client_auth')
        await checkTokenRefusal(ex, ['invalid_client'])
      })
    })

    test('NEG-TOK-24 refuses a tls_client_auth client that also sends a client assertion', {
      annotation: [spec('RFC6749-2.3'), spec('RFC8705-2')],
    }, async ({ registeredClient: c, discovery, target }) => {
      const aud = target.clientAssertionAud === 'issuer' ? discovery.endpoints.issuer : discovery.endpoints.tokenAud
      const assertion = await clientAssertion(c.clientId, aud, c.tpp.profile.signing)
      for (const [name, form] of [
        [
          'client_assertion and client_assertion_type',
          { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion },
        ],
        ['client_assertion_type only', { client_assertion_type: CLIENT_ASSERTION_TYPE }],
      ] as const) {
        await test.step(name, async () => {
          const ex = await c.tpp.tokens.clientCredentials(c.clientId, 'tls_client_auth', { form })
          await checkTokenRefusal(ex, ['invalid_request', 'invalid_client'])
        })
      }
    })

    test('NEG-TOK-25 refuses a tls_client_auth request without client_id', {
      annotation: [spec('RFC8705-2'), spec('RFC6749-2.3')],
    }, async ({ registeredClient: c }) => {
      const ex = await c.tpp.tokens.clientCredentials(c.clientId, 'tls_client_auth', { form: { client_id: undefined } })
      await checkTokenRefusal(ex, ['invalid_client', 'invalid_request'])
    })
  })

  test('NEG-TOK-12 refuses a client id that was never registered', {
    annotation: [spec('RFC6749-5.2')],
  }, async ({ registeredClient: { tpp, authMethod } }) => {
    // The control: the same request for a registered client gets a token (the fixture's).
    await checkTokenRefusal(await tpp.tokens.clientCredentials(randomUUID(), authMethod), ['invalid_client'])
  })

  test('NEG-TOK-27 answers invalid_client with 400 or 401, a 401 with WWW-Authenticate, and other errors with 400', {
    annotation: [spec('RFC6749-5.2'), spec('RFC9110-15.5.2')],
  }, async ({ registeredClient: c, tlsContext, discovery, exchangeLog }) => {
    await test.step('HTTP Basic client authentication, which FAPI banks do not offer', async () => {
      const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:not-a-secret`).toString('base64')
      const ex = await send(
        await tlsContext(c.tpp.profile),
        {
          method: 'POST',
          url: discovery.endpoints.token,
          label: 'POST /token',
          headers: { accept: 'application/json', authorization: `Basic ${basic}` },
          form: { grant_type: 'client_credentials' },
        },
        exchangeLog,
      )
      await checkTokenRefusal(ex, ['invalid_client', 'invalid_request'])
    })
    await test.step('an unsupported grant type', async () => {
      const ex = await c.tpp.tokens.clientCredentials(c.clientId, c.authMethod, { form: { grant_type: 'password' } })
      await checkTokenRefusal(ex, ['unsupported_grant_type', 'unauthorized_client'])
    })
  })

  test('NEG-TOK-28 refuses grant_type missing, empty or unknown', {
    annotation: [spec('RFC6749-5.2'), spec('RFC6749-4.4.2')],
  }, async ({ registeredClient: c }) => {
    const cases: [string, string | undefined, readonly TokenError[]][] = [
      ['missing', undefined, ['invalid_request']],
      ['empty', '', ['invalid_request', 'unsupported_grant_type']],
      ['foo', 'foo', ['unsupported_grant_type']],
    ]
    for (const [name, value, allowed] of cases) {
      await test.step(`grant_type ${name}`, async () => {
        const ex = await c.tpp.tokens.clientCredentials(c.clientId, c.authMethod, { form: { grant_type: value } })
        await checkTokenRefusal(ex, allowed)
      })
    }
  })

  test('NEG-TOK-29 refuses client_credentials to a client not registered for that grant', {
    annotation: [spec('RFC6749-5.2'), spec('RFC7591-2')],
  }, async ({ registeredClient: { tpp, authMethod } }) => {
    // The control: a client registered with the client_credentials grant gets a token (the fixture's).
    const { clientId } = await preconditionClient(
      tpp,
      { claims: { grant_types: ['authorization_code', 'refresh_token'] } },
      'a client registered without the client_credentials grant',
    )
    test.info().annotations.push({
      type: 'warning',
      description: `client ${clientId} stays registered: without the client_credentials grant it cannot get the token DELETE needs`,
    })
    await checkTokenRefusal(await tpp.tokens.clientCredentials(clientId, authMethod), ['unauthorized_client'])
  })

  test('NEG-TOK-30 refuses a token request that is not form-encoded, and methods other than POST', {
    annotation: [spec('RFC6749-3.2'), spec('RFC9110-15.5.6')],
  }, async ({ registeredClient: c, tlsContext, discovery, exchangeLog }) => {
    const ctx = await tlsContext(c.tpp.profile)
    const url = discovery.endpoints.token
    const form = new URLSearchParams(await c.tpp.tokens.form(c.clientId, c.authMethod)).toString()
    for (const [name, headers, body] of [
      [
        'as JSON',
        { 'content-type': 'application/json' },
        JSON.stringify(Object.fromEntries(new URLSearchParams(form))),
      ],
      ['a form sent as text/plain', { 'content-type': 'text/plain' }, form],
    ] as const) {
      await test.step(`a token request ${name}`, async () => {
        const ex = await send(
          ctx,
          { method: 'POST', url, label: 'POST /token', headers: { ...headers }, data: body },
          exchangeLog,
        )
        await ensureRejected(ex, [400, 415], { ref: 'RFC6749-3.2' })
        if (ex.kind === 'response' && ex.status === 400) await checkTokenRefusal(ex, ['invalid_request'])
      })
    }
    for (const method of ['GET', 'PUT'] as const) {
      await test.step(`${method} on the token endpoint`, async () => {
        const ex = await send(
          ctx,
          { method, url, label: `${method} /token`, headers: { accept: 'application/json' } },
          exchangeLog,
        )
        await ensureStatus(ex, 405, 'RFC9110-15.5.6')
      })
    }
  })

  test('NEG-TOK-31 refuses an unknown scope and a scope the client was not registered for', {
    annotation: [spec('RFC6749-5.2'), spec('RFC6749-3.3')],
  }, async ({ tpp, authMethod, discovery }) => {
    const supported = (discovery.config.scopes_supported ?? []) as string[]
    // Registered for openid and one scope only, where the software may have more.
    const ask = scopesOf(await tpp.registrationClaims().then(r => r.claims.scope)).filter(s => s !== 'openid')
    const keep = ask[0]
    const { clientId, exchange } = await preconditionClient(
      tpp,
      keep ? { scopes: ['openid', keep] } : {},
      `a client registered for ${keep ? `openid ${keep}` : 'its default scopes'}`,
    )
    const registered = scopesOf(bodyOf(exchange).scope)
    await control(`the client gets a token for ${keep ?? 'its default scope'}, which it was registered for`, async () =>
      ensureSucceeded(await tpp.tokens.clientCredentials(clientId, authMethod, keep ? { scope: keep } : {}), 200),
    )
    const cases: [string, string][] = [['an unknown scope', 'foo']]
    const notGranted = supported.find(s => s !== 'openid' && !registered.includes(s))
    if (notGranted) cases.push([`${notGranted}, which the client was not registered for`, notGranted])
    for (const [name, scope] of cases) {
      await test.step(name, async () => {
        await checkTokenRefusal(await tpp.tokens.clientCredentials(clientId, authMethod, { scope }), ['invalid_scope'])
      })
    }
  })
})

/** Where a client-authenticated endpoint is published: its mTLS alias first (RFC 8705 §5), or undefined. */
function mtlsEndpointOf(config: Record<string, unknown>, name: 'introspection_endpoint' | 'revocation_endpoint') {
  const aliases = (config.mtls_endpoint_aliases ?? {}) as Record<string, unknown>
  const url = aliases[name] ?? config[name]
  return typeof url === 'string' && url !== '' ? url : undefined
}

test.describe('NEG-TOK found by the security review (catalogue §2.10)', { tag: ['@token', '@negative'] }, () => {
  withAuthMethod('private_key_jwt', () => {
    /** One client_credentials request of the registered client, shaped by `opts`. */
    const attempt = (c: RegisteredClient, opts: ClientCredentialsOptions) =>
      c.tpp.tokens.clientCredentials(c.clientId, 'private_key_jwt', opts)

    test("NEG-TOK-32 refuses a client's valid assertion sent over another organisation's certificate", {
      annotation: [
        spec('FAPI1-ADV-5.2.2'),
        spec('RFC8705-2'),
        spec('OB-transport-certificate'),
        requires('tpp:second'),
      ],
    }, async ({ registeredClient: c, tppFor, target }) => {
      const scope = c.tpp.profile.tokenScope === undefined ? {} : { scope: c.tpp.profile.tokenScope }
      // The client's own keys and a fresh, valid assertion, over the second TPP's (trusted) certificate.
      const crossed = await tppFor(target.tpp, target.secondTpp as TppProfile)
      await checkTokenRefusal(
        await crossed.tokens.clientCredentials(c.clientId, 'private_key_jwt', scope),
        ['invalid_client'],
        {
          ref: 'FAPI1-ADV-5.2.2',
        },
      )
      await control("the same request over the client's own certificate gets a token", async () => {
        ensureSucceeded(await c.tpp.tokens.clientCredentials(c.clientId, 'private_key_jwt', scope), 200)
      })
    })

    test('NEG-TOK-33 refuses a client assertion whose header names an unknown crit extension, or b64 false', {
      annotation: [spec('RFC7515-4.1.11'), spec('RFC7797-3'), spec('RFC7523-3')],
    }, async ({ registeredClient: c, discovery, target }) => {
      const aud = target.clientAssertionAud === 'issuer' ? discovery.endpoints.issuer : discovery.endpoints.tokenAud
      const signer = c.tpp.profile.signing
      const assertionWith = (header: Record<string, unknown>) =>
        signWithHeader(clientAssertionClaims(c.clientId, aud), signer, header)
      for (const [name, header] of [
        [
          'crit naming an extension no bank defines',
          { crit: ['urn:ob-dcr-suite:unknown'], 'urn:ob-dcr-suite:unknown': true },
        ],
        ['b64 false (an unencoded payload, RFC 7797)', { b64: false, crit: ['b64'] }],
      ] as const) {
        await test.step(`a header with ${name}`, async () => {
          await checkTokenRefusal(await attempt(c, { assertion: assertionWith(header) }), ['invalid_client'], {
            ref: 'RFC7515-4.1.11',
          })
        })
      }
      await control('the same assertion, signed the same way without those header members, gets a token', async () => {
        ensureSucceeded(await attempt(c, { assertion: assertionWith({}) }), 200)
      })
    })

    test('NEG-TOK-34 refuses /introspect and /revoke by a private_key_jwt client without a certificate or over an untrusted one', {
      annotation: [spec('FAPI1-ADV-5.2.2'), spec('RFC8705-2'), spec('RFC7662-2.1'), spec('RFC7009-2.1')],
    }, async ({ registeredClient: c, discovery, tlsContext, exchangeLog, target, handshakeControl }) => {
      const endpoints = {
        introspection: mtlsEndpointOf(discovery.config, 'introspection_endpoint'),
        revocation: mtlsEndpointOf(discovery.config, 'revocation_endpoint'),
      }
      test.skip(
        !endpoints.introspection && !endpoints.revocation,
        `${target.name} publishes neither introspection_endpoint nor revocation_endpoint (RFC 8414 §2)`,
      )
      const token = await precondition('an access token of the client', () => c.token())
      /** One call of `url` authenticated as the client (a fresh assertion), over `over`'s certificate or none. */
      const callAs = async (url: string, label: string, over: TlsIdentity) =>
        send(
          await tlsContext(over),
          {
            method: 'POST',
            url,
            label,
            headers: { accept: 'application/json' },
            form: await c.tpp.tokens.form(c.clientId, 'private_key_jwt', {
              form: { grant_type: undefined, token, token_type_hint: 'access_token' },
            }),
          },
          exchangeLog,
        )
      const selfSigned = target.refusedCerts['self-signed']
      const identities: [string, TlsIdentity][] = [['without a client certificate', 'none']]
      if (selfSigned) identities.push(['over a self-signed certificate', selfSigned])
      else warn(`${target.name} gives the suite no self-signed certificate: only the call without one is tried`)
      for (const [how, over] of identities) {
        for (const [url, label] of [
          [endpoints.introspection, 'POST /introspect'],
          [endpoints.revocation, 'POST /revoke'],
        ] as const) {
          if (!url) continue
          await test.step(`${label} ${how}`, async () => {
            const ex = await callAs(url, label, over)
            await ensureRejected(ex, [400, 401], { tlsRefusal: handshakeControl, ref: 'FAPI1-ADV-5.2.2' })
            if (ex.kind === 'response') {
              await checkErrorIs(ex, ['invalid_client', 'invalid_request'], 'RFC6749-5.2')
              await test.step('the answer tells nothing about the token [RFC7662-2.2]', async () => {
                expect.soft(bodyOf(ex).active, 'the refused introspection answered "active"').toBeUndefined()
              })
            }
          })
        }
      }
      if (endpoints.introspection) {
        const ex = await control("introspection over the client's own certificate answers 200", async () => {
          const answer = await callAs(endpoints.introspection as string, 'POST /introspect', c.tpp.profile)
          ensureSucceeded(answer, 200)
          return answer
        })
        // The refused calls changed nothing: the token is still active.
        await checkIntrospectionActive(ex, true)
      }
      if (endpoints.revocation) {
        await control("revocation over the client's own certificate answers 200", async () => {
          ensureSucceeded(await callAs(endpoints.revocation as string, 'POST /revoke', c.tpp.profile), 200)
        })
        // Only that one revoked the token: it is dead now.
        if (target.operations.get) {
          await checkUnauthorized(await c.tpp.dcr.get(c.clientId, token), 'invalid_token')
        }
      }
    })
  })
})
