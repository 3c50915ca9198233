/**
 * What a client's standing on the CDR Register lets this Data Holder do (CDS "Participant
 * Statuses", Data Holder Responsibilities). The Register here is in the same process, so the Data
 * Holder reads the statuses as they are now (a real one polls within 5 minutes):
 *
 * - ACTIVE: everything;
 * - INACTIVE (the software product or brand INACTIVE, or the data recipient SUSPENDED): no
 *   disclosure of CDR data and no consent authorisation (PAR, /authorize, the code and refresh
 *   grants, /userinfo); consent withdrawal and registration management stay open;
 * - REMOVED (the product or brand REMOVED, or the data recipient REVOKED or SURRENDERED): the
 *   consents are invalidated and the registration cleaned up. This Data Holder does that at the
 *   product's next request to it: the client is deleted with every token, and the request refused.
 *
 * A software product the Register does not know (a statement minted for a test with a fresh
 * software_id) has no status to apply: its verified software statement is all there is.
 */
import type { Bank } from '../../../config/bank.ts'
import type { ClientRecord } from '../../../models/store.ts'
import { InvalidClient, type OAuthError, UnauthorizedClient } from '../../../shared/errors.ts'
import { cdr } from '../state.ts'

export interface Standing {
  state: 'ACTIVE' | 'INACTIVE' | 'REMOVED'
  /** The statuses that are not ACTIVE, in words (empty when ACTIVE). */
  why: string
}

/** The standing of a software product: its own status cascaded with its brand's and its data recipient's. */
export function standingOf(bank: Bank, softwareId: string): Standing {
  const participant = cdr(bank).participants.product(softwareId)
  if (!participant) return { state: 'ACTIVE', why: '' }
  const s = participant.statuses
  const removed =
    s.softwareProductStatus === 'REMOVED' ||
    s.brandStatus === 'REMOVED' ||
    s.legalEntityStatus === 'REVOKED' ||
    s.legalEntityStatus === 'SURRENDERED'
  const inactive =
    s.softwareProductStatus !== 'ACTIVE' || s.brandStatus !== 'ACTIVE' || s.legalEntityStatus !== 'ACTIVE'
  const parts = [
    ...(s.softwareProductStatus !== 'ACTIVE' ? [`software product ${softwareId} ${s.softwareProductStatus}`] : []),
    ...(s.brandStatus !== 'ACTIVE' ? [`brand ${s.brandStatus}`] : []),
    ...(s.legalEntityStatus !== 'ACTIVE' ? [`data recipient ${s.legalEntityStatus}`] : []),
  ]
  const why = `${parts.join(', ')} on the CDR Register`
  if (removed) return { state: 'REMOVED', why }
  return inactive ? { state: 'INACTIVE', why } : { state: 'ACTIVE', why: '' }
}

const CLAUSE = 'CDS Participant Statuses, Data Holder Responsibilities'

/**
 * A REMOVED product's client: its consents invalidated and its registration cleaned up now (the
 * client deleted with every token), and the request refused with `refuse`'s error.
 */
async function cleanUp(
  bank: Bank,
  client: ClientRecord,
  standing: Standing,
  refuse: (description: string) => OAuthError,
): Promise<never> {
  await bank.store.batch(() => bank.store.deleteClient(client.clientId))
  throw refuse(
    `client "${client.clientId}" is no longer registered: ${standing.why} (REMOVED), so this Data Holder has invalidated its consents and cleaned up its registration (${CLAUSE})`,
  )
}

/**
 * Consent authorisation and disclosure of CDR data: only for an ACTIVE product. INACTIVE is
 * refused with `refuse` (unauthorized_client unless told); REMOVED cleans up first (invalid_client
 * unless told).
 */
export async function requireActiveProduct(
  bank: Bank,
  client: ClientRecord,
  what: string,
  refuse: { inactive?: (d: string) => OAuthError; removed?: (d: string) => OAuthError } = {},
): Promise<void> {
  const standing = standingOf(bank, client.softwareId)
  if (standing.state === 'REMOVED') await cleanUp(bank, client, standing, refuse.removed ?? (d => new InvalidClient(d)))
  if (standing.state === 'INACTIVE') {
    const description = `${what} is refused: ${standing.why} (INACTIVE): a Data Holder neither facilitates consent authorisation nor discloses CDR data for it (${CLAUSE})`
    throw (refuse.inactive ?? (d => new UnauthorizedClient(d)))(description)
  }
}

/** Consent withdrawal and registration management: open to an INACTIVE product; REMOVED cleans up and refuses. */
export async function refuseRemovedProduct(
  bank: Bank,
  client: ClientRecord,
  refuse: (d: string) => OAuthError = d => new InvalidClient(d),
): Promise<void> {
  const standing = standingOf(bank, client.softwareId)
  if (standing.state === 'REMOVED') await cleanUp(bank, client, standing, refuse)
}
