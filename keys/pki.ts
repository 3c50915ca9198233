/**
 * The test PKI: types of the generated material and the functions that find or create it.
 *
 * Everything lives under `keys/generated/` (or `$OB_KEYS_DIR`), described by `manifest.json`.
 * Paths in the manifest are relative to that folder; `loadPki()` resolves them.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { isIP } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const MANIFEST_VERSION = 8

/** The names the generated server certificate (`server/server.pem`) covers. */
export const DEFAULT_SERVER_NAMES = ['localhost', '127.0.0.1', '::1']

/**
 * The repository's keys/ folder. This module runs from keys/ and also bundled into
 * mock-aspsp/dist/main.js (`npm start`), so it looks upwards from wherever it is for the folder
 * that holds generate.ts.
 */
function keysHome(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (path.basename(dir) === 'keys' && existsSync(path.join(dir, 'generate.ts'))) return dir
    if (existsSync(path.join(dir, 'keys', 'generate.ts'))) return path.join(dir, 'keys')
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no keys/ folder above ${fileURLToPath(import.meta.url)}: set OB_KEYS_DIR`)
    dir = parent
  }
}

/** The folder that holds the generated PKI. */
export function keysDir(): string {
  return path.resolve(process.env.OB_KEYS_DIR ?? path.join(keysHome(), 'generated'))
}

/** A private key with its certificate, as files. */
export interface KeyCert {
  certPath: string
  keyPath: string
  /** RFC 4514 string of the certificate subject, most significant RDN last (as `openssl -nameopt RFC2253` prints it). */
  subjectDn: string
  /** base64url SHA-256 of the DER certificate: the RFC 8705 `x5t#S256` thumbprint. */
  x5tS256: string
  notAfter: string
  /** Hexadecimal serial number. */
  serialNumber: string
}

/** A JWS signing key. */
export interface SigningKey {
  kid: string
  alg: 'PS256' | 'ES256'
  /** PKCS#8 PEM private key. */
  keyPath: string
  /** The public JWK (with `kid`, `alg`, `use`), as served in a JWKS. */
  publicJwk: Record<string, unknown>
}

export type Role = 'AISP' | 'PISP' | 'CBPII'

/** The two shapes of UK Open Banking transport certificate subjects. */
export type CertificateProfile = 'OBTransport' | 'OBWAC'

/**
 * A TPP as the mock directory knows it: an organisation, one piece of software, its request
 * signing key and its transport certificate. The test PKI's TPPs have more keys
 * (`TppIdentity`); a TPP's own identity (`npm run tpp -- add`, keys/byo/) has these.
 */
export interface SoftwareIdentity {
  name: string
  /** What this identity is for: a normal TPP, one built to be refused, or one a TPP brought. */
  kind: 'valid' | 'self-signed' | 'expired' | 'revoked-org' | 'revoked-cert' | 'byo'
  orgId: string
  orgName: string
  /** Directory status of the organisation: `Active`, `Revoked` or `Withdrawn`. */
  orgStatus: 'Active' | 'Revoked' | 'Withdrawn'
  softwareId: string
  clientName: string
  roles: Role[]
  redirectUris: string[]
  /** Request-signing key (PS256 in the test PKI), listed in the software JWKS. */
  signing: SigningKey
  /**
   * How the transport certificate names its owner: `OBTransport` (CN = software id, OU = org id)
   * or `OBWAC` (the eIDAS-style certificate UK sandboxes issue today: CN = org id,
   * organizationIdentifier = `PSDGB-OB-<org id>`).
   */
  certificateProfile: CertificateProfile
  /** Transport (mTLS) certificate with the clientAuth EKU, subject as `certificateProfile` says. */
  transport: KeyCert
}

/** A TPP of the test PKI: a software identity with the extra keys the suite's tests need. */
export interface TppIdentity extends SoftwareIdentity {
  /** ES256 key, also listed in the software JWKS. */
  signingEs256: SigningKey
  /** A key that the directory lists only in the software's revoked JWKS. */
  revokedSigning: SigningKey
  /** A second valid transport certificate with the same subject and another key (certificate rotation). */
  transport2: KeyCert
  /**
   * `alpha` and `delta` only: a certificate with the transport subject, issued by the CA, for serverAuth only
   * (no clientAuth extended key usage): only its key usage is wrong (NEG-TLS-06).
   */
  serverEku?: KeyCert
}

/**
 * A data recipient of Australia's Consumer Data Right: a legal entity, one brand, one software
 * product, its keys and its client certificate (CDS "Certificate Management": CN = software product
 * name, OU = Consumer Data Right, O = brand name, issued by the CDR CA).
 */
export interface CdrRecipient {
  name: string
  /** What this identity is for: a normal recipient, or one whose certificate is built to be refused. */
  kind: 'valid' | 'self-signed' | 'expired' | 'revoked-cert'
  legalEntityId: string
  legalEntityName: string
  /** The brand id: `org_id` of its SSAs. */
  brandId: string
  brandName: string
  /** `software_id` of its SSAs and `client_id` at the Register. */
  softwareProductId: string
  /** `client_name` of its SSAs and the CN of its client certificate. */
  softwareProductName: string
  redirectUris: string[]
  /** The recipient's JWKS (`jwks_uri` of its SSAs), answered by the mock Data Holder in-process. */
  jwksUri: string
  revocationUri: string
  recipientBaseUri: string
  /** `scope` of its SSAs. */
  scope: string
  /** PS256 signing key (kid = x5t), listed in its JWKS. */
  signing: SigningKey
  /** ES256 signing key, also listed in its JWKS. */
  signingEs256: SigningKey
  /** RSA key for JARM response encryption (`use: enc`), listed in its JWKS. */
  encryption: { kid: string; keyPath: string; publicJwk: Record<string, unknown> }
  /** Client (mTLS) certificate. */
  transport: KeyCert
}

/** The Consumer Data Right part of the test PKI: a CDR CA, the mock Register's keys, recipients. */
export interface CdrPki {
  /** The CDR CA: trust anchor of every AU client and server certificate. */
  ca: { certPath: string; keyPath: string; subjectDn: string; crlPath: string }
  /** The mock Data Holder's TLS server certificate (localhost), issued by the CDR CA. */
  server: KeyCert
  register: {
    /** `iss` of the SSAs the Register issues (CDS: `cdr-register`). */
    issuer: string
    /** SSA signing key (PS256), published at /cdr-register/v1/jwks. */
    ssaSigning: SigningKey
    /** Signs the Register's own access tokens. */
    idpSigning: SigningKey
    /** A key that signs SSAs with the Register's issuer name but is NOT published. */
    untrusted: SigningKey
  }
  /** The mock Data Holder's signing keys (ID tokens, JARM responses). */
  dataHolder: { signing: SigningKey; signingEs256: SigningKey }
  recipients: Record<string, CdrRecipient>
}

export interface Pki {
  version: number
  createdAt: string
  dir: string
  /** The directory CA: trust anchor of every transport certificate (like the OB issuing CA). */
  ca: {
    certPath: string
    keyPath: string
    subjectDn: string
    /** The CA's certificate revocation list (PEM): lists the transport certificate of `revokedcert`. */
    crlPath: string
  }
  /** TLS server certificate for localhost, 127.0.0.1 and ::1 (`serverCertificateFor` makes others). */
  server: KeyCert
  directory: {
    /** `iss` of the SSAs the mock directory issues. */
    issuer: string
    /** Trusted SSA signing key. */
    signing: SigningKey
    /** A key that signs SSAs with the same issuer name but is NOT in the trusted JWKS. */
    untrusted: SigningKey
  }
  /** The mock bank's own identity in the directory. */
  aspsp: { orgId: string; orgName: string; signing: SigningKey }
  tpps: Record<string, TppIdentity>
  /** TPPs' own identities (`npm run tpp -- add`, kept in `byoDir()`), known to the mock directory too. */
  byo: Record<string, SoftwareIdentity>
  /** Their issuing CAs (PEM files), trusted for mutual TLS besides the test CA. */
  byoCas: string[]
  /** Australia's Consumer Data Right (the `au-cdr` profile). */
  cdr: CdrPki
}

function resolveKeyCert(dir: string, k: KeyCert): KeyCert {
  return { ...k, certPath: path.join(dir, k.certPath), keyPath: path.join(dir, k.keyPath) }
}
function resolveSigning(dir: string, k: SigningKey): SigningKey {
  return { ...k, keyPath: path.join(dir, k.keyPath) }
}

/** Reads the manifest and resolves its paths; throws if there is none. */
export function loadPki(dir = keysDir()): Pki {
  const raw = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Pki
  const tpps: Record<string, TppIdentity> = {}
  for (const [name, t] of Object.entries(raw.tpps)) {
    tpps[name] = {
      ...t,
      signing: resolveSigning(dir, t.signing),
      signingEs256: resolveSigning(dir, t.signingEs256),
      revokedSigning: resolveSigning(dir, t.revokedSigning),
      transport: resolveKeyCert(dir, t.transport),
      transport2: resolveKeyCert(dir, t.transport2),
      ...(t.serverEku ? { serverEku: resolveKeyCert(dir, t.serverEku) } : {}),
    }
  }
  const recipients: Record<string, CdrRecipient> = {}
  for (const [name, r] of Object.entries(raw.cdr.recipients)) {
    recipients[name] = {
      ...r,
      signing: resolveSigning(dir, r.signing),
      signingEs256: resolveSigning(dir, r.signingEs256),
      encryption: { ...r.encryption, keyPath: path.join(dir, r.encryption.keyPath) },
      transport: resolveKeyCert(dir, r.transport),
    }
  }
  const cdr: CdrPki = {
    ca: {
      ...raw.cdr.ca,
      certPath: path.join(dir, raw.cdr.ca.certPath),
      keyPath: path.join(dir, raw.cdr.ca.keyPath),
      crlPath: path.join(dir, raw.cdr.ca.crlPath),
    },
    server: resolveKeyCert(dir, raw.cdr.server),
    register: {
      ...raw.cdr.register,
      ssaSigning: resolveSigning(dir, raw.cdr.register.ssaSigning),
      idpSigning: resolveSigning(dir, raw.cdr.register.idpSigning),
      untrusted: resolveSigning(dir, raw.cdr.register.untrusted),
    },
    dataHolder: {
      signing: resolveSigning(dir, raw.cdr.dataHolder.signing),
      signingEs256: resolveSigning(dir, raw.cdr.dataHolder.signingEs256),
    },
    recipients,
  }
  return {
    ...raw,
    dir,
    cdr,
    ca: {
      ...raw.ca,
      certPath: path.join(dir, raw.ca.certPath),
      keyPath: path.join(dir, raw.ca.keyPath),
      crlPath: path.join(dir, raw.ca.crlPath),
    },
    server: resolveKeyCert(dir, raw.server),
    directory: {
      ...raw.directory,
      signing: resolveSigning(dir, raw.directory.signing),
      untrusted: resolveSigning(dir, raw.directory.untrusted),
    },
    aspsp: { ...raw.aspsp, signing: resolveSigning(dir, raw.aspsp.signing) },
    tpps,
    ...loadByo(),
  }
}

/** A TPP of the test PKI or one brought by its owner, by name. */
export function findTpp(pki: Pki, name: string): SoftwareIdentity | undefined {
  return pki.tpps[name] ?? pki.byo[name]
}

/** Where TPPs' own identities live (`npm run tpp -- add`): `keys/byo/`, or `$OB_BYO_DIR`. Never committed. */
export function byoDir(): string {
  return path.resolve(process.env.OB_BYO_DIR ?? path.join(keysHome(), 'byo'))
}

/** The file that describes one brought identity; its key and certificate files lie beside it. */
export const BYO_IDENTITY_FILE = 'identity.json'

/**
 * The identities in `dir` (`<name>/identity.json`, paths relative to its folder) and the CAs that
 * issued their transport certificates. One that cannot be read is left out, with a warning.
 */
export function loadByo(dir = byoDir()): { byo: Record<string, SoftwareIdentity>; byoCas: string[] } {
  const byo: Record<string, SoftwareIdentity> = {}
  const byoCas: string[] = []
  if (!existsSync(dir)) return { byo, byoCas }
  for (const name of readdirSync(dir).sort()) {
    const home = path.join(dir, name)
    const file = path.join(home, BYO_IDENTITY_FILE)
    if (!existsSync(file)) continue
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as SoftwareIdentity & { caPath?: string }
      const { caPath, ...identity } = raw
      byo[raw.name] = {
        ...identity,
        signing: resolveSigning(home, raw.signing),
        transport: resolveKeyCert(home, raw.transport),
      }
      if (caPath) byoCas.push(path.join(home, caPath))
    } catch (e) {
      console.error(
        `keys: left out the TPP identity in ${file} (${(e as Error).message}); npm run tpp -- remove ${name}`,
      )
    }
  }
  return { byo, byoCas }
}

/** Why the PKI in `dir` must be (re)generated, or null when it is usable. */
export function staleReason(dir = keysDir()): string | null {
  const manifest = path.join(dir, 'manifest.json')
  if (!existsSync(manifest)) return 'no generated keys yet'
  let pki: Pki
  try {
    pki = loadPki(dir)
  } catch (e) {
    return `manifest unreadable (${(e as Error).message})`
  }
  if (pki.version !== MANIFEST_VERSION) return `manifest version ${pki.version}, expected ${MANIFEST_VERSION}`
  const soon = Date.now() + 7 * 24 * 3600 * 1000
  const valid = [
    pki.server,
    ...Object.values(pki.tpps).flatMap(t => (t.kind === 'expired' ? [] : [t.transport])),
    pki.cdr.server,
    ...Object.values(pki.cdr.recipients).flatMap(r => (r.kind === 'expired' ? [] : [r.transport])),
  ]
  for (const kc of valid) {
    if (Date.parse(kc.notAfter) < soon) return `certificate ${kc.subjectDn} expires ${kc.notAfter}`
    if (!existsSync(kc.certPath) || !existsSync(kc.keyPath)) return `missing ${kc.certPath}`
  }
  return null
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/**
 * Makes sure a usable PKI exists, generating it when missing or stale, and returns it.
 * Safe to call from several processes at once: one generates under a lock, the others wait.
 */
export async function ensurePki(
  options: { force?: boolean; log?: (line: string) => void; dir?: string } = {},
): Promise<Pki> {
  const dir = options.dir ? path.resolve(options.dir) : keysDir()
  const log = options.log ?? (() => {})
  if (!options.force && staleReason(dir) === null) return loadPki(dir)
  const lock = `${dir}.lock`
  mkdirSync(path.dirname(dir), { recursive: true })
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      // Someone else is generating. A lock older than two minutes belongs to a dead process.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true })
      } catch {
        // the lock vanished between the two calls: try again at once
      }
      if (Date.now() > deadline) throw new Error(`keys: timed out waiting for ${lock}`)
      await sleep(100)
      if (!options.force && staleReason(dir) === null) return loadPki(dir)
    }
  }
  try {
    const reason = options.force ? 'regeneration requested' : staleReason(dir)
    if (reason !== null) {
      log(`keys: generating test PKI in ${dir} (${reason})`)
      const { generatePki } = await import('./generator.ts')
      await generatePki(dir)
    }
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
  return loadPki(dir)
}

/** Whether a certificate (PEM) names every host name or IP address of `names`. */
export function certificateCovers(certPem: string | Buffer, names: readonly string[]): boolean {
  const cert = new X509Certificate(certPem)
  return names.every(n => (isIP(n) ? cert.checkIP(n) : cert.checkHost(n, { subject: 'never' })) !== undefined)
}

/**
 * A TLS server certificate from the test CA covering `names` (besides localhost): the generated one
 * when it does, else one issued for them and kept as `server/<names>.{pem,key}` until it nears
 * expiry or the PKI is regenerated. For a bank served as `https://bank.example.test:8443`.
 */
export async function serverCertificateFor(
  pki: Pki,
  names: readonly string[],
): Promise<{ cert: Buffer; key: Buffer; certPath: string }> {
  const wanted = [...new Set([...names, ...DEFAULT_SERVER_NAMES])]
  const server = {
    cert: readFileSync(pki.server.certPath),
    key: readFileSync(pki.server.keyPath),
    certPath: pki.server.certPath,
  }
  if (certificateCovers(server.cert, wanted)) return server
  const base = `server/${wanted.join('_').replace(/[^A-Za-z0-9.-]/g, '-')}`
  const certPath = path.join(pki.dir, `${base}.pem`)
  try {
    const cert = readFileSync(certPath)
    const key = readFileSync(path.join(pki.dir, `${base}.key`))
    const x = new X509Certificate(cert)
    const fresh = Date.parse(x.validTo) > Date.now() + 7 * 24 * 3600 * 1000
    if (fresh && x.checkPrivateKey(createPrivateKey(key)) && certificateCovers(cert, wanted))
      return { cert, key, certPath }
  } catch {
    // none made yet, or unreadable: make one
  }
  const { generateServerCertificate } = await import('./generator.ts')
  const made = await generateServerCertificate(pki, base, wanted)
  return { cert: Buffer.from(made.cert), key: Buffer.from(made.key), certPath }
}

/** An attribute value escaped for an RFC 4514 string (§2.4: the specials, a leading space or #, a trailing space). */
export function escapeDnValue(v: string): string {
  return v
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ')
}

/** RFC 4514 string of a certificate subject (most significant RDN last), as registered for tls_client_auth. */
export function subjectDnOf(certPem: string | Buffer): string {
  return new X509Certificate(certPem).subject
    .split('\n')
    .filter(Boolean)
    .map(rdn => {
      const i = rdn.indexOf('=')
      return `${rdn.slice(0, i)}=${escapeDnValue(rdn.slice(i + 1))}`
    })
    .reverse()
    .join(',')
}
