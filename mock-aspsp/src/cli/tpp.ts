/**
 * `npm run -s tpp -- add <name> --transport-cert <pem> --transport-key <pem> --signing-key <pem> [...]`:
 * brings a TPP's own identity (its transport certificate and key, its request-signing key, the CA
 * that issued the certificate) into the mock directory, kept in keys/byo/<name>/ (never
 * committed). Once the bank restarts, it trusts that CA for mutual TLS, serves the software JWKS
 * at the keystore paths, mints SSAs for it (`npm run ssa -- --tpp <name>`), and every CLI
 * (`request`, `assertion`, `request-object`) signs with its key. `list` and `remove` manage them.
 */
import 'reflect-metadata'
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as x509 from '@peculiar/x509'
import {
  BYO_IDENTITY_FILE,
  byoDir,
  ensurePki,
  type Role,
  type SigningKey,
  type SoftwareIdentity,
  subjectDnOf,
} from '../../../keys/pki.ts'
import { type CertificateSubject, certificateOwnership, certificateProfile } from '../pki/cert_profiles.ts'
import { dnAttribute, rdnsFromCertificateName } from '../pki/dn.ts'
import { fail, parseArgs } from './args.ts'

const USAGE = `usage: npm run -s tpp -- add <name> --transport-cert <pem> --transport-key <pem> --signing-key <pem>
                              [--ca <pem>] [--org-id <id>] [--software-id <id>] [--org-name <name>]
                              [--client-name <name>] [--roles AISP,PISP,CBPII] [--redirect-uri <uri> ...]
                              [--kid <kid>]
       npm run -s tpp -- list
       npm run -s tpp -- remove <name>
  add             adds (or replaces) a TPP identity of your own to the mock directory, in ${path.relative(process.cwd(), byoDir()) || byoDir()}
  --transport-cert  your transport (mutual TLS) certificate: OBTransport (CN = software id, OU = org id)
                  or OBWAC (CN = org id, organizationIdentifier = PSDGB-OB-<org id>), clientAuth usage
  --transport-key its private key
  --signing-key   your request-signing key: RSA (2048 bits or more: PS256) or EC P-256 (ES256)
  --ca            the CA that issued the transport certificate [the test CA of keys/generated]
  --org-id        the organisation id [the certificate's OU (OBTransport) or CN (OBWAC)]
  --software-id   the software id, 1 to 22 Base62 characters [the certificate's CN (OBTransport), else a new one]
  --org-name, --client-name   names in the SSA [<name> Ltd, <name> App]
  --roles         software roles [AISP,PISP]
  --redirect-uri  the software's redirect URIs (repeatable) [https://<name>.tpp.example/callback]
  --kid           the signing key's kid in the software JWKS [its RFC 7638 thumbprint]
Restart the bank after adding or removing: it reads the directory when it starts.`

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'
const ROLES: readonly Role[] = ['AISP', 'PISP', 'CBPII']
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function readPem(file: string | undefined, flag: string): Buffer {
  if (!file) fail(`${flag} is required`, USAGE)
  try {
    return readFileSync(file)
  } catch (e) {
    fail(`${flag} ${file}: ${(e as Error).message}`, USAGE)
  }
}

/** The subject attributes the certificate profiles read. */
function subjectOf(cert: X509Certificate): CertificateSubject {
  const rdns = rdnsFromCertificateName(new x509.X509Certificate(cert.raw).subjectName.toJSON())
  return {
    cn: dnAttribute(rdns, 'CN'),
    ou: dnAttribute(rdns, 'OU'),
    organizationIdentifier: dnAttribute(rdns, 'organizationIdentifier'),
  }
}

/** The JWS alg a private key signs with here, or why it cannot be used (FAPI: PS256 or ES256). */
function algOf(key: KeyObject): 'PS256' | 'ES256' {
  const d = key.asymmetricKeyDetails
  if (key.asymmetricKeyType === 'rsa' && (d?.modulusLength ?? 0) >= 2048) return 'PS256'
  if (key.asymmetricKeyType === 'ec' && d?.namedCurve === 'prime256v1') return 'ES256'
  fail(
    `--signing-key must be an RSA key of 2048 bits or more (PS256) or an EC P-256 key (ES256); this one is ${key.asymmetricKeyType} ${d?.modulusLength ?? d?.namedCurve ?? ''}`,
    USAGE,
  )
}

/** RFC 7638 JWK thumbprint: SHA-256 of the required members in lexical order. */
function thumbprint(jwk: Record<string, unknown>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n']
  return createHash('sha256')
    .update(JSON.stringify(Object.fromEntries(members.map(m => [m, jwk[m]]))))
    .digest('base64url')
}

/**
 * An identity brings its own software and organisation: a software id the directory knows under
 * another name, or an organisation of the test PKI or of an identity brought with another CA, is
 * refused. Else the directory would serve the newcomer's keys as that software's JWKS, and its CA
 * would vouch for that organisation's certificates (shared/cert_owner.ts): it would act as that TPP.
 */
function checkClaimsOwnIdentity(
  pki: Awaited<ReturnType<typeof ensurePki>>,
  name: string,
  own: { softwareId: string; orgId: string },
  ca: X509Certificate,
): void {
  for (const other of [...Object.values(pki.tpps), ...Object.values(pki.byo)]) {
    if (other.name === name) continue
    if (other.softwareId === own.softwareId) {
      fail(
        `software id ${own.softwareId} is the software of "${other.name}" in the mock directory: bring your own (--software-id)`,
        USAGE,
      )
    }
    const sameCa =
      other.kind === 'byo' && new X509Certificate(readFileSync(other.transport.certPath)).verify(ca.publicKey)
    if (other.orgId === own.orgId && !sameCa) {
      fail(
        `organisation ${own.orgId} is "${other.name}"'s in the mock directory${other.kind === 'byo' ? ', brought with another CA' : ' (the test PKI)'}: bring your own (--org-id, and a certificate that names it)`,
        USAGE,
      )
    }
  }
}

/**
 * A brought CA has a name of its own: the test CA's, or another identity's CA's, with another key
 * is refused. The bank knows a certificate's CA by the issuer name it carries (TLS and
 * shared/cert_owner.ts): two trusted CAs of one name could not be told apart, and each would vouch
 * for the other's organisations.
 */
function checkCaName(pki: Awaited<ReturnType<typeof ensurePki>>, name: string, ca: X509Certificate): void {
  const spki = (cert: X509Certificate) => cert.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
  const own = path.join(byoDir(), name)
  for (const file of [pki.ca.certPath, ...pki.byoCas]) {
    if (path.dirname(path.resolve(file)) === path.resolve(own)) continue
    const other = new X509Certificate(readFileSync(file))
    if (other.subject === ca.subject && spki(other) !== spki(ca)) {
      fail(
        `--ca ${ca.subject.replaceAll('\n', ', ')} has the name of another CA the bank trusts (${file}) with another key: give your CA a name of its own`,
        USAGE,
      )
    }
  }
}

async function add(name: string, argv: string[]): Promise<void> {
  const args = parseArgs(
    argv,
    [
      '--transport-cert',
      '--transport-key',
      '--signing-key',
      '--ca',
      '--org-id',
      '--software-id',
      '--org-name',
      '--client-name',
      '--roles',
      '--redirect-uri',
      '--kid',
    ],
    USAGE,
  )
  const one = (k: string) => args.values.get(k)?.[0]
  const pki = await ensurePki({ log: line => console.error(line) })
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) fail(`the name "${name}" must be lower-case letters, digits and -`, USAGE)
  if (pki.tpps[name]) fail(`"${name}" is a TPP of the test PKI; choose another name`, USAGE)

  const certPem = readPem(one('--transport-cert'), '--transport-cert')
  const keyPem = readPem(one('--transport-key'), '--transport-key')
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certPem)
  } catch (e) {
    fail(`--transport-cert is not a PEM certificate (${(e as Error).message})`, USAGE)
  }
  let transportKey: KeyObject
  try {
    transportKey = createPrivateKey(keyPem)
  } catch (e) {
    fail(`--transport-key is not a PEM private key (${(e as Error).message})`, USAGE)
  }
  if (!cert.checkPrivateKey(transportKey)) fail('--transport-key is not the key of --transport-cert', USAGE)
  const now = Date.now()
  if (Date.parse(cert.validTo) < now || Date.parse(cert.validFrom) > now) {
    fail(`--transport-cert is valid only from ${cert.validFrom} to ${cert.validTo}`, USAGE)
  }
  const eku = cert.keyUsage as string[] | undefined
  if (eku && !eku.includes(CLIENT_AUTH) && !eku.includes('2.5.29.37.0')) {
    fail('--transport-cert does not allow TLS client authentication (extendedKeyUsage has no clientAuth)', USAGE)
  }
  const caFile = one('--ca')
  const caPem = caFile ? readPem(caFile, '--ca') : readFileSync(pki.ca.certPath)
  const ca = new X509Certificate(caPem)
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    fail(
      caFile
        ? `--transport-cert is not issued by --ca ${caFile} (its issuer: ${cert.issuer.replaceAll('\n', ', ')})`
        : `--transport-cert is not issued by the test CA: give its issuing CA with --ca <pem> (its issuer: ${cert.issuer.replaceAll('\n', ', ')})`,
      USAGE,
    )
  }

  const subject = subjectOf(cert)
  const profile = certificateProfile(subject)
  const orgId =
    one('--org-id') ??
    (profile === 'OBWAC' ? subject.cn : subject.ou) ??
    fail(`the certificate names no organisation (${profile}): give --org-id`, USAGE)
  let softwareId = one('--software-id') ?? (profile === 'OBTransport' ? subject.cn : undefined)
  let madeSoftwareId = false
  if (!softwareId) {
    const bytes = randomBytes(22)
    softwareId = [...bytes].map(b => BASE62[b % 62]).join('')
    madeSoftwareId = true
  }
  if (!/^[0-9a-zA-Z]{1,22}$/.test(softwareId)) {
    fail(`the software id "${softwareId}" must be 1 to 22 Base62 characters (OB Directory software_id)`, USAGE)
  }
  const ownership = certificateOwnership(subject, { softwareId, orgId })
  if (!ownership.belongs)
    fail(`the bank would refuse this certificate for software ${softwareId}: ${ownership.reason}`, USAGE)
  checkClaimsOwnIdentity(pki, name, { softwareId, orgId }, ca)
  if (caFile) checkCaName(pki, name, ca)

  const signingPem = readPem(one('--signing-key'), '--signing-key')
  let signingKey: KeyObject
  try {
    signingKey = createPrivateKey(signingPem)
  } catch (e) {
    fail(`--signing-key is not a PEM private key (${(e as Error).message})`, USAGE)
  }
  const alg = algOf(signingKey)
  const jwk = createPublicKey(signingKey).export({ format: 'jwk' }) as Record<string, unknown>
  const kid = one('--kid') ?? thumbprint(jwk)

  const roles = (one('--roles') ?? 'AISP,PISP').split(',').map(r => r.trim().toUpperCase())
  for (const r of roles)
    if (!ROLES.includes(r as Role)) fail(`--roles: "${r}" is not one of ${ROLES.join(', ')}`, USAGE)
  const redirectUris = args.values.get('--redirect-uri') ?? [`https://${name}.tpp.example/callback`]
  for (const uri of redirectUris)
    if (!/^https:\/\/[^/]+/.test(uri)) fail(`--redirect-uri ${uri} is not an https URL`, USAGE)

  const home = path.join(byoDir(), name)
  rmSync(home, { recursive: true, force: true })
  mkdirSync(home, { recursive: true })
  writeFileSync(path.join(home, 'transport.pem'), certPem)
  writeFileSync(path.join(home, 'transport.key'), keyPem, { mode: 0o600 })
  writeFileSync(path.join(home, 'signing.key'), signingKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  if (caFile) copyFileSync(caFile, path.join(home, 'ca.pem'))
  const signing: SigningKey = { kid, alg, keyPath: 'signing.key', publicJwk: { ...jwk, kid, alg, use: 'sig' } }
  const identity: SoftwareIdentity & { caPath?: string } = {
    name,
    kind: 'byo',
    orgId,
    orgName: one('--org-name') ?? `${name} Ltd`,
    orgStatus: 'Active',
    softwareId,
    clientName: one('--client-name') ?? `${name} App`,
    roles: roles as Role[],
    redirectUris,
    signing,
    certificateProfile: profile,
    transport: {
      certPath: 'transport.pem',
      keyPath: 'transport.key',
      subjectDn: subjectDnOf(certPem),
      x5tS256: createHash('sha256').update(cert.raw).digest('base64url'),
      notAfter: new Date(cert.validTo).toISOString(),
      serialNumber: cert.serialNumber,
    },
    ...(caFile ? { caPath: 'ca.pem' } : {}),
  }
  writeFileSync(path.join(home, BYO_IDENTITY_FILE), `${JSON.stringify(identity, null, 2)}\n`)
  console.log(
    [
      `tpp: added "${name}" to the mock directory (${home})`,
      `  organisation  ${orgId}`,
      `  software      ${softwareId}${madeSoftwareId ? ' (made here: the OBWAC certificate names no software)' : ''}`,
      `  certificate   ${profile}: ${identity.transport.subjectDn}${caFile ? ` (CA ${caFile}, trusted for mutual TLS)` : ''}`,
      `  signing key   ${alg}, kid ${kid}`,
      `  roles         ${roles.join(', ')}; redirect URIs ${redirectUris.join(' ')}`,
      'Restart the bank (npm start) so that it knows this TPP; then, e.g.:',
      `  npm run -s request -- --tpp ${name}     # a registration request with a fresh SSA`,
    ].join('\n'),
  )
}

async function list(): Promise<void> {
  const pki = await ensurePki({ log: line => console.error(line) })
  const names = Object.keys(pki.byo)
  if (names.length === 0) {
    console.log(`tpp: no identities of your own in ${byoDir()} (npm run -s tpp -- add <name> ...)`)
    return
  }
  for (const t of Object.values(pki.byo)) {
    console.log(
      `${t.name.padEnd(12)} org ${t.orgId} software ${t.softwareId} ${t.certificateProfile} ${t.signing.alg} kid ${t.signing.kid} certificate until ${t.transport.notAfter}`,
    )
  }
}

const [command, name, ...rest] = process.argv.slice(2)
if (command === 'add' && name && !name.startsWith('-')) await add(name, rest)
else if (command === 'list') await list()
else if (command === 'remove' && name) {
  const home = path.join(byoDir(), name)
  rmSync(home, { recursive: true, force: true })
  console.log(`tpp: removed "${name}" (${home}); restart the bank`)
} else if (command === '--help' || command === '-h') console.log(USAGE)
else fail(command ? `unknown command "${[command, name].filter(Boolean).join(' ')}"` : 'a command is required', USAGE)
