/**
 * The UK profile's named deviations of area `error-format` (the registry is assembled in index.ts).
 * The form of error answers: JSON, registered codes, error_description and error_uri, no-store,
 * WWW-Authenticate. Rules: `shared/error_handler.ts`, `shared/no_store.ts`. Caught by FMT
 * (`tests/negative/format.spec.ts`); unit tests: `mock-aspsp/test/errors_and_discovery.test.ts`.
 */
import type { Deviation } from './index.ts'

export const ERROR_FORMAT_DEVIATIONS = {
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
} as const satisfies Record<string, Deviation>
