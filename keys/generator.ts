/**
 * Generates the test PKI into a fresh folder and swaps it into place atomically.
 * Called through `ensurePki()` (which holds the lock), never directly by tests.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import path from 'node:path'
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { generateCdrPki } from './cdr_generator.ts'
import type { CertificateProfile, KeyCert, Pki, Role, SigningKey, TppIdentity } from './pki.ts'
import { DEFAULT_SERVER_NAMES, MANIFEST_VERSION } from './pki.ts'

const crypto = webcrypto as unknown as Crypto
x509.cryptoProvider.set(crypto)

export const RSA: RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
}
const EC: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' }

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
function base62(n: number): string {
  const bytes = randomBytes(n * 2)
  let out = ''
  for (let i = 0; out.length < n; i++) {
    const b = bytes[i % bytes.length]!
    if (b < 248) out += BASE62[b % 62] // 248 = 4 * 62: no modulo bias
    if (i > n * 8) return out + BASE62.slice(0, n - out.length)
  }
  return out
}

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END ${label}-----\n`

export const DAY = 24 * 3600 * 1000

export class Writer {
  constructor(readonly root: string) {}
  write(rel: string, content: string, mode = 0o644): string {
    const file = path.join(this.root, rel)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, content, { mode })
    return rel
  }
}

export async function privatePem(key: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', key))
}

/** Attribute types @peculiar/x509 prints as OIDs that have an LDAP name (as OpenSSL and Node print them). */
const DN_TYPE_NAMES: Record<string, string> = { '2.5.4.97': 'organizationIdentifier' }

/** RFC 4514 form of a certificate subject, most significant RDN last. */
export function rfc4514(cert: x509.X509Certificate): string {
  // @peculiar/x509 prints names in the order of the ASN.1 sequence (most significant first).
  const rdns = cert.subjectName.toJSON()
  return rdns
    .map(rdn =>
      Object.entries(rdn)
        .map(([type, values]) => values.map(v => `${DN_TYPE_NAMES[type] ?? type}=${escapeDnValue(v)}`).join('+'))
        .join('+'),
    )
    .reverse()
    .join(',')
}
function escapeDnValue(v: string): string {
  return v
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ')
}

export function keyCert(w: Writer, base: string, cert: x509.X509Certificate, keyPem: string): KeyCert {
  const der = Buffer.from(cert.rawData)
  return {
    certPath: w.write(`${base}.pem`, cert.toString('pem')),
    keyPath: w.write(`${base}.key`, keyPem, 0o600),
    subjectDn: rfc4514(cert),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    notAfter: cert.notAfter.toISOString(),
    serialNumber: cert.serialNumber,
  }
}

export interface Ca {
  cert: x509.X509Certificate
  keys: CryptoKeyPair
}

export async function issue(
  ca: Ca,
  subject: string,
  keys: CryptoKeyPair,
  opts: { eku?: string[]; san?: x509.JsonGeneralName[]; notBefore?: Date; notAfter?: Date; keyUsage?: number },
): Promise<x509.X509Certificate> {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      opts.keyUsage ?? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
  ]
  if (opts.eku) extensions.push(new x509.ExtendedKeyUsageExtension(opts.eku, false))
  if (opts.san) extensions.push(new x509.SubjectAlternativeNameExtension(opts.san, false))
  return x509.X509CertificateGenerator.create({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    subject,
    issuer: ca.cert.subject,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 825 * DAY),
    signingAlgorithm: RSA,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  })
}

/** A PS256 signing key with a certificate; kid = x5t (SHA-1 thumbprint), as the OB directory does. */
export async function rsaSigningKey(w: Writer, base: string, ca: Ca, subject: string): Promise<SigningKey> {
  const keys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])
  const cert = await issue(ca, subject, keys, { keyUsage: x509.KeyUsageFlags.digitalSignature })
  const der = Buffer.from(cert.rawData)
  const kid = createHash('sha1').update(der).digest('base64url')
  const keyPem = await privatePem(keys.privateKey)
  w.write(`${base}.pem`, cert.toString('pem'))
  const jwk = createPublicKey(keyPem).export({ format: 'jwk' })
  return {
    kid,
    alg: 'PS256',
    keyPath: w.write(`${base}.key`, keyPem, 0o600),
    publicJwk: {
      ...jwk,
      kid,
      alg: 'PS256',
      use: 'sig',
      x5c: [der.toString('base64')],
      x5t: kid,
      'x5t#S256': createHash('sha256').update(der).digest('base64url'),
    },
  }
}

/** An ES256 signing key; kid = RFC 7638 JWK thumbprint. */
export async function ecSigningKey(w: Writer, base: string): Promise<SigningKey> {
  const keys = await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])
  const keyPem = await privatePem(keys.privateKey)
  const jwk = createPublicKey(keyPem).export({ format: 'jwk' }) as { crv: string; kty: string; x: string; y: string }
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url')
  return {
    kid,
    alg: 'ES256',
    keyPath: w.write(`${base}.key`, keyPem, 0o600),
    publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' },
  }
}

/** A TLS server certificate (serverAuth) for DNS names and IP addresses, CN = the first name. */
export async function serverCertificate(
  ca: Ca,
  names: readonly string[],
  organisation = 'C=GB, O=OB DCR Conformance (test only)',
): Promise<{ cert: x509.X509Certificate; keyPem: string }> {
  const keys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])
  const cert = await issue(ca, `${organisation}, CN=${names[0]}`, keys, {
    eku: [x509.ExtendedKeyUsage.serverAuth],
    san: names.map(value => ({ type: isIP(value) ? 'ip' : 'dns', value })),
  })
  return { cert, keyPem: await privatePem(keys.privateKey) }
}

/**
 * Issues, from the PKI's CA, a server certificate for `names` (host names or IP addresses), for
 * a bank served under another name than localhost; also writes it to `<pki dir>/<base>.{pem,key}`
 * for the next start. Returns the PEMs made here (another process may write the files at once).
 */
export async function generateServerCertificate(
  pki: Pki,
  base: string,
  names: readonly string[],
): Promise<{ cert: string; key: string }> {
  const caCert = new x509.X509Certificate(readFileSync(pki.ca.certPath, 'utf8'))
  const caKey = await crypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(readFileSync(pki.ca.keyPath)).export({ type: 'pkcs8', format: 'der' }),
    RSA,
    false,
    ['sign'],
  )
  const ca: Ca = {
    cert: caCert,
    keys: { privateKey: caKey, publicKey: await caCert.publicKey.export(RSA, ['verify']) },
  }
  const { cert, keyPem } = await serverCertificate(ca, names)
  const made = { cert: cert.toString('pem'), key: keyPem }
  const w = new Writer(pki.dir)
  const tag = `.tmp-${process.pid}-${Date.now()}`
  for (const [ext, content] of [
    ['pem', made.cert],
    ['key', made.key],
  ] as const) {
    w.write(`${base}${tag}.${ext}`, content, ext === 'key' ? 0o600 : 0o644)
    renameSync(path.join(pki.dir, `${base}${tag}.${ext}`), path.join(pki.dir, `${base}.${ext}`))
  }
  return made
}

interface TppSpec {
  name: string
  kind: TppIdentity['kind']
  orgName: string
  roles: Role[]
  orgStatus?: TppIdentity['orgStatus']
  /** Subject shape of the transport certificates (default OBTransport). */
  certificateProfile?: CertificateProfile
}

const TPPS: TppSpec[] = [
  { name: 'alpha', kind: 'valid', orgName: 'Alpha Payments Ltd', roles: ['AISP', 'PISP', 'CBPII'] },
  { name: 'beta', kind: 'valid', orgName: 'Beta Accounts Ltd', roles: ['AISP', 'PISP', 'CBPII'] },
  { name: 'gamma', kind: 'valid', orgName: 'Gamma Insights Ltd', roles: ['AISP'] },
  { name: 'revoked', kind: 'revoked-org', orgName: 'Withdrawn Finance Ltd', roles: ['AISP'], orgStatus: 'Revoked' },
  { name: 'rogue', kind: 'self-signed', orgName: 'Rogue Self-Signed Ltd', roles: ['AISP', 'PISP'] },
  { name: 'expired', kind: 'expired', orgName: 'Expired Certificate Ltd', roles: ['AISP', 'PISP'] },
  { name: 'revokedcert', kind: 'revoked-cert', orgName: 'Revoked Certificate Ltd', roles: ['AISP', 'PISP'] },
  {
    name: 'delta',
    kind: 'valid',
    orgName: 'Delta Wallet Ltd',
    roles: ['AISP', 'PISP'],
    certificateProfile: 'OBWAC',
  },
]

/**
 * The subject of a transport certificate: OBTransport names the software (CN) and its
 * organisation (OU); OBWAC, eIDAS-style, names the organisation twice: CN and
 * organizationIdentifier (2.5.4.97, ETSI EN 319 412-1 §5.1.4: `PSD` + country + `-` + authority + `-` + id).
 */
export function transportSubject(
  profile: CertificateProfile,
  t: { orgId: string; orgName: string; softwareId: string },
) {
  return profile === 'OBWAC'
    ? `C=GB, O=${t.orgName}, 2.5.4.97=PSDGB-OB-${t.orgId}, CN=${t.orgId}`
    : `C=GB, O=OpenBanking, OU=${t.orgId}, CN=${t.softwareId}`
}

/** A client (mTLS) certificate, clientAuth unless told: CA-issued, or built to be refused (self-signed, expired). */
export async function clientCert(
  w: Writer,
  ca: Ca,
  base: string,
  subject: string,
  kind: string,
  eku: string = x509.ExtendedKeyUsage.clientAuth,
): Promise<KeyCert> {
  const keys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])
  const keyPem = await privatePem(keys.privateKey)
  let cert: x509.X509Certificate
  if (kind === 'self-signed') {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: `01${randomBytes(15).toString('hex')}`,
      name: subject,
      keys,
      signingAlgorithm: RSA,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 825 * DAY),
      extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false)],
    })
  } else if (kind === 'expired') {
    cert = await issue(ca, subject, keys, {
      eku: [x509.ExtendedKeyUsage.clientAuth],
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - 2 * DAY),
    })
  } else {
    cert = await issue(ca, subject, keys, { eku: [eku] })
  }
  return keyCert(w, base, cert, keyPem)
}

async function tpp(w: Writer, ca: Ca, spec: TppSpec): Promise<TppIdentity> {
  const orgId = `0015800001${base62(8)}`
  const softwareId = base62(22)
  const base = `tpps/${spec.name}`
  const certificateProfile = spec.certificateProfile ?? 'OBTransport'
  const subject = transportSubject(certificateProfile, { orgId, orgName: spec.orgName, softwareId })

  const transport = (file: string, eku?: string) => clientCert(w, ca, `${base}/${file}`, subject, spec.kind, eku)

  const [signing, signingEs256, revokedSigning, t1, t2, serverEku] = await Promise.all([
    rsaSigningKey(w, `${base}/signing`, ca, `C=GB, O=OpenBanking, OU=${orgId}, CN=${softwareId} signing`),
    ecSigningKey(w, `${base}/signing-es256`),
    rsaSigningKey(w, `${base}/signing-revoked`, ca, `C=GB, O=OpenBanking, OU=${orgId}, CN=${softwareId} revoked`),
    transport('transport'),
    transport('transport2'),
    // alpha and delta (the two certificate profiles of the suite's main TPP): NEG-TLS-06.
    spec.name === 'alpha' || spec.name === 'delta'
      ? transport('transport-server-eku', x509.ExtendedKeyUsage.serverAuth)
      : undefined,
  ])
  const host = `${spec.name}.tpp.example`
  return {
    name: spec.name,
    kind: spec.kind,
    orgId,
    orgName: spec.orgName,
    orgStatus: spec.orgStatus ?? 'Active',
    softwareId,
    clientName: `${spec.orgName.replace(/ Ltd$/, '')} App`,
    roles: spec.roles,
    redirectUris: [`https://${host}/callback`, `https://${host}/callback2`, `https://${host}/cb/mobile`],
    signing,
    signingEs256,
    revokedSigning,
    certificateProfile,
    transport: t1,
    transport2: t2,
    ...(serverEku ? { serverEku } : {}),
  }
}

/** A self-signed root CA valid for ten years. */
export async function newCa(name: string): Promise<Ca> {
  const keys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    name,
    keys,
    signingAlgorithm: RSA,
    notBefore: new Date(Date.now() - 2 * DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return { cert, keys }
}

/** Writes the CA's certificate revocation list (PEM), revoking `revoked`; returns its path. */
export async function writeCrl(w: Writer, ca: Ca, file: string, revoked: readonly KeyCert[]): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subject,
    thisUpdate: new Date(Date.now() - DAY),
    nextUpdate: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: RSA,
    signingKey: ca.keys.privateKey,
    entries: revoked.map(kc => ({
      serialNumber: kc.serialNumber,
      revocationDate: new Date(Date.now() - DAY),
      reason: x509.X509CrlReason.keyCompromise,
    })),
  })
  return w.write(file, pem('X509 CRL', crl.rawData))
}

/** Writes a complete PKI to `dir`, replacing whatever is there in one rename. */
export async function generatePki(dir: string): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`
  rmSync(tmp, { recursive: true, force: true })
  const w = new Writer(tmp)

  const ca = await newCa('C=GB, O=OB DCR Conformance (test only), CN=OB Test Issuing CA')
  const caCertPath = w.write('ca/ca.pem', ca.cert.toString('pem'))
  const caKeyPath = w.write('ca/ca.key', await privatePem(ca.keys.privateKey), 0o600)

  const made = await serverCertificate(ca, DEFAULT_SERVER_NAMES)
  const server = keyCert(w, 'server/server', made.cert, made.keyPem)

  const [dirSigning, dirUntrusted, aspspSigning] = await Promise.all([
    rsaSigningKey(w, 'directory/ssa-signing', ca, 'C=GB, O=OpenBanking, CN=OB Test Directory SSA Signing'),
    rsaSigningKey(w, 'directory/untrusted-signing', ca, 'C=GB, O=Not The Directory, CN=Untrusted SSA Signing'),
    rsaSigningKey(w, 'aspsp/signing', ca, 'C=GB, O=OB Mock Bank, CN=Mock ASPSP Signing'),
  ])

  const tpps: Record<string, TppIdentity> = {}
  for (const t of await Promise.all(TPPS.map(spec => tpp(w, ca, spec)))) tpps[t.name] = t

  // The CA's CRL revokes the transport certificates of the 'revoked-cert' identities.
  const revoked = Object.values(tpps)
    .filter(t => t.kind === 'revoked-cert')
    .flatMap(t => [t.transport, t.transport2])
  const crlPath = await writeCrl(w, ca, 'ca/ca.crl.pem', revoked)

  const manifest: Omit<Pki, 'dir' | 'byo' | 'byoCas'> = {
    version: MANIFEST_VERSION,
    createdAt: new Date().toISOString(),
    ca: { certPath: caCertPath, keyPath: caKeyPath, subjectDn: rfc4514(ca.cert), crlPath },
    server,
    directory: { issuer: 'OpenBanking Ltd', signing: dirSigning, untrusted: dirUntrusted },
    aspsp: { orgId: `0015800000${base62(8)}`, orgName: 'OB Mock Bank plc', signing: aspspSigning },
    tpps,
    cdr: await generateCdrPki(w),
  }
  w.write('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`)

  // Swap in: the old folder is moved aside first so that the new one appears in a single rename.
  const old = `${dir}.old-${process.pid}-${Date.now()}`
  try {
    renameSync(dir, old)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  renameSync(tmp, dir)
  rmSync(old, { recursive: true, force: true })
}
