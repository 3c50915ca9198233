/**
 * The UK profile's named deviations of area `ssa` (the registry is assembled in index.ts).
 * The software statement: its signature and signer, issuer, lifetime, organisation status and the
 * claims the registration must agree with. Rules: `../rules/ssa.ts`. Caught by NEG-SSA
 * (`tests/negative/ssa.spec.ts`, cases in `ssa_cases.ts`); unit tests: `mock-aspsp/test/rules_ssa.test.ts`.
 */
import type { Deviation } from './index.ts'

export const SSA_DEVIATIONS = {
  'skip-ssa-signature': {
    area: 'ssa',
    breaks: 'the SSA signature is not verified',
    clause: 'RFC 7591 §3.2.2 (invalid_software_statement)',
    caughtBy: ['NEG-SSA-04', 'NEG-MGMT-17'],
    refs: ['RFC7591-3.2.2', 'RFC7592-2.2'],
  },
  'trust-any-ssa-signer': {
    area: 'ssa',
    breaks: 'an SSA signed by a key outside the trusted directory JWKS is accepted',
    clause: 'RFC 7591 §3.2.2 (unapproved_software_statement); OB DCR §Software Statement',
    caughtBy: ['NEG-SSA-05'],
    refs: ['RFC7591-3.2.2'],
  },
  'trust-any-ssa-issuer': {
    area: 'ssa',
    breaks: 'an SSA whose iss is not a trusted directory is accepted',
    clause: 'OB DCR §Software Statement ("the parties that it trusts")',
    caughtBy: ['NEG-SSA-06'],
    refs: ['RFC7591-3.2.2', 'OBDCR-Software-Statement'],
  },
  'accept-inactive-software': {
    area: 'ssa',
    breaks: 'an SSA of an organisation whose status is not Active is accepted',
    clause: 'OB Directory SSA: org_status',
    caughtBy: ['NEG-SSA-16'],
    refs: ['RFC7591-3.2.2', 'OBDCR-Software-Statement'],
  },
  'accept-expired-ssa': {
    area: 'ssa',
    breaks: 'a software statement whose exp has passed is accepted',
    clause: 'RFC 7519 §4.1.4; RFC 7591 §3.2.2 (invalid_software_statement)',
    caughtBy: ['NEG-SSA-08'],
    refs: ['RFC7591-3.2.2', 'RFC7519-4.1.4'],
  },
  'accept-missing-ssa': {
    area: 'ssa',
    breaks: 'a registration without software_statement is accepted',
    clause: 'OB DCR data dictionary: software_statement 1..1',
    caughtBy: ['NEG-SSA-01', 'NEG-SSA-02', 'NEG-MGMT-16'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
  'accept-unsigned-ssa': {
    area: 'ssa',
    breaks: 'an SSA with alg none or RS256 is accepted',
    clause: 'OB Directory SSA header: alg ES256 or PS256',
    caughtBy: ['NEG-SSA-07'],
    refs: ['RFC7591-3.2.2'],
  },
  'skip-software-id-match': {
    area: 'ssa',
    breaks: 'a body software_id different from the SSA software_id is accepted',
    clause: 'OB DCR data dictionary: software_id ("MUST match")',
    caughtBy: ['NEG-SSA-12'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
  'body-metadata-overrides-ssa': {
    area: 'ssa',
    breaks:
      'client_name, logo_uri, client_uri, policy_uri and tos_uri of the request body are registered over the SSA values',
    clause: 'RFC 7591 §3.1.1 (software statement values take precedence)',
    caughtBy: ['NEG-SSA-18'],
    refs: ['RFC7591-3.1.1'],
  },
  'accept-scope-beyond-roles': {
    area: 'ssa',
    breaks: 'a scope that the SSA roles do not allow is registered',
    clause: 'OB DCR §Data Mapping: scope ("must be a subset of the scopes in the SSA")',
    caughtBy: ['NEG-SSA-17'],
    refs: ['RFC7591-2', 'OBDCR-Data-Mapping'],
  },
  'accept-ssa-without-iss': {
    area: 'ssa',
    breaks: 'a software statement without iss is taken as issued by the trusted directory',
    clause: 'RFC 7591 §2.3; OB Directory SSA payload: iss',
    caughtBy: ['NEG-SSA-09'],
    refs: ['RFC7591-3.2.2', 'RFC7591-2.3'],
  },
  'refuse-ssa-reuse': {
    area: 'ssa',
    breaks: 'a software statement registers one client only, although the bank declares SSA reuse allowed',
    clause: 'OB DCR §Software Statement (reuse is the policy the ASPSP declares); RFC 7519 §4.1.7',
    caughtBy: ['NEG-SSA-10'],
    refs: ['RFC7591-3.2.2'],
  },
  'refuse-second-client-of-software': {
    area: 'ssa',
    breaks: 'a second client of a software is refused, although the bank declares several allowed',
    clause: 'OB DCR data dictionary: software_id (several clients per software is the policy the ASPSP declares)',
    caughtBy: ['NEG-SSA-11'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-ssa-without-redirect-uris': {
    area: 'ssa',
    breaks: 'a software statement without software_redirect_uris is accepted, and any https redirect URI with it',
    clause:
      'OB Directory SSA payload: software_redirect_uris; OB DCR data dictionary: redirect_uris ("must match or be a subset")',
    caughtBy: ['NEG-SSA-15'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
  // found by the security review (catalogue §2.10): the registry lists these after every area (index.ts)
  'accept-future-ssa-nbf': {
    area: 'ssa',
    breaks: 'a software statement whose nbf lies in the future, or is not a NumericDate, is accepted',
    clause: 'RFC 7519 §4.1.5; RFC 7591 §3.2.2 (invalid_software_statement)',
    caughtBy: ['NEG-SSA-19'],
    refs: ['RFC7591-3.2.2', 'RFC7519-4.1.5'],
  },
} as const satisfies Record<string, Deviation>
