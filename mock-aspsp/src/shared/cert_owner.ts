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
import type { Bank } from '../config/bank.ts'
import { certificateOwnership, type SoftwareOwner } from '../pki/cert_profiles.ts'
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
  const own = bank.dcrProfile.certificateProblem
  if (own) {
    const problem = own(cert, owner)
    return problem === undefined ? undefined : `${problem} (option ${OPTION})`
  }
  const ownership = certificateOwnership(cert, owner)
  return ownership.belongs ? undefined : `${ownership.reason} (option ${OPTION})`
}
