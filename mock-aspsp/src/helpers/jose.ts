/**
 * JOSE on the bank side: decode a compact JWS into a typed shape with precise errors, hold key
 * sets with their imported keys cached, and resolve remote JWKS with a cache. Signatures are
 * verified and made with jose.
 */
import { type CryptoKey, compactVerify, importJWK, type JWK } from 'jose'

export type Json = Record<string, unknown>

export interface DecodedJws {
  header: Json
  payload: Json
  raw: string
}

/** Why a string is not a usable compact JWS; the message names the part. */
export class JwsFormatError extends Error {}

const B64URL = /^[A-Za-z0-9_-]*$/
/**
 * Deeper than any JOSE header or DCR claim set needs (the deepest, an SSA's
 * organisation_competent_authority_claims, is 4). JSON.parse reads any depth, but JSON.stringify
 * and structuredClone recurse and overflow the stack somewhere past a few thousand levels.
 */
export const MAX_JSON_DEPTH = 32

/** Whether a parsed JSON value nests more than `limit` levels of arrays or objects. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false
  if (limit === 0) return true
  for (const v of Object.values(value)) if (nestsDeeperThan(v, limit - 1)) return true
  return false
}

function decodePart(part: string, what: string): Json {
  if (!B64URL.test(part)) throw new JwsFormatError(`${what} is not base64url`)
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    throw new JwsFormatError(`${what} is not base64url-encoded JSON`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JwsFormatError(`${what} is not a JSON object`)
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new JwsFormatError(`${what} nests JSON deeper than ${MAX_JSON_DEPTH} levels`)
  }
  return value as Json
}

/** Splits and decodes a compact JWS without verifying it. */
export function decodeJws(token: unknown, what = 'the JWS'): DecodedJws {
  if (typeof token !== 'string' || token.length === 0) throw new JwsFormatError(`${what} is empty`)
  const parts = token.trim().split('.')
  if (parts.length === 5) throw new JwsFormatError(`${what} is a JWE (5 parts); a signed JWS (3 parts) is required`)
  if (parts.length !== 3) throw new JwsFormatError(`${what} must be a compact JWS of 3 parts, found ${parts.length}`)
  const [h, p, s] = parts as [string, string, string]
  if (!B64URL.test(s)) throw new JwsFormatError(`${what} signature is not base64url`)
  return { header: decodePart(h, `${what} header`), payload: decodePart(p, `${what} payload`), raw: token.trim() }
}

/** A public key usable for one JWS alg. */
interface KeyEntry {
  jwk: JWK
  imported: Map<string, Promise<CryptoKey>>
}

/** A JWKS with each key imported at most once per alg. */
export class KeySet {
  private readonly byKid = new Map<string, KeyEntry>()

  constructor(jwks: unknown) {
    const keys = (jwks as { keys?: unknown })?.keys
    if (!Array.isArray(keys)) throw new Error('a JWKS must have a "keys" array')
    for (const k of keys) {
      if (k && typeof k === 'object' && typeof (k as JWK).kid === 'string') {
        const jwk = k as JWK
        // Only public members: a JWKS that leaks private parts is refused by the importer anyway.
        this.byKid.set(jwk.kid as string, { jwk, imported: new Map() })
      }
    }
  }

  has(kid: string): boolean {
    return this.byKid.has(kid)
  }

  get size(): number {
    return this.byKid.size
  }

  jwk(kid: string): JWK | undefined {
    return this.byKid.get(kid)?.jwk
  }

  /** The key for `kid` imported for `alg`, or undefined when the set has no such kid. */
  key(kid: string, alg: string): Promise<CryptoKey> | undefined {
    const entry = this.byKid.get(kid)
    if (!entry) return undefined
    let p = entry.imported.get(alg)
    if (!p) {
      const { d, p: _p, q, dp, dq, qi, k, ...pub } = entry.jwk as JWK & Record<string, unknown>
      if (d || k) return Promise.reject(new Error(`key ${kid} is private or symmetric`))
      p = importJWK({ ...pub, alg }, alg) as Promise<CryptoKey>
      entry.imported.set(alg, p)
    }
    return p
  }
}

/** Verifies a compact JWS with a key (jose). Resolves to true/false; never throws for a bad signature. */
export async function verifySignature(jws: string, key: CryptoKey, alg: string): Promise<boolean> {
  try {
    await compactVerify(jws, key, { algorithms: [alg] })
    return true
  } catch {
    return false
  }
}

/** Fetches JWKS by URL through a cache; `local` answers URLs the bank serves itself. */
export class JwksResolver {
  private readonly cache = new Map<string, { until: number; set: Promise<KeySet> }>()

  constructor(
    private readonly ttlSeconds: number,
    /** The JWKS for a URL the bank serves itself, null when that URL names nothing, undefined otherwise. */
    private readonly local: (url: string) => unknown,
  ) {}

  /** The key set at `url`; throws an Error whose message says why it could not be had. */
  get(url: string): Promise<KeySet> {
    const now = Date.now()
    const hit = this.cache.get(url)
    if (hit && hit.until > now) return hit.set
    const set = this.load(url)
    this.cache.set(url, { until: now + this.ttlSeconds * 1000, set })
    // A failure is not cached: the next request tries again.
    set.catch(() => this.cache.delete(url))
    return set
  }

  private async load(url: string): Promise<KeySet> {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new Error(`"${url}" is not a URL`)
    }
    const local = this.local(url)
    if (local === null) throw new Error(`"${url}" answered HTTP 404`)
    if (local !== undefined) return new KeySet(local)
    if (parsed.protocol !== 'https:') throw new Error(`"${url}" is not an https URL`)
    let res: Response
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } })
    } catch (e) {
      throw new Error(`"${url}" could not be fetched (${(e as Error).message})`)
    }
    if (!res.ok) throw new Error(`"${url}" answered HTTP ${res.status}`)
    const text = await res.text()
    if (text.length > 256 * 1024) throw new Error(`"${url}" returned more than 256 KiB`)
    try {
      return new KeySet(JSON.parse(text))
    } catch (e) {
      throw new Error(`"${url}" did not return a JWKS (${(e as Error).message})`)
    }
  }
}
