/**
 * Which software or organisation a transport certificate belongs to, by the two subject shapes UK
 * Open Banking certificates come in:
 *
 * - **OBTransport** (the OB Directory's own transport certificates): CN = software id,
 *   OU = org id. The certificate belongs to one piece of software.
 * - **OBWAC** (eIDAS-style qualified website authentication certificates, what UK sandboxes issue
 *   today): CN = org id and organizationIdentifier (2.5.4.97) = `PSDGB-OB-<org id>` (ETSI EN 319
 *   412-1 §5.1.4 semantics identifier; the OB Directory also writes `PSDGB-OB-Unknown<org id>` for
 *   organisations without a competent-authority number). The certificate belongs to the
 *   organisation, so to every software of it.
 *
 * One function, `certificateOwnership`, answers for both; `shared/cert_owner.ts` (which
 * certificate may act for a client: registration, token, PAR, introspection, revocation, bearer
 * calls), the directory's SSA endpoint and `npm run tpp -- add` ask it.
 */
import type { CertificateProfile } from '../../../keys/pki.ts'

export type { CertificateProfile }

/** The subject attributes a profile reads (the rest of the subject does not matter). */
export interface CertificateSubject {
  cn: string | undefined
  ou: string | undefined
  organizationIdentifier: string | undefined
}

/** The software a certificate should belong to: the SSA's `software_id` and `org_id`. */
export interface SoftwareOwner {
  softwareId: string
  orgId: string
}

export type Ownership = { belongs: true; profile: CertificateProfile } | { belongs: false; reason: string }

/** The profile a subject is shaped as: OBWAC when it carries an organizationIdentifier. */
export function certificateProfile(subject: CertificateSubject): CertificateProfile {
  return subject.organizationIdentifier !== undefined ? 'OBWAC' : 'OBTransport'
}

/** The organizationIdentifier values that name an OB Directory organisation. */
export function obOrganizationIdentifiers(orgId: string): string[] {
  return [`PSDGB-OB-${orgId}`, `PSDGB-OB-Unknown${orgId}`]
}

/**
 * Whether the certificate belongs to the software (OBTransport) or to its organisation (OBWAC),
 * and if not why. An OBTransport certificate without OU, or an owner without org id, is judged by
 * its CN alone.
 */
export function certificateOwnership(subject: CertificateSubject, owner: SoftwareOwner): Ownership {
  const profile = certificateProfile(subject)
  const show = (v: string | undefined) => JSON.stringify(v ?? null)
  const obwacIds = obOrganizationIdentifiers(owner.orgId)
  if (profile === 'OBWAC') {
    if (subject.cn === owner.orgId && obwacIds.includes(subject.organizationIdentifier ?? '')) {
      return { belongs: true, profile }
    }
    return {
      belongs: false,
      reason: `the client certificate (OBWAC: CN=${show(subject.cn)}, organizationIdentifier=${show(subject.organizationIdentifier)}) is not a certificate of organisation "${owner.orgId}": OBWAC certificates carry the org id as CN and organizationIdentifier ${obwacIds.map(i => `"${i}"`).join(' or ')}`,
    }
  }
  const ouFits = subject.ou === undefined || owner.orgId === '' || subject.ou === owner.orgId
  if (subject.cn === owner.softwareId && ouFits) return { belongs: true, profile }
  return {
    belongs: false,
    reason: `the client certificate (OBTransport: CN=${show(subject.cn)}, OU=${show(subject.ou)}) is not a certificate of software "${owner.softwareId}" of organisation "${owner.orgId}": OBTransport certificates carry the software_id as CN and the org id as OU (an OBWAC certificate: the org id as CN and organizationIdentifier "${obwacIds[0]}")`,
  }
}
