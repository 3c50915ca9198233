/**
 * The UK profile's named deviations of area `transport` (the registry is assembled in index.ts).
 * Mutual TLS: which client certificates the listener and the bank accept, and the TLS policy.
 * Rules: `shared/mtls.ts`, `server.ts`. Caught by NEG-TLS (`tests/negative/tls.spec.ts`); unit
 * tests: `mock-aspsp/test/transport.test.ts`.
 */
import type { Deviation } from './index.ts'

export const TRANSPORT_DEVIATIONS = {
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
} as const satisfies Record<string, Deviation>
