/**
 * NEG-SSA: the software statement assertion — present, a JWT, signed by a trusted directory key
 * with an allowed alg, issued by a trusted directory, unexpired, complete, for an active
 * organisation, consistent with the request (catalogue §2.4; RFC 7591 §2.3, §3.1.1, §3.2.2;
 * OB DCR data dictionary; OB Directory "SSA Payload").
 *
 * NEG-SSA-13 (the directory's own JWKS unreachable) does not apply: see fixtures/catalogue/checks.ts.
 * NEG-SSA-08's Brazilian "iat older than 5 minutes" rule does not apply either: OB Directory SSAs
 * are long-lived and reused; the expiry (exp) is tested.
 */
import { expect, test } from '@playwright/test'
import { hs256WithPublicKey, signJws } from '../../fixtures/builders/jose.ts'
import { ROLE_SCOPES } from '../../fixtures/builders/ssa.ts'
import { control, ensureSucceeded } from '../../fixtures/controls.ts'
import type { Target } from '../../fixtures/targets/types.ts'
import { recordAnswer } from '../checks/annotations.ts'
import { bodyOf, checkScopeWithinRequested } from '../checks/registration.ts'
import {
  ANY_REGISTRATION_ERROR,
  type CaseContext,
  type Expectation,
  type Refusal,
  type RegistrationCase,
  refused,
  signed,
  ssaClaimsOf,
} from './cases.ts'

const SSA_ERROR = refused(['invalid_software_statement'])
const SSA_OR_METADATA = refused(['invalid_software_statement', 'invalid_client_metadata'])
const NOT_TRUSTED = refused(['unapproved_software_statement', 'invalid_software_statement'])
const MINT = ['ssa:mint'] as const

/** The directory key of the target (present whenever a case `requires` ssa:mint). */
function directoryOf(c: CaseContext) {
  const d = c.target.directory
  if (!d) throw new Error('this case needs the ssa:mint capability')
  return d
}

/** A software statement minted with these claims, then signed in a way of the case's choosing. */
async function mintedClaims(c: CaseContext, claims: Record<string, unknown> = {}) {
  return ssaClaimsOf(await c.tpp.ssa(claims))
}

/**
 * A POST-only case whose acceptance the bank chooses (OB DCR leaves it open): the policy the
 * target declares is asserted; an undeclared one lets either answer pass, and the report says which.
 */
function policyExpectation(declared: boolean | undefined, refusal: Refusal, label: string): Expectation {
  const accepted = { label, check: async () => recordAnswer('policy', label) }
  if (declared === true) return { accepted }
  if (declared === false) return { refused: refusal }
  return { refused: refusal, accepted }
}

/** The conflicting member → the SSA claim that owns it (RFC 7591 §3.1.1: the SSA's value wins). */
const SSA_OWNED = {
  client_name: 'software_client_name',
  logo_uri: 'software_logo_uri',
  tos_uri: 'software_tos_uri',
  policy_uri: 'software_policy_uri',
} as const

const CONFLICTING = {
  client_name: 'A name the software statement does not give',
  logo_uri: 'https://conflicting.tpp.example/logo.png',
  tos_uri: 'https://conflicting.tpp.example/tos',
  policy_uri: 'https://conflicting.tpp.example/policy',
}

export const SSA_CASES: readonly RegistrationCase[] = [
  {
    id: 'NEG-SSA-01',
    title: "rejects a request without software_statement that carries the SSA's claims itself",
    spec: ['OBDCR-data-dictionary', 'RFC7591-3.2.2', 'RFC7591-2.3'],
    send: async c => {
      const ssa = await c.tpp.ssa()
      // The SSA's own JWT claims would overwrite the request's: copy only its software claims.
      const copied = ssaClaimsOf(ssa)
      for (const jwtClaim of ['iss', 'iat', 'exp', 'jti']) delete copied[jwtClaim]
      return signed(c, { ssa, claims: { ...copied, software_statement: undefined } })
    },
    expect: SSA_OR_METADATA,
  },
  ...[
    ['null', null],
    ['an empty string', ''],
  ].map(
    ([what, value]): RegistrationCase => ({
      id: 'NEG-SSA-02',
      title: `rejects a request whose software_statement is ${what}`,
      spec: ['OBDCR-data-dictionary', 'RFC7591-3.2.2'],
      send: c => signed(c, { claims: { software_statement: value } }),
      expect: SSA_OR_METADATA,
    }),
  ),
  ...[
    ['a plain string', 'not-a-jwt'],
    ['two dot-separated parts', 'eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJ4In0'],
  ].map(
    ([what, value]): RegistrationCase => ({
      id: 'NEG-SSA-03',
      title: `rejects a software_statement that is ${what}, not a JWT`,
      spec: ['RFC7591-2.3', 'RFC7591-3.2.2'],
      send: c => signed(c, { claims: { software_statement: value } }),
      expect: SSA_ERROR,
    }),
  ),
  {
    id: 'NEG-SSA-04',
    title: 'rejects a software statement whose signature was altered',
    spec: ['RFC7591-3.2.2', 'OBDCR-Software-Statement'],
    send: c => signed(c, { ssaVariant: 'tampered-signature' }),
    expect: SSA_ERROR,
  },
  {
    id: 'NEG-SSA-05',
    title: 'rejects a software statement validly signed by a key no trusted directory holds',
    spec: ['RFC7591-3.2.2', 'OBDCR-Software-Statement'],
    send: c => signed(c, { ssaVariant: 'untrusted-signer' }),
    expect: NOT_TRUSTED,
  },
  {
    id: 'NEG-SSA-06',
    title: 'rejects a software statement issued by a directory the bank does not trust',
    spec: ['OBDCR-Software-Statement', 'RFC7591-3.2.2'],
    requires: ['ssa:mint'],
    send: c => signed(c, { ssaClaims: { iss: 'Not A Trusted Directory Ltd' } }),
    expect: NOT_TRUSTED,
  },
  {
    id: 'NEG-SSA-07',
    title: 'rejects an unsigned software statement (alg none)',
    spec: ['OBDCR-Software-Statement', 'RFC7591-3.2.2'],
    send: c => signed(c, { ssaVariant: 'alg-none' }),
    expect: SSA_ERROR,
  },
  {
    id: 'NEG-SSA-07',
    title: 'rejects a software statement signed RS256 by the directory key',
    spec: ['OBDCR-Software-Statement', 'FAPI1-ADV-8.6'],
    requires: MINT,
    notFor: t =>
      t.directory?.signer.key.asymmetricKeyType === 'rsa' || !t.directory
        ? undefined
        : 'the directory key is not an RSA key, so it cannot sign RS256',
    send: async c => {
      const d = directoryOf(c)
      const ssa = await signJws(await mintedClaims(c), { ...d.signer, alg: 'RS256' })
      return signed(c, { ssa })
    },
    expect: SSA_ERROR,
  },
  {
    id: 'NEG-SSA-07',
    title: "rejects a software statement signed HS256 with the directory's public key as the secret",
    spec: ['OBDCR-Software-Statement', 'RFC8725-3.1'],
    requires: MINT,
    send: async c => signed(c, { ssa: hs256WithPublicKey(await mintedClaims(c), directoryOf(c).signer) }),
    expect: SSA_ERROR,
  },
  {
    id: 'NEG-SSA-08',
    title: 'rejects a software statement whose exp has passed',
    spec: ['RFC7519-4.1.4', 'RFC7591-3.2.2'],
    requires: MINT,
    send: c => signed(c, { ssaClaims: { iat: '-2h', exp: '-1h' } }),
    expect: SSA_ERROR,
  },
  {
    id: 'NEG-SSA-09',
    title: 'rejects a software statement without iss',
    spec: ['RFC7591-2.3', 'RFC7591-3.2.2'],
    requires: MINT,
    send: c => signed(c, { ssaClaims: { iss: undefined } }),
    expect: SSA_ERROR,
  },
  {
    id: 'NEG-SSA-10',
    title: 'answers a second registration with an already used software statement as the bank declares',
    spec: ['RFC7519-4.1.7', 'OBDCR-Software-Statement'],
    postOnly: true,
    ownControl: true,
    send: async c => {
      const first = await control('a first registration with the software statement is accepted: 201', async () => {
        const r = await signed(c)
        ensureSucceeded(await c.tpp.dcr.register(r.body), 201)
        return r
      })
      return signed(c, { ssa: first.ssa })
    },
    expect: (t: Target) =>
      policyExpectation(
        t.policies.ssaReuse,
        { errors: ['invalid_software_statement', 'unapproved_software_statement', 'invalid_client_metadata'] },
        'the software statement registered another client',
      ),
  },
  {
    id: 'NEG-SSA-11',
    title: 'answers a second registration for an already registered software_id as the bank declares',
    spec: ['OBDCR-data-dictionary'],
    postOnly: true,
    ownControl: true,
    send: async c => {
      await control('a first client of the software is registered: 201', async () => {
        ensureSucceeded(await c.tpp.dcr.register((await signed(c)).body), 201)
      })
      return signed(c)
    },
    expect: (t: Target) =>
      policyExpectation(
        t.policies.multipleClientsPerSoftware,
        { errors: ['invalid_client_metadata', 'invalid_software_statement'] },
        'a second client of the software was registered',
      ),
  },
  {
    id: 'NEG-SSA-12',
    title: "rejects a request whose software_id differs from the software statement's",
    spec: ['OBDCR-data-dictionary'],
    send: c => signed(c, { claims: { software_id: 'Zz0OtherSoftwareId0000' } }),
    expect: SSA_OR_METADATA,
  },
  ...(
    [
      ['without software_jwks_endpoint', () => undefined],
      ['with an http software_jwks_endpoint', (url: string) => url.replace(/^https:/, 'http:')],
      ['whose software_jwks_endpoint serves no JWKS', (url: string) => url.replace(/\.jwks$/, '-missing.jwks')],
    ] as const
  ).map(
    ([what, change]): RegistrationCase => ({
      id: 'NEG-SSA-14',
      title: `rejects a software statement ${what}`,
      spec: ['OBDCR-Of-JWS-and-JWKS', 'RFC7591-3.2.2'],
      requires: MINT,
      send: async c => {
        const url = String((await mintedClaims(c)).software_jwks_endpoint)
        return signed(c, { ssaClaims: { software_jwks_endpoint: change(url) } })
      },
      expect: refused(ANY_REGISTRATION_ERROR),
    }),
  ),
  {
    id: 'NEG-SSA-15',
    title: 'rejects a software statement without software_redirect_uris',
    spec: ['OBDCR-data-dictionary', 'RFC7591-3.2.2'],
    requires: MINT,
    send: c => signed(c, { ssaClaims: { software_redirect_uris: undefined } }),
    expect: refused(['invalid_client_metadata', 'invalid_software_statement', 'invalid_redirect_uri']),
  },
  ...['Revoked', 'Withdrawn'].map(
    (status): RegistrationCase => ({
      id: 'NEG-SSA-16',
      title: `rejects a software statement of an organisation whose status is ${status}`,
      spec: ['OBDCR-Software-Statement', 'RFC7591-3.2.2'],
      requires: MINT,
      send: c => signed(c, { ssaClaims: { org_status: status } }),
      expect: refused(['unapproved_software_statement', 'invalid_software_statement'], [400, 403]),
    }),
  ),
  {
    id: 'NEG-SSA-17',
    title: "refuses, or trims, a scope beyond the software statement's roles",
    spec: ['OBDCR-Data-Mapping', 'RFC7591-2'],
    requires: MINT,
    send: c =>
      signed(c, { ssaClaims: { software_roles: ['AISP'] }, scopes: ['openid', ROLE_SCOPES.AISP, ROLE_SCOPES.PISP] }),
    expect: {
      refused: { errors: ['invalid_client_metadata'] },
      accepted: {
        label: 'the scope was trimmed to the roles',
        check: async ex => checkScopeWithinRequested(ex, ['openid', ROLE_SCOPES.AISP]),
      },
    },
  },
  {
    id: 'NEG-SSA-18',
    title:
      "refuses, or keeps the software statement's values over, a conflicting client_name, logo_uri, tos_uri and policy_uri",
    spec: ['RFC7591-3.1.1', 'OBDCR-data-dictionary'],
    send: c => signed(c, { claims: CONFLICTING }),
    expect: {
      refused: { errors: ['invalid_client_metadata', 'invalid_software_statement'] },
      accepted: {
        label: "the software statement's values kept",
        check: async (ex, attempt) =>
          test.step(
            "no conflicting body value is registered over the software statement's [RFC7591-3.1.1]",
            async () => {
              const body = bodyOf(ex)
              const ssa = ssaClaimsOf(attempt.ssa ?? '')
              for (const [member, ssaClaim] of Object.entries(SSA_OWNED)) {
                const got = body[member]
                if (got === undefined) continue
                expect
                  .soft(
                    got,
                    `${member} was registered as ${JSON.stringify(got)}, not the software statement's ${ssaClaim} ${JSON.stringify(ssa[ssaClaim])}`,
                  )
                  .toEqual(ssa[ssaClaim])
              }
            },
            { box: true },
          ),
      },
    },
  },
  {
    id: 'NEG-SSA-18',
    title: "refuses, or keeps the software statement's JWKS over, a conflicting jwks_uri",
    spec: ['RFC7591-3.1.1', 'OBDCR-Of-JWS-and-JWKS'],
    send: c => signed(c, { claims: { jwks_uri: 'https://conflicting.tpp.example/jwks.json' } }),
    expect: {
      refused: { errors: ['invalid_client_metadata', 'invalid_software_statement'] },
      accepted: {
        label: "the software statement's JWKS kept",
        check: async (ex, attempt) =>
          test.step(
            "jwks_uri, if returned, is the software statement's software_jwks_endpoint [RFC7591-3.1.1]",
            async () => {
              const got = bodyOf(ex).jwks_uri
              if (got === undefined) return
              expect.soft(got).toBe(ssaClaimsOf(attempt.ssa ?? '').software_jwks_endpoint)
            },
            { box: true },
          ),
      },
    },
  },
]
