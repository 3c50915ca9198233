/**
 * The store: one interface, two implementations (`memory_store.ts` for tests, `sqlite_store.ts`
 * for `npm start`). Synchronous on purpose: both backends answer without I/O waits
 * (better-sqlite3 is synchronous), and a registration is acknowledged only after `insertClient`
 * has returned, i.e. after the row is committed.
 */

/** A registered client. `registration` is the registration response body (RFC 7591 §3.2.1). */
export interface ClientRecord {
  clientId: string
  softwareId: string
  orgId: string
  /** Seconds since the epoch. */
  issuedAt: number
  updatedAt: number
  registration: Record<string, unknown>
}

export type TokenKind = 'access' | 'refresh'
export type GrantKind = 'client_credentials' | 'authorization_code' | 'refresh_token'

/** An issued token, keyed by the SHA-256 of its value (the value itself is never stored). */
export interface TokenRecord {
  hash: string
  kind: TokenKind
  clientId: string
  grant: GrantKind
  scope: string
  /** RFC 8705 `cnf.x5t#S256` of the certificate the token is bound to, or null. */
  x5tS256: string | null
  issuedAt: number
  expiresAt: number
  revoked: boolean
  /** Grant-specific data (consent id, customer, accounts, ...). */
  extra?: Record<string, unknown>
}

/** A short-lived record of the authorization flow (PAR request, authorization code, consent). */
export interface GrantRecord {
  id: string
  type: string
  clientId: string
  expiresAt: number
  data: Record<string, unknown>
}

export interface Store {
  readonly kind: 'memory' | 'sqlite'
  insertClient(client: ClientRecord): void
  getClient(clientId: string): ClientRecord | undefined
  /** Replaces the registration; false when the client does not exist. */
  updateClient(client: ClientRecord): boolean
  /** Removes the client and revokes all its tokens in one step; false when it did not exist. */
  deleteClient(clientId: string, options?: { keepTokens?: boolean }): boolean
  countClientsOfSoftware(softwareId: string): number

  insertToken(token: TokenRecord): void
  getToken(hash: string): TokenRecord | undefined
  revokeToken(hash: string): void
  revokeClientTokens(clientId: string): number

  /**
   * Records a single-use identifier (`jti`) in a namespace until `expiresAt`. Returns false when
   * it was already recorded and has not expired: a replay.
   */
  useOnce(namespace: string, id: string, expiresAt: number): boolean

  putGrant(grant: GrantRecord): void
  getGrant(type: string, id: string): GrantRecord | undefined
  /** Deletes and returns the grant: false when it was already taken (single use). */
  takeGrant(type: string, id: string): GrantRecord | undefined

  /** Drops expired tokens, identifiers and grants. */
  sweep(now: number): void
  close(): void
}

export const epoch = () => Math.floor(Date.now() / 1000)
