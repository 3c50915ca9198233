/**
 * Mutual TLS of a Data Holder (CDS 1.36 "Transport Security", "Certificate Management"): POST
 * /register needs a client certificate of the CDR CA — none, a self-signed one, one of another CA,
 * an expired, a revoked and a server-only certificate are refused (at the handshake or with a
 * JSON error); TLS 1.2 with the FAPI suites or TLS 1.3 only. Each refused certificate comes with
 * its recipient's own SSA and keys, so that only the certificate is wrong: the same request over a
 * valid certificate is the control.
 */
import type { RefusedCdrCert } from '../../fixtures/au/target.ts'
import { AU_CDR, requiresAu, test } from '../../fixtures/au/test.ts'
import {
  checkHandshakeAccepted,
  checkHandshakeRefused,
  checkTransportRefusalBody,
  ensureRefusedAtTlsOrHttp,
} from '../checks/tls.ts'
import { CDS, control, formOf, spec } from './support.ts'

/** How a Data Holder may refuse a certificate: at the handshake, or over HTTP. */
const CERT_REFUSAL = [400, 401, 403] as const

const CASES: { id: string; cert: RefusedCdrCert; what: string; forms: string[]; ref: string }[] = [
  {
    id: 'AU-DCR-151',
    cert: 'self-signed',
    what: 'a self-signed client certificate',
    forms: ['NEG-TLS-02'],
    ref: CDS.tls,
  },
  {
    id: 'AU-DCR-152',
    cert: 'foreign-ca',
    what: 'a client certificate of a CA other than the CDR CA',
    forms: ['NEG-TLS-02'],
    ref: CDS.tls,
  },
  {
    id: 'AU-DCR-153',
    cert: 'expired',
    what: 'an expired client certificate',
    forms: ['NEG-TLS-05'],
    ref: CDS.certificates,
  },
  {
    id: 'AU-DCR-154',
    cert: 'server-eku',
    what: 'a server certificate (no clientAuth extended key usage)',
    forms: ['NEG-TLS-06'],
    ref: CDS.certificates,
  },
  {
    id: 'AU-DCR-155',
    cert: 'revoked',
    what: 'a client certificate the CDR CA revoked',
    forms: ['NEG-TLS-07'],
    ref: CDS.certificates,
  },
]

test.describe('AU CDR: mutual TLS with CDR certificates', { tag: [AU_CDR, '@tls', '@negative'] }, () => {
  test('AU-DCR-150 refuses a registration sent without a client certificate', {
    annotation: [spec(CDS.tls), spec('RFC8705-2'), formOf('NEG-TLS-01')],
  }, async ({ recipientFor, auTarget, handshakeControl }) => {
    const anonymous = await recipientFor(auTarget.recipient, 'none')
    const { exchange } = await anonymous.register()
    await ensureRefusedAtTlsOrHttp(exchange, CERT_REFUSAL, CDS.tls, handshakeControl)
    await checkTransportRefusalBody(exchange, CDS.errors)
    await control(
      "the same registration over the recipient's certificate",
      async () => (await (await recipientFor(auTarget.recipient)).register()).exchange,
    )
  })

  for (const c of CASES) {
    test(`${c.id} refuses a registration over ${c.what}`, {
      annotation: [spec(c.ref), spec('RFC8705-2'), formOf(...c.forms), requiresAu(`cert:${c.cert}`)],
    }, async ({ recipientFor, auTarget, handshakeControl }) => {
      const refused = auTarget.refusedCerts[c.cert]
      if (!refused) throw new Error(`the target has no ${c.cert} certificate`)
      const { exchange } = await (await recipientFor(refused)).register()
      await ensureRefusedAtTlsOrHttp(exchange, CERT_REFUSAL, c.ref, handshakeControl)
      await checkTransportRefusalBody(exchange, CDS.errors)
      await control(
        "the same recipient's registration over a valid certificate",
        async () => (await (await recipientFor(refused, auTarget.recipient)).register()).exchange,
      )
    })
  }

  test('AU-DCR-156 allows only TLS 1.2 with FAPI cipher suites, or TLS 1.3, on the registration and token host', {
    annotation: [spec(CDS.tls), spec('FAPI1-ADV-8.5'), spec('RFC8996'), formOf('NEG-TLS-10')],
  }, async ({ auDiscovery, auTarget }) => {
    const origins = [
      ...new Set([auDiscovery.endpoints.registration, auDiscovery.endpoints.token].map(u => new URL(u).origin)),
    ]
    const client = { cert: auTarget.recipient.transport.cert, key: auTarget.recipient.transport.key }
    const legacy = { ciphers: 'DEFAULT:@SECLEVEL=0', ...client }
    for (const origin of origins) {
      await checkHandshakeRefused(
        origin,
        'TLS 1.1',
        { ...legacy, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' },
        'RFC8996',
      )
      await checkHandshakeRefused(
        origin,
        'TLS 1.2 with ECDHE-RSA-AES128-SHA256 (not a FAPI suite)',
        { ...client, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256' },
        CDS.tls,
      )
      await checkHandshakeAccepted(
        origin,
        'TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256',
        { ...client, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' },
        CDS.tls,
      )
    }
  })
})
