/**
 * The UK profile's named deviations of area `management` (the registry is assembled in index.ts).
 * Client management (RFC 7592: GET, PUT, DELETE /register/{ClientId}) and its bearer token.
 * Rules: `actions/client_management.ts`, `shared/bearer.ts`. Caught by NEG-MGMT
 * (`tests/negative/management.spec.ts`); unit tests: `mock-aspsp/test/rules_management.test.ts`.
 */
import type { Deviation } from './index.ts'

export const MANAGEMENT_DEVIATIONS = {
  'unknown-client-404': {
    area: 'management',
    breaks: 'an unknown client id answers 404 instead of 401',
    clause: 'OB DCR GET/PUT/DELETE ("responds with an Unauthorized status code")',
    caughtBy: ['NEG-MGMT-06', 'NEG-MGMT-07', 'NEG-MGMT-08'],
    refs: ['RFC7592-2.1', 'RFC7592-2.2', 'RFC7592-2.3'],
  },
  'accept-foreign-token': {
    area: 'management',
    breaks: "another client's token is accepted on a client's URL",
    clause: 'OB DCR GET ("matches the client to whom the ... access token was issued"); RFC 7592 §2.1',
    caughtBy: ['NEG-MGMT-08'],
    refs: ['RFC7592-2.1', 'RFC7592-2.2', 'RFC7592-2.3'],
  },
  'tokens-survive-delete': {
    area: 'management',
    breaks: "DELETE leaves the client's access tokens alive",
    clause: 'OB DCR DELETE ("invalidate long lived access tokens")',
    caughtBy: ['NEG-MGMT-11', 'NEG-BIND-06'],
    refs: ['RFC7662-2.2', 'RFC7592-2.3', 'OBDCR-DELETE-register'],
  },
  'delete-returns-200': {
    area: 'management',
    breaks: 'DELETE answers 200 with a body instead of 204',
    clause: 'RFC 7592 §2.3 (204 No Content)',
    caughtBy: ['POS-REG-14', 'DCR-002', 'NEG-MGMT-02', 'NEG-MGMT-10'],
    refs: ['RFC7592-2.3'],
  },
  'put-revokes-tokens': {
    area: 'management',
    breaks: "a successful PUT revokes the client's existing tokens",
    clause: 'OB DCR PUT ("must not invalidate long lived access tokens")',
    caughtBy: ['NEG-MGMT-12'],
    refs: ['OBDCR-PUT-register'],
  },
  'no-revoke-on-mismatch': {
    area: 'management',
    breaks: 'a token presented for an unknown client id is not revoked',
    clause: 'OB DCR GET/PUT/DELETE ("immediately revokes the access token")',
    caughtBy: ['NEG-MGMT-07', 'NEG-MGMT-08'],
    refs: ['OBDCR-GET-register', 'RFC7592-2.1'],
  },
  'put-keeps-omitted-metadata': {
    area: 'management',
    breaks: 'PUT merges the body into the registration: members the body omits keep their old values',
    clause: 'RFC 7592 §2.2 ("Omitted fields MUST be treated as null or empty values by the server")',
    caughtBy: ['NEG-MGMT-21'],
    refs: ['RFC7592-2.2'],
  },
  'put-accepts-server-managed-fields': {
    area: 'management',
    breaks:
      'a PUT body carrying registration_access_token, registration_client_uri, client_id_issued_at or client_secret_expires_at is accepted',
    clause: 'RFC 7592 §2.2 ("MUST NOT include the registration_access_token, ... fields")',
    caughtBy: ['NEG-MGMT-19'],
    refs: ['RFC7592-2.2'],
  },
  'put-ignores-client-credentials': {
    area: 'management',
    breaks: "a PUT body whose client_id is another client's, or whose client_secret does not match, is accepted",
    clause: 'RFC 7592 §2.2 (client_id "MUST be included" and match; client_secret "MUST match")',
    caughtBy: ['NEG-MGMT-20'],
    refs: ['RFC7592-2.2'],
  },
  'accept-expired-access-token': {
    area: 'management',
    breaks: 'an access token past its expiry is accepted on the client management endpoints',
    clause: 'RFC 6750 §3.1 (invalid_token: "expired")',
    caughtBy: ['NEG-MGMT-05'],
    refs: ['RFC6750-3.1'],
  },
  'management-accepts-any-grant': {
    area: 'management',
    breaks: "client management accepts the client's authorization-code access tokens, not only client-credentials ones",
    clause: 'OB DCR §Authentication ("authenticate themselves with a client credentials grant")',
    caughtBy: ['NEG-MGMT-09'],
    refs: ['RFC7592-2.1', 'OBDCR-Authentication'],
  },
  'put-skips-validation': {
    area: 'management',
    breaks: 'PUT does not re-validate redirect_uris against the SSA',
    clause: 'RFC 7592 §2.2; OB DCR PUT',
    caughtBy: ['NEG-MGMT-13', 'NEG-MGMT-18', 'NEG-MGMT-24'],
    refs: ['RFC7592-2.2'],
  },
  'get-returns-summary': {
    area: 'management',
    breaks: 'GET /register/{ClientId} answers a summary (client_id, software_id) instead of the registration',
    clause: 'RFC 7592 §2.1 (the client information response)',
    caughtBy: ['POS-REG-11'],
    refs: ['RFC7592-2.1'],
  },
  'management-token-single-use': {
    area: 'management',
    breaks: 'an access token works for one client management call only',
    clause: 'OB DCR §Authentication (the client credentials token is valid until it expires); RFC 7592 §3',
    caughtBy: ['POS-REG-12'],
    refs: ['RFC7592-3'],
  },
  'put-ignores-redirect-change': {
    area: 'management',
    breaks: 'PUT answers 200 but keeps the registered redirect_uris',
    clause: 'RFC 7592 §2.2 (the update replaces the client metadata)',
    caughtBy: ['POS-REG-13'],
    refs: ['RFC7592-2.2'],
  },
  'put-accepts-any-token': {
    area: 'management',
    breaks: 'PUT /register/{ClientId} does not check the access token at all',
    clause: 'OB DCR §Authentication; RFC 6750 §3.1 (invalid_token)',
    caughtBy: ['NEG-MGMT-03'],
    refs: ['RFC7592-2.1', 'RFC7592-2.2'],
  },
  'unoffered-operation-404': {
    area: 'management',
    breaks: 'an operation the bank does not offer answers 404 instead of 405',
    clause: 'RFC 9110 §15.5.6; OB DCR OpenAPI (405 for an operation not offered)',
    caughtBy: ['NEG-MGMT-22'],
    refs: ['RFC9110-15.5.6'],
    needs: { disable: ['delete'] },
  },
  'management-get-not-json': {
    area: 'management',
    breaks: 'GET /register/{ClientId} answers the registration as text/plain',
    clause: 'RFC 7592 §2.1 (application/json)',
    caughtBy: ['FMT-07'],
    refs: ['RFC7592-2.1'],
  },
  // found by the security review (catalogue §2.10): the registry lists these after every area (index.ts)
  'skip-bound-cert-trust': {
    area: 'management',
    breaks:
      'a bound access token is accepted over its certificate after that certificate expired or was revoked (trust judged at the handshake only)',
    clause: 'RFC 8705 §3; RFC 5280 §6.1.3, §6.3',
    caughtBy: ['NEG-MGMT-26'],
    refs: ['RFC8705-3'],
  },
} as const satisfies Record<string, Deviation>
