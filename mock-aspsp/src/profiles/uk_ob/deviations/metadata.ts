/**
 * The UK profile's named deviations of area `metadata` (the registry is assembled in index.ts).
 * Client metadata and the registration response: redirect URIs, auth methods and algorithms,
 * grant and response types, keys, scope, what the response returns. Rules: `../rules/metadata.ts`
 * and `actions/register.ts` (the response). Caught by NEG-META (`tests/negative/metadata.spec.ts`,
 * cases in `metadata_cases.ts`) and POS-REG (`tests/dcr/registration.spec.ts`); unit tests:
 * `mock-aspsp/test/rules_metadata.test.ts`.
 */
import type { Deviation } from './index.ts'

/** A reference of the OB DCR response schema or data dictionary row, as each spec version's check names it. */
const perVersion = (row: string) => ['3.1', '3.2', '3.3', '3.4'].map(v => `OBDCR-${v}-${row}`)

export const METADATA_DEVIATIONS = {
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
  // found by the security review (catalogue §2.10): the registry lists these after every area (index.ts)
  'register-any-subject-dn': {
    area: 'metadata',
    breaks:
      'tls_client_auth_subject_dn is registered (POST and PUT) although it does not identify the certificate presented with the request',
    clause: 'RFC 8705 §2.1.2 (the expected subject DN of the certificate); OB DCR tls_client_auth_subject_dn',
    caughtBy: ['NEG-META-38'],
    refs: ['RFC7591-3.2.2', 'RFC7592-2.2', 'RFC8705-2.1.2'],
  },
} as const satisfies Record<string, Deviation>
