/**
 * JOSE on the bank side: decode a compact JWS into a typed shape with precise errors, check its
 * header, hold key sets with their parsed keys cached, and verify signatures. Remote JWKS are
 * fetched by `jwks_resolver.ts`.
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
  const bytes = Buffer.from(part, 'base64url')
  // Encoding the bytes again gives the part back exactly when it is canonical base64url: a
  // comparison, where the pattern costs ~10 instructions a character (a registration request's
  // payload is ~6 KB). Anything else (stray characters, padding, non-zero trailing bits) goes to
  // the pattern, which decides as it always has.
  if (bytes.toString('base64url') !== part && !B64URL.test(part)) throw new JwsFormatError(`${what} is not base64url`)
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
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

/**
 * `ambiguous-key`: several keys under the kid suit the alg (RFC 7517 §4.5: kids SHOULD be
 * distinct), so the bank will not pick one — "the last one wins" would let whoever adds a key
 * under a known kid choose it.
 */
export type VerifyOutcome = 'valid' | 'invalid' | 'no-such-key' | 'unusable-key' | 'ambiguous-key'

interface KeyEntry {
  jwk: JWK
  key: KeyObject | null | undefined
}

/**
 * Why a JOSE header cannot be honoured, or undefined: RFC 7515 §4.1.11 — a `crit` naming an
 * extension the recipient does not understand makes the JWS invalid (this bank understands none),
 * and RFC 7797 `b64: false` (unencoded payload) is such an extension. A bank that ignored them
 * would verify something other than what the signer meant.
 */
export function joseHeaderProblem(header: Json): string | undefined {
  const crit = header.crit
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0 || !crit.every(c => typeof c === 'string' && c !== '')) {
      return `header "crit" must be a non-empty array of header parameter names (RFC 7515 section 4.1.11), got ${JSON.stringify(crit)}`
    }
    return `header "crit" names ${crit.map(c => `"${c}"`).join(', ')}, which this bank does not understand (RFC 7515 section 4.1.11: the JWS must be rejected)`
  }
  if (header.b64 !== undefined && header.b64 !== true) {
    return `header "b64": ${JSON.stringify(header.b64)} (an unencoded payload, RFC 7797) is not supported`
  }
  return undefined
}

/** RFC 7517 §4.2, §4.3: a JWK declared for encryption, or without "verify" among its key_ops, verifies nothing. */
function forSignatures(jwk: JWK): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false
  const ops = (jwk as { key_ops?: unknown }).key_ops
  return ops === undefined || (Array.isArray(ops) && ops.includes('verify'))
}

/** A JWKS whose public keys are parsed at most once each. */
export class KeySet {
  private readonly byKid = new Map<string, KeyEntry[]>()
  /** Every key, with or without a kid (a JWS of this bank's protocols names its key by kid). */
  private readonly entries: KeyEntry[] = []

  constructor(jwks: unknown) {
    const keys = (jwks as { keys?: unknown })?.keys
    if (!Array.isArray(keys)) throw new Error('a JWKS must have a "keys" array')
    for (const k of keys) {
      if (!k || typeof k !== 'object' || Array.isArray(k)) continue
      const entry: KeyEntry = { jwk: k as JWK, key: undefined }
      this.entries.push(entry)
      const kid = (k as JWK).kid
      if (typeof kid === 'string') this.byKid.set(kid, [...(this.byKid.get(kid) ?? []), entry])
    }
  }

  has(kid: string): boolean {
    return this.byKid.has(kid)
  }

  /** How many keys the set holds, with or without a kid. */
  get size(): number {
    return this.entries.length
  }

  /** The JWK under `kid` (the first, when several share it). */
  jwk(kid: string): JWK | undefined {
    return this.byKid.get(kid)?.[0]?.jwk
  }

  /** Every JWK of the set (e.g. to find a key for encryption, `use: enc`). */
  jwks(): JWK[] {
    return this.entries.map(e => e.jwk)
  }

  /**
   * The kids of the keys that could verify `alg`, for a JWS without kid: those whose JWK names
   * that alg, or names none and has the key type it needs; never a key not for signatures, nor a
   * kid two keys share (ambiguous).
   */
  kidsFor(alg: string): string[] {
    const kty = VERIFY[alg]?.kty
    if (!kty) return []
    const out: string[] = []
    for (const [kid, entries] of this.byKid) {
      const jwk = entries.length === 1 ? entries[0]?.jwk : undefined
      if (!jwk || !forSignatures(jwk)) continue
      if (typeof jwk.alg === 'string' ? jwk.alg === alg : jwk.kty?.toLowerCase() === kty) out.push(kid)
    }
    return out
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
   * The entry's key if it can verify `alg`: a signature key (use, key_ops) of the alg's type
   * (RSA ≥ 2048 bits for PS256, P-256 for ES256) whose JWK names that alg or none.
   */
  private usableFor(entry: KeyEntry, alg: string): KeyObject | undefined {
    const how = VERIFY[alg]
    if (!how || !forSignatures(entry.jwk)) return undefined
    const key = this.keyObject(entry)
    if (key?.type !== 'public' || key.asymmetricKeyType !== how.kty) return undefined
    const details = key.asymmetricKeyDetails
    if (how.kty === 'rsa' && (details?.modulusLength ?? 0) < 2048) return undefined
    if (how.kty === 'ec' && details?.namedCurve !== 'prime256v1') return undefined
    // RFC 7517 §4.4: a JWK that names its alg verifies that alg only (RS256 with a PS256 key is
    // the accept-rs256-* deviations' doing).
    const jwkAlg = entry.jwk.alg
    if (typeof jwkAlg === 'string' && jwkAlg !== alg && !(alg === 'RS256' && jwkAlg === 'PS256')) return undefined
    return key
  }

  /**
   * Verifies a compact JWS with the key `kid` for `alg`. A key that does not suit the alg, or is
   * not for signatures, is `unusable-key`, never a verification under another algorithm; two
   * suitable keys under one kid are `ambiguous-key`.
   */
  verify(jws: string, kid: string, alg: string): VerifyOutcome {
    const entries = this.byKid.get(kid)
    if (!entries) return 'no-such-key'
    const usable = entries.flatMap(e => this.usableFor(e, alg) ?? [])
    if (usable.length === 0) return 'unusable-key'
    if (usable.length > 1) return 'ambiguous-key'
    const key = usable[0] as KeyObject
    const how = VERIFY[alg] as (typeof VERIFY)[string]
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

/** Why a key could not verify, in words, for the callers' error descriptions. */
export function keyOutcomeText(outcome: VerifyOutcome, kid: string, alg: string, where: string): string {
  if (outcome === 'no-such-key') return `key kid "${kid}" is not in ${where}`
  if (outcome === 'ambiguous-key') {
    return `${where} holds several ${alg} keys under kid "${kid}": kids must tell keys apart (RFC 7517 section 4.5)`
  }
  if (outcome === 'unusable-key') {
    return `key kid "${kid}" in ${where} cannot verify ${alg}: it is not a ${alg} signature key (kty, size, alg, use or key_ops)`
  }
  return `the signature does not verify with key kid "${kid}"`
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
