/**
 * The UK profile's named deviations of area `discovery` (the registry is assembled in index.ts).
 * The discovery document. Rules: `actions/discovery.ts`. Caught by FMT-06
 * (`tests/negative/format.spec.ts`); unit tests: `mock-aspsp/test/errors_and_discovery.test.ts`.
 */
import type { Deviation } from './index.ts'

export const DISCOVERY_DEVIATIONS = {
  'discovery-omits-bound-tokens-flag': {
    area: 'discovery',
    breaks: 'discovery does not advertise tls_client_certificate_bound_access_tokens',
    clause: 'RFC 8705 §3.3',
    caughtBy: ['FMT-06'],
    refs: ['RFC8705-3.3'],
  },
} as const satisfies Record<string, Deviation>
