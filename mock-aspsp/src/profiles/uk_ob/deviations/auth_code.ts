/**
 * The UK profile's named deviations of area `auth-code` (the registry is assembled in index.ts).
 * The authorization code flow: request objects, PAR, codes, refresh tokens, the accounts API.
 * Rules: `../rules/request_object.ts`, `actions/code_grants.ts`, `actions/accounts.ts`. Caught by
 * NEG-AUTHZ, NEG-CODE, NEG-REF, NEG-ACC (`tests/auth-code/`); unit tests: `mock-aspsp/test/auth_code.test.ts`.
 */
import type { Deviation } from './index.ts'

export const AUTH_CODE_DEVIATIONS = {
  'accept-expired-request-object': {
    area: 'auth-code',
    breaks: 'an authorization request object whose exp has passed is accepted',
    clause: 'RFC 9101 §6.3 (validate exp); FAPI 1 Advanced §5.2.2 item 13',
    caughtBy: ['NEG-AUTHZ-01'],
    refs: ['RFC6749-4.1.2.1', 'RFC9101-6.3'],
  },
  'accept-replayed-request-object': {
    area: 'auth-code',
    breaks: 'the same request object may start a second authorization',
    clause: 'RFC 9101 §10.5 (replay); RFC 7519 §4.1.7 (jti)',
    caughtBy: ['NEG-AUTHZ-02'],
    refs: ['RFC6749-4.1.2.1', 'RFC9101-10.5'],
  },
  'accept-unknown-intent': {
    area: 'auth-code',
    breaks: 'an openbanking_intent_id that names no consent of the client starts an authorization',
    clause: 'OB Security Profile (openbanking_intent_id must name a consent the TPP created)',
    caughtBy: ['NEG-AUTHZ-03'],
    refs: ['RFC6749-4.1.2.1'],
  },
  'accept-used-intent': {
    area: 'auth-code',
    breaks: 'a consent that is no longer AwaitingAuthorisation may be authorised again',
    clause: 'OB Account and Transaction API profile: consent status (AwaitingAuthorisation → Authorised is one-way)',
    caughtBy: ['NEG-AUTHZ-04'],
    refs: ['RFC6749-4.1.2.1', 'OB-AIS-consent-status'],
  },
  'redirect-to-unregistered-uri': {
    area: 'auth-code',
    breaks: 'an authorization error is redirected to a redirect_uri that is not registered',
    clause: 'RFC 6749 §4.1.2.1 ("MUST NOT automatically redirect the user-agent to the invalid redirection URI")',
    caughtBy: ['NEG-AUTHZ-05'],
    refs: ['RFC6749-4.1.2.1'],
  },
  'skip-pkce-check': {
    area: 'auth-code',
    breaks: 'the token endpoint does not verify code_verifier against the code_challenge',
    clause: 'RFC 7636 §4.6',
    caughtBy: ['NEG-CODE-01'],
    refs: ['RFC7636-4.6'],
  },
  'accept-code-reuse': {
    area: 'auth-code',
    breaks: 'an authorization code may be redeemed more than once',
    clause: 'RFC 6749 §4.1.2 ("The client MUST NOT use the authorization code more than once")',
    caughtBy: ['NEG-CODE-02'],
    refs: ['RFC6749-5.2', 'RFC6749-4.1.2'],
  },
  'accept-foreign-code': {
    area: 'auth-code',
    breaks: 'an authorization code issued to one client is redeemed by another',
    clause:
      'RFC 6749 §4.1.3 ("ensure that the authorization code was issued to the authenticated confidential client")',
    caughtBy: ['NEG-CODE-03'],
    refs: ['RFC6749-5.2', 'RFC6749-4.1.3'],
  },
  'skip-code-redirect-uri-check': {
    area: 'auth-code',
    breaks: 'the redirect_uri of the token request need not be the one of the authorization request',
    clause:
      'RFC 6749 §4.1.3 ("ensure that the redirect_uri parameter is present ... and that their values are identical")',
    caughtBy: ['NEG-CODE-04'],
    refs: ['RFC6749-5.2', 'RFC6749-4.1.3'],
  },
  'accept-refresh-token-reuse': {
    area: 'auth-code',
    breaks: 'a refresh token stays valid after it has been used (no rotation)',
    clause: 'RFC 9700 §4.14.2 (refresh token rotation); RFC 6749 §6',
    caughtBy: ['NEG-REF-01'],
    refs: ['RFC6749-5.2', 'RFC9700-4.14.2'],
  },
  'skip-resource-cert-binding': {
    area: 'auth-code',
    breaks: 'the accounts API accepts a bound access token over another client certificate',
    clause: 'RFC 8705 §3 (the resource server checks the cnf x5t#S256 binding)',
    caughtBy: ['NEG-BIND-02', 'NEG-BIND-03'],
    refs: ['RFC8705-3'],
  },
  'expose-unconsented-accounts': {
    area: 'auth-code',
    breaks: 'the accounts API serves accounts the customer did not select in the consent',
    clause: 'OB Account and Transaction API profile (access is limited to the consented accounts)',
    caughtBy: ['NEG-ACC-01'],
    refs: ['OB-AIS-consent'],
  },
  'introspection-ignores-consent': {
    area: 'auth-code',
    breaks: 'the tokens of a consent the TPP deleted (or that expired) still introspect as active',
    clause: 'RFC 7662 §2.2 (active: issued, not revoked, within its validity); OB AIS consent (DELETE revokes it)',
    caughtBy: ['NEG-ACC-02'],
    refs: ['RFC7662-2.2'],
  },
} as const satisfies Record<string, Deviation>
