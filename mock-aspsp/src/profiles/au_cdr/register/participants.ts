/**
 * Who the mock CDR Register knows and in what state: every data recipient of the test PKI with its
 * legal entity, brand and software product, each with a status a test can change (CDS
 * "Participant Statuses": a Data Recipient ACTIVE / SUSPENDED / REVOKED / SURRENDERED, a brand and
 * a software product ACTIVE / INACTIVE / REMOVED). The Register issues SSAs only while all three
 * are ACTIVE.
 */
import type { CdrPki, CdrRecipient } from '../../../../../keys/pki.ts'

export const LEGAL_ENTITY_STATUSES = ['ACTIVE', 'SUSPENDED', 'REVOKED', 'SURRENDERED'] as const
export const BRAND_STATUSES = ['ACTIVE', 'INACTIVE', 'REMOVED'] as const
export const PRODUCT_STATUSES = ['ACTIVE', 'INACTIVE', 'REMOVED'] as const

export interface Statuses {
  legalEntityStatus: (typeof LEGAL_ENTITY_STATUSES)[number]
  brandStatus: (typeof BRAND_STATUSES)[number]
  softwareProductStatus: (typeof PRODUCT_STATUSES)[number]
}

export interface Participant {
  recipient: CdrRecipient
  statuses: Statuses
}

const ACTIVE: Statuses = { legalEntityStatus: 'ACTIVE', brandStatus: 'ACTIVE', softwareProductStatus: 'ACTIVE' }

export class Participants {
  private readonly byProduct = new Map<string, Participant>()

  constructor(cdr: CdrPki) {
    for (const recipient of Object.values(cdr.recipients)) {
      this.byProduct.set(recipient.softwareProductId, { recipient, statuses: { ...ACTIVE } })
    }
  }

  /** The software product `productId`, or undefined. */
  product(productId: string): Participant | undefined {
    return this.byProduct.get(productId)
  }

  /** Whether a brand of that id is registered. */
  hasBrand(brandId: string): boolean {
    return [...this.byProduct.values()].some(p => p.recipient.brandId === brandId)
  }

  /** The recipient whose JWKS is at `url`, if any. */
  byJwksUri(url: string): CdrRecipient | undefined {
    for (const p of this.byProduct.values()) if (p.recipient.jwksUri === url) return p.recipient
    return undefined
  }

  /** Changes some statuses of a software product's legal entity, brand and product; returns them all. */
  setStatuses(productId: string, change: Partial<Statuses>): Statuses | undefined {
    const p = this.byProduct.get(productId)
    if (!p) return undefined
    p.statuses = { ...p.statuses, ...change }
    return { ...p.statuses }
  }

  /** Why the Register may not issue an SSA for this product now, or undefined when it may. */
  inactive(p: Participant): string | undefined {
    const s = p.statuses
    if (s.legalEntityStatus !== 'ACTIVE') return `the data recipient (legal entity) is ${s.legalEntityStatus}`
    if (s.brandStatus !== 'ACTIVE') return `the brand is ${s.brandStatus}`
    if (s.softwareProductStatus !== 'ACTIVE') return `the software product is ${s.softwareProductStatus}`
    return undefined
  }
}
