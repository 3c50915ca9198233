/**
 * JOSE on the bank side: decode a compact JWS into a typed shape with precise errors, hold key
 * sets with their parsed keys cached, verify signatures, and resolve remote JWKS with a cache.
 */
import { constants, createPublicKey, type JsonWebKey, type KeyObject, randomBytes, sign, verify } from 'node:crypto'
import type { JWK } from 'jose'

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

/**
 * How each accepted JWS alg is verified with node:crypto (RFC 7518 §3.3–3.5), and the key it needs.
 * Verification is synchronous node:crypto with a KeyObject parsed once per key: on Node 20 it costs
 * about a third of WebCrypto's (jose) main-thread time, and the token and registration endpoints
 * verify a signature on every request. RS256 is only reachable under deviations.
 */
const VERIFY: Record<string, { kty: 'rsa' | 'ec'; padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' }> =
  {
    PS256: { kty: 'rsa', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    RS256: { kty: 'rsa', padding: constants.RSA_PKCS1_PADDING },
    ES256: { kty: 'ec', dsaEncoding: 'ieee-p1363' },
  }

export type VerifyOutcome = 'valid' | 'invalid' | 'no-such-key' | 'unusable-key'

interface KeyEntry {
  jwk: JWK
  key: KeyObject | null | undefined
}

/** A JWKS whose public keys are parsed at most once each. */
export class KeySet {
  private readonly byKid = new Map<string, KeyEntry>()

  constructor(jwks: unknown) {
    const keys = (jwks as { keys?: unknown })?.keys
    if (!Array.isArray(keys)) throw new Error('a JWKS must have a "keys" array')
    for (const k of keys) {
      if (k && typeof k === 'object' && typeof (k as JWK).kid === 'string') {
        this.byKid.set((k as JWK).kid as string, { jwk: k as JWK, key: undefined })
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

  /** Every JWK of the set (e.g. to find a key for encryption, `use: enc`). */
  jwks(): JWK[] {
    return [...this.byKid.values()].map(e => e.jwk)
  }

  /** The public KeyObject of an entry; null when the JWK is private, symmetric or unparseable. */
  private keyObject(entry: KeyEntry): KeyObject | null {
    if (entry.key === undefined) {
      const jwk = entry.jwk as JWK & Record<string, unknown>
      try {
        entry.key = jwk.d || jwk.k ? null : createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
      } catch {
        entry.key = null
      }
    }
    return entry.key
  }

  /**
   * Verifies a compact JWS with the key `kid` for `alg`. The key must suit the alg (RSA ≥ 2048
   * bits for PS256, P-256 for ES256) and the alg its JWK names: anything else is `unusable-key`,
   * never a verification under another algorithm.
   */
  verify(jws: string, kid: string, alg: string): VerifyOutcome {
    const entry = this.byKid.get(kid)
    if (!entry) return 'no-such-key'
    const how = VERIFY[alg]
    const key = this.keyObject(entry)
    if (!how || !key || key.type !== 'public' || key.asymmetricKeyType !== how.kty) return 'unusable-key'
    const details = key.asymmetricKeyDetails
    if (how.kty === 'rsa' && (details?.modulusLength ?? 0) < 2048) return 'unusable-key'
    if (how.kty === 'ec' && details?.namedCurve !== 'prime256v1') return 'unusable-key'
    // RFC 7517 §4.4: a JWK that names its alg verifies that alg only (RS256 with a PS256 key is
    // the accept-rs256-* deviations' doing).
    const jwkAlg = entry.jwk.alg
    if (typeof jwkAlg === 'string' && jwkAlg !== alg && !(alg === 'RS256' && jwkAlg === 'PS256')) return 'unusable-key'
    const dot = jws.lastIndexOf('.')
    try {
      const ok = verify(
        'sha256',
        Buffer.from(jws.slice(0, dot)),
        { key, padding: how.padding, saltLength: how.saltLength, dsaEncoding: how.dsaEncoding },
        Buffer.from(jws.slice(dot + 1), 'base64url'),
      )
      return ok ? 'valid' : 'invalid'
    } catch {
      return 'invalid'
    }
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

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * Signs a JWT PS256 with a private key, with node:crypto's callback form: the RSA private-key
 * operation (~0.3 ms) runs on libuv's thread pool and leaves the event loop free for other requests.
 */
export function signPs256(claims: Json, key: KeyObject, header: Json): Promise<string> {
  const input = `${b64json({ ...header, alg: 'PS256' })}.${b64json(claims)}`
  return new Promise((resolve, reject) =>
    sign(
      'sha256',
      Buffer.from(input),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      (err, signature) => (err ? reject(err) : resolve(`${input}.${signature.toString('base64url')}`)),
    ),
  )
}

/** Random base64url strings cut from a 4 KiB pool: one getrandom call per 128 tokens, not one each. */
export class RandomPool {
  private pool = Buffer.alloc(0)
  private offset = 0
  next(bytes: number): string {
    if (this.offset + bytes > this.pool.length) {
      this.pool = randomBytes(4096)
      this.offset = 0
    }
    const out = this.pool.subarray(this.offset, this.offset + bytes).toString('base64url')
    this.offset += bytes
    return out
  }
}
