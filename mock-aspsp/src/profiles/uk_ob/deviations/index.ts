/**
 * Named deviations: each breaks exactly one rule of the strict mock, the way real banks have been
 * seen to. They exist to test the tests: the sensitivity self-test (scripts/sensitivity.ts) runs
 * the tests named in `caughtBy` against a mock with the deviation and counts it caught only when
 * such a test, having passed against the conformant mock in the same run, fails at a check whose
 * spec reference is one of `refs` (OB DCR, RFCs as cited).
 *
 * The anti-banks (area `anti-bank`) break everything of one operation at once: they prove that
 * no test passes whose verdict depends on that operation (`passesNone`).
 *
 * Switch one on with `--deviation <name>` (repeatable) or `OB_MOCK_DEVIATIONS=a,b`.
 */

export interface Deviation {
  /** The area of the rule, for the report. */
  area:
    | 'request-jwt'
    | 'ssa'
    | 'metadata'
    | 'management'
    | 'token'
    | 'transport'
    | 'error-format'
    | 'auth-code'
    | 'discovery'
    | 'anti-bank'
  /** The rule the deviation breaks, in one sentence. */
  breaks: string
  /** The spec clause of that rule. */
  clause: string
  /** Catalogue / scenario ids of the tests that must catch it (none for an anti-bank). */
  caughtBy: readonly string[]
  /**
   * The references of the broken rule as the suite's checks name them in their titles
   * (`... [RFC7591-3.2.2]`), or catalogue ids: a failing check counts as a catch only when its
   * title names one of these.
   */
  refs: readonly string[]
  /**
   * What the mock needs for the rule to apply at all: a spec version (the self-test's banks speak
   * 3.3), management operations switched off. The self-test starts the deviant bank, and a
   * conformant reference beside it, with them.
   */
  needs?: { spec?: '3.1' | '3.2' | '3.3' | '3.4'; disable?: readonly ('get' | 'put' | 'delete')[] }
  /**
   * Anti-banks only: the tests that must not pass against it, by area (the id prefix of the
   * title, `NEG-TOK`), tag (`@negative`), or both (`NEG-TLS @token`).
   */
  passesNone?: readonly string[]
  /**
   * Anti-banks only: the requests it refuses, as reports name them (`POST /token`), and the tests of
   * `passesNone` whose verdict does not rest on them, each with the reason. Such a test may pass,
   * and only when it sent none of those requests (the self-test reads the exchanges it recorded).
   */
  refuses?: readonly string[]
  mayPass?: Readonly<Record<string, string>>
}

/** A reference of the OB DCR response schema or data dictionary row, as each spec version's check names it. */
const perVersion = (row: string) => ['3.1', '3.2', '3.3', '3.4'].map(v => `OBDCR-${v}-${row}`)

export const DEVIATIONS = {
  // --- the registration request JWT ---
  'accept-expired-request': {
    area: 'request-jwt',
    breaks: 'a registration request whose exp has passed is accepted',
    clause: 'OB DCR data dictionary: exp ("must reject requests where the current time is greater than exp")',
    caughtBy: ['NEG-JWT-07', 'DCR-004'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
  'accept-rs256-request': {
    area: 'request-jwt',
    breaks: 'a registration request signed RS256 is accepted',
    clause: 'FAPI 1 Advanced §8.6 (PS256 or ES256 only)',
    caughtBy: ['NEG-JWT-05', 'DCR-004'],
    refs: ['RFC7591-3.2.2', 'FAPI1-ADV-8.6'],
  },
  'skip-request-signature': {
    area: 'request-jwt',
    breaks: 'the registration request signature is not verified',
    clause: 'OB DCR "Of JWS & JWKS"',
    caughtBy: ['NEG-JWT-04', 'NEG-SSA-14'],
    refs: ['RFC7591-3.2.2', 'OBDCR-Of-JWS-and-JWKS'],
  },
  'ignore-request-jti-replay': {
    area: 'request-jwt',
    breaks: 'a registration request jti may be replayed',
    clause: 'OB DCR data dictionary: jti (unique identifier); RFC 7519 §4.1.7',
    caughtBy: ['NEG-JWT-13', 'NEG-MGMT-23'],
    refs: ['RFC7591-3.2.2', 'RFC7592-2.2', 'RFC7519-4.1.7'],
  },
  'skip-iss-software-id-match': {
    area: 'request-jwt',
    breaks: 'the request iss need not equal the SSA software_id',
    clause: 'OB DCR data dictionary: iss ("this must be the software_id")',
    caughtBy: ['NEG-JWT-11'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
  'ignore-request-aud': {
    area: 'request-jwt',
    breaks: 'the request aud is not checked',
    clause: 'OB DCR data dictionary: aud',
    caughtBy: ['NEG-JWT-10'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
  'accept-embedded-key-header': {
    area: 'request-jwt',
    breaks: 'x5c / x5u / jwk / jku in the request JOSE header are accepted',
    clause: 'OB DCR "Of JWS & JWKS" (the key and its URL must not be embedded)',
    caughtBy: ['NEG-JWT-06'],
    refs: ['RFC7591-3.2.2', 'OBDCR-Of-JWS-and-JWKS'],
  },
  'accept-any-request-content-type': {
    area: 'request-jwt',
    breaks: 'a registration body of any media type (e.g. application/json) is read as a JWS',
    clause: 'OB DCR OpenAPI: consumes application/jose (3.2+) or application/jwt (3.1)',
    caughtBy: ['NEG-JWT-01'],
    refs: ['RFC7591-3.2.2', 'RFC9110-15.5.16'],
  },
  'accept-missing-request-claims': {
    area: 'request-jwt',
    breaks: 'a registration request without iat, exp or jti is accepted',
    clause: 'OB OpenAPI OBClientRegistration1: required iss, iat, exp, aud, jti',
    caughtBy: ['NEG-JWT-08'],
    refs: ['RFC7591-3.2.2', 'OBDCR-OBClientRegistration1'],
  },
  'accept-future-iat': {
    area: 'request-jwt',
    breaks: 'a registration request issued in the future (iat beyond clock skew) is accepted',
    clause: 'RFC 7519 §4.1.6',
    caughtBy: ['NEG-JWT-09'],
    refs: ['RFC7591-3.2.2', 'RFC7519-4.1.6'],
  },
  'crash-on-malformed-jws': {
    area: 'request-jwt',
    breaks: 'an empty or malformed registration request or software statement answers 500 instead of 400',
    clause: 'RFC 7591 §3.2.2 (a refused request gets a 400 error response)',
    caughtBy: ['NEG-JWT-02', 'NEG-JWT-03', 'NEG-SSA-03'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-non-uuid-jti': {
    area: 'request-jwt',
    breaks: 'a request jti that is not a UUIDv4 is accepted',
    clause: 'OB DCR data dictionary: jti ("must be a UUIDv4 GUID")',
    caughtBy: ['NEG-JWT-14'],
    refs: ['RFC7591-3.2.2', 'OBDCR-OBClientRegistration1'],
  },
  'skip-iss-check': {
    area: 'request-jwt',
    breaks:
      'the request iss is checked neither for its form (1 to 22 Base62 characters) nor against the SSA software_id',
    clause: 'OB DCR data dictionary: iss; OB OpenAPI OBClientRegistration1: iss pattern ^[0-9a-zA-Z]{1,22}$',
    caughtBy: ['NEG-JWT-12'],
    refs: ['RFC7591-3.2.2', 'OBDCR-OBClientRegistration1'],
  },
  // --- the software statement ---
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
  // --- client metadata ---
  'skip-redirect-subset-check': {
    area: 'metadata',
    breaks: 'redirect_uris need not be among the SSA software_redirect_uris',
    clause: 'OB DCR data dictionary: redirect_uris ("must match or be a subset")',
    caughtBy: ['NEG-META-02', 'NEG-META-03'],
    refs: ['RFC7591-3.2.2', 'OBDCR-redirect_uris'],
  },
  'allow-http-redirect': {
    area: 'metadata',
    breaks: 'an http (not https) redirect URI is accepted',
    clause: 'OB DCR data dictionary: redirect_uris ("MUST use the https scheme")',
    caughtBy: ['NEG-META-06'],
    refs: ['RFC7591-3.2.2', 'OBDCR-redirect_uris'],
  },
  'allow-loopback-redirect': {
    area: 'metadata',
    breaks: 'a localhost / 127.0.0.1 redirect URI is accepted',
    clause: 'OB DCR data dictionary: redirect_uris ("MUST NOT contain a host with a value of localhost")',
    caughtBy: ['NEG-META-06'],
    refs: ['RFC7591-3.2.2', 'OBDCR-redirect_uris'],
  },
  'allow-redirect-fragment': {
    area: 'metadata',
    breaks: 'a redirect URI with a fragment is accepted',
    clause: 'RFC 6749 §3.1.2',
    caughtBy: ['NEG-META-05'],
    refs: ['RFC7591-3.2.2', 'RFC6749-3.1.2'],
  },
  'accept-unknown-auth-method': {
    area: 'metadata',
    breaks: 'an unsupported token_endpoint_auth_method (client_secret_basic, none, foo) is registered',
    clause: 'FAPI 1 Advanced §5.2.2; OB DCR token_endpoint_auth_method',
    caughtBy: ['NEG-META-11'],
    refs: ['RFC7591-3.2.2', 'FAPI1-ADV-5.2.2'],
  },
  'skip-signing-alg-required': {
    area: 'metadata',
    breaks: 'private_key_jwt is registered without token_endpoint_auth_signing_alg',
    clause: 'OB DCR data dictionary: token_endpoint_auth_signing_alg ("Must be specified if ... private_key_jwt")',
    caughtBy: ['NEG-META-12'],
    refs: ['RFC7591-3.2.2', 'RFC7591-3.2.1'],
  },
  'accept-weak-signing-alg': {
    area: 'metadata',
    breaks: 'token_endpoint_auth_signing_alg RS256 / HS256 / none is registered',
    clause: 'FAPI 1 Advanced §8.6',
    caughtBy: ['NEG-META-13'],
    refs: ['RFC7591-3.2.2', 'FAPI1-ADV-8.6'],
  },
  'skip-tls-dn-required': {
    area: 'metadata',
    breaks: 'tls_client_auth is registered without a subject DN',
    clause: 'OB DCR data dictionary: tls_client_auth_subject_dn ("must be set iff ... tls_client_auth")',
    caughtBy: ['NEG-META-16'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
  'accept-unsupported-response-type': {
    area: 'metadata',
    breaks: 'response_types outside code / code id_token are registered',
    clause: 'OB DCR data dictionary: response_types',
    caughtBy: ['NEG-META-23', 'DCR-011'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-unknown-grant-type': {
    area: 'metadata',
    breaks: 'grant_types outside the spec version enum (password, implicit, foo) are registered',
    clause: 'OB DCR data dictionary: grant_types',
    caughtBy: ['NEG-META-21'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-jwks-by-value': {
    area: 'metadata',
    breaks: 'a jwks by value is registered instead of the SSA JWKS',
    clause: 'OB DCR "Of JWS & JWKS"',
    caughtBy: ['NEG-META-26', 'NEG-META-28', 'NEG-META-29', 'NEG-MGMT-15'],
    refs: ['RFC7591-3.2.2', 'RFC7592-2.2', 'OBDCR-Of-JWS-and-JWKS'],
  },
  'request-object-alg-as-array': {
    area: 'metadata',
    breaks: 'the response returns request_object_signing_alg as an array',
    clause: 'OB DCR OpenAPI OBRegistrationProperties1: request_object_signing_alg is a string',
    caughtBy: ['POS-REG-06', 'DCR-005'],
    refs: [...perVersion('OBClientRegistration1')],
  },
  'scope-as-array': {
    area: 'metadata',
    breaks: 'the response returns scope as an array in spec 3.2+',
    clause: 'OB DCR OpenAPI v3.2+: scope is a space-separated string',
    caughtBy: ['POS-REG-06', 'DCR-005'],
    refs: [...perVersion('OBClientRegistration1'), ...perVersion('scope')],
  },
  'echo-request-claims': {
    area: 'metadata',
    breaks: 'the registration response carries the request JWT claims iss, iat, exp, aud, jti',
    clause: 'RFC 7591 §3.2.1 (the response carries client metadata)',
    caughtBy: ['POS-REG-06'],
    refs: ['RFC7591-3.2.1', ...perVersion('OBClientRegistration1')],
  },
  'modify-software-statement': {
    area: 'metadata',
    breaks: 'the registration response returns a re-encoded software_statement',
    clause: 'RFC 7591 §3.2.1 ("MUST be returned unmodified")',
    caughtBy: ['POS-REG-04'],
    refs: ['RFC7591-3.2.1'],
  },
  'register-answers-200': {
    area: 'metadata',
    breaks: 'a successful registration answers 200 instead of 201 Created',
    clause: 'RFC 7591 §3.2.1 ("HTTP 201 Created")',
    caughtBy: ['POS-REG-01'],
    refs: ['RFC7591-3.2.1'],
  },
  'management-uri-without-token': {
    area: 'metadata',
    breaks: 'the registration returns registration_client_uri without a registration_access_token',
    clause: 'RFC 7592 §3 (the two are returned together)',
    caughtBy: ['POS-REG-02'],
    refs: ['RFC7592-3'],
  },
  'client-secret-without-expiry': {
    area: 'metadata',
    breaks: 'a client_secret is issued without client_secret_expires_at',
    clause: 'RFC 7591 §3.2.1 (client_secret_expires_at "REQUIRED if client_secret is issued")',
    caughtBy: ['POS-REG-03'],
    refs: ['RFC7591-3.2.1'],
  },
  'scope-must-start-with-openid': {
    area: 'metadata',
    breaks: 'a scope that does not list openid first is refused',
    clause: 'RFC 6749 §3.3 ("The strings are order-independent"); RFC 7591 §2',
    caughtBy: ['POS-REG-05'],
    refs: ['RFC7591-3.2.1', 'RFC7591-2'],
  },

  'register-unknown-metadata': {
    area: 'metadata',
    breaks: 'metadata members the bank does not know are registered and returned',
    clause: 'RFC 7591 §2 ("MUST ignore any client metadata sent by the client that it does not understand")',
    caughtBy: ['POS-REG-08'],
    refs: ['RFC7591-2'],
  },
  'omit-defaulted-metadata': {
    area: 'metadata',
    breaks: 'the values applied for an omitted response_types or scope are not returned',
    clause: 'RFC 7591 §3.2.1 ("MUST return all registered metadata")',
    caughtBy: ['POS-REG-09'],
    refs: ['RFC7591-3.2.1'],
  },
  'register-first-redirect-uri-only': {
    area: 'metadata',
    breaks: 'only the first of several requested redirect URIs is registered',
    clause: 'OB DCR data dictionary: redirect_uris; RFC 7591 §2',
    caughtBy: ['POS-REG-10'],
    refs: ['OBDCR-redirect_uris'],
  },
  'omitted-redirect-uris-registered-empty': {
    area: 'metadata',
    breaks: "a request without redirect_uris is registered with none, not with the software statement's",
    clause:
      'OB DCR data dictionary: redirect_uris ("the entire contents of the software_redirect_uris element in the SSA are considered to be requested")',
    caughtBy: ['NEG-META-01'],
    refs: ['OBDCR-data-dictionary'],
  },
  'accept-relative-redirect-uri': {
    area: 'metadata',
    breaks: 'a redirect URI that is not an absolute URL (foo, /callback) is accepted when the SSA lists it',
    clause: 'RFC 6749 §3.1.2 ("MUST be an absolute URI")',
    caughtBy: ['NEG-META-04'],
    refs: ['RFC7591-3.2.2', 'RFC6749-3.1.2'],
  },
  'accept-redirect-uris-string': {
    area: 'metadata',
    breaks: 'redirect_uris given as one string (or a comma-separated string) is read as a list',
    clause: 'RFC 7591 §2 (redirect_uris: an array of redirection URI strings)',
    caughtBy: ['NEG-META-07'],
    refs: ['RFC7591-3.2.2'],
  },
  'allow-long-redirect-uri': {
    area: 'metadata',
    breaks: 'a redirect URI longer than 256 characters is accepted',
    clause: 'OB OpenAPI OBRegistrationProperties1: redirect_uris items maxLength 256',
    caughtBy: ['NEG-META-08'],
    refs: ['RFC7591-3.2.2'],
  },
  'default-auth-method': {
    area: 'metadata',
    breaks: 'a request without token_endpoint_auth_method is registered as private_key_jwt',
    clause: 'OB DCR data dictionary: token_endpoint_auth_method 1..1; FAPI 1 Advanced §5.2.2',
    caughtBy: ['NEG-META-10'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-any-id-token-alg': {
    area: 'metadata',
    breaks: 'id_token_signed_response_alg is not validated: missing, null, RS256 or none is accepted',
    clause: 'OB DCR data dictionary: id_token_signed_response_alg 1..1; FAPI 1 Advanced §8.6',
    caughtBy: ['NEG-META-14'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-any-request-object-alg': {
    area: 'metadata',
    breaks:
      'request_object_signing_alg is not validated: missing (no default returned), null, none, RS256 or foo is accepted',
    clause: 'OB DCR data dictionary: request_object_signing_alg; FAPI 1 Advanced §8.6',
    caughtBy: ['NEG-META-15'],
    refs: ['RFC7591-3.2.2', 'RFC7591-3.2.1'],
  },
  'accept-tls-san-metadata': {
    area: 'metadata',
    breaks: 'tls_client_auth_san_dns, _uri, _ip and _email are accepted (and ignored)',
    clause: 'RFC 8705 §2.1.2 (exactly one subject metadata); OB DCR data dictionary: tls_client_auth_subject_dn',
    caughtBy: ['NEG-META-17'],
    refs: ['RFC7591-3.2.2'],
  },
  'skip-subject-dn-syntax': {
    area: 'metadata',
    breaks: "the registered subject DN is not checked for RFC 4514 syntax, its length or the version's pattern",
    clause: 'RFC 4514 §3; OB DCR data dictionary: tls_client_auth_subject_dn',
    caughtBy: ['NEG-META-18'],
    refs: ['RFC7591-3.2.2'],
    // Only 3.4's pattern (the DN starts with CN=) can be broken by a DN that still names the
    // certificate, which a syntax error or an over-long DN never does.
    needs: { spec: '3.4' },
  },
  'register-dn-with-private-key-jwt': {
    area: 'metadata',
    breaks: 'a subject DN sent with private_key_jwt is registered',
    clause:
      'OB DCR data dictionary: tls_client_auth_subject_dn ("must be set if and only if token_endpoint_auth_method is tls_client_auth")',
    caughtBy: ['NEG-META-19'],
    refs: ['RFC7591-2'],
  },
  'default-empty-grant-types': {
    area: 'metadata',
    breaks:
      "a missing or empty grant_types is registered with RFC 7591's default (authorization_code) instead of being refused",
    clause: 'OB DCR data dictionary: grant_types 1..*',
    caughtBy: ['NEG-META-20'],
    refs: ['RFC7591-3.2.2'],
  },

  'skip-grant-response-consistency': {
    area: 'metadata',
    breaks: 'response_types that need the authorization_code grant are registered without it',
    clause: 'RFC 7591 §2.1 (grant_types and response_types must be consistent)',
    caughtBy: ['NEG-META-22'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-any-application-type': {
    area: 'metadata',
    breaks: 'application_type is not validated: missing (no default returned), null or desktop is accepted',
    clause: 'OB DCR data dictionary: application_type (web or mobile); OIDC Registration §2',
    caughtBy: ['NEG-META-24'],
    refs: ['RFC7591-3.2.2', 'RFC7591-3.2.1'],
  },
  'drop-unknown-scope': {
    area: 'metadata',
    breaks: 'a scope the bank does not support is dropped silently and the rest registered',
    clause: 'OB DCR data dictionary: scope (scopes_supported); RFC 7591 §2',
    caughtBy: ['NEG-META-25'],
    refs: ['RFC7591-3.2.2'],
  },

  'accept-foreign-jwks-uri': {
    area: 'metadata',
    breaks: "a jwks_uri other than the software statement's software_jwks_endpoint is accepted (POST and PUT)",
    clause: 'OB DCR "Of JWS & JWKS"',
    caughtBy: ['NEG-META-27', 'NEG-MGMT-14'],
    refs: ['RFC7591-3.2.2', 'RFC7592-2.2'],
  },
  'accept-encryption-metadata': {
    area: 'metadata',
    breaks: 'encryption metadata the bank cannot honour (RSA1_5, an _enc without its _alg) is accepted and ignored',
    clause: 'OIDC Registration §2 (an _enc "MUST" come with its _alg)',
    caughtBy: ['NEG-META-30'],
    refs: ['RFC7591-3.2.2'],
  },
  'coerce-metadata-types': {
    area: 'metadata',
    breaks: 'require_auth_time given as the string "true" and a negative default_max_age are accepted',
    clause: 'OIDC Registration §2 (require_auth_time boolean; default_max_age seconds); RFC 7591 §2',
    caughtBy: ['NEG-META-31'],
    refs: ['RFC7591-3.2.2'],
  },
  'register-unbound-token-flag': {
    area: 'metadata',
    breaks: 'tls_client_certificate_bound_access_tokens false is registered as sent',
    clause: 'RFC 8705 §3.4; FAPI 1 Advanced §5.2.2 (certificate-bound tokens only)',
    caughtBy: ['NEG-META-32'],
    refs: ['RFC7591-2'],
  },
  'accept-http-initiate-login-uri': {
    area: 'metadata',
    breaks: 'an initiate_login_uri that is not https is accepted',
    clause: 'OIDC Registration §2 (initiate_login_uri "MUST use the https scheme")',
    caughtBy: ['NEG-META-34'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-sector-identifier-uri': {
    area: 'metadata',
    breaks: 'a sector_identifier_uri is accepted without fetching it or checking its scheme',
    clause: 'OIDC Registration §5 (the listed redirect_uris, at an https URL)',
    caughtBy: ['NEG-META-35'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-malformed-client-uris': {
    area: 'metadata',
    breaks: 'logo_uri, client_uri, policy_uri and tos_uri are not validated',
    clause: 'OIDC Registration §2 (URLs); RFC 7591 §2',
    caughtBy: ['NEG-META-36'],
    refs: ['RFC7591-3.2.2'],
  },
  'accept-incomplete-ciba': {
    area: 'metadata',
    breaks: 'CIBA metadata is not validated (no delivery mode, push, ping without a notification endpoint)',
    clause: 'OB DCR 3.3+ data dictionary: backchannel_*; FAPI-CIBA §5.2.2',
    caughtBy: ['NEG-META-37'],
    refs: ['RFC7591-3.2.2'],
  },
  // --- client management ---
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
  // --- token endpoint ---
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
  // --- the authorization code flow ---
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
  // --- transport ---
  'no-client-cert-on-register': {
    area: 'transport',
    breaks: 'POST /register works without a client certificate (or with any certificate, trusted or not)',
    clause: 'OB DCR §Authentication ("These APIs rely on TLS Mutual Authentication")',
    caughtBy: ['NEG-TLS-01', 'NEG-TLS-02', 'NEG-TLS-05', 'NEG-TLS-07', 'NEG-TLS-08'],
    refs: ['OBDCR-Authentication', 'RFC8705-2', 'RFC8705-5', 'RFC5280-6.1.3', 'RFC5280-6.3'],
  },
  'accept-untrusted-client-cert': {
    area: 'transport',
    breaks: 'a client certificate that does not chain to a trusted CA (self-signed) is accepted',
    clause: 'RFC 8705 §2; OB DCR §Authentication (mutual TLS with an OB-issued certificate)',
    caughtBy: ['NEG-TLS-02'],
    refs: ['RFC8705-2'],
  },
  'accept-expired-client-cert': {
    area: 'transport',
    breaks: 'an expired client certificate is accepted (registration, token, management)',
    clause: 'RFC 5280 §6.1.3; FAPI 1 Advanced §8.5',
    caughtBy: ['NEG-TLS-05'],
    refs: ['RFC5280-6.1.3'],
  },
  'skip-client-eku-check': {
    area: 'transport',
    breaks:
      'a certificate without the clientAuth extended key usage (a server certificate) is accepted as a client certificate',
    clause: 'RFC 5280 §4.2.1.12; RFC 8705 §2',
    caughtBy: ['NEG-TLS-06'],
    refs: ['RFC5280-4.2.1.12'],
  },
  'skip-client-cert-revocation': {
    area: 'transport',
    breaks: 'a client certificate revoked by its CA (in the CRL) is accepted',
    clause: 'RFC 5280 §6.3; FAPI 1 Advanced §8.5',
    caughtBy: ['NEG-TLS-07'],
    refs: ['RFC5280-6.3'],
  },
  'allow-legacy-tls': {
    area: 'transport',
    breaks: 'the listener accepts TLS 1.0 and 1.1 handshakes',
    clause: 'FAPI 1 Advanced §8.5; RFC 8996 (TLS 1.0 and 1.1 deprecated)',
    caughtBy: ['NEG-TLS-10'],
    refs: ['RFC8996'],
  },
  'allow-non-fapi-cipher': {
    area: 'transport',
    breaks: 'the listener negotiates a TLS 1.2 cipher suite outside the FAPI list (ECDHE-RSA-AES128-SHA256)',
    clause: 'FAPI 1 Advanced §8.5 (TLS 1.2 cipher suites)',
    caughtBy: ['NEG-TLS-10'],
    refs: ['FAPI1-ADV-8.5'],
  },
  'skip-transport-software-match': {
    area: 'transport',
    breaks: 'a transport certificate of another software may register an SSA',
    clause: 'OB transport certificates: CN = software_id',
    caughtBy: ['NEG-TLS-09'],
    refs: ['RFC7591-3.2.2', 'OBDCR-tls_client_auth_subject_dn'],
  },
  // --- error format ---
  'error-not-json': {
    area: 'error-format',
    breaks: 'registration errors are sent as text/plain, not JSON',
    clause: 'RFC 7591 §3.2.2 (application/json error response)',
    caughtBy: ['FMT-01', 'DCR-011'],
    refs: ['RFC7591-3.2.2'],
  },
  'wrong-error-code': {
    area: 'error-format',
    breaks: 'every registration error uses the code invalid_request',
    clause: 'RFC 7591 §3.2.2 (error codes)',
    caughtBy: ['FMT-01', 'NEG-BIND-05'],
    refs: ['RFC7591-3.2.2'],
  },
  'missing-no-store': {
    area: 'error-format',
    breaks: 'token responses and errors lack Cache-Control: no-store',
    clause: 'RFC 6749 §5.1',
    caughtBy: ['FMT-04'],
    refs: ['RFC6749-5.1'],
  },
  'missing-www-authenticate': {
    area: 'error-format',
    breaks: '401 answers of the management API lack WWW-Authenticate',
    clause: 'RFC 6750 §3',
    caughtBy: ['FMT-05', 'NEG-MGMT-01', 'NEG-MGMT-04', 'NEG-BIND-03'],
    refs: ['RFC6750-3'],
  },
  'raw-error-descriptions': {
    area: 'error-format',
    breaks: 'error_description echoes the offending value as sent: control characters, quotes, any length',
    clause: 'RFC 6749 §5.2 (%x20-21 / %x23-5B / %x5D-7E); OB OpenAPI RegistrationError (error_description ≤ 500)',
    caughtBy: ['FMT-02'],
    refs: ['RFC6749-5.2', 'OBDCR-OpenAPI-RegistrationError'],
  },
  'relative-error-uri': {
    area: 'error-format',
    breaks: 'error answers carry a relative error_uri',
    clause: 'RFC 6749 §5.2 (error_uri: a URI)',
    caughtBy: ['FMT-03'],
    refs: ['RFC6749-5.2'],
  },
  // --- discovery ---
  'discovery-omits-bound-tokens-flag': {
    area: 'discovery',
    breaks: 'discovery does not advertise tls_client_certificate_bound_access_tokens',
    clause: 'RFC 8705 §3.3',
    caughtBy: ['FMT-06'],
    refs: ['RFC8705-3.3'],
  },
  // --- found by the security review (catalogue §2.10) ---
  'register-any-subject-dn': {
    area: 'metadata',
    breaks:
      'tls_client_auth_subject_dn is registered (POST and PUT) although it does not identify the certificate presented with the request',
    clause: 'RFC 8705 §2.1.2 (the expected subject DN of the certificate); OB DCR tls_client_auth_subject_dn',
    caughtBy: ['NEG-META-38'],
    refs: ['RFC7591-3.2.2', 'RFC7592-2.2', 'RFC8705-2.1.2'],
  },
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
  'accept-future-ssa-nbf': {
    area: 'ssa',
    breaks: 'a software statement whose nbf lies in the future, or is not a NumericDate, is accepted',
    clause: 'RFC 7519 §4.1.5; RFC 7591 §3.2.2 (invalid_software_statement)',
    caughtBy: ['NEG-SSA-19'],
    refs: ['RFC7591-3.2.2', 'RFC7519-4.1.5'],
  },
  'accept-unbounded-request-lifetime': {
    area: 'request-jwt',
    breaks:
      'a registration request issued long ago (iat far in the past) or valid for ever (exp 1e20) is accepted, its jti kept that long',
    clause: 'OB DCR data dictionary: iat, exp; RFC 7519 §4.1.4, §4.1.6',
    caughtBy: ['NEG-JWT-15'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
  'redeem-grant-over-foreign-cert': {
    area: 'token',
    breaks:
      "an authorization code or refresh token of a client is redeemed over another organisation's certificate (tokens bound to it)",
    clause: 'RFC 8705 §3; FAPI 1 Advanced §5.2.2',
    caughtBy: ['NEG-BIND-08'],
    refs: ['RFC8705-3'],
  },
  'skip-bound-cert-trust': {
    area: 'management',
    breaks:
      'a bound access token is accepted over its certificate after that certificate expired or was revoked (trust judged at the handshake only)',
    clause: 'RFC 8705 §3; RFC 5280 §6.1.3, §6.3',
    caughtBy: ['NEG-MGMT-26'],
    refs: ['RFC8705-3'],
  },
  // --- anti-banks: everything of one operation refused (the self-test requires that nothing passes) ---
  'refuse-every-registration': {
    area: 'anti-bank',
    breaks: 'every POST /register is refused with 400 invalid_client_metadata, valid or not',
    clause: 'RFC 7591 §3.2.1 (a valid request is registered); the anti-bank proves refusal tests need their control',
    caughtBy: [],
    refs: [],
    passesNone: ['@negative'],
    refuses: ['POST /register'],
    mayPass: {
      'NEG-TLS-10':
        "checks the TLS policy of the bank's hosts by handshakes alone (with a handshake control), and registers nothing",
    },
  },
  'refuse-every-token-request': {
    area: 'anti-bank',
    breaks: 'every token request is refused with 400 invalid_client, valid or not',
    clause: 'RFC 6749 §4.4 (a valid client_credentials request gets a token)',
    caughtBy: [],
    refs: [],
    passesNone: ['NEG-TOK', 'NEG-BIND', 'NEG-MGMT', 'NEG-TLS @token'],
    refuses: ['POST /token'],
    mayPass: {
      'NEG-BIND-05':
        'a registration refusal (tls_client_certificate_bound_access_tokens false): its verdict rests on POST /register, which this bank answers for real',
    },
  },
  'refuse-every-management-call': {
    area: 'anti-bank',
    breaks: 'every GET, PUT and DELETE /register/{ClientId} is answered 401 invalid_token, whatever the token',
    clause: 'RFC 7592 §2 (the client configuration endpoint serves a client with its valid token)',
    caughtBy: [],
    refs: [],
    passesNone: ['NEG-MGMT'],
    refuses: ['GET /register/{ClientId}', 'PUT /register/{ClientId}', 'DELETE /register/{ClientId}'],
  },
  dead: {
    area: 'anti-bank',
    breaks: 'the listener accepts each TCP connection and closes it at once: nothing is ever answered',
    clause: 'none: a bank that is down; no test may pass against it',
    caughtBy: [],
    refs: [],
    passesNone: ['@negative'],
    refuses: [],
  },
} as const satisfies Record<string, Deviation>

/**
 * Catalogue ids whose rule cannot be broken in the mock, with the reason (the sensitivity report's
 * catalogue table shows it in place of the deviations that prove the id).
 */
export const UNBREAKABLE: Readonly<Record<string, string>> = {
  'NEG-TOK-06':
    "the one audience the test requires is the one the target file names, and every token request of the suite (the test's own precondition among them) signs its assertion for it: a bank that refused it would leave the test inconclusive, never failed. The other audiences it tries are reported as warnings, by design.",
}

export type DeviationName = keyof typeof DEVIATIONS

/** A deviation's entry, typed as the interface (the registry itself keeps its literal types). */
export const deviation = (name: DeviationName): Deviation => DEVIATIONS[name]

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
