/**
 * The Consumer Data Right part of the test PKI (the `au-cdr` profile): a CDR CA and its CRL, the
 * mock Data Holder's server certificate and signing keys, the mock CDR Register's keys, and the
 * data recipients (CDS "Certificate Management": client certificate CN = software product name,
 * OU = Consumer Data Right, O = brand name, issued by the CDR CA).
 */
import { createHash, createPublicKey, randomUUID, webcrypto } from 'node:crypto'
import {
  type Ca,
  clientCert,
  ecSigningKey,
  keyCert,
  newCa,
  privatePem,
  RSA,
  rfc4514,
  rsaSigningKey,
  serverCertificate,
  type Writer,
  writeCrl,
} from './generator.ts'
import { type CdrPki, type CdrRecipient, DEFAULT_SERVER_NAMES } from './pki.ts'

const crypto = webcrypto as unknown as Crypto

interface RecipientSpec {
  name: string
  kind: CdrRecipient['kind']
  brandName: string
  productName: string
}

/** The recipients, by what the suite uses them for (keys/README.md). */
const RECIPIENTS: RecipientSpec[] = [
  { name: 'mercury', kind: 'valid', brandName: 'Mercury Money', productName: 'Mercury Budget Planner' },
  { name: 'venus', kind: 'valid', brandName: 'Venus Ventures', productName: 'Venus Spend Tracker' },
  { name: 'mars', kind: 'valid', brandName: 'Mars Metrics', productName: 'Mars Cash Insights' },
  { name: 'jupiter', kind: 'valid', brandName: 'Jupiter Lending', productName: 'Jupiter Loan Checker' },
  { name: 'rogue', kind: 'self-signed', brandName: 'Rogue Recipient', productName: 'Rogue Self Signed' },
  { name: 'expired', kind: 'expired', brandName: 'Expired Recipient', productName: 'Expired Certificate App' },
  { name: 'revokedcert', kind: 'revoked-cert', brandName: 'Revoked Recipient', productName: 'Revoked Certificate App' },
]

/**
 * The scope of every recipient's SSA: the banking and common scopes, `cdr:registration`, and an
 * energy scope a banking Data Holder does not support (CDS: it MUST be ignored).
 */
const SSA_SCOPE = [
  'openid',
  'profile',
  'bank:accounts.basic:read',
  'bank:accounts.detail:read',
  'bank:transactions:read',
  'bank:payees:read',
  'bank:regular_payments:read',
  'common:customer.basic:read',
  'common:customer.detail:read',
  'energy:accounts.basic:read',
  'cdr:registration',
].join(' ')

/** An RSA key for JWE (RSA-OAEP, RSA-OAEP-256); kid = RFC 7638 thumbprint. */
async function rsaEncryptionKey(w: Writer, base: string): Promise<CdrRecipient['encryption']> {
  const keys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])
  const keyPem = await privatePem(keys.privateKey)
  const { e, kty, n } = createPublicKey(keyPem).export({ format: 'jwk' }) as { e: string; kty: string; n: string }
  const kid = createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url')
  return { kid, keyPath: w.write(`${base}.key`, keyPem, 0o600), publicJwk: { kty, n, e, kid, use: 'enc' } }
}

async function recipient(w: Writer, ca: Ca, spec: RecipientSpec): Promise<CdrRecipient> {
  const base = `cdr/recipients/${spec.name}`
  const host = `https://${spec.name}.adr.example`
  const subject = `C=AU, O=${spec.brandName}, OU=Consumer Data Right, CN=${spec.productName}`
  const [signing, signingEs256, encryption, transport] = await Promise.all([
    rsaSigningKey(
      w,
      `${base}/signing`,
      ca,
      `C=AU, O=${spec.brandName}, OU=Consumer Data Right, CN=${spec.productName} signing`,
    ),
    ecSigningKey(w, `${base}/signing-es256`),
    rsaEncryptionKey(w, `${base}/encryption`),
    clientCert(w, ca, `${base}/transport`, subject, spec.kind),
  ])
  return {
    name: spec.name,
    kind: spec.kind,
    legalEntityId: randomUUID().toUpperCase(),
    legalEntityName: `${spec.brandName} Pty Ltd`,
    brandId: randomUUID().toUpperCase(),
    brandName: spec.brandName,
    softwareProductId: randomUUID().toUpperCase(),
    softwareProductName: spec.productName,
    redirectUris: [`${host}/callback`, `${host}/callback2`, `${host}/cb/mobile`],
    jwksUri: `${host}/jwks`,
    revocationUri: `${host}/revocation`,
    recipientBaseUri: host,
    scope: SSA_SCOPE,
    signing,
    signingEs256,
    encryption,
    transport,
  }
}

/** Generates the CDR part of the PKI into `w`'s folder (under `cdr/`). */
export async function generateCdrPki(w: Writer): Promise<CdrPki> {
  const ca = await newCa('C=AU, O=OB DCR Conformance (test only), OU=Consumer Data Right, CN=Mock CDR CA')
  const caCertPath = w.write('cdr/ca/ca.pem', ca.cert.toString('pem'))
  const caKeyPath = w.write('cdr/ca/ca.key', await privatePem(ca.keys.privateKey), 0o600)
  const [server, ssaSigning, idpSigning, untrusted, dhSigning, dhSigningEs256] = await Promise.all([
    serverCertificate(ca, DEFAULT_SERVER_NAMES, 'C=AU, O=Mock Data Holder, OU=Consumer Data Right').then(made =>
      keyCert(w, 'cdr/server/server', made.cert, made.keyPem),
    ),
    rsaSigningKey(w, 'cdr/register/ssa-signing', ca, 'C=AU, O=CDR Register, CN=Mock CDR Register SSA Signing'),
    rsaSigningKey(w, 'cdr/register/idp-signing', ca, 'C=AU, O=CDR Register, CN=Mock CDR Register IdP'),
    rsaSigningKey(w, 'cdr/register/untrusted-signing', ca, 'C=AU, O=Not The Register, CN=Untrusted SSA Signing'),
    rsaSigningKey(w, 'cdr/data-holder/signing', ca, 'C=AU, O=Mock Data Holder, CN=Mock Data Holder Signing'),
    ecSigningKey(w, 'cdr/data-holder/signing-es256'),
  ])
  const recipients: Record<string, CdrRecipient> = {}
  for (const r of await Promise.all(RECIPIENTS.map(spec => recipient(w, ca, spec)))) recipients[r.name] = r
  const revoked = Object.values(recipients)
    .filter(r => r.kind === 'revoked-cert')
    .map(r => r.transport)
  const crlPath = await writeCrl(w, ca, 'cdr/ca/ca.crl.pem', revoked)
  return {
    ca: { certPath: caCertPath, keyPath: caKeyPath, subjectDn: rfc4514(ca.cert), crlPath },
    server,
    register: { issuer: 'cdr-register', ssaSigning, idpSigning, untrusted },
    dataHolder: { signing: dhSigning, signingEs256: dhSigningEs256 },
    recipients,
  }
}
