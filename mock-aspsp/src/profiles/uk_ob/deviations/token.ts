/**
 * The UK profile's named deviations of area `token` (the registry is assembled in index.ts).
 * The token endpoint: client authentication (client assertions, tls_client_auth), grants and
 * certificate-bound tokens. Rules: `shared/client_auth.ts`, `actions/token.ts`. Caught by NEG-TOK
 * (`tests/negative/token.spec.ts`, `grants.spec.ts`) and NEG-BIND (`tests/negative/binding.spec.ts`);
 * unit tests: `mock-aspsp/test/client_assertion_policy.test.ts`.
 */
import type { Deviation } from './index.ts'

export const TOKEN_DEVIATIONS = {
  'accept-replayed-assertion': {
    area: 'token',
    breaks: 'a client assertion jti may be used twice',
    clause: 'RFC 7523 §3 item 7; OIDC Core §9',
    caughtBy: ['NEG-TOK-17'],
    refs: ['RFC6749-5.2', 'RFC7523-3'],
  },
  'accept-wrong-assertion-aud': {
    area: 'token',
    breaks: 'a client assertion whose aud is another server is accepted',
    clause: 'RFC 7523 §3 item 3',
    caughtBy: ['NEG-TOK-04', 'NEG-TOK-05'],
    refs: ['RFC6749-5.2', 'RFC7523-3'],
  },
  'accept-expired-assertion': {
    area: 'token',
    breaks: 'a client assertion whose exp has passed is accepted',
    clause: 'RFC 7523 §3 item 4',
    caughtBy: ['NEG-TOK-13'],
    refs: ['RFC6749-5.2', 'RFC7523-3'],
  },
  'accept-long-lived-assertion': {
    area: 'token',
    breaks: 'a client assertion whose exp lies days ahead is accepted (no lifetime limit)',
    clause: 'RFC 7523 §3 item 4 (exp unreasonably far in the future)',
    caughtBy: ['NEG-TOK-14'],
    refs: ['RFC6749-5.2', 'RFC7523-3'],
  },
  'accept-rs256-assertion': {
    area: 'token',
    breaks: 'a client assertion signed RS256 is accepted',
    clause: 'FAPI 1 Advanced §8.6; OIDC Registration token_endpoint_auth_signing_alg',
    caughtBy: ['NEG-TOK-18', 'NEG-TOK-19'],
    refs: ['RFC6749-5.2', 'FAPI1-ADV-8.6'],
  },
  'skip-assertion-sub-check': {
    area: 'token',
    breaks: 'a client assertion whose sub is not the client_id is accepted',
    clause: 'RFC 7523 §3 item 2',
    caughtBy: ['NEG-TOK-07', 'NEG-TOK-08'],
    refs: ['RFC6749-5.2', 'RFC7523-3'],
  },
  'skip-dn-match': {
    area: 'token',
    breaks:
      'tls_client_auth accepts any trusted certificate, whatever its subject DN (nor is the DN compared with the registering certificate)',
    clause: 'RFC 8705 §2.1.2',
    caughtBy: ['NEG-TOK-22', 'NEG-TOK-23'],
    refs: ['RFC6749-5.2', 'RFC8705-2.1.2'],
  },
  'exact-dn-match': {
    area: 'token',
    breaks: 'tls_client_auth compares the registered subject DN with the certificate subject as strings, not as DNs',
    clause: 'RFC 8705 §2.1.2 (subject DN per RFC 4514); RFC 4517 distinguishedNameMatch',
    caughtBy: ['NEG-TOK-23'],
    refs: ['RFC8705-2.1.2'],
  },
  'unbound-tokens': {
    area: 'token',
    breaks: 'access tokens are not bound to the client certificate (no cnf, no check)',
    clause: 'RFC 8705 §3',
    caughtBy: [
      'NEG-BIND-01',
      'NEG-BIND-02',
      'NEG-BIND-03',
      'NEG-BIND-04',
      'NEG-BIND-06',
      'NEG-BIND-07',
      'NEG-TLS-03',
      'NEG-TLS-04',
    ],
    refs: ['RFC8705-3', 'RFC8705-3.1', 'FAPI1-ADV-5.2.2', 'RFC7592-2.1', 'RFC7592-2.2'],
  },
  'grant-unrequested-scope': {
    area: 'token',
    breaks: 'a token request for a scope the client was not registered for is granted',
    clause: 'RFC 6749 §5.2 (invalid_scope)',
    caughtBy: ['NEG-TOK-31'],
    refs: ['RFC6749-5.2', 'RFC6749-3.3'],
  },
  'token-response-without-token-type': {
    area: 'token',
    breaks: 'the token response has no token_type',
    clause: 'RFC 6749 §5.1 (token_type REQUIRED)',
    caughtBy: ['POS-REG-07'],
    refs: ['RFC6749-5.1'],
  },
  'accept-cert-for-private-key-jwt': {
    area: 'token',
    breaks: 'a private_key_jwt client that sends no client assertion is authenticated by its certificate',
    clause: 'OIDC Registration §2 token_endpoint_auth_method; RFC 7523 §2.2',
    caughtBy: ['NEG-TOK-01', 'NEG-TOK-26'],
    refs: ['RFC6749-5.2'],
  },
  'ignore-client-assertion-type': {
    area: 'token',
    breaks: 'client_assertion_type is not checked (missing, empty or another URN)',
    clause: 'RFC 7523 §2.2 (client_assertion_type urn:ietf:params:oauth:client-assertion-type:jwt-bearer)',
    caughtBy: ['NEG-TOK-02'],
    refs: ['RFC6749-5.2'],
  },
  'crash-on-malformed-assertion': {
    area: 'token',
    breaks: 'a client_assertion that is not a JWT answers 500',
    clause: 'RFC 6749 §5.2 (invalid_client); RFC 7523 §3',
    caughtBy: ['NEG-TOK-03'],
    refs: ['RFC6749-5.2'],
  },
  'identify-client-by-assertion-sub': {
    area: 'token',
    breaks: "the client is identified by the assertion's sub; its iss is not checked",
    clause: 'RFC 7523 §3 item 1 (iss "MUST contain ... the client_id"); OIDC Core §9',
    caughtBy: ['NEG-TOK-09', 'NEG-TOK-10'],
    refs: ['RFC6749-5.2'],
  },
  'ignore-client-id-param': {
    area: 'token',
    breaks: "a client_id parameter that is not the assertion's iss and sub is ignored",
    clause: 'RFC 6749 §2.3, §3.2.1',
    caughtBy: ['NEG-TOK-11'],
    refs: ['RFC6749-5.2'],
  },
  'unknown-client-unauthorized': {
    area: 'token',
    breaks: 'an unknown client id is answered unauthorized_client instead of invalid_client',
    clause: 'RFC 6749 §5.2 (invalid_client: "unknown client")',
    caughtBy: ['NEG-TOK-12'],
    refs: ['RFC6749-5.2'],
  },
  'accept-future-assertion-iat': {
    area: 'token',
    breaks: 'a client assertion whose iat or nbf lies beyond the clock skew in the future is accepted',
    clause: 'RFC 7523 §3 items 5 and 6',
    caughtBy: ['NEG-TOK-15'],
    refs: ['RFC6749-5.2'],
  },
  'accept-assertion-without-jti': {
    area: 'token',
    breaks: 'a client assertion without jti is accepted',
    clause: 'OIDC Core §9 (jti REQUIRED); RFC 7523 §3 item 7',
    caughtBy: ['NEG-TOK-16'],
    refs: ['RFC6749-5.2'],
  },
  'skip-assertion-signature': {
    area: 'token',
    breaks: 'the client assertion signature is not verified',
    clause: 'RFC 7523 §3 item 9',
    caughtBy: ['NEG-TOK-20'],
    refs: ['RFC6749-5.2'],
  },
  'tls-auth-without-cert': {
    area: 'token',
    breaks:
      'a tls_client_auth client presenting no certificate is authenticated by its client_id (and given an unbound token)',
    clause: 'RFC 8705 §2',
    caughtBy: ['NEG-TOK-21'],
    refs: ['RFC8705-2', 'RFC6749-5.2'],
  },
  'accept-assertion-with-tls-auth': {
    area: 'token',
    breaks: 'a tls_client_auth client that also sends client assertion parameters is authenticated by its certificate',
    clause: 'RFC 6749 §2.3 ("MUST NOT use more than one authentication method in each request")',
    caughtBy: ['NEG-TOK-24'],
    refs: ['RFC6749-5.2'],
  },
  'crash-on-missing-client-id': {
    area: 'token',
    breaks: 'a tls_client_auth token request without client_id answers 500',
    clause: 'RFC 8705 §2 (client_id REQUIRED); RFC 6749 §5.2',
    caughtBy: ['NEG-TOK-25'],
    refs: ['RFC6749-5.2'],
  },
  'token-401-without-challenge': {
    area: 'token',
    breaks: 'invalid_client is answered 401 without WWW-Authenticate',
    clause: 'RFC 6749 §5.2; RFC 9110 §15.5.2 (a 401 carries WWW-Authenticate)',
    caughtBy: ['NEG-TOK-27'],
    refs: ['RFC6749-5.2'],
  },
  'unsupported-grant-invalid-request': {
    area: 'token',
    breaks: 'an unsupported grant_type is answered invalid_request instead of unsupported_grant_type',
    clause: 'RFC 6749 §5.2 (unsupported_grant_type)',
    caughtBy: ['NEG-TOK-28'],
    refs: ['RFC6749-5.2'],
  },
  'skip-client-grant-check': {
    area: 'token',
    breaks: 'a client not registered for client_credentials is given a client_credentials token',
    clause: 'RFC 6749 §5.2 (unauthorized_client); RFC 7591 §2 grant_types',
    caughtBy: ['NEG-TOK-29'],
    refs: ['RFC6749-5.2'],
  },
  'token-ignores-content-type': {
    area: 'token',
    breaks: 'the token endpoint reads the body as a form whatever its Content-Type',
    clause: 'RFC 6749 §3.2 (application/x-www-form-urlencoded)',
    caughtBy: ['NEG-TOK-30'],
    refs: ['RFC6749-3.2'],
  },
  // found by the security review (catalogue §2.10): the registry lists these after every area (index.ts)
  'accept-assertion-over-foreign-cert': {
    area: 'token',
    breaks: "a private_key_jwt client authenticates over another organisation's (trusted) certificate",
    clause: 'FAPI 1 Advanced §5.2.2; OB transport certificates belong to the TPP (CN = software_id, OU = org id)',
    caughtBy: ['NEG-TOK-32'],
    refs: ['FAPI1-ADV-5.2.2', 'RFC6749-5.2'],
  },
  'ignore-assertion-crit': {
    area: 'token',
    breaks: 'a client assertion whose header has crit naming an unknown extension, or b64 false, is accepted',
    clause: 'RFC 7515 §4.1.11 (crit "MUST" be understood); RFC 7797 §3',
    caughtBy: ['NEG-TOK-33'],
    refs: ['RFC7515-4.1.11', 'RFC6749-5.2'],
  },
  'skip-mtls-at-auxiliary-endpoints': {
    area: 'token',
    breaks:
      '/introspect, /revoke and /par accept a private_key_jwt client without a client certificate or over an untrusted one',
    clause: 'FAPI 1 Advanced §5.2.2 (mutual TLS); RFC 8705 §2',
    caughtBy: ['NEG-TOK-34'],
    refs: ['FAPI1-ADV-5.2.2', 'RFC8705-2'],
  },
  'consume-refresh-before-validation': {
    area: 'token',
    breaks:
      'a refresh request refused for a wider scope uses the refresh token up, so the normal retry counts as a replay',
    clause: 'RFC 6749 §6 (an invalid request changes nothing); RFC 9700 §4.14.2',
    caughtBy: ['NEG-TOK-35'],
    refs: ['RFC6749-6'],
  },
  'redeem-grant-over-foreign-cert': {
    area: 'token',
    breaks:
      "an authorization code or refresh token of a client is redeemed over another organisation's certificate (tokens bound to it)",
    clause: 'RFC 8705 §3; FAPI 1 Advanced §5.2.2',
    caughtBy: ['NEG-BIND-08'],
    refs: ['RFC8705-3'],
  },
} as const satisfies Record<string, Deviation>
