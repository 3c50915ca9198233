/**
 * Named deviations: each breaks exactly one rule of the strict mock, the way real banks have been
 * seen to. They exist to test the tests: the sensitivity self-test runs the suite once per
 * deviation and requires that the tests named in `caughtBy` fail (OB DCR, RFCs as cited).
 *
 * Switch one on with `--deviation <name>` (repeatable) or `OB_MOCK_DEVIATIONS=a,b`.
 */

export interface Deviation {
  /** The area of the rule, for the report. */
  area: 'request-jwt' | 'ssa' | 'metadata' | 'management' | 'token' | 'transport' | 'error-format' | 'auth-code'
  /** The rule the deviation breaks, in one sentence. */
  breaks: string
  /** The spec clause of that rule. */
  clause: string
  /** Catalogue / scenario ids of the tests that must catch it. */
  caughtBy: string[]
}

export const DEVIATIONS = {
  // --- the registration request JWT ---
  'accept-expired-request': {
    area: 'request-jwt',
    breaks: 'a registration request whose exp has passed is accepted',
    clause: 'OB DCR data dictionary: exp ("must reject requests where the current time is greater than exp")',
    caughtBy: ['NEG-JWT-07', 'DCR-004'],
  },
  'accept-rs256-request': {
    area: 'request-jwt',
    breaks: 'a registration request signed RS256 is accepted',
    clause: 'FAPI 1 Advanced §8.6 (PS256 or ES256 only)',
    caughtBy: ['NEG-JWT-05', 'DCR-004'],
  },
  'skip-request-signature': {
    area: 'request-jwt',
    breaks: 'the registration request signature is not verified',
    clause: 'OB DCR "Of JWS & JWKS"',
    caughtBy: ['NEG-JWT-04', 'NEG-SSA-14'],
  },
  'ignore-request-jti-replay': {
    area: 'request-jwt',
    breaks: 'a registration request jti may be replayed',
    clause: 'OB DCR data dictionary: jti (unique identifier); RFC 7519 §4.1.7',
    caughtBy: ['NEG-JWT-13', 'NEG-MGMT-23'],
  },
  'skip-iss-software-id-match': {
    area: 'request-jwt',
    breaks: 'the request iss need not equal the SSA software_id',
    clause: 'OB DCR data dictionary: iss ("this must be the software_id")',
    caughtBy: ['NEG-JWT-11'],
  },
  'ignore-request-aud': {
    area: 'request-jwt',
    breaks: 'the request aud is not checked',
    clause: 'OB DCR data dictionary: aud',
    caughtBy: ['NEG-JWT-10'],
  },
  'accept-embedded-key-header': {
    area: 'request-jwt',
    breaks: 'x5c / x5u / jwk / jku in the request JOSE header are accepted',
    clause: 'OB DCR "Of JWS & JWKS" (the key and its URL must not be embedded)',
    caughtBy: ['NEG-JWT-06'],
  },
  'accept-any-request-content-type': {
    area: 'request-jwt',
    breaks: 'a registration body of any media type (e.g. application/json) is read as a JWS',
    clause: 'OB DCR OpenAPI: consumes application/jose (3.2+) or application/jwt (3.1)',
    caughtBy: ['NEG-JWT-01'],
  },
  'accept-missing-request-claims': {
    area: 'request-jwt',
    breaks: 'a registration request without iat, exp or jti is accepted',
    clause: 'OB OpenAPI OBClientRegistration1: required iss, iat, exp, aud, jti',
    caughtBy: ['NEG-JWT-08'],
  },
  'accept-future-iat': {
    area: 'request-jwt',
    breaks: 'a registration request issued in the future (iat beyond clock skew) is accepted',
    clause: 'RFC 7519 §4.1.6',
    caughtBy: ['NEG-JWT-09'],
  },
  'crash-on-malformed-jws': {
    area: 'request-jwt',
    breaks: 'an empty or malformed registration request or software statement answers 500 instead of 400',
    clause: 'RFC 7591 §3.2.2 (a refused request gets a 400 error response)',
    caughtBy: ['NEG-JWT-02', 'NEG-JWT-03', 'NEG-SSA-03'],
  },
  'accept-non-uuid-jti': {
    area: 'request-jwt',
    breaks: 'a request jti that is not a UUIDv4 is accepted',
    clause: 'OB DCR data dictionary: jti ("must be a UUIDv4 GUID")',
    caughtBy: ['NEG-JWT-14'],
  },
  // --- the software statement ---
  'skip-ssa-signature': {
    area: 'ssa',
    breaks: 'the SSA signature is not verified',
    clause: 'RFC 7591 §3.2.2 (invalid_software_statement)',
    caughtBy: ['NEG-SSA-04', 'NEG-MGMT-17'],
  },
  'trust-any-ssa-signer': {
    area: 'ssa',
    breaks: 'an SSA signed by a key outside the trusted directory JWKS is accepted',
    clause: 'RFC 7591 §3.2.2 (unapproved_software_statement); OB DCR §Software Statement',
    caughtBy: ['NEG-SSA-05'],
  },
  'trust-any-ssa-issuer': {
    area: 'ssa',
    breaks: 'an SSA whose iss is not a trusted directory is accepted',
    clause: 'OB DCR §Software Statement ("the parties that it trusts")',
    caughtBy: ['NEG-SSA-06'],
  },
  'accept-inactive-software': {
    area: 'ssa',
    breaks: 'an SSA of an organisation whose status is not Active is accepted',
    clause: 'OB Directory SSA: org_status',
    caughtBy: ['NEG-SSA-16'],
  },
  'accept-expired-ssa': {
    area: 'ssa',
    breaks: 'a software statement whose exp has passed is accepted',
    clause: 'RFC 7519 §4.1.4; RFC 7591 §3.2.2 (invalid_software_statement)',
    caughtBy: ['NEG-SSA-08'],
  },
  'accept-missing-ssa': {
    area: 'ssa',
    breaks: 'a registration without software_statement is accepted',
    clause: 'OB DCR data dictionary: software_statement 1..1',
    caughtBy: ['NEG-SSA-01', 'NEG-SSA-02', 'NEG-MGMT-16'],
  },
  'accept-unsigned-ssa': {
    area: 'ssa',
    breaks: 'an SSA with alg none or RS256 is accepted',
    clause: 'OB Directory SSA header: alg ES256 or PS256',
    caughtBy: ['NEG-SSA-07'],
  },
  'skip-software-id-match': {
    area: 'ssa',
    breaks: 'a body software_id different from the SSA software_id is accepted',
    clause: 'OB DCR data dictionary: software_id ("MUST match")',
    caughtBy: ['NEG-SSA-12'],
  },
  'body-metadata-overrides-ssa': {
    area: 'ssa',
    breaks:
      'client_name, logo_uri, client_uri, policy_uri and tos_uri of the request body are registered over the SSA values',
    clause: 'RFC 7591 §3.1.1 (software statement values take precedence)',
    caughtBy: ['NEG-SSA-18'],
  },
  'accept-scope-beyond-roles': {
    area: 'ssa',
    breaks: 'a scope that the SSA roles do not allow is registered',
    clause: 'OB DCR §Data Mapping: scope ("must be a subset of the scopes in the SSA")',
    caughtBy: ['NEG-SSA-17'],
  },
  // --- client metadata ---
  'skip-redirect-subset-check': {
    area: 'metadata',
    breaks: 'redirect_uris need not be among the SSA software_redirect_uris',
    clause: 'OB DCR data dictionary: redirect_uris ("must match or be a subset")',
    caughtBy: ['NEG-META-02', 'NEG-META-03'],
  },
  'allow-http-redirect': {
    area: 'metadata',
    breaks: 'an http (not https) redirect URI is accepted',
    clause: 'OB DCR data dictionary: redirect_uris ("MUST use the https scheme")',
    caughtBy: ['NEG-META-06'],
  },
  'allow-loopback-redirect': {
    area: 'metadata',
    breaks: 'a localhost / 127.0.0.1 redirect URI is accepted',
    clause: 'OB DCR data dictionary: redirect_uris ("MUST NOT contain a host with a value of localhost")',
    caughtBy: ['NEG-META-06'],
  },
  'allow-redirect-fragment': {
    area: 'metadata',
    breaks: 'a redirect URI with a fragment is accepted',
    clause: 'RFC 6749 §3.1.2',
    caughtBy: ['NEG-META-05'],
  },
  'accept-unknown-auth-method': {
    area: 'metadata',
    breaks: 'an unsupported token_endpoint_auth_method (client_secret_basic, none, foo) is registered',
    clause: 'FAPI 1 Advanced §5.2.2; OB DCR token_endpoint_auth_method',
    caughtBy: ['NEG-META-11'],
  },
  'skip-signing-alg-required': {
    area: 'metadata',
    breaks: 'private_key_jwt is registered without token_endpoint_auth_signing_alg',
    clause: 'OB DCR data dictionary: token_endpoint_auth_signing_alg ("Must be specified if ... private_key_jwt")',
    caughtBy: ['NEG-META-12'],
  },
  'accept-weak-signing-alg': {
    area: 'metadata',
    breaks: 'token_endpoint_auth_signing_alg RS256 / HS256 / none is registered',
    clause: 'FAPI 1 Advanced §8.6',
    caughtBy: ['NEG-META-13'],
  },
  'skip-tls-dn-required': {
    area: 'metadata',
    breaks: 'tls_client_auth is registered without a subject DN',
    clause: 'OB DCR data dictionary: tls_client_auth_subject_dn ("must be set iff ... tls_client_auth")',
    caughtBy: ['NEG-META-16'],
  },
  'accept-unsupported-response-type': {
    area: 'metadata',
    breaks: 'response_types outside code / code id_token are registered',
    clause: 'OB DCR data dictionary: response_types',
    caughtBy: ['NEG-META-23', 'DCR-011'],
  },
  'accept-unknown-grant-type': {
    area: 'metadata',
    breaks: 'grant_types outside the spec version enum (password, implicit, foo) are registered',
    clause: 'OB DCR data dictionary: grant_types',
    caughtBy: ['NEG-META-21'],
  },
  'accept-jwks-by-value': {
    area: 'metadata',
    breaks: 'a jwks by value is registered instead of the SSA JWKS',
    clause: 'OB DCR "Of JWS & JWKS"',
    caughtBy: ['NEG-META-26', 'NEG-META-28', 'NEG-META-29', 'NEG-MGMT-15'],
  },
  'request-object-alg-as-array': {
    area: 'metadata',
    breaks: 'the response returns request_object_signing_alg as an array',
    clause: 'OB DCR OpenAPI OBRegistrationProperties1: request_object_signing_alg is a string',
    caughtBy: ['POS-REG-06', 'DCR-005'],
  },
  'scope-as-array': {
    area: 'metadata',
    breaks: 'the response returns scope as an array in spec 3.2+',
    clause: 'OB DCR OpenAPI v3.2+: scope is a space-separated string',
    caughtBy: ['POS-REG-06', 'DCR-005'],
  },
  'echo-request-claims': {
    area: 'metadata',
    breaks: 'the registration response carries the request JWT claims iss, iat, exp, aud, jti',
    clause: 'RFC 7591 §3.2.1 (the response carries client metadata)',
    caughtBy: ['POS-REG-06'],
  },
  'modify-software-statement': {
    area: 'metadata',
    breaks: 'the registration response returns a re-encoded software_statement',
    clause: 'RFC 7591 §3.2.1 ("MUST be returned unmodified")',
    caughtBy: ['POS-REG-04'],
  },
  // --- client management ---
  'unknown-client-404': {
    area: 'management',
    breaks: 'an unknown client id answers 404 instead of 401',
    clause: 'OB DCR GET/PUT/DELETE ("responds with an Unauthorized status code")',
    caughtBy: ['NEG-MGMT-06', 'NEG-MGMT-07', 'NEG-MGMT-08'],
  },
  'accept-foreign-token': {
    area: 'management',
    breaks: "another client's token is accepted on a client's URL",
    clause: 'OB DCR GET ("matches the client to whom the ... access token was issued"); RFC 7592 §2.1',
    caughtBy: ['NEG-MGMT-08'],
  },
  'tokens-survive-delete': {
    area: 'management',
    breaks: "DELETE leaves the client's access tokens alive",
    clause: 'OB DCR DELETE ("invalidate long lived access tokens")',
    caughtBy: ['NEG-MGMT-11', 'NEG-BIND-06'],
  },
  'delete-returns-200': {
    area: 'management',
    breaks: 'DELETE answers 200 with a body instead of 204',
    clause: 'RFC 7592 §2.3 (204 No Content)',
    caughtBy: ['POS-REG-14', 'DCR-002', 'NEG-MGMT-02', 'NEG-MGMT-10'],
  },
  'put-revokes-tokens': {
    area: 'management',
    breaks: "a successful PUT revokes the client's existing tokens",
    clause: 'OB DCR PUT ("must not invalidate long lived access tokens")',
    caughtBy: ['NEG-MGMT-12'],
  },
  'no-revoke-on-mismatch': {
    area: 'management',
    breaks: 'a token presented for an unknown client id is not revoked',
    clause: 'OB DCR GET/PUT/DELETE ("immediately revokes the access token")',
    caughtBy: ['NEG-MGMT-07', 'NEG-MGMT-08'],
  },
  'put-keeps-omitted-metadata': {
    area: 'management',
    breaks: 'PUT merges the body into the registration: members the body omits keep their old values',
    clause: 'RFC 7592 §2.2 ("Omitted fields MUST be treated as null or empty values by the server")',
    caughtBy: ['NEG-MGMT-21'],
  },
  'put-accepts-server-managed-fields': {
    area: 'management',
    breaks:
      'a PUT body carrying registration_access_token, registration_client_uri, client_id_issued_at or client_secret_expires_at is accepted',
    clause: 'RFC 7592 §2.2 ("MUST NOT include the registration_access_token, ... fields")',
    caughtBy: ['NEG-MGMT-19'],
  },
  'put-ignores-client-credentials': {
    area: 'management',
    breaks: "a PUT body whose client_id is another client's, or whose client_secret does not match, is accepted",
    clause: 'RFC 7592 §2.2 (client_id "MUST be included" and match; client_secret "MUST match")',
    caughtBy: ['NEG-MGMT-20'],
  },
  'accept-expired-access-token': {
    area: 'management',
    breaks: 'an access token past its expiry is accepted on the client management endpoints',
    clause: 'RFC 6750 §3.1 (invalid_token: "expired")',
    caughtBy: ['NEG-MGMT-05'],
  },
  'management-accepts-any-grant': {
    area: 'management',
    breaks: "client management accepts the client's authorization-code access tokens, not only client-credentials ones",
    clause: 'OB DCR §Authentication ("authenticate themselves with a client credentials grant")',
    caughtBy: ['NEG-MGMT-09'],
  },
  'put-skips-validation': {
    area: 'management',
    breaks: 'PUT does not re-validate redirect_uris against the SSA',
    clause: 'RFC 7592 §2.2; OB DCR PUT',
    caughtBy: ['NEG-MGMT-13', 'NEG-MGMT-18', 'NEG-MGMT-24'],
  },
  // --- token endpoint ---
  'accept-replayed-assertion': {
    area: 'token',
    breaks: 'a client assertion jti may be used twice',
    clause: 'RFC 7523 §3 item 7; OIDC Core §9',
    caughtBy: ['NEG-TOK-17'],
  },
  'accept-wrong-assertion-aud': {
    area: 'token',
    breaks: 'a client assertion whose aud is another server is accepted',
    clause: 'RFC 7523 §3 item 3',
    caughtBy: ['NEG-TOK-04', 'NEG-TOK-05'],
  },
  'accept-expired-assertion': {
    area: 'token',
    breaks: 'a client assertion whose exp has passed is accepted',
    clause: 'RFC 7523 §3 item 4',
    caughtBy: ['NEG-TOK-13'],
  },
  'accept-long-lived-assertion': {
    area: 'token',
    breaks: 'a client assertion whose exp lies days ahead is accepted (no lifetime limit)',
    clause: 'RFC 7523 §3 item 4 (exp unreasonably far in the future)',
    caughtBy: ['NEG-TOK-14'],
  },
  'accept-rs256-assertion': {
    area: 'token',
    breaks: 'a client assertion signed RS256 is accepted',
    clause: 'FAPI 1 Advanced §8.6; OIDC Registration token_endpoint_auth_signing_alg',
    caughtBy: ['NEG-TOK-18', 'NEG-TOK-19'],
  },
  'skip-assertion-sub-check': {
    area: 'token',
    breaks: 'a client assertion whose sub is not the client_id is accepted',
    clause: 'RFC 7523 §3 item 2',
    caughtBy: ['NEG-TOK-07', 'NEG-TOK-08'],
  },
  'skip-dn-match': {
    area: 'token',
    breaks:
      'tls_client_auth accepts any trusted certificate, whatever its subject DN (nor is the DN compared with the registering certificate)',
    clause: 'RFC 8705 §2.1.2',
    caughtBy: ['NEG-TOK-22', 'NEG-TOK-23'],
  },
  'exact-dn-match': {
    area: 'token',
    breaks: 'tls_client_auth compares the registered subject DN with the certificate subject as strings, not as DNs',
    clause: 'RFC 8705 §2.1.2 (subject DN per RFC 4514); RFC 4517 distinguishedNameMatch',
    caughtBy: ['NEG-TOK-23'],
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
  },
  'grant-unrequested-scope': {
    area: 'token',
    breaks: 'a token request for a scope the client was not registered for is granted',
    clause: 'RFC 6749 §5.2 (invalid_scope)',
    caughtBy: ['NEG-TOK-31'],
  },
  // --- the authorization code flow ---
  'accept-expired-request-object': {
    area: 'auth-code',
    breaks: 'an authorization request object whose exp has passed is accepted',
    clause: 'RFC 9101 §6.3 (validate exp); FAPI 1 Advanced §5.2.2 item 13',
    caughtBy: ['NEG-AUTHZ-01'],
  },
  'accept-replayed-request-object': {
    area: 'auth-code',
    breaks: 'the same request object may start a second authorization',
    clause: 'RFC 9101 §10.5 (replay); RFC 7519 §4.1.7 (jti)',
    caughtBy: ['NEG-AUTHZ-02'],
  },
  'accept-unknown-intent': {
    area: 'auth-code',
    breaks: 'an openbanking_intent_id that names no consent of the client starts an authorization',
    clause: 'OB Security Profile (openbanking_intent_id must name a consent the TPP created)',
    caughtBy: ['NEG-AUTHZ-03'],
  },
  'accept-used-intent': {
    area: 'auth-code',
    breaks: 'a consent that is no longer AwaitingAuthorisation may be authorised again',
    clause: 'OB Account and Transaction API profile: consent status (AwaitingAuthorisation → Authorised is one-way)',
    caughtBy: ['NEG-AUTHZ-04'],
  },
  'redirect-to-unregistered-uri': {
    area: 'auth-code',
    breaks: 'an authorization error is redirected to a redirect_uri that is not registered',
    clause: 'RFC 6749 §4.1.2.1 ("MUST NOT automatically redirect the user-agent to the invalid redirection URI")',
    caughtBy: ['NEG-AUTHZ-05'],
  },
  'skip-pkce-check': {
    area: 'auth-code',
    breaks: 'the token endpoint does not verify code_verifier against the code_challenge',
    clause: 'RFC 7636 §4.6',
    caughtBy: ['NEG-CODE-01'],
  },
  'accept-code-reuse': {
    area: 'auth-code',
    breaks: 'an authorization code may be redeemed more than once',
    clause: 'RFC 6749 §4.1.2 ("The client MUST NOT use the authorization code more than once")',
    caughtBy: ['NEG-CODE-02'],
  },
  'accept-foreign-code': {
    area: 'auth-code',
    breaks: 'an authorization code issued to one client is redeemed by another',
    clause:
      'RFC 6749 §4.1.3 ("ensure that the authorization code was issued to the authenticated confidential client")',
    caughtBy: ['NEG-CODE-03'],
  },
  'skip-code-redirect-uri-check': {
    area: 'auth-code',
    breaks: 'the redirect_uri of the token request need not be the one of the authorization request',
    clause:
      'RFC 6749 §4.1.3 ("ensure that the redirect_uri parameter is present ... and that their values are identical")',
    caughtBy: ['NEG-CODE-04'],
  },
  'accept-refresh-token-reuse': {
    area: 'auth-code',
    breaks: 'a refresh token stays valid after it has been used (no rotation)',
    clause: 'RFC 9700 §4.14.2 (refresh token rotation); RFC 6749 §6',
    caughtBy: ['NEG-REF-01'],
  },
  'skip-resource-cert-binding': {
    area: 'auth-code',
    breaks: 'the accounts API accepts a bound access token over another client certificate',
    clause: 'RFC 8705 §3 (the resource server checks the cnf x5t#S256 binding)',
    caughtBy: ['NEG-BIND-02', 'NEG-BIND-03'],
  },
  'expose-unconsented-accounts': {
    area: 'auth-code',
    breaks: 'the accounts API serves accounts the customer did not select in the consent',
    clause: 'OB Account and Transaction API profile (access is limited to the consented accounts)',
    caughtBy: ['NEG-ACC-01'],
  },
  // --- transport ---
  'no-client-cert-on-register': {
    area: 'transport',
    breaks: 'POST /register works without a client certificate (or with any certificate, trusted or not)',
    clause: 'OB DCR §Authentication ("These APIs rely on TLS Mutual Authentication")',
    caughtBy: ['NEG-TLS-01', 'NEG-TLS-02', 'NEG-TLS-05', 'NEG-TLS-07', 'NEG-TLS-08'],
  },
  'accept-untrusted-client-cert': {
    area: 'transport',
    breaks: 'a client certificate that does not chain to a trusted CA (self-signed) is accepted',
    clause: 'RFC 8705 §2; OB DCR §Authentication (mutual TLS with an OB-issued certificate)',
    caughtBy: ['NEG-TLS-02'],
  },
  'accept-expired-client-cert': {
    area: 'transport',
    breaks: 'an expired client certificate is accepted (registration, token, management)',
    clause: 'RFC 5280 §6.1.3; FAPI 1 Advanced §8.5',
    caughtBy: ['NEG-TLS-05'],
  },
  'skip-client-eku-check': {
    area: 'transport',
    breaks:
      'a certificate without the clientAuth extended key usage (a server certificate) is accepted as a client certificate',
    clause: 'RFC 5280 §4.2.1.12; RFC 8705 §2',
    caughtBy: ['NEG-TLS-06'],
  },
  'skip-client-cert-revocation': {
    area: 'transport',
    breaks: 'a client certificate revoked by its CA (in the CRL) is accepted',
    clause: 'RFC 5280 §6.3; FAPI 1 Advanced §8.5',
    caughtBy: ['NEG-TLS-07'],
  },
  'allow-legacy-tls': {
    area: 'transport',
    breaks: 'the listener accepts TLS 1.0 and 1.1 handshakes',
    clause: 'FAPI 1 Advanced §8.5; RFC 8996 (TLS 1.0 and 1.1 deprecated)',
    caughtBy: ['NEG-TLS-10'],
  },
  'allow-non-fapi-cipher': {
    area: 'transport',
    breaks: 'the listener negotiates a TLS 1.2 cipher suite outside the FAPI list (ECDHE-RSA-AES128-SHA256)',
    clause: 'FAPI 1 Advanced §8.5 (TLS 1.2 cipher suites)',
    caughtBy: ['NEG-TLS-10'],
  },
  'skip-transport-software-match': {
    area: 'transport',
    breaks: 'a transport certificate of another software may register an SSA',
    clause: 'OB transport certificates: CN = software_id',
    caughtBy: ['NEG-TLS-09'],
  },
  // --- error format ---
  'error-not-json': {
    area: 'error-format',
    breaks: 'registration errors are sent as text/plain, not JSON',
    clause: 'RFC 7591 §3.2.2 (application/json error response)',
    caughtBy: ['FMT-01', 'DCR-011'],
  },
  'wrong-error-code': {
    area: 'error-format',
    breaks: 'every registration error uses the code invalid_request',
    clause: 'RFC 7591 §3.2.2 (error codes)',
    caughtBy: ['FMT-01', 'NEG-BIND-05'],
  },
  'missing-no-store': {
    area: 'error-format',
    breaks: 'token responses and errors lack Cache-Control: no-store',
    clause: 'RFC 6749 §5.1',
    caughtBy: ['FMT-04'],
  },
  'missing-www-authenticate': {
    area: 'error-format',
    breaks: '401 answers of the management API lack WWW-Authenticate',
    clause: 'RFC 6750 §3',
    caughtBy: ['FMT-05', 'NEG-MGMT-01', 'NEG-MGMT-04', 'NEG-BIND-03'],
  },
  // --- found by the security review (catalogue §2.10) ---
  'register-any-subject-dn': {
    area: 'metadata',
    breaks:
      'tls_client_auth_subject_dn is registered (POST and PUT) although it does not identify the certificate presented with the request',
    clause: 'RFC 8705 §2.1.2 (the expected subject DN of the certificate); OB DCR tls_client_auth_subject_dn',
    caughtBy: ['NEG-META-38'],
  },
  'accept-assertion-over-foreign-cert': {
    area: 'token',
    breaks: "a private_key_jwt client authenticates over another organisation's (trusted) certificate",
    clause: 'FAPI 1 Advanced §5.2.2; OB transport certificates belong to the TPP (CN = software_id, OU = org id)',
    caughtBy: ['NEG-TOK-32'],
  },
  'ignore-assertion-crit': {
    area: 'token',
    breaks: 'a client assertion whose header has crit naming an unknown extension, or b64 false, is accepted',
    clause: 'RFC 7515 §4.1.11 (crit "MUST" be understood); RFC 7797 §3',
    caughtBy: ['NEG-TOK-33'],
  },
  'skip-mtls-at-auxiliary-endpoints': {
    area: 'token',
    breaks:
      '/introspect, /revoke and /par accept a private_key_jwt client without a client certificate or over an untrusted one',
    clause: 'FAPI 1 Advanced §5.2.2 (mutual TLS); RFC 8705 §2',
    caughtBy: ['NEG-TOK-34'],
  },
  'consume-refresh-before-validation': {
    area: 'token',
    breaks:
      'a refresh request refused for a wider scope uses the refresh token up, so the normal retry counts as a replay',
    clause: 'RFC 6749 §6 (an invalid request changes nothing); RFC 9700 §4.14.2',
    caughtBy: ['NEG-TOK-35'],
  },
  'accept-future-ssa-nbf': {
    area: 'ssa',
    breaks: 'a software statement whose nbf lies in the future, or is not a NumericDate, is accepted',
    clause: 'RFC 7519 §4.1.5; RFC 7591 §3.2.2 (invalid_software_statement)',
    caughtBy: ['NEG-SSA-19'],
  },
  'accept-unbounded-request-lifetime': {
    area: 'request-jwt',
    breaks:
      'a registration request issued long ago (iat far in the past) or valid for ever (exp 1e20) is accepted, its jti kept that long',
    clause: 'OB DCR data dictionary: iat, exp; RFC 7519 §4.1.4, §4.1.6',
    caughtBy: ['NEG-JWT-15'],
  },
  'redeem-grant-over-foreign-cert': {
    area: 'token',
    breaks:
      "an authorization code or refresh token of a client is redeemed over another organisation's certificate (tokens bound to it)",
    clause: 'RFC 8705 §3; FAPI 1 Advanced §5.2.2',
    caughtBy: ['NEG-BIND-08'],
  },
  'skip-bound-cert-trust': {
    area: 'management',
    breaks:
      'a bound access token is accepted over its certificate after that certificate expired or was revoked (trust judged at the handshake only)',
    clause: 'RFC 8705 §3; RFC 5280 §6.1.3, §6.3',
    caughtBy: ['NEG-MGMT-26'],
  },
} as const satisfies Record<string, Deviation>

export type DeviationName = keyof typeof DEVIATIONS

export function isDeviationName(name: string): name is DeviationName {
  return Object.hasOwn(DEVIATIONS, name)
}

/**
 * The deviations a bank instance runs with; `has()` is the only question rules ask. A profile
 * other than UK OB passes its own registry (`profiles/au_cdr/deviations.ts`) and name type.
 */
export class Deviations<N extends string = DeviationName> {
  private readonly on: ReadonlySet<N>
  constructor(
    names: readonly string[],
    private readonly known: Readonly<Record<string, unknown>> = DEVIATIONS,
  ) {
    for (const n of names) {
      if (!Object.hasOwn(known, n)) {
        throw new Error(`unknown deviation "${n}"; known: ${Object.keys(known).join(', ')}`)
      }
    }
    this.on = new Set(names as N[])
  }
  has(name: N): boolean {
    return this.on.has(name)
  }
  get list(): N[] {
    return [...this.on]
  }
  /** The same deviations plus one (a deviation that implies another, e.g. PUT skipping a POST rule). */
  with(name: N): Deviations<N> {
    return new Deviations<N>([...this.on, name], this.known)
  }
}
