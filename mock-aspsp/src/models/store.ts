/**
 * The store: one interface, two implementations (`memory_store.ts` for tests, `sqlite_store.ts`
 * for `npm start`). Synchronous on purpose: both backends answer without I/O waits
 * (better-sqlite3 is synchronous), and a registration is acknowledged only after `insertClient`
 * has returned, i.e. after the row is committed.
 */

/**
 * A registered client. `registration` is the registration response body (RFC 7591 §3.2.1).
 * Records a store returns are frozen: build a new record to change one.
 */
export interface ClientRecord {
  clientId: string
  softwareId: string
  orgId: string
  /** Seconds since the epoch. */
  issuedAt: number
  updatedAt: number
  registration: Record<string, unknown>
  /** `registration` already serialised, when the caller has it (saves the store a second stringify). */
  registrationJson?: string
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

  /**
   * Records a token. The write may be batched with the other writes of the same event-loop turn:
   * await `flushed()` before the token is handed out.
   */
  insertToken(token: TokenRecord): void
  /** Resolves once every write made so far is committed (group commit of token writes). */
  flushed(): Promise<void>
  getToken(hash: string): TokenRecord | undefined
  /**
   * Revokes a token; a token that was never written (a self-contained client-credentials JWT,
   * `oauth/tokens.ts`) is written now from `record`, revoked. Committed before it returns.
   */
  revokeToken(hash: string, record?: TokenRecord): void
  /**
   * Revokes every token of the client, and records when (`clientTokensRevokedKey`): the tokens
   * it never wrote, issued until then, are revoked too.
   */
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

  /** Runs `fn` as one atomic commit (e.g. a request jti and the client it registers). */
  transaction<T>(fn: () => T): T
  /**
   * Runs `fn` atomically, committed together with the other writes of this event-loop turn
   * (group commit); resolves with its result once committed, rejects with what it threw.
   */
  batch<T>(fn: () => T): Promise<T>

  /** Drops expired tokens, identifiers and grants. */
  sweep(now: number): void
  close(): void
}

export const epoch = () => Math.floor(Date.now() / 1000)

/**
 * The store key under which `revokeClientTokens` records when it last revoked a client's tokens
 * (the record's `issuedAt`). A token hash is base64url and has no colon.
 */
export const clientTokensRevokedKey = (clientId: string) => `client-tokens-revoked:${clientId}`

/** The record of a client's token revocation at `now` (kept for good: it outlives every token issued before). */
export function clientTokensRevoked(clientId: string, now = epoch()): TokenRecord {
  return {
    hash: clientTokensRevokedKey(clientId),
    kind: 'access',
    clientId,
    grant: 'client_credentials',
    scope: '',
    x5tS256: null,
    issuedAt: now,
    expiresAt: Number.MAX_SAFE_INTEGER,
    revoked: true,
  }
}

/** Freezes a value and everything in it (records are shared, never copied, on the hot paths). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
