/**
 * The client certificate of a mutual-TLS connection, read once per connection.
 *
 * The listener requests a certificate but completes the handshake whatever the client sends, so
 * that a missing, untrusted or expired certificate gets a JSON error (never a hang or a reset):
 * each endpoint decides with `requireClientCert()` whether it needs one.
 */
import 'reflect-metadata'
import { createHash, type X509Certificate as NodeX509 } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import * as x509 from '@peculiar/x509'
import type { Context } from 'koa'
import { dnAttribute, type Rdn, rdnsFromCertificateName } from '../helpers/dn.ts'
import type { OAuthError } from '../helpers/errors.ts'

const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2'

export interface ClientCert {
  /** RFC 8705 §3.1 thumbprint: base64url SHA-256 of the DER certificate. */
  x5tS256: string
  subject: Rdn[]
  /** The subject as OpenSSL prints it with -nameopt RFC2253, for messages. */
  subjectText: string
  /** Subject CN and OU as written (OB transport certificates: software id and org id). */
  cn: string | undefined
  ou: string | undefined
  /** Chains to a trusted CA, is within its validity period and allows client authentication. */
  trusted: boolean
  /** Why it is not trusted, in words. */
  problem: string | undefined
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
    if (!socket.authorized) {
      const code = String(socket.authorizationError ?? 'UNKNOWN')
      // With a CRL loaded OpenSSL reports a foreign issuer as UNABLE_TO_GET_CRL: say what it means.
      problem = peer.checkIssued(peer)
        ? OPENSSL_REASONS.DEPTH_ZERO_SELF_SIGNED_CERT
        : (OPENSSL_REASONS[code] ?? `the client certificate was not accepted (${code})`)
    } else if (!allowsClientAuth(peer)) {
      problem = 'the client certificate is not valid for TLS client authentication (no clientAuth extended key usage)'
    }
    info = {
      x5tS256: createHash('sha256').update(peer.raw).digest('base64url'),
      subject,
      subjectText: [...subject]
        .reverse()
        .map(rdn => rdn.map(a => `${a.type}=${a.raw}`).join('+'))
        .join(','),
      cn: dnAttribute(subject, 'CN'),
      ou: dnAttribute(subject, 'OU'),
      trusted: problem === undefined,
      problem,
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

/** The certificate of the request's connection, or null. */
export function requestCert(ctx: Context): ClientCert | null {
  const socket = ctx.req.socket as TLSSocket
  return socket.encrypted ? clientCertOf(socket) : null
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
