/** The in-memory store: for tests and throw-away runs. Lost on exit. */
import {
  type ClientRecord,
  clientTokensRevoked,
  deepFreeze,
  type GrantRecord,
  type Store,
  type TokenRecord,
} from './store.ts'

export class MemoryStore implements Store {
  readonly kind = 'memory' as const
  private readonly clients = new Map<string, ClientRecord>()
  private readonly tokens = new Map<string, TokenRecord>()
  private readonly tokensOfClient = new Map<string, Set<string>>()
  private readonly once = new Map<string, number>()
  private readonly grants = new Map<string, GrantRecord>()

  insertClient(client: ClientRecord): void {
    if (this.clients.has(client.clientId)) throw new Error(`client ${client.clientId} exists`)
    const { registrationJson: _json, ...record } = client
    this.clients.set(client.clientId, deepFreeze(structuredClone(record)))
  }
  getClient(clientId: string): ClientRecord | undefined {
    return this.clients.get(clientId)
  }
  updateClient(client: ClientRecord): boolean {
    if (!this.clients.has(client.clientId)) return false
    this.clients.set(client.clientId, deepFreeze(structuredClone(client)))
    return true
  }
  deleteClient(clientId: string, options: { keepTokens?: boolean } = {}): boolean {
    const existed = this.clients.delete(clientId)
    if (existed && !options.keepTokens) this.revokeClientTokens(clientId)
    return existed
  }
  countClientsOfSoftware(softwareId: string): number {
    let n = 0
    for (const c of this.clients.values()) if (c.softwareId === softwareId) n++
    return n
  }

  insertToken(token: TokenRecord): void {
    this.tokens.set(token.hash, { ...token })
    const set = this.tokensOfClient.get(token.clientId) ?? new Set<string>()
    set.add(token.hash)
    this.tokensOfClient.set(token.clientId, set)
  }
  flushed(): Promise<void> {
    return Promise.resolve()
  }
  getToken(hash: string): TokenRecord | undefined {
    const t = this.tokens.get(hash)
    return t && { ...t }
  }
  revokeToken(hash: string, record?: TokenRecord): void {
    const t = this.tokens.get(hash)
    if (t) t.revoked = true
    else if (record) this.insertToken({ ...record, hash, revoked: true })
  }
  revokeClientTokens(clientId: string): number {
    this.insertToken(clientTokensRevoked(clientId))
    let n = 0
    for (const hash of this.tokensOfClient.get(clientId) ?? []) {
      const t = this.tokens.get(hash)
      if (t && !t.revoked) {
        t.revoked = true
        n++
      }
    }
    return n
  }

  useOnce(namespace: string, id: string, expiresAt: number): boolean {
    const key = `${namespace}\u0000${id}`
    const until = this.once.get(key)
    if (until !== undefined && until >= Math.floor(Date.now() / 1000)) return false
    this.once.set(key, expiresAt)
    return true
  }

  putGrant(grant: GrantRecord): void {
    this.grants.set(`${grant.type}\u0000${grant.id}`, structuredClone(grant))
  }
  getGrant(type: string, id: string): GrantRecord | undefined {
    const g = this.grants.get(`${type}\u0000${id}`)
    return g && structuredClone(g)
  }
  takeGrant(type: string, id: string): GrantRecord | undefined {
    const key = `${type}\u0000${id}`
    const g = this.grants.get(key)
    this.grants.delete(key)
    return g
  }

  batch<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn())
    } catch (e) {
      return Promise.reject(e)
    }
  }
  transaction<T>(fn: () => T): T {
    // Synchronous code between two awaits is already atomic in one process.
    return fn()
  }

  sweep(now: number): void {
    for (const [hash, t] of this.tokens) {
      if (t.expiresAt < now) {
        this.tokens.delete(hash)
        this.tokensOfClient.get(t.clientId)?.delete(hash)
      }
    }
    for (const [k, until] of this.once) if (until < now) this.once.delete(k)
    for (const [k, g] of this.grants) if (g.expiresAt < now) this.grants.delete(k)
  }
  close(): void {}
}
