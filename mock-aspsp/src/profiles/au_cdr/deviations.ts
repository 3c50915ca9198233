/**
 * The named deviations of the AU CDR profile: each breaks exactly one rule of the strict Data
 * Holder or the mock CDR Register, the way a real one might, and names the AU tests that must
 * catch it (`caughtBy`). Switched on like the UK ones: `--profile au-cdr --deviation <name>` or
 * `OB_MOCK_DEVIATIONS`. Rules the AU profile takes from the shared machinery (mutual TLS, client
 * assertions, bearer tokens, the error handler) keep the shared deviation's name, here with the AU
 * tests that guard them.
 */
import type { ProfileDeviation } from '../profile.ts'

export interface CdrDeviation extends ProfileDeviation {
  area:
    | 'transport'
    | 'request-jwt'
    | 'ssa'
    | 'metadata'
    | 'management'
    | 'token'
    | 'auth-code'
    | 'error-format'
    | 'register'
    | 'anti-bank'
}

export const CDR_DEVIATIONS = {
  // --- transport (CDS "Transport Security", "Certificate Management") ---
  'no-client-cert-on-register': {
    area: 'transport',
    breaks: 'POST /register works without a client certificate',
    clause: 'CDS Registration endpoints: POST /register over MTLS',
    caughtBy: ['AU-DCR-150'],
    refs: ['CDS-TLS'],
  },
  'accept-untrusted-client-cert': {
    area: 'transport',
    breaks: 'a self-signed client certificate is accepted',
    clause: 'CDS Transport Security: certificates issued by the CDR CA',
    caughtBy: ['AU-DCR-151'],
    refs: ['CDS-TLS'],
  },
  'trust-non-cdr-ca': {
    area: 'transport',
    breaks: 'client certificates of a CA other than the CDR CA (the UK test CA) are trusted',
    clause: 'CDS Transport Security: "MUST NOT trust other CAs"',
    caughtBy: ['AU-DCR-152'],
    refs: ['CDS-TLS'],
  },
  'accept-expired-client-cert': {
    area: 'transport',
    breaks: 'an expired client certificate is accepted',
    clause: 'CDS Certificate Management: validity; RFC 5280 §6.1.3',
    caughtBy: ['AU-DCR-153'],
    refs: ['CDS-CERTS'],
  },
  'skip-client-eku-check': {
    area: 'transport',
    breaks: 'a server certificate (no clientAuth EKU) is accepted as a client certificate',
    clause: 'CDS Certificate Management: key usage; RFC 5280 §4.2.1.12',
    caughtBy: ['AU-DCR-154'],
    refs: ['CDS-CERTS'],
  },
  'skip-client-cert-revocation': {
    area: 'transport',
    breaks: 'a client certificate revoked in the CDR CA CRL is accepted',
    clause: 'CDS Certificate Management: revocation checking',
    caughtBy: ['AU-DCR-155'],
    refs: ['CDS-CERTS'],
  },
  'allow-legacy-tls': {
    area: 'transport',
    breaks: 'the listener accepts TLS 1.0 and 1.1',
    clause: 'CDS Transport Security: TLS 1.2 or later',
    caughtBy: ['AU-DCR-156'],
    refs: ['RFC8996'],
  },
  'allow-non-fapi-cipher': {
    area: 'transport',
    breaks: 'the listener negotiates a TLS 1.2 cipher suite outside the FAPI list',
    clause: 'CDS Transport Security (cipher suites); FAPI 1 Advanced §8.5',
    caughtBy: ['AU-DCR-156'],
    refs: ['CDS-TLS'],
  },
  // --- the registration request JWT (CDS "Registration Request using JWT") ---
  'accept-any-request-content-type': {
    area: 'request-jwt',
    breaks: 'a registration body of another media type than application/jwt is read as a JWT',
    clause: 'CDS Registration Request: "using the application/jwt content type"',
    caughtBy: ['AU-DCR-030'],
    refs: ['CDS-REG-REQ'],
  },
  'crash-on-malformed-jws': {
    area: 'request-jwt',
    breaks: 'an empty or malformed registration request or software statement answers 500 instead of 400',
    clause: 'RFC 7591 §3.2.2; CDS Registration Errors',
    caughtBy: ['AU-DCR-031', 'AU-DCR-042'],
    refs: ['CDS-REG-REQ', 'CDS-SSA'],
  },
  'skip-request-signature': {
    area: 'request-jwt',
    breaks: "the registration request signature is not verified against the SSA's jwks_uri",
    clause: 'CDS Registration Validation: "verified against the associated JWK published by the Data Recipient"',
    caughtBy: ['AU-DCR-032', 'AU-DCR-050'],
    refs: ['CDS-REG-VAL'],
  },
  'trust-embedded-key-header': {
    area: 'request-jwt',
    breaks: "a registration request is verified with a jwk in its own header, not with the SSA's jwks_uri",
    clause: 'CDS Registration Validation (the key comes from the jwks_uri extracted from the SSA)',
    caughtBy: ['AU-DCR-076'],
    refs: ['CDS-REG-VAL'],
  },
  'accept-rs256-request': {
    area: 'request-jwt',
    breaks: 'a registration request signed RS256 is accepted',
    clause: 'CDS Registration Request: FAPI 1 Advanced §8.6 algorithms (PS256, ES256)',
    caughtBy: ['AU-DCR-033'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-expired-request': {
    area: 'request-jwt',
    breaks: 'a registration request whose exp has passed is accepted',
    clause: 'CDS Registration Validation: validated in accordance with [JWT] (RFC 7519 §4.1.4)',
    caughtBy: ['AU-DCR-034'],
    refs: ['CDS-REG-VAL'],
  },
  'accept-missing-request-claims': {
    area: 'request-jwt',
    breaks: 'a registration request without iat, exp or jti is accepted',
    clause: 'CDS Registration Request: iss, iat, exp, jti, aud Required',
    caughtBy: ['AU-DCR-035'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-future-iat': {
    area: 'request-jwt',
    breaks: 'a registration request issued in the future is accepted',
    clause: 'RFC 7519 §4.1.6; CDS Registration Validation',
    caughtBy: ['AU-DCR-036'],
    refs: ['CDS-REG-VAL'],
  },
  'ignore-request-aud': {
    area: 'request-jwt',
    breaks: "the request aud need not be the Data Holder's issuer",
    clause: 'CDS Registration Request: aud "Contains the DH issuer value"',
    caughtBy: ['AU-DCR-037', 'AU-DCR-038'],
    refs: ['CDS-REG-REQ'],
  },
  'skip-iss-software-id-match': {
    area: 'request-jwt',
    breaks: "the request iss need not be the SSA's software_id",
    clause: 'CDS Registration Request: iss is the Software Product ID',
    caughtBy: ['AU-DCR-039'],
    refs: ['CDS-REG-REQ'],
  },
  'ignore-request-jti-replay': {
    area: 'request-jwt',
    breaks: 'a registration request jti may be replayed',
    clause: 'CDS Registration Request: jti "used to prevent reuse of the token"',
    caughtBy: ['AU-DCR-040'],
    refs: ['CDS-REG-REQ'],
  },
  // --- the software statement (CDS "Software Statement Assertion") ---
  'accept-missing-ssa': {
    area: 'ssa',
    breaks: 'a registration (POST or PUT) without software_statement is accepted',
    clause: 'CDS Registration Request: software_statement Required; "POST and PUT operations MUST accept the SSA"',
    caughtBy: ['AU-DCR-041', 'AU-DCR-088'],
    refs: ['CDS-REG-REQ', 'CDS-REG-MGMT'],
  },
  'skip-ssa-signature': {
    area: 'ssa',
    breaks: 'the SSA signature is not verified',
    clause: 'CDS Registration Validation: "SSA JWT signatures MUST be verified against the CDR Register JWKS"',
    caughtBy: ['AU-DCR-043'],
    refs: ['CDS-REG-VAL'],
  },
  'trust-any-ssa-signer': {
    area: 'ssa',
    breaks: 'an SSA signed by a key the CDR Register does not publish is accepted',
    clause: 'CDS Registration Validation (Register JWKS); CDS SSA: "MUST NOT register ... unless ... a verified SSA"',
    caughtBy: ['AU-DCR-044', 'AU-DCR-160'],
    refs: ['CDS-REG-VAL'],
  },
  'trust-any-ssa-issuer': {
    area: 'ssa',
    breaks: 'an SSA whose iss is not cdr-register is accepted',
    clause: 'CDS SSA Definition: iss "Value: cdr-register"',
    caughtBy: ['AU-DCR-045'],
    refs: ['CDS-SSA'],
  },
  'accept-unsigned-ssa': {
    area: 'ssa',
    breaks: 'an SSA with alg none or RS256 is accepted',
    clause: 'CDS SSA: "SSAs are signed by the CDR Register using PS256"',
    caughtBy: ['AU-DCR-046'],
    refs: ['CDS-SSA'],
  },
  'accept-expired-ssa': {
    area: 'ssa',
    breaks: 'a software statement whose exp has passed is accepted',
    clause: 'CDS SSA: "issued with a 10 minute expiry time"; RFC 7519 §4.1.4',
    caughtBy: ['AU-DCR-047'],
    refs: ['CDS-SSA'],
  },
  'accept-incomplete-ssa': {
    area: 'ssa',
    breaks: 'a software statement lacking a required claim (redirect_uris, jwks_uri, revocation_uri, ...) is accepted',
    clause: 'CDS SSA Definition: required claims',
    caughtBy: ['AU-DCR-048', 'AU-DCR-049'],
    refs: ['CDS-SSA'],
  },
  'accept-wrong-software-roles': {
    area: 'ssa',
    breaks: 'an SSA whose software_roles is not data-recipient-software-product is accepted',
    clause: 'CDS SSA Definition: software_roles "data-recipient-software-product"',
    caughtBy: ['AU-DCR-051'],
    refs: ['CDS-SSA'],
  },
  'keep-unsupported-ssa-scopes': {
    area: 'ssa',
    breaks: 'SSA scopes the Data Holder does not support are registered instead of ignored',
    clause: 'CDS Registration Validation: "MUST ignore unsupported authorisation scopes presented in the SSA"',
    caughtBy: ['AU-DCR-018'],
    refs: ['CDS-REG-VAL'],
  },
  'scope-from-request': {
    area: 'ssa',
    breaks: 'a scope claim of the registration request replaces the scope of the SSA',
    clause: 'CDS SSA: scope is SSA metadata; "Any additional claims MUST be ignored"',
    caughtBy: ['AU-DCR-018'],
    refs: ['CDS-REG-VAL'],
  },
  // --- client metadata (CDS "Registration Request using JWT", DCR API RegistrationProperties) ---
  'skip-redirect-subset-check': {
    area: 'metadata',
    breaks: "redirect_uris need not be among the SSA's redirect_uris",
    clause:
      'CDS Registration Request: redirect_uris "MUST match or be a subset of the redirect_uris as defined in the SSA"',
    caughtBy: ['AU-DCR-052', 'AU-DCR-053'],
    refs: ['CDS-REG-REQ'],
  },
  'skip-required-metadata': {
    area: 'metadata',
    breaks:
      'a request without token_endpoint_auth_method, grant_types, response_types or id_token_signed_response_alg is accepted',
    clause: 'CDS Registration Request: Required claims',
    caughtBy: ['AU-DCR-054', 'AU-DCR-058', 'AU-DCR-060', 'AU-DCR-063'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-unknown-auth-method': {
    area: 'metadata',
    breaks: 'a token_endpoint_auth_method other than private_key_jwt is registered',
    clause: 'CDS Client Authentication: private_key_jwt only; tls_client_auth SHALL NOT be supported',
    caughtBy: ['AU-DCR-055'],
    refs: ['CDS-CLIENT-AUTH'],
  },
  'skip-signing-alg-required': {
    area: 'metadata',
    breaks: 'a request without token_endpoint_auth_signing_alg is accepted',
    clause: 'CDS Registration Request: token_endpoint_auth_signing_alg Required',
    caughtBy: ['AU-DCR-056'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-weak-signing-alg': {
    area: 'metadata',
    breaks: 'token_endpoint_auth_signing_alg RS256 / HS256 is registered',
    clause: 'CDS DCR API: token_endpoint_auth_signing_alg enum PS256, ES256',
    caughtBy: ['AU-DCR-057'],
    refs: ['CDS-DCR-API'],
  },
  'accept-unknown-grant-type': {
    area: 'metadata',
    breaks:
      'grant_types outside client_credentials / authorization_code / refresh_token, or without authorization_code, are registered',
    clause: 'CDS Registration Request: grant_types supported values; RFC 7591 §2.1 (code needs authorization_code)',
    caughtBy: ['AU-DCR-059'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-hybrid-response-type': {
    area: 'metadata',
    breaks: 'response_types other than code (the retired Hybrid Flow code id_token) are registered',
    clause: 'CDS Authentication Flows: ACF only (Hybrid retired, CDS 1.33)',
    caughtBy: ['AU-DCR-061'],
    refs: ['CDS-FLOWS'],
  },
  'accept-unknown-application-type': {
    area: 'metadata',
    breaks: 'an application_type other than web is registered',
    clause: 'CDS Registration Request: application_type "The only supported application type will be web"',
    caughtBy: ['AU-DCR-062'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-weak-id-token-alg': {
    area: 'metadata',
    breaks: 'id_token_signed_response_alg RS256 / none is registered',
    clause: 'CDS DCR API: id_token_signed_response_alg enum PS256, ES256',
    caughtBy: ['AU-DCR-064'],
    refs: ['CDS-DCR-API'],
  },
  'accept-weak-request-object-alg': {
    area: 'metadata',
    breaks: 'request_object_signing_alg RS256 / none is registered',
    clause: 'CDS DCR API: request_object_signing_alg enum PS256, ES256',
    caughtBy: ['AU-DCR-065'],
    refs: ['CDS-DCR-API'],
  },
  'no-request-object-alg-default': {
    area: 'metadata',
    breaks: 'a registration without request_object_signing_alg is answered without one',
    clause: 'CDS Registration Request: "data holders are expected to respond with an appropriate default value"',
    caughtBy: ['AU-DCR-012'],
    refs: ['CDS-REG-REQ', 'CDS-DCR-API'],
  },
  'skip-jarm-alg-required': {
    area: 'metadata',
    breaks: 'a request registering response type code without authorization_signed_response_alg is accepted',
    clause:
      'CDS Registration Request: authorization_signed_response_alg "Required if response_type of code is registered"',
    caughtBy: ['AU-DCR-066'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-weak-jarm-alg': {
    area: 'metadata',
    breaks: 'authorization_signed_response_alg none / RS256 is registered',
    clause:
      'CDS Registration Request: authorization_signed_response_alg ("The algorithm none is not allowed"; PS256, ES256)',
    caughtBy: ['AU-DCR-067'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-id-token-encryption-with-code': {
    area: 'metadata',
    breaks: 'id_token_encrypted_response_alg / _enc are registered with response type code',
    clause: 'CDS Registration Request: id_token encryption "SHALL NOT be used for Authorization Code Flow"',
    caughtBy: ['AU-DCR-068', 'AU-DCR-069'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-jarm-enc-without-alg': {
    area: 'metadata',
    breaks: 'authorization_encrypted_response_enc is registered without authorization_encrypted_response_alg',
    clause: 'CDS Registration Request: authorization_encrypted_response_alg "Required if ..._enc is included"',
    caughtBy: ['AU-DCR-070'],
    refs: ['CDS-REG-REQ'],
  },
  'accept-weak-jarm-encryption': {
    area: 'metadata',
    breaks: 'JARM encryption algorithms outside RSA-OAEP / RSA-OAEP-256 and A256GCM / A128CBC-HS256 are registered',
    clause: 'CDS DCR API: authorization_encrypted_response_alg / _enc enums',
    caughtBy: ['AU-DCR-071'],
    refs: ['CDS-DCR-API'],
  },
  'accept-duplicate-registration': {
    area: 'metadata',
    breaks: 'a second active registration for the same software_id is created',
    clause: 'CDS Registration Validation: "MUST NOT allow multiple active registrations for the same software_id"',
    caughtBy: ['AU-DCR-072'],
    refs: ['CDS-REG-VAL'],
  },
  'echo-unknown-claims': {
    area: 'metadata',
    breaks: 'request claims the Data Holder does not support are registered and returned',
    clause: 'CDS Registration Response: "Any additional claims MUST be ignored and not returned"',
    caughtBy: ['AU-DCR-023', 'AU-DCR-075'],
    refs: ['CDS-REG-RESP'],
  },
  'echo-request-claims': {
    area: 'metadata',
    breaks: 'the registration response carries the request JWT claims iss, iat, exp, aud, jti',
    clause: 'CDS Registration Response (client metadata only; RFC 7591 §3.2.1)',
    caughtBy: ['AU-DCR-011'],
    refs: ['CDS-REG-RESP'],
  },
  'modify-software-statement': {
    area: 'metadata',
    breaks: 'the registration response returns a re-encoded software_statement',
    clause: 'CDS Registration Response: "The Software Statement value MUST be returned unmodified"',
    caughtBy: ['AU-DCR-011'],
    refs: ['CDS-REG-RESP'],
  },
  'omit-ssa-metadata': {
    area: 'metadata',
    breaks: 'the registration response leaves out SSA metadata (revocation_uri, recipient_base_uri, org_name, ...)',
    clause:
      'CDS Registration Response: "Client metadata elements used from the software statement MUST also be returned"',
    caughtBy: ['AU-DCR-011'],
    refs: ['CDS-REG-RESP', 'CDS-DCR-API'],
  },
  'jarm-alg-always-ps256': {
    area: 'metadata',
    breaks: 'authorization_signed_response_alg is registered as PS256 whatever the request asks (ES256 is lost)',
    clause: 'CDS Registration Request: authorization_signed_response_alg PS256 or ES256, as the recipient asks (JARM)',
    caughtBy: ['AU-DCR-013'],
    refs: ['CDS-REG-REQ'],
  },
  'jarm-enc-always-a256gcm': {
    area: 'metadata',
    breaks:
      'authorization_encrypted_response_enc is registered as A256GCM whatever the request asks (A128CBC-HS256 is lost)',
    clause: 'CDS Registration Request: authorization_encrypted_response_enc A256GCM or A128CBC-HS256',
    caughtBy: ['AU-DCR-014'],
    refs: ['CDS-REG-REQ'],
  },
  'no-jarm-enc-default': {
    area: 'metadata',
    breaks: 'authorization_encrypted_response_alg without _enc is registered with no enc instead of A128CBC-HS256',
    clause:
      'CDS Registration Request: authorization_encrypted_response_enc "If authorization_encrypted_response_alg is specified, the default for this value is A128CBC-HS256"',
    caughtBy: ['AU-DCR-015'],
    refs: ['CDS-REG-REQ'],
  },
  'default-id-token-encryption': {
    area: 'metadata',
    breaks:
      'a registration that asks no ID token encryption is answered with id_token_encrypted_response_alg RSA-OAEP and _enc A256GCM (the retired Hybrid Flow defaults)',
    clause:
      'CDS Registration Request: id_token_encrypted_response_alg / _enc only for the Hybrid Flow; "SHALL NOT" with response type code',
    caughtBy: ['AU-DCR-016'],
    refs: ['CDS-REG-REQ'],
  },
  'refuse-localhost-redirect': {
    area: 'metadata',
    breaks: 'a localhost redirect URI the SSA holds is refused (400 invalid_redirect_uri), on POST and on PUT',
    clause:
      'CDS Registration Request: redirect_uris "MUST match or be a subset of" the SSA\'s (the Register vets them; no rule against localhost)',
    caughtBy: ['AU-DCR-017', 'AU-DCR-022'],
    refs: ['CDS-REG-RESP', 'CDS-REG-MGMT'],
  },
  // --- registration management (CDS "Registration Management") ---
  'get-omits-software-statement': {
    area: 'management',
    breaks: 'GET /register/{ClientId} answers the registration without its software_statement',
    clause: 'CDS DCR API GET: RegistrationProperties (software_statement required, returned unmodified)',
    caughtBy: ['AU-DCR-019'],
    refs: ['CDS-REG-RESP', 'CDS-DCR-API'],
  },
  'put-ignores-update': {
    area: 'management',
    breaks: 'PUT answers 200 with the registration as it was: the update is not applied',
    clause: 'CDS Registration Management: PUT updates the registration; RFC 7592 §2.2',
    caughtBy: ['AU-DCR-020'],
    refs: ['CDS-REG-MGMT'],
  },
  'unknown-token-400': {
    area: 'management',
    breaks: 'an access token the Data Holder never issued is answered 400 invalid_request instead of 401 invalid_token',
    clause: 'CDS DCR API GET, PUT, DELETE: 401 "invalid access token"; RFC 6750 §3.1 (invalid_token)',
    caughtBy: ['AU-DCR-085'],
    refs: ['CDS-DCR-API', 'RFC6750-3.1'],
  },
  'unknown-client-404': {
    area: 'management',
    breaks: 'an unknown client id answers 404 instead of 401',
    clause: 'CDS DCR API GET/PUT/DELETE: 401 "unknown or invalid Client"',
    caughtBy: ['AU-DCR-081'],
    refs: ['CDS-DCR-API'],
  },
  'accept-foreign-token': {
    area: 'management',
    breaks: "another client's token is accepted on a client's URL",
    clause: 'CDS DCR API: 401 "unknown or invalid Client or invalid access token"',
    caughtBy: ['AU-DCR-082'],
    refs: ['CDS-DCR-API'],
  },
  'skip-registration-scope-check': {
    area: 'management',
    breaks: 'a token without the cdr:registration scope may manage the registration',
    clause: 'CDS Registration endpoints: "MUST validate that the scope of access tokens ... includes cdr:registration"',
    caughtBy: ['AU-DCR-083'],
    refs: ['CDS-REG-MGMT'],
  },
  'accept-expired-access-token': {
    area: 'management',
    breaks: 'an access token past its expiry is accepted on the management endpoints',
    clause: 'RFC 6750 §3.1 (invalid_token)',
    caughtBy: ['AU-DCR-080'],
    refs: ['RFC6750-3.1', 'CDS-DCR-API'],
  },
  'delete-returns-200': {
    area: 'management',
    breaks: 'DELETE answers 200 with a body instead of 204',
    clause: 'CDS DCR API DELETE: 204 "Client deleted"',
    caughtBy: ['AU-DCR-021'],
    refs: ['CDS-DCR-API'],
  },
  'put-skips-validation': {
    area: 'management',
    breaks: 'PUT does not re-validate redirect_uris against the SSA',
    clause: 'CDS PUT Operations (same request as POST); RFC 7592 §2.2',
    caughtBy: ['AU-DCR-087'],
    refs: ['CDS-REG-REQ'],
  },
  'put-accepts-other-software': {
    area: 'management',
    breaks: 'PUT with the SSA of another software product is accepted',
    clause: 'CDS SSA: software_id "will remain the same for the lifetime of the product"',
    caughtBy: ['AU-DCR-089'],
    refs: ['CDS-SSA'],
  },
  'patch-as-put': {
    area: 'management',
    breaks: 'PATCH /register/{ClientId} updates the registration like PUT',
    clause: 'CDS PUT Operations: "Registrations MUST only be updated via a PUT operation"',
    caughtBy: ['AU-DCR-090'],
    refs: ['RFC9110-15.5.6'],
  },
  // --- token endpoint (CDS "Client Authentication", "Tokens") ---
  'accept-wrong-assertion-aud': {
    area: 'token',
    breaks: 'a client assertion whose aud is another server is accepted',
    clause: 'CDS Client Authentication: aud the issuer or the endpoint URL; RFC 7523 §3 item 3',
    caughtBy: ['AU-DCR-102'],
    refs: ['CDS-CLIENT-AUTH'],
  },
  'skip-assertion-sub-check': {
    area: 'token',
    breaks: 'a client assertion whose sub is not the client_id is accepted',
    clause: 'CDS Client Authentication: iss and sub are the client_id',
    caughtBy: ['AU-DCR-103'],
    refs: ['CDS-CLIENT-AUTH'],
  },
  'accept-expired-assertion': {
    area: 'token',
    breaks: 'a client assertion whose exp has passed is accepted',
    clause: 'CDS Client Authentication: exp; RFC 7523 §3 item 4',
    caughtBy: ['AU-DCR-104'],
    refs: ['CDS-CLIENT-AUTH'],
  },
  'accept-replayed-assertion': {
    area: 'token',
    breaks: 'a client assertion jti may be used twice',
    clause: 'CDS Client Authentication: jti "used only once"',
    caughtBy: ['AU-DCR-105'],
    refs: ['CDS-CLIENT-AUTH'],
  },
  'accept-rs256-assertion': {
    area: 'token',
    breaks: 'a client assertion signed RS256 is accepted',
    clause: 'CDS Client Authentication: PS256 or ES256 (FAPI 1 Advanced §8.6)',
    caughtBy: ['AU-DCR-106'],
    refs: ['CDS-CLIENT-AUTH'],
  },
  'grant-unrequested-scope': {
    area: 'token',
    breaks: 'a client credentials token is granted for a data scope (bank:accounts.basic:read)',
    clause:
      'CDS Tokens / Registration Management: client credentials for cdr:registration; RFC 6749 §5.2 invalid_scope',
    caughtBy: ['AU-DCR-107'],
    refs: ['CDS-TOKENS'],
  },
  'long-lived-access-tokens': {
    area: 'token',
    breaks: 'access tokens live an hour instead of 2 to 10 minutes',
    clause:
      'CDS Tokens: "Access Tokens MUST expire between 2 minutes and 10 minutes after the Data Holder issues them"',
    caughtBy: ['AU-DCR-100'],
    refs: ['CDS-TOKENS'],
  },
  'unbound-tokens': {
    area: 'token',
    breaks: 'access tokens are not bound to the client certificate (no cnf, no check)',
    clause: 'CDS Transport Security: MTLS is the holder of key mechanism (RFC 8705 §3)',
    caughtBy: ['AU-DCR-086', 'AU-DCR-109'],
    refs: ['CDS-DCR-API', 'CDS-TLS'],
  },
  // --- authorization code flow (CDS "Authentication Flows", "Request Object", PAR) ---
  'allow-authorize-without-par': {
    area: 'auth-code',
    breaks: 'the authorisation endpoint accepts a request object by value instead of a pushed request_uri',
    clause: 'CDS PAR: require_pushed_authorization_requests; "MUST reject ... request parameter"',
    caughtBy: ['AU-DCR-122'],
    refs: ['CDS-PAR'],
  },
  'accept-par-reuse': {
    area: 'auth-code',
    breaks: 'a request_uri may start a second authorisation',
    clause: 'CDS PAR: "Data Holders MUST reject the reuse of request_uri values"',
    caughtBy: ['AU-DCR-123'],
    refs: ['CDS-PAR'],
  },
  'unsigned-authorization-response': {
    area: 'auth-code',
    breaks: 'the authorisation response is sent as plain query parameters, not as a signed JARM response',
    clause: 'CDS Authentication Flows: JARM is mandatory for ACF',
    caughtBy: ['AU-DCR-120'],
    refs: ['CDS-FLOWS'],
  },
  'plain-jarm-when-encryption-registered': {
    area: 'auth-code',
    breaks: 'the JARM response is only signed although the client registered authorization_encrypted_response_alg',
    clause: 'CDS Authentication Flows (JARM); JARM §2.3 (signed and then encrypted)',
    caughtBy: ['AU-DCR-121'],
    refs: ['CDS-FLOWS'],
  },
  'skip-pkce-check': {
    area: 'auth-code',
    breaks: 'the token endpoint does not verify code_verifier against the code_challenge',
    clause: 'CDS Authentication Flows: PKCE S256 mandatory; RFC 7636 §4.6',
    caughtBy: ['AU-DCR-124'],
    refs: ['RFC7636-4.6'],
  },
  'accept-code-reuse': {
    area: 'auth-code',
    breaks: 'an authorization code may be redeemed more than once',
    clause: 'RFC 6749 §4.1.2',
    caughtBy: ['AU-DCR-125'],
    refs: ['RFC6749-4.1.2'],
  },
  'accept-long-lived-request-object': {
    area: 'auth-code',
    breaks: 'a request object without nbf, or living more than 60 minutes from nbf to exp, is accepted',
    clause: 'CDS Request Object: nbf and exp "no longer than 60 minutes after nbf"',
    caughtBy: ['AU-DCR-126'],
    refs: ['CDS-REQ-OBJ'],
  },
  'accept-expired-request-object': {
    area: 'auth-code',
    breaks: 'a pushed request object whose exp has passed is accepted',
    clause: 'CDS Request Object; RFC 9101 §6.3',
    caughtBy: ['AU-DCR-127'],
    refs: ['CDS-REQ-OBJ'],
  },
  // --- error format ---
  'error-not-json': {
    area: 'error-format',
    breaks: 'registration errors are sent as text/plain, not JSON',
    clause: 'CDS DCR API: 400 RegistrationError application/json',
    caughtBy: ['AU-DCR-140'],
    refs: ['CDS-REG-ERR', 'CDS-DCR-API'],
  },
  'wrong-error-code': {
    area: 'error-format',
    breaks: 'every registration error uses the code invalid_request',
    clause: 'CDS DCR API RegistrationError: error enum',
    caughtBy: ['AU-DCR-140'],
    refs: ['CDS-REG-ERR'],
  },
  'missing-no-store': {
    area: 'error-format',
    breaks: 'registration and token answers lack Cache-Control: no-store',
    clause: 'RFC 6749 §5.1; RFC 7591 §3.2.1',
    caughtBy: ['AU-DCR-141'],
    refs: ['RFC7591-3.2.1', 'RFC6749-5.1'],
  },
  'missing-www-authenticate': {
    area: 'error-format',
    breaks: '401 answers of the registration management API lack WWW-Authenticate',
    clause: 'CDS DCR API 401: WWW-Authenticate per RFC 6750',
    caughtBy: ['AU-DCR-084', 'AU-DCR-142'],
    refs: ['RFC6750-3'],
  },
  // --- found by the AU security review (mock-aspsp/test/au_security_review.test.ts) ---
  'accept-assertion-over-foreign-cert': {
    area: 'token',
    breaks:
      "a client's assertion is accepted over another recipient's (trusted) client certificate: the token is bound to that certificate",
    clause:
      "CDS Certificate Management: the client certificate is the software product's (CN = product name, O = brand name); CDS Transport Security: MTLS holder of key",
    caughtBy: ['AU-DCR-170'],
    refs: ['CDS-CERTS'],
  },
  'redeem-grant-over-foreign-cert': {
    area: 'auth-code',
    breaks:
      "an authorisation code or refresh token of a client is redeemed over another recipient's client certificate",
    clause: 'CDS Certificate Management; RFC 8705 §3 (the tokens are bound to the certificate presented)',
    caughtBy: ['AU-DCR-170'],
    refs: ['CDS-CERTS'],
  },
  'rotate-refresh-tokens': {
    area: 'token',
    breaks: 'each refresh issues a new refresh token and revokes the one presented (rotation)',
    clause: 'CDS Tokens, Refresh Token: "Data Holders MUST NOT cycle refresh tokens (rotation)"',
    caughtBy: ['AU-DCR-171'],
    refs: ['CDS-TOKENS'],
  },
  'accept-unbounded-request-lifetime': {
    area: 'request-jwt',
    breaks:
      'a registration request issued long ago (iat negative) or valid for ever (exp 1e20) is accepted, its jti kept that long',
    clause: 'CDS Registration Request using JWT (iat, exp); RFC 7519 §4.1.4, §4.1.6',
    caughtBy: ['AU-DCR-172'],
    refs: ['CDS-REG-REQ'],
  },
  // --- found by the second AU security review (mock-aspsp/test/au_security_review_r2.test.ts) ---
  'introspect-access-tokens': {
    area: 'token',
    breaks: "/introspect answers for the client's access tokens (active: true), not only its refresh tokens",
    clause:
      'CDS Tokens, Token Introspection End Point: "Introspection of Access Tokens and ID Tokens MUST NOT be supported"',
    caughtBy: ['AU-DCR-173'],
    refs: ['CDS-TOKENS'],
  },
  'ignore-sharing-duration': {
    area: 'auth-code',
    breaks:
      'claims.sharing_duration is ignored: every authorisation, once-off ones too, gets a 90-day refresh token, and a negative duration is accepted',
    clause:
      'CDS Request Object, Requesting Sharing Duration: zero or absent, "only an Access Token (without a Refresh Token)"; negative, the authorisation SHOULD fail',
    caughtBy: ['AU-DCR-174'],
    refs: ['CDS-REQ-OBJ'],
  },
  'ignore-cdr-arrangement-id': {
    area: 'auth-code',
    breaks:
      "claims.cdr_arrangement_id is ignored: an unknown or another client's arrangement id is accepted at PAR and a new arrangement opened",
    clause:
      'CDS Request Object, Specifying an existing arrangement: "If the cdr_arrangement_id is not recognised by the Data Holder it MUST be rejected"',
    caughtBy: ['AU-DCR-175'],
    refs: ['CDS-REQ-OBJ'],
  },
  // --- the mock CDR Register ---
  'register-ignores-status': {
    area: 'register',
    breaks: 'the Register issues SSAs to recipients, brands and software products that are not active',
    clause:
      'CDS SSA: "The CDR Register MUST issue Software Statements to active Data Recipients for active Software Products"',
    caughtBy: ['AU-DCR-008'],
    refs: ['CDS-REGISTER-API'],
  },
  'register-skips-version-check': {
    area: 'register',
    breaks: 'the Register answers GetSoftwareStatementAssertion without a valid x-v, or in an unsupported version',
    clause: 'CDS Register API: x-v required; 406 when no requested version is supported',
    caughtBy: ['AU-DCR-006'],
    refs: ['CDS-REGISTER-API'],
  },
  'register-any-product': {
    area: 'register',
    breaks: "a Register token of one software product gets another product's SSA",
    clause: "CDS Register API: 404 Invalid Software Product (the token is the product's)",
    caughtBy: ['AU-DCR-007'],
    refs: ['CDS-REGISTER-API'],
  },
  'register-unbound-tokens': {
    area: 'register',
    breaks: 'the Register accepts its access token over another client certificate',
    clause: 'CDS Register API: MTLS, holder of key (RFC 8705 §3)',
    caughtBy: ['AU-DCR-005'],
    refs: ['RFC8705-3'],
  },
  'register-long-lived-ssa': {
    area: 'register',
    breaks: 'the Register issues SSAs that live a day instead of 10 minutes',
    clause: 'CDS SSA: "issued with a 10 minute expiry time"',
    caughtBy: ['AU-DCR-002'],
    refs: ['CDS-SSA'],
  },
  'register-accepts-any-industry': {
    area: 'register',
    breaks: 'GetSoftwareStatementAssertion answers for an industry other than all (banking, energy)',
    clause: 'CDS Register API v4: industry IndustryEnumRecipients (all); 400 for an invalid path parameter',
    caughtBy: ['AU-DCR-143'],
    refs: ['CDS-REGISTER-API'],
  },
  'register-errors-not-cds': {
    area: 'register',
    breaks: 'Register errors are answered as { error, error_description } instead of the CDS error list',
    clause: 'CDS Register API: ResponseErrorListV2',
    caughtBy: ['AU-DCR-143'],
    refs: ['CDS-REGISTER-API'],
  },
  'register-skips-cert-cn-check': {
    area: 'register',
    breaks: 'the Register token endpoint accepts a client certificate of another software product',
    clause: 'CDS Register: client certificate CN = software product name (CDS Certificate Management)',
    caughtBy: ['AU-DCR-009'],
    refs: ['CDS-CERTS'],
  },
  // --- anti-banks (the self-test requires that they pass no refusal test) ---
  // Each refuses as a real Data Holder would (the CDS error shape, a plausible code and description,
  // nothing naming the deviation): a test can tell it from a genuine refusal only by its control.
  // The areas of `passesNone` and `mayPass` are the AU tests' (scripts/sensitivity.ts AU_AREAS, read
  // from their tags); a `mayPass` key is an AU test id or such an area.
  'refuse-every-registration': {
    area: 'anti-bank',
    breaks: 'every POST /register is refused with 400 invalid_client_metadata (CDS RegistrationError), valid or not',
    clause:
      'CDS Registration Validation (a valid request from an active software product is registered); the anti-bank proves AU refusal tests need their control',
    caughtBy: [],
    refs: [],
    passesNone: ['@negative'],
    refuses: ['POST /register'],
    mayPass: {
      'AU-REGISTER':
        "a refusal of the mock CDR Register's API (SSAs, its tokens, version negotiation, its error list): its verdict rests on the Register, which this bank answers for real, and it registers nothing",
      'AU-DCR-156':
        "checks the TLS policy of the Data Holder's hosts by handshakes alone (with a handshake that must complete), and registers nothing",
    },
  },
  'refuse-every-token-request': {
    area: 'anti-bank',
    breaks: 'every POST /token of the Data Holder is refused with 400 invalid_client, valid or not',
    clause: 'CDS Client Authentication, Tokens (a registered recipient with a valid assertion gets a token)',
    caughtBy: [],
    refs: [],
    passesNone: ['@token @negative', '@management @negative'],
    refuses: ['POST /token'],
  },
  'refuse-every-management-call': {
    area: 'anti-bank',
    breaks:
      'every GET, PUT and DELETE /register/{ClientId} is answered 401 invalid_token with a Bearer challenge, whatever the token',
    clause: 'CDS Registration Management (the client with its cdr:registration token reads, updates, deletes)',
    caughtBy: [],
    refs: [],
    passesNone: ['@management @negative'],
    refuses: ['GET /register/{ClientId}', 'PUT /register/{ClientId}', 'DELETE /register/{ClientId}'],
  },
  dead: {
    area: 'anti-bank',
    breaks: 'the listener accepts each TCP connection and closes it at once: nothing is ever answered',
    clause: 'none: a Data Holder that is down; no AU test may pass against it',
    caughtBy: [],
    refs: [],
    passesNone: ['*'],
    refuses: [],
  },
} as const satisfies Record<string, CdrDeviation>

export type CdrDeviationName = keyof typeof CDR_DEVIATIONS

/**
 * The reference behaviours (fixtures/catalogue/cdr_behaviours.ts) that no AU deviation can prove,
 * with the reason: the coverage report and the sensitivity report show it in place of the
 * deviations caught at a test of the behaviour, and a full self-test requires every other
 * behaviour to be proven.
 */
export const CDR_UNBREAKABLE_BEHAVIOURS: Readonly<Record<string, string>> = {
  'CDR-B29':
    "a Data Holder's choice, not a rule: CDS sets none on the hosts of the SSA's redirect URIs (WSO2 refuses them on several hosts, the ACCC accepts); AU-DCR-073 checks the answer the target declares (policies.ssaRedirectsSameHost)",
}
