/**
 * Registrations a Data Holder must refuse (CDS 1.36 "Registration Request using JWT", "SSA
 * Definition", "Registration Validation"): the POST-rejected reference behaviours (research §7.6,
 * CDR-B08 … B35) and the AU form of the negative catalogue's request JWT, SSA and metadata
 * sections. Each test sends the faulty request first (400 with a registration error, no client),
 * then the same request without its fault, which must be accepted: without that control the
 * refusal proves nothing and the test is inconclusive.
 */

import { createPublicKey } from 'node:crypto'
import type { CdrRequestOptions, Recipient } from '../../fixtures/au/recipient.ts'
import type { AuCapability, AuTarget } from '../../fixtures/au/target.ts'
import { AU_CDR, expect, requiresAu, test } from '../../fixtures/au/test.ts'
import { type Claims, decodeJws, signJws } from '../../fixtures/builders/jose.ts'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import { breakSsa } from '../../fixtures/tpp.ts'
import { allowedFor, checkCdrRefusal, recordChoice } from '../checks/cdr.ts'
import type { RegistrationError } from '../checks/errors.ts'
import { ensureStatus } from '../checks/http.ts'
import { behaviour, CDS, control, formOf, spec } from './support.ts'

interface Fault {
  /** What is wrong, for the step title. */
  what: string
  send: (r: Recipient, other: Recipient, target: AuTarget) => Promise<Exchange>
}

interface RefusalCase {
  id: string
  title: string
  ref: string
  errors: readonly RegistrationError[] | ((t: AuTarget) => readonly RegistrationError[])
  faults: Fault[]
  behaviours?: number[]
  forms?: string[]
  statuses?: number[]
  requires?: AuCapability[]
  /** Why the case does not apply to this target (a declared policy that makes it a non-refusal). */
  notFor?: (t: AuTarget) => string | undefined
}

const META: RegistrationError[] = ['invalid_client_metadata']
const SSA: RegistrationError[] = ['invalid_software_statement', 'invalid_client_metadata']
const SSA_SIGNATURE: RegistrationError[] = ['invalid_software_statement', 'unapproved_software_statement']

/** A registration request shaped by `opts`. */
const post = (opts: CdrRequestOptions) => async (r: Recipient) => (await r.register(opts)).exchange
/** A request claim changed (or removed with `undefined`). */
const claim = (what: string, claims: Claims): Fault => ({ what, send: post({ claims }) })
/** An SSA claim changed (or removed). */
const ssaClaim = (what: string, ssaClaims: Claims, claims?: Claims): Fault => ({
  what,
  send: post({ ssaClaims, claims }),
})

const CASES: RefusalCase[] = [
  {
    id: 'AU-DCR-030',
    title: 'refuses a registration request sent as application/json (415 or 400)',
    ref: CDS.request,
    errors: META,
    statuses: [415, 400],
    behaviours: [34],
    forms: ['NEG-JWT-01'],
    faults: [
      {
        what: 'Content-Type application/json',
        send: async r => r.dcr.register((await r.registrationRequest()).jws, { contentType: 'application/json' }),
      },
    ],
  },
  {
    id: 'AU-DCR-031',
    title: 'refuses an empty body and a body that is not a JWT, never with a 5xx',
    ref: CDS.request,
    errors: META,
    forms: ['NEG-JWT-02', 'NEG-JWT-03'],
    faults: [
      { what: 'an empty body', send: r => r.dcr.register('') },
      { what: 'a body of three parts that are not base64url JSON', send: r => r.dcr.register('not.a.jwt') },
    ],
  },
  {
    id: 'AU-DCR-032',
    title: "refuses a request whose signature does not verify with a key of the SSA's jwks_uri",
    ref: CDS.validation,
    errors: META,
    forms: ['NEG-JWT-04'],
    faults: [
      { what: 'one bit of the signature flipped', send: post({ broken: 'tampered-signature' }) },
      {
        what: "signed by another recipient's key under this recipient's kid",
        send: async (r, other) =>
          (await r.register({ signer: { ...other.profile.signing, kid: r.profile.signing.kid } })).exchange,
      },
    ],
  },
  {
    id: 'AU-DCR-033',
    title: 'refuses a request signed RS256 or not signed at all (alg none)',
    ref: CDS.request,
    errors: META,
    forms: ['NEG-JWT-05'],
    faults: [
      { what: 'alg RS256', send: post({ alg: 'RS256' }) },
      { what: 'alg none', send: post({ broken: 'alg-none' }) },
    ],
  },
  {
    id: 'AU-DCR-034',
    title: 'refuses a request whose exp has passed',
    ref: CDS.validation,
    errors: META,
    behaviours: [35],
    forms: ['NEG-JWT-07'],
    faults: [claim('exp an hour ago (iat two hours ago)', { exp: '-1h', iat: '-2h' })],
  },
  {
    id: 'AU-DCR-035',
    title: 'refuses a request without iat, exp or jti',
    ref: CDS.request,
    errors: META,
    forms: ['NEG-JWT-08'],
    faults: [
      claim('no iat', { iat: undefined }),
      claim('no exp', { exp: undefined }),
      claim('no jti', { jti: undefined }),
    ],
  },
  {
    id: 'AU-DCR-036',
    title: 'refuses a request issued an hour in the future',
    ref: CDS.validation,
    errors: META,
    forms: ['NEG-JWT-09'],
    faults: [claim('iat an hour ahead', { iat: '+1h', exp: '+2h' })],
  },
  {
    id: 'AU-DCR-037',
    title: 'refuses a request without aud',
    ref: CDS.request,
    errors: META,
    behaviours: [14],
    forms: ['NEG-JWT-10'],
    faults: [claim('no aud', { aud: undefined })],
  },
  {
    id: 'AU-DCR-038',
    title: "refuses a request whose aud is not the Data Holder's issuer",
    ref: CDS.request,
    errors: META,
    behaviours: [15],
    forms: ['NEG-JWT-10'],
    faults: [claim('aud another Data Holder', { aud: 'https://other-dh.example.com.au' })],
  },
  {
    id: 'AU-DCR-039',
    title: "refuses a request whose iss is not the SSA's software_id",
    ref: CDS.request,
    errors: META,
    behaviours: [23],
    forms: ['NEG-JWT-11'],
    faults: [claim('iss another software product id', { iss: '3B0B0A7B-0000-4A2C-9497-E357A71D07C9' })],
  },
  {
    id: 'AU-DCR-041',
    title: 'refuses a request without software_statement',
    ref: CDS.request,
    errors: SSA,
    behaviours: [20],
    forms: ['NEG-SSA-01', 'NEG-SSA-02'],
    faults: [
      claim('no software_statement', { software_statement: undefined }),
      claim('software_statement ""', { software_statement: '' }),
    ],
  },
  {
    id: 'AU-DCR-042',
    title: 'refuses a malformed software statement, never with a 5xx',
    ref: CDS.ssa,
    errors: SSA,
    behaviours: [28],
    forms: ['NEG-SSA-03'],
    faults: [
      claim('software_statement "not-a-jwt"', { software_statement: 'not-a-jwt' }),
      claim('software_statement of three parts that are not base64url JSON', { software_statement: 'a.b.c' }),
    ],
  },
  {
    id: 'AU-DCR-043',
    title: 'refuses a software statement whose signature was altered',
    ref: CDS.validation,
    errors: SSA_SIGNATURE,
    requires: ['ssa:mint'],
    forms: ['NEG-SSA-04'],
    faults: [
      {
        what: 'one bit of the SSA signature flipped',
        send: async r => post({ ssa: await breakSsa(await r.ssa(), 'tampered-signature') })(r),
      },
    ],
  },
  {
    id: 'AU-DCR-044',
    title: 'refuses a software statement signed by a key the CDR Register does not publish',
    ref: CDS.validation,
    errors: t => allowedFor(t.policies.unknownSignerError, SSA_SIGNATURE),
    requires: ['ssa:mint'],
    behaviours: [9],
    forms: ['NEG-SSA-05'],
    faults: [
      {
        what: "the same claims signed by the recipient's own key",
        send: async r => post({ ssa: await r.ssa({}, r.profile.signing) })(r),
      },
      {
        what: 'the same claims signed by an untrusted "cdr-register" key',
        send: async (r, _other, target) => {
          const ssa = await r.ssa()
          const untrusted = target.register?.untrusted
          return post({
            ssa: untrusted ? await signJws(decodeJws(ssa).payload, untrusted) : await breakSsa(ssa, 'untrusted-signer'),
          })(r)
        },
      },
    ],
  },
  {
    id: 'AU-DCR-045',
    title: 'refuses a software statement whose iss is not cdr-register',
    ref: CDS.ssa,
    errors: [...SSA, 'unapproved_software_statement'],
    requires: ['ssa:mint'],
    forms: ['NEG-SSA-06'],
    faults: [ssaClaim('iss "OpenBanking Ltd"', { iss: 'OpenBanking Ltd' })],
  },
  {
    id: 'AU-DCR-046',
    title: 'refuses a software statement signed RS256 or not signed (alg none)',
    ref: CDS.ssa,
    errors: SSA_SIGNATURE,
    requires: ['ssa:mint'],
    forms: ['NEG-SSA-07'],
    faults: [
      { what: 'SSA alg none', send: async r => post({ ssa: await breakSsa(await r.ssa(), 'alg-none') })(r) },
      {
        what: "SSA alg RS256 with the Register's key",
        send: async (r, _other, target) => {
          const register = target.register
          return post({ ssa: await r.ssa({}, register ? { ...register.signer, alg: 'RS256' } : undefined) })(r)
        },
      },
    ],
  },
  {
    id: 'AU-DCR-047',
    title: 'refuses a software statement whose exp has passed',
    ref: CDS.ssa,
    errors: SSA,
    requires: ['ssa:mint'],
    forms: ['NEG-SSA-08'],
    faults: [ssaClaim('SSA exp a minute ago', { iat: '-11m', exp: '-1m' })],
  },
  {
    id: 'AU-DCR-048',
    title: 'refuses a software statement without redirect_uris',
    ref: CDS.ssa,
    errors: [...SSA, 'invalid_redirect_uri'],
    requires: ['ssa:mint'],
    behaviours: [30],
    forms: ['NEG-SSA-15'],
    faults: [
      ssaClaim(
        'no redirect_uris in the SSA (none in the request)',
        { redirect_uris: undefined },
        { redirect_uris: undefined },
      ),
    ],
  },
  {
    id: 'AU-DCR-049',
    title: 'refuses a software statement without one of its required claims',
    ref: CDS.ssa,
    errors: SSA,
    requires: ['ssa:mint'],
    forms: ['NEG-SSA-09', 'NEG-SSA-14'],
    faults: [
      ssaClaim('no revocation_uri', { revocation_uri: undefined }),
      ssaClaim('no recipient_base_uri', { recipient_base_uri: undefined }),
      ssaClaim('no org_name', { org_name: undefined }),
    ],
  },
  {
    id: 'AU-DCR-050',
    title: 'refuses a software statement whose jwks_uri cannot be read: 400, never a 5xx',
    ref: CDS.validation,
    errors: SSA,
    requires: ['ssa:mint'],
    forms: ['NEG-SSA-14'],
    faults: [ssaClaim('jwks_uri on a host that does not exist', { jwks_uri: 'https://nowhere.adr.example/jwks' })],
  },
  {
    id: 'AU-DCR-051',
    title: 'refuses a software statement whose software_roles is not data-recipient-software-product',
    ref: CDS.ssa,
    errors: SSA,
    requires: ['ssa:mint'],
    faults: [ssaClaim('software_roles "data-holder-brand"', { software_roles: 'data-holder-brand' })],
  },
  {
    id: 'AU-DCR-052',
    title: "refuses a redirect URI that is not among the SSA's redirect_uris",
    ref: CDS.request,
    errors: ['invalid_redirect_uri'],
    behaviours: [10],
    forms: ['NEG-META-02', 'NEG-META-03'],
    faults: [
      claim('redirect_uris ["https://evil.example/cb"]', { redirect_uris: ['https://evil.example/cb'] }),
      {
        what: 'one of two redirect URIs not in the SSA',
        send: async r => post({ claims: { redirect_uris: [r.profile.redirectUris[0], 'https://evil.example/cb'] } })(r),
      },
    ],
  },
  {
    id: 'AU-DCR-053',
    title: 'refuses a relative redirect URI ("foo")',
    ref: CDS.request,
    errors: ['invalid_redirect_uri'],
    forms: ['NEG-META-04'],
    faults: [claim('redirect_uris ["foo"]', { redirect_uris: ['foo'] })],
  },
  {
    id: 'AU-DCR-054',
    title: 'refuses a request without token_endpoint_auth_method',
    ref: CDS.request,
    errors: META,
    behaviours: [17],
    forms: ['NEG-META-10'],
    faults: [claim('no token_endpoint_auth_method', { token_endpoint_auth_method: undefined })],
  },
  {
    id: 'AU-DCR-055',
    title: 'refuses a token_endpoint_auth_method other than private_key_jwt',
    ref: CDS.clientAuth,
    errors: META,
    behaviours: [25],
    forms: ['NEG-META-11'],
    faults: [
      claim('tls_client_auth', { token_endpoint_auth_method: 'tls_client_auth' }),
      claim('client_secret_basic', { token_endpoint_auth_method: 'client_secret_basic' }),
    ],
  },
  {
    id: 'AU-DCR-056',
    title: 'refuses a request without token_endpoint_auth_signing_alg',
    ref: CDS.request,
    errors: META,
    behaviours: [16],
    forms: ['NEG-META-12'],
    faults: [claim('no token_endpoint_auth_signing_alg', { token_endpoint_auth_signing_alg: undefined })],
  },
  {
    id: 'AU-DCR-057',
    title: 'refuses token_endpoint_auth_signing_alg HS256 and RS256',
    ref: CDS.api,
    errors: META,
    behaviours: [11],
    forms: ['NEG-META-13'],
    faults: [
      claim('HS256', { token_endpoint_auth_signing_alg: 'HS256' }),
      claim('RS256', { token_endpoint_auth_signing_alg: 'RS256' }),
    ],
  },
  {
    id: 'AU-DCR-058',
    title: 'refuses a request without grant_types',
    ref: CDS.request,
    errors: META,
    behaviours: [18],
    faults: [claim('no grant_types', { grant_types: undefined })],
  },
  {
    id: 'AU-DCR-059',
    title: 'refuses grant_types with an unsupported value or without authorization_code',
    ref: CDS.request,
    errors: META,
    behaviours: [13],
    faults: [
      claim('grant_types ["foo"]', { grant_types: ['foo'] }),
      claim('grant_types ["client_credentials"] with response_types ["code"]', { grant_types: ['client_credentials'] }),
    ],
  },
  {
    id: 'AU-DCR-060',
    title: 'refuses a request without response_types',
    ref: CDS.request,
    errors: META,
    behaviours: [19],
    faults: [claim('no response_types', { response_types: undefined })],
  },
  {
    id: 'AU-DCR-061',
    title: 'refuses the retired Hybrid Flow (code id_token) and other response types',
    ref: CDS.flows,
    errors: META,
    behaviours: [26],
    faults: [
      claim('response_types ["code id_token"]', { response_types: ['code id_token'] }),
      claim('response_types ["token"]', { response_types: ['token'] }),
    ],
  },
  {
    id: 'AU-DCR-062',
    title: 'refuses an application_type other than web',
    ref: CDS.request,
    errors: META,
    behaviours: [27],
    faults: [
      claim('application_type "native"', { application_type: 'native' }),
      claim('application_type "mobile"', { application_type: 'mobile' }),
    ],
  },
  {
    id: 'AU-DCR-063',
    title: 'refuses a request without id_token_signed_response_alg',
    ref: CDS.request,
    errors: META,
    behaviours: [33],
    forms: ['NEG-META-14'],
    faults: [claim('no id_token_signed_response_alg', { id_token_signed_response_alg: undefined })],
  },
  {
    id: 'AU-DCR-064',
    title: 'refuses id_token_signed_response_alg RS256 and none',
    ref: CDS.api,
    errors: META,
    behaviours: [32],
    forms: ['NEG-META-14'],
    faults: [
      claim('RS256', { id_token_signed_response_alg: 'RS256' }),
      claim('none', { id_token_signed_response_alg: 'none' }),
    ],
  },
  {
    id: 'AU-DCR-065',
    title: 'refuses request_object_signing_alg RS256 and none',
    ref: CDS.api,
    errors: META,
    behaviours: [31],
    forms: ['NEG-META-15'],
    faults: [
      claim('RS256', { request_object_signing_alg: 'RS256' }),
      claim('none', { request_object_signing_alg: 'none' }),
    ],
  },
  {
    id: 'AU-DCR-066',
    title: 'refuses response type code without authorization_signed_response_alg (JARM)',
    ref: CDS.request,
    errors: META,
    behaviours: [12],
    notFor: t =>
      t.policies.jarmSigningAlgDefault !== false
        ? `${t.name} does not declare that it refuses an omitted authorization_signed_response_alg (policies.jarmSigningAlgDefault false); AU-DCR-013 records what it does`
        : undefined,
    faults: [
      claim('no authorization_signed_response_alg', { authorization_signed_response_alg: undefined }),
      claim('authorization_signed_response_alg ""', { authorization_signed_response_alg: '' }),
    ],
  },
  {
    id: 'AU-DCR-067',
    title: 'refuses authorization_signed_response_alg none, RS256 and an unknown value',
    ref: CDS.request,
    errors: META,
    behaviours: [12],
    faults: [
      claim('none', { authorization_signed_response_alg: 'none' }),
      claim('RS256', { authorization_signed_response_alg: 'RS256' }),
      claim('Foo', { authorization_signed_response_alg: 'Foo' }),
    ],
  },
  {
    id: 'AU-DCR-068',
    title: 'refuses id_token_encrypted_response_alg with response type code',
    ref: CDS.request,
    errors: META,
    behaviours: [21],
    notFor: t =>
      t.policies.idTokenEncryptionWithCode !== 'refuse'
        ? `${t.name} does not declare that it refuses ID token encryption with code (policies.idTokenEncryptionWithCode refuse); AU-DCR-016 checks it is never registered`
        : undefined,
    faults: [
      claim('RSA-OAEP', { id_token_encrypted_response_alg: 'RSA-OAEP' }),
      claim('an invalid value "foo"', { id_token_encrypted_response_alg: 'foo' }),
    ],
  },
  {
    id: 'AU-DCR-069',
    title: 'refuses id_token_encrypted_response_enc with response type code',
    ref: CDS.request,
    errors: META,
    behaviours: [22],
    notFor: t =>
      t.policies.idTokenEncryptionWithCode !== 'refuse'
        ? `${t.name} does not declare that it refuses ID token encryption with code (policies.idTokenEncryptionWithCode refuse)`
        : undefined,
    faults: [
      claim('A256GCM (with RSA-OAEP)', {
        id_token_encrypted_response_alg: 'RSA-OAEP',
        id_token_encrypted_response_enc: 'A256GCM',
      }),
      claim('an invalid value "foo"', { id_token_encrypted_response_enc: 'foo' }),
    ],
  },
  {
    id: 'AU-DCR-070',
    title: 'refuses authorization_encrypted_response_enc without authorization_encrypted_response_alg',
    ref: CDS.request,
    errors: META,
    faults: [claim('enc A256GCM without alg', { authorization_encrypted_response_enc: 'A256GCM' })],
  },
  {
    id: 'AU-DCR-071',
    title: 'refuses JARM encryption algorithms outside RSA-OAEP / RSA-OAEP-256 and A256GCM / A128CBC-HS256',
    ref: CDS.api,
    errors: META,
    faults: [
      claim('alg RSA1_5', {
        authorization_encrypted_response_alg: 'RSA1_5',
        authorization_encrypted_response_enc: 'A256GCM',
      }),
      claim('enc A128GCM', {
        authorization_encrypted_response_alg: 'RSA-OAEP',
        authorization_encrypted_response_enc: 'A128GCM',
      }),
    ],
  },
  {
    id: 'AU-DCR-076',
    title: "refuses a request signed by a key it embeds in its header (the key comes from the SSA's jwks_uri)",
    ref: CDS.validation,
    errors: META,
    forms: ['NEG-JWT-06'],
    requires: ['recipient:second'],
    faults: [
      {
        what: "signed by another recipient's key, its public JWK in the header",
        send: async (r, other) => {
          const jwk = createPublicKey(other.profile.signing.key).export({ format: 'jwk' })
          return (await r.register({ signer: other.profile.signing, header: { jwk } })).exchange
        },
      },
    ],
  },
]

test.describe('AU CDR: registrations a Data Holder refuses', { tag: [AU_CDR, '@dcr', '@negative'] }, () => {
  for (const c of CASES) {
    test(`${c.id} ${c.title}`, {
      annotation: [
        spec(c.ref),
        ...(c.behaviours ? [behaviour(...c.behaviours)] : []),
        ...(c.forms ? [formOf(...c.forms)] : []),
        ...(c.requires ?? []).map(requiresAu),
      ],
    }, async ({ auTarget, recipient, recipientFor, cdrSchemas }) => {
      const reason = c.notFor?.(auTarget)
      test.skip(reason !== undefined, reason)
      const other = await recipientFor(auTarget.secondRecipient ?? auTarget.recipient)
      const errors = typeof c.errors === 'function' ? c.errors(auTarget) : c.errors
      for (const fault of c.faults) {
        await test.step(`${fault.what}: refused`, async () => {
          const ex = await fault.send(recipient, other, auTarget)
          await checkCdrRefusal(ex, errors, cdrSchemas.registration_error, c.ref, c.statuses)
        })
      }
      await control(
        'the same registration without the fault is accepted',
        async () => (await recipient.register()).exchange,
      )
    })
  }

  test('AU-DCR-040 refuses a registration request whose jti was used before', {
    annotation: [spec(CDS.request), behaviour(24), formOf('NEG-JWT-13')],
  }, async ({ recipient, cdrSchemas }) => {
    const first = await recipient.registrationRequest()
    await control('the first request with that jti is accepted', () => recipient.dcr.register(first.jws))
    await test.step('a new registration (another software product) replaying the jti: refused', async () => {
      const { exchange } = await recipient.register({ claims: { jti: first.claims.jti } })
      await checkCdrRefusal(exchange, META, cdrSchemas.registration_error, CDS.request)
    })
  })

  test('AU-DCR-073 answers an SSA whose redirect URIs are on different hosts as the Data Holder declares (WSO2 refuses it)', {
    annotation: [spec(CDS.ssa), behaviour(29), requiresAu('ssa:mint')],
  }, async ({ auTarget, recipient, cdrSchemas }) => {
    const spread = { redirect_uris: [recipient.profile.redirectUris[0], 'https://other-host.adr.example/callback'] }
    const { exchange } = await recipient.register({ ssaClaims: spread })
    const refuses = auTarget.policies.ssaRedirectsSameHost
    if (refuses === undefined) {
      recordChoice(
        'ssa-redirects-on-several-hosts',
        exchange.kind === 'response' ? `HTTP ${exchange.status}` : 'TLS failure',
      )
      await test.step(
        'answered 201 (accepted) or 400 (refused) [CDS-SSA]',
        async () => {
          expect([201, 400]).toContain(exchange.kind === 'response' ? exchange.status : 0)
        },
        { box: true },
      )
    } else if (refuses) {
      await checkCdrRefusal(exchange, SSA, cdrSchemas.registration_error, CDS.ssa)
      await control(
        'the same registration with its redirect URIs on one host',
        async () => (await recipient.register()).exchange,
      )
    } else {
      await ensureStatus(exchange, 201, CDS.ssa)
    }
  })

  test('AU-DCR-072 refuses a second active registration of the same software_id', {
    annotation: [spec(CDS.validation), behaviour(8), formOf('NEG-SSA-11'), requiresAu('ssa:mint')],
  }, async ({ auTarget, recipient, cdrSchemas }) => {
    const first = await recipient.registrationRequest()
    await control('the first registration of the software product is accepted', () => recipient.dcr.register(first.jws))
    await test.step('a second registration with a new SSA of the same software product: refused', async () => {
      const { exchange } = await recipient.register({ ssaClaims: { software_id: first.softwareId } })
      const errors = allowedFor(auTarget.policies.duplicateError, [
        'invalid_client_metadata',
        'invalid_software_statement',
      ])
      await checkCdrRefusal(exchange, errors, cdrSchemas.registration_error, CDS.validation)
    })
  })
})
