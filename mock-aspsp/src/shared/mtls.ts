/**
 * The client certificate of a mutual-TLS connection: read once per connection, its trust judged
 * again on every request.
 *
 * The listener requests a certificate but completes the handshake whatever the client sends, so
 * that a missing, untrusted or expired certificate gets a JSON error (never a hang or a reset):
 * each endpoint decides with `requireClientCert()` whether it needs one.
 *
 * OpenSSL judges the certificate once, at the handshake; a kept-alive or resumed connection
 * outlives that verdict. So every request looks again at the validity period and at the current
 * CRL (`pki/revocation.ts`): a certificate that expired or was revoked since the connection
 * opened is no longer trusted (DESIGN: "Which certificate may act for a client").
 */
import 'reflect-metadata'
import { createHash, type X509Certificate as NodeX509 } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import * as x509 from '@peculiar/x509'
import type { Context } from 'koa'
import { dnAttribute, dnKey, type Rdn, rdnsFromCertificateName } from '../pki/dn.ts'
import type { RevocationLists } from '../pki/revocation.ts'
import type { KnownDeviationName } from '../profiles/profile.ts'
import type { OAuthError } from './errors.ts'

const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2'

export interface ClientCert {
  /** RFC 8705 §3.1 thumbprint: base64url SHA-256 of the DER certificate. */
  x5tS256: string
  subject: Rdn[]
  /** `dnKey(subject)`: what a registered DN is compared with, computed once per connection. */
  subjectKey: string
  /** The subject as OpenSSL prints it with -nameopt RFC2253, for messages. */
  subjectText: string
  /** Subject CN and OU as written (OB transport certificates: software id and org id). */
  cn: string | undefined
  ou: string | undefined
  /** Subject organizationIdentifier (2.5.4.97) as written: OBWAC/eIDAS certificates, `PSDGB-OB-<org id>`. */
  organizationIdentifier: string | undefined
  /** Validity period, milliseconds since the epoch. */
  notBefore: number
  notAfter: number
  /** Issuer DN key (`dnKey`) and serial number (hex), for the revocation lists. */
  issuerKey: string
  serialNumber: string
  /** Chains to a trusted CA, is within its validity period and allows client authentication. */
  trusted: boolean
  /** Why it is not trusted, in words. */
  problem: string | undefined
  /** What is wrong with it, for the rule (and its deviation) that refuses it. */
  problemKind: CertProblem | undefined
}

/** Why a client certificate is refused (RFC 8705 §2; RFC 5280 §4.2.1.12 extended key usage). */
export type CertProblem = 'untrusted-issuer' | 'expired' | 'revoked' | 'wrong-eku' | 'other'

/** The deviation that lets a certificate with this problem through, where one exists. */
const FORGIVEN_BY: Record<CertProblem, KnownDeviationName | undefined> = {
  'untrusted-issuer': 'accept-untrusted-client-cert',
  expired: 'accept-expired-client-cert',
  revoked: 'skip-client-cert-revocation',
  'wrong-eku': 'skip-client-eku-check',
  other: undefined,
}

const PROBLEM_KINDS: Record<string, CertProblem> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'expired',
  CERT_REVOKED: 'revoked',
  INVALID_PURPOSE: 'wrong-eku',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted-issuer',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted-issuer',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted-issuer',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted-issuer',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted-issuer',
  UNABLE_TO_GET_CRL: 'untrusted-issuer',
}

const perSocket = new WeakMap<TLSSocket, ClientCert | null>()

const OPENSSL_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the client certificate has expired',
  CERT_NOT_YET_VALID: 'the client certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the client certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the client certificate chains to an untrusted self-signed CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the client certificate is not issued by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the client certificate is not issued by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'the client certificate is not issued by a trusted CA',
  CERT_SIGNATURE_FAILURE: 'the client certificate signature is invalid',
  INVALID_PURPOSE: 'the client certificate is not valid for TLS client authentication',
  CERT_REVOKED: 'the client certificate is revoked',
  UNABLE_TO_GET_CRL: 'the client certificate is not issued by a trusted CA (no revocation list for its issuer)',
}

/** Reads (once per connection) the certificate the client presented, or null when it sent none. */
export function clientCertOf(socket: TLSSocket): ClientCert | null {
  const cached = perSocket.get(socket)
  if (cached !== undefined) return cached
  const peer = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined
  let info: ClientCert | null = null
  if (peer) {
    const parsed = new x509.X509Certificate(peer.raw)
    const subject = rdnsFromCertificateName(parsed.subjectName.toJSON())
    let problem: string | undefined
    let problemKind: CertProblem | undefined
    if (!socket.authorized) {
      const code = String(socket.authorizationError ?? 'UNKNOWN')
      // With a CRL loaded OpenSSL reports a foreign issuer as UNABLE_TO_GET_CRL: say what it means.
      problem = peer.checkIssued(peer)
        ? OPENSSL_REASONS.DEPTH_ZERO_SELF_SIGNED_CERT
        : (OPENSSL_REASONS[code] ?? `the client certificate was not accepted (${code})`)
      problemKind = peer.checkIssued(peer) ? 'untrusted-issuer' : (PROBLEM_KINDS[code] ?? 'other')
    } else if (!allowsClientAuth(peer)) {
      problem = 'the client certificate is not valid for TLS client authentication (no clientAuth extended key usage)'
      problemKind = 'wrong-eku'
    }
    info = {
      x5tS256: createHash('sha256').update(peer.raw).digest('base64url'),
      notBefore: parsed.notBefore.getTime(),
      notAfter: parsed.notAfter.getTime(),
      issuerKey: dnKey(rdnsFromCertificateName(parsed.issuerName.toJSON())),
      serialNumber: parsed.serialNumber,
      subject,
      subjectKey: dnKey(subject),
      subjectText: [...subject]
        .reverse()
        .map(rdn => rdn.map(a => `${a.type}=${a.raw}`).join('+'))
        .join(','),
      cn: dnAttribute(subject, 'CN'),
      ou: dnAttribute(subject, 'OU'),
      organizationIdentifier: dnAttribute(subject, 'organizationIdentifier'),
      trusted: problem === undefined,
      problem,
      problemKind,
    }
  }
  perSocket.set(socket, info)
  return info
}

function allowsClientAuth(cert: NodeX509): boolean {
  // Node returns the extended key usage OIDs, or undefined when the extension is absent (any use).
  const eku = cert.keyUsage as string[] | undefined
  return eku === undefined || eku.includes(CLIENT_AUTH_EKU) || eku.includes('2.5.29.37.0')
}

/**
 * A certificate trusted at the handshake, judged again now: still within its validity period and
 * on no current CRL of its issuer (RFC 5280 §6.1.3, §6.3).
 */
export function judgedNow(cert: ClientCert, revocations: RevocationLists, now = Date.now()): ClientCert {
  if (!cert.trusted) return cert
  let problem: string | undefined
  if (now > cert.notAfter) {
    problem = `the client certificate expired at ${new Date(cert.notAfter).toISOString()}`
  } else if (now < cert.notBefore) {
    problem = `the client certificate is not valid before ${new Date(cert.notBefore).toISOString()}`
  } else if (revocations.isRevoked(cert.issuerKey, cert.serialNumber)) {
    problem = 'the client certificate is revoked (it is on the current CRL of its issuer)'
  }
  if (!problem) return cert
  return {
    ...cert,
    trusted: false,
    problem,
    problemKind: now > cert.notAfter || now < cert.notBefore ? 'expired' : 'revoked',
  }
}

/** The judged certificate of each request, once per request (the token endpoint asks twice). */
const perRequest = new WeakMap<Context, ClientCert | null>()

/**
 * The certificate of the request's connection, or null, its trust judged for this request. A
 * certificate refused only for a problem whose deviation is switched on counts as trusted (the
 * bank skips that one check everywhere).
 */
export function requestCert(ctx: Context): ClientCert | null {
  const known = perRequest.get(ctx)
  if (known !== undefined) return known
  const socket = ctx.req.socket as TLSSocket
  const presented = socket.encrypted ? clientCertOf(socket) : null
  let cert = presented ? judgedNow(presented, ctx.bank.revocations) : null
  const forgiven = cert?.problemKind ? FORGIVEN_BY[cert.problemKind] : undefined
  if (cert && forgiven && ctx.bank.deviations.has(forgiven)) {
    cert = { ...cert, trusted: true, problem: undefined, problemKind: undefined }
  }
  perRequest.set(ctx, cert)
  return cert
}

/**
 * The trusted client certificate of the request, or the endpoint's error: each endpoint answers
 * a missing or untrusted certificate in its own protocol (DCR, token, bearer).
 */
export function requireClientCert(ctx: Context, fail: (why: string) => OAuthError): ClientCert {
  const cert = requestCert(ctx)
  if (!cert) throw fail('a client certificate is required (mutual TLS) and none was presented')
  if (!cert.trusted)
    throw fail(`${cert.problem ?? 'the client certificate is not trusted'} (subject ${cert.subjectText})`)
  return cert
}
