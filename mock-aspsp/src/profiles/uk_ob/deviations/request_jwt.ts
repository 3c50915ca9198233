/**
 * The UK profile's named deviations of area `request-jwt` (the registry is assembled in index.ts).
 * The registration request JWT: its media type, signature, JOSE header and claims (iss, aud, iat,
 * exp, jti). Rules: `../rules/request.ts` (decoding: `shared/signed_inputs.ts`). Caught by NEG-JWT
 * (`tests/negative/request_jwt.spec.ts`, cases in `request_jwt_cases.ts`); unit tests:
 * `mock-aspsp/test/rules_request.test.ts`.
 */
import type { Deviation } from './index.ts'

export const REQUEST_JWT_DEVIATIONS = {
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
  // found by the security review (catalogue §2.10): the registry lists these after every area (index.ts)
  'accept-unbounded-request-lifetime': {
    area: 'request-jwt',
    breaks:
      'a registration request issued long ago (iat far in the past) or valid for ever (exp 1e20) is accepted, its jti kept that long',
    clause: 'OB DCR data dictionary: iat, exp; RFC 7519 §4.1.4, §4.1.6',
    caughtBy: ['NEG-JWT-15'],
    refs: ['RFC7591-3.2.2', 'OBDCR-data-dictionary'],
  },
} as const satisfies Record<string, Deviation>
