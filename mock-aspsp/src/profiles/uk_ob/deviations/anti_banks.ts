/**
 * The UK profile's named deviations of area `anti-bank` (the registry is assembled in index.ts).
 * The anti-banks: each refuses everything of one operation (or answers nothing), so that the
 * self-test (`scripts/sensitivity.ts`) can require that no test resting on that operation passes.
 * Refusals: `actions/register.ts`, `actions/token.ts`, `actions/client_management.ts`; `dead`: `server.ts`.
 */
import type { Deviation } from './index.ts'

export const ANTI_BANKS = {
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
    passesNone: ['*'],
    refuses: [],
  },
} as const satisfies Record<string, Deviation>
