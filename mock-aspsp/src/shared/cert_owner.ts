/**
 * Which certificate may act for a client: the one place that decides whether a (trusted) client
 * certificate belongs to the software or organisation a client or a software statement is of
 * (DESIGN decision table, "Which certificate may act for a client"). Registration, the token,
 * PAR, introspection and revocation endpoints, and every bearer-token call ask it; a certificate
 * profile other than the OB transport one (OBWAC / eIDAS) extends it here.
 *
 * OBTransport certificates (OB Directory, "Transport certificate"): subject CN = the software's
 * `software_id`, OU = the organisation's id; OBWAC (eIDAS-style) certificates: CN = the org id,
 * organizationIdentifier `PSDGB-OB-<org id>`, for every software of the organisation. Without this check, any trusted certificate — another
 * organisation's — could register for, take tokens for and manage a client (catalogue NEG-META-38,
 * NEG-TOK-32, NEG-BIND-08).
 */
import 'reflect-metadata'
import { X509Certificate as NodeX509 } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as x509 from '@peculiar/x509'
import type { Bank } from '../config/bank.ts'
import { certificateOwnership, type SoftwareOwner } from '../pki/cert_profiles.ts'
import { dnKey, rdnsFromCertificateName } from '../pki/dn.ts'
import type { ClientCert } from './mtls.ts'

/**
 * Whose a certificate must be: a client's (or a software statement's) software and organisation,
 * and the client's registration where there is one (a profile may judge by its metadata).
 */
export type CertOwner = SoftwareOwner & { registration?: Readonly<Record<string, unknown>> }

/** The option that switches the check off, for messages. */
const OPTION = 'transportCertMustMatchSoftware (--no-transport-cert-check)'

/**
 * Why `cert` does not belong to `owner`, in words for an error description; undefined when it
 * does (or when the bank is told not to check: `transportCertMustMatchSoftware` false). The
 * profile's rule where it has one (`BankProfile.certificateProblem`); else both OB certificate
 * profiles count: OBTransport for the software, OBWAC for its organisation (`pki/cert_profiles.ts`).
 */
export function certOwnershipProblem(bank: Bank, cert: ClientCert, owner: CertOwner): string | undefined {
  if (!bank.options.transportCertMustMatchSoftware) return undefined
  const scoped = issuerScopeProblem(bank, cert, owner.orgId)
  if (scoped) return scoped
  const own = bank.dcrProfile.certificateProblem
  if (own) {
    const problem = own(cert, owner)
    return problem === undefined ? undefined : `${problem} (option ${OPTION})`
  }
  const ownership = certificateOwnership(cert, owner)
  return ownership.belongs ? undefined : `${ownership.reason} (option ${OPTION})`
}

/**
 * Why `cert` cannot act for `owner` whatever the bank's options (the mock directory's SSAs, the
 * signing helper): it must be the owner's by an OB certificate profile, and issued by a CA that
 * vouches for the owner's organisation (`issuerScopeProblem`). Undefined when it can.
 */
export function actsForProblem(bank: Bank, cert: ClientCert, owner: SoftwareOwner): string | undefined {
  const ownership = certificateOwnership(cert, owner)
  return ownership.belongs ? issuerScopeProblem(bank, cert, owner.orgId) : ownership.reason
}

/** A CA a TPP brought for its own identity: its subject, and the organisations of the identities it issued. */
interface BroughtCa {
  subject: string
  orgIds: Set<string>
  /** Another trusted CA of the same name with another key (its file), when there is one. */
  clash?: string
}

/** The first certificate of a PEM file, parsed. */
const certificateIn = (file: string) => new x509.X509Certificate(new Uint8Array(new NodeX509(readFileSync(file)).raw))
const subjectKey = (cert: x509.X509Certificate) => dnKey(rdnsFromCertificateName(cert.subjectName.toJSON()))
const publicKeyOf = (file: string) =>
  new NodeX509(readFileSync(file)).publicKey.export({ type: 'spki', format: 'der' }).toString('base64')

/** Per bank, the CAs TPPs brought (by subject key), read once from its PKI. */
const broughtCas = new WeakMap<Bank, Map<string, BroughtCa>>()

function broughtCasOf(bank: Bank): Map<string, BroughtCa> {
  let cas = broughtCas.get(bank)
  if (cas) return cas
  cas = new Map()
  // The test CA and the operator's --extra-ca are trusted for every organisation, as the OB
  // Directory's CAs and the QTSPs are.
  const everyone = new Map(
    [bank.pki.ca.certPath, ...bank.options.extraCas].map(f => [subjectKey(certificateIn(f)), f] as const),
  )
  // A certificate names its CA by the issuer name only: a brought CA that shares its name with
  // another trusted CA, with another key, cannot be told apart from it, and vouches for nobody.
  const keys = new Map<string, { file: string; publicKey: string }>()
  for (const file of [...everyone.values(), ...bank.pki.byoCas]) {
    const key = subjectKey(certificateIn(file))
    const publicKey = publicKeyOf(file)
    const seen = keys.get(key)
    if (!seen) keys.set(key, { file, publicKey })
    const clash = seen && seen.publicKey !== publicKey ? seen.file : undefined
    if (everyone.has(key) && !clash) continue
    const ca = cas.get(key) ?? { subject: certificateIn(file).subject, orgIds: new Set<string>() }
    if (clash) ca.clash = clash
    cas.set(key, ca)
  }
  for (const identity of Object.values(bank.pki.byo)) {
    const issuer = certificateIn(identity.transport.certPath).issuerName.toJSON()
    cas.get(dnKey(rdnsFromCertificateName(issuer)))?.orgIds.add(identity.orgId)
  }
  broughtCas.set(bank, cas)
  return cas
}

/**
 * Why `cert` cannot act for organisation `orgId` by the CA that issued it, or undefined. A CA a
 * TPP brought with its own identity (`npm run tpp -- add --ca`; the README makes one with
 * openssl) is trusted for mutual TLS, but it vouches only for the organisations of the identities
 * it issued: else that TPP could issue a certificate with any other TPP's subject and act for its
 * clients (tls_client_auth tokens, client management, the directory's SSAs).
 */
export function issuerScopeProblem(bank: Bank, cert: ClientCert, orgId: string): string | undefined {
  const ca = broughtCasOf(bank).get(cert.issuerKey)
  if (ca?.clash) {
    return `the client certificate is issued by "${ca.subject}", and two CAs the bank trusts have that name with different keys (one is ${ca.clash}): their certificates cannot be told apart, so it vouches for no organisation (give each brought CA a name of its own: npm run tpp -- add --ca)`
  }
  if (!ca || ca.orgIds.has(orgId)) return undefined
  const orgs = [...ca.orgIds].map(o => `"${o}"`).join(', ') || 'none'
  return `the client certificate is issued by "${ca.subject}", a CA a TPP brought for its own identity (npm run tpp -- add --ca): it vouches only for the organisations of the identities it brought (${orgs}), not for "${orgId}" (start the bank with --extra-ca <its PEM> to trust it for every organisation)`
}
