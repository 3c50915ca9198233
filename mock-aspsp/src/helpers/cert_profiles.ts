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
 * One function, `certificateOwnership`, answers for both; the registration check, the directory's
 * SSA endpoint and any rule about "which certificate may act for a client" ask it.
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

/** Whether the certificate belongs to the software (OBTransport) or to its organisation (OBWAC), and if not why. */
export function certificateOwnership(subject: CertificateSubject, owner: SoftwareOwner): Ownership {
  const profile = certificateProfile(subject)
  const show = (v: string | undefined) => JSON.stringify(v ?? null)
  if (profile === 'OBWAC') {
    const ids = obOrganizationIdentifiers(owner.orgId)
    if (subject.cn === owner.orgId && ids.includes(subject.organizationIdentifier ?? '')) {
      return { belongs: true, profile }
    }
    return {
      belongs: false,
      reason: `the OBWAC transport certificate (CN=${show(subject.cn)}, organizationIdentifier=${show(subject.organizationIdentifier)}) is not one of organisation "${owner.orgId}": it needs CN = the org_id and organizationIdentifier = ${ids.map(i => `"${i}"`).join(' or ')}`,
    }
  }
  if (subject.cn === owner.softwareId && subject.ou === owner.orgId) return { belongs: true, profile }
  return {
    belongs: false,
    reason: `the OBTransport certificate (CN=${show(subject.cn)}, OU=${show(subject.ou)}) is not one of software "${owner.softwareId}" of organisation "${owner.orgId}": it needs CN = the software_id and OU = the org_id (an OBWAC certificate needs CN = the org_id and organizationIdentifier = "PSDGB-OB-${owner.orgId}")`,
  }
}
