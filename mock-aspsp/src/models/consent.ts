/**
 * Account-access consents (OB Account and Transaction API, `account-access-consents`): kept in the
 * store as grant records of type `account-access-consent`, keyed by ConsentId.
 */
import type { Store } from './store.ts'
import { epoch } from './store.ts'

export type ConsentStatus = 'AwaitingAuthorisation' | 'Authorised' | 'Rejected' | 'Revoked'

export interface Consent {
  consentId: string
  clientId: string
  status: ConsentStatus
  /** ISO 8601 date-times, as the API returns them. */
  creationDateTime: string
  statusUpdateDateTime: string
  permissions: string[]
  expirationDateTime?: string
  transactionFromDateTime?: string
  transactionToDateTime?: string
  /** Set when the customer authorises: who, and which of their accounts. */
  customerId?: string
  accountIds?: string[]
}

const TYPE = 'account-access-consent'
/** Open-ended consents are kept this long; expired ones a little longer, so GET still answers. */
const OPEN_ENDED_SECONDS = 400 * 24 * 3600
const GRACE_SECONDS = 30 * 24 * 3600

/** Seconds since the epoch at which the consent expires, or undefined when it is open-ended. */
export function consentExpiry(consent: Consent): number | undefined {
  return consent.expirationDateTime ? Math.floor(Date.parse(consent.expirationDateTime) / 1000) : undefined
}

export function consentExpired(consent: Consent, now = epoch()): boolean {
  const exp = consentExpiry(consent)
  return exp !== undefined && exp <= now
}

/**
 * Why `consent` does not authorise `clientId`'s access now, in words for an error description
 * (`status Revoked`, `status Authorised, expired`, `status unknown`), or undefined when it does:
 * it exists, is the client's, is Authorised and has not expired.
 */
export function consentProblem(consent: Consent | undefined, clientId: string, now = epoch()): string | undefined {
  if (consent && consent.clientId === clientId && consent.status === 'Authorised' && !consentExpired(consent, now)) {
    return undefined
  }
  // Another client's consent reads as unknown: nothing about it is told.
  const own = consent?.clientId === clientId ? consent : undefined
  return `status ${own?.status ?? 'unknown'}${own && consentExpired(own, now) ? ', expired' : ''}`
}

export function getConsent(store: Store, consentId: string): Consent | undefined {
  return store.getGrant(TYPE, consentId)?.data as Consent | undefined
}

export function saveConsent(store: Store, consent: Consent): void {
  const exp = consentExpiry(consent)
  store.putGrant({
    type: TYPE,
    id: consent.consentId,
    clientId: consent.clientId,
    expiresAt: (exp ?? epoch() + OPEN_ENDED_SECONDS) + GRACE_SECONDS,
    data: { ...consent },
  })
}

/** The consent with a new status, stamped now. */
export function withStatus(consent: Consent, status: ConsentStatus, extra: Partial<Consent> = {}): Consent {
  return { ...consent, ...extra, status, statusUpdateDateTime: isoNow() }
}

/** Now as an ISO 8601 date-time with a timezone, to the second (OB: "must include the timezone"). */
export const isoNow = () => `${new Date().toISOString().slice(0, 19)}+00:00`
