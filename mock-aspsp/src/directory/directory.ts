/**
 * The mock Open Banking Directory: who is registered (organisations, software, their status),
 * the directory's SSA-signing JWKS, and the org / software / revoked JWKS at paths shaped like the
 * OB keystore (`https://keystore.openbankingtest.org.uk/<org_id>/<software_id>.jwks`).
 *
 * The bank serves the same documents under `/directory/keystore/...`, and with msw it also answers
 * for the real keystore host, so SSAs carrying real-looking URLs work offline.
 */
import type { Pki, SoftwareIdentity, TppIdentity } from '../../../keys/pki.ts'

export const KEYSTORE_HOST = 'keystore.openbankingtest.org.uk'
export const LOCAL_KEYSTORE_PATH = '/directory/keystore'

type Jwks = { keys: Record<string, unknown>[] }

export interface SoftwareRecord {
  tpp: SoftwareIdentity
  jwks: Jwks
  revokedJwks: Jwks
}

export class Directory {
  /** `iss` values of SSAs this bank trusts. */
  readonly trustedIssuers: ReadonlySet<string>
  /** The JWKS of the directory's SSA-signing keys (only the trusted key). */
  readonly ssaJwks: Jwks
  private readonly software = new Map<string, SoftwareRecord>()
  private readonly orgs = new Map<string, SoftwareIdentity[]>()

  constructor(readonly pki: Pki) {
    this.trustedIssuers = new Set([pki.directory.issuer])
    this.ssaJwks = { keys: [pki.directory.signing.publicJwk] }
    // The test PKI's TPPs, then those their owners brought (npm run tpp -- add).
    for (const tpp of [...Object.values(pki.tpps), ...Object.values(pki.byo)]) {
      const transportKey = {
        kty: 'RSA',
        use: 'tls',
        kid: tpp.transport.x5tS256,
        'x5t#S256': tpp.transport.x5tS256,
      }
      const more = 'signingEs256' in tpp ? (tpp as TppIdentity) : undefined
      this.software.set(tpp.softwareId, {
        tpp,
        jwks: { keys: [tpp.signing.publicJwk, ...(more ? [more.signingEs256.publicJwk] : []), transportKey] },
        revokedJwks: { keys: more ? [more.revokedSigning.publicJwk] : [] },
      })
      const list = this.orgs.get(tpp.orgId) ?? []
      list.push(tpp)
      this.orgs.set(tpp.orgId, list)
    }
  }

  softwareRecord(softwareId: string): SoftwareRecord | undefined {
    return this.software.get(softwareId)
  }

  /** Directory status of an organisation known to this directory, or undefined for strangers. */
  orgStatus(orgId: string): string | undefined {
    return this.orgs.get(orgId)?.[0]?.orgStatus
  }

  /**
   * The JWKS at a keystore path (`keystore/openbanking.jwks`, `<org>/<id>.jwks`,
   * `<org>/revoked/<id>.jwks`), or undefined when there is none.
   */
  jwksAtPath(pathname: string): Jwks | undefined {
    const parts = pathname.replace(/^\/+/, '').split('/')
    if (parts.length === 2 && parts[0] === 'keystore' && parts[1] === 'openbanking.jwks') return this.ssaJwks
    const revoked = parts.length === 3 && parts[1] === 'revoked'
    if (!(parts.length === 2 || revoked)) return undefined
    const orgId = parts[0] as string
    const file = parts[parts.length - 1] as string
    if (!file.endsWith('.jwks')) return undefined
    const id = file.slice(0, -'.jwks'.length)
    const sw = this.software.get(id)
    if (sw && sw.tpp.orgId === orgId) return revoked ? sw.revokedJwks : sw.jwks
    const org = this.orgs.get(orgId)
    if (org && id === orgId) {
      return revoked
        ? { keys: org.flatMap(t => ('revokedSigning' in t ? [(t as TppIdentity).revokedSigning.publicJwk] : [])) }
        : { keys: org.map(t => t.signing.publicJwk) }
    }
    return undefined
  }

  /**
   * Answers a keystore URL served by this bank itself (`<issuer>/directory/keystore/...`):
   * the JWKS, null when the path names nothing, undefined when the URL is not ours.
   */
  localJwks(url: string, issuer: string): Jwks | null | undefined {
    const prefix = `${issuer}${LOCAL_KEYSTORE_PATH}/`
    if (!url.startsWith(prefix)) return undefined
    return this.jwksAtPath(url.slice(prefix.length)) ?? null
  }
}
