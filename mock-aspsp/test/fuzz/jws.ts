/**
 * Compact JWS for the fuzzer: signing payload text that may hold `Deep` / `Huge` markers, and the
 * mutations a hostile client applies to a valid JWS (truncation, re-padding, flipped and swapped
 * segments, alg none, HS256 keyed with the public key, the wrong key, other serialisations).
 */
import { constants, createHmac, createPublicKey, sign } from 'node:crypto'
import type { Signer } from '../../../fixtures/builders/jose.ts'
import { jsonText } from './values.ts'

export type Segment = 0 | 1 | 2

export type JwsMutation =
  | { kind: 'none' }
  | { kind: 'truncate'; keep: number }
  | { kind: 'repad'; segment: Segment; pad: string }
  | { kind: 'standard-base64'; segment: Segment }
  | { kind: 'flip'; segment: Segment; at: number; char: string }
  | { kind: 'reorder'; order: Segment[] }
  | { kind: 'drop-signature' }
  | { kind: 'extra-parts'; parts: string[] }
  | { kind: 'whitespace'; where: 'start' | 'end' | 'inside'; ws: string }
  | { kind: 'alg-none' }
  | { kind: 'hs256-public-key' }
  | { kind: 'alg-header'; alg: string }
  | { kind: 'wrong-key' }
  | { kind: 'json-serialization' }
  | { kind: 'replace-payload' }

/** Mutations after which no conforming server may accept the JWS. */
export function breaksSignature(m: JwsMutation): boolean {
  switch (m.kind) {
    case 'none':
    case 'whitespace':
      return false
    case 'flip':
      // The last base64url character of a segment may carry only padding bits.
      return m.segment !== 2
    case 'repad':
    case 'standard-base64':
      // Lenient base64url decoders may still read the same bytes; that is not a forgery.
      return false
    default:
      return true
  }
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url')

/** The JWS signature of `input` (RFC 7518 §3.3 PS256: salt = hash length; §3.4 ES256: r || s). */
function signature(input: string, signer: Signer): string {
  const data = Buffer.from(input, 'ascii')
  if (signer.alg === 'ES256')
    return sign('sha256', data, { key: signer.key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  return sign('sha256', data, { key: signer.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString(
    'base64url',
  )
}

/**
 * Signs a header (taken as is: alg and kid included) and a payload that may hold `Deep` / `Huge`
 * markers anywhere (both written by `jsonText`), so hostile header members are signed as
 * faithfully as hostile claims.
 */
export function signText(payload: unknown, signer: Signer, header: Record<string, unknown>): string {
  const input = `${b64(jsonText(header))}.${b64(jsonText(payload))}`
  return `${input}.${signature(input, signer)}`
}

/** A JWS over `payload` with a header written as text (for hostile header values). */
export function unsignedWithHeader(payload: unknown, header: unknown, signature = ''): string {
  return `${b64(jsonText(header))}.${b64(jsonText(payload))}.${signature}`
}

/** Applies a mutation to a compact JWS. `resign` makes a JWS of the same payload with another signer. */
export function mutate(
  jws: string,
  m: JwsMutation,
  ctx: { payload: unknown; header: Record<string, unknown>; signer: Signer; wrongSigner: Signer },
): string {
  const parts = jws.split('.') as [string, string, string]
  switch (m.kind) {
    case 'none':
      return jws
    case 'truncate':
      return jws.slice(0, Math.floor(jws.length * m.keep))
    case 'repad': {
      const out = [...parts]
      out[m.segment] = `${out[m.segment]}${m.pad}`
      return out.join('.')
    }
    case 'standard-base64': {
      const out = [...parts]
      out[m.segment] = Buffer.from(out[m.segment] as string, 'base64url').toString('base64')
      return out.join('.')
    }
    case 'flip': {
      const out = [...parts]
      const seg = out[m.segment] as string
      if (seg.length === 0) return `${jws}${m.char}`
      const i = Math.floor(m.at * seg.length) % seg.length
      const replacement = seg[i] === m.char ? (m.char === 'A' ? 'B' : 'A') : m.char
      out[m.segment] = `${seg.slice(0, i)}${replacement}${seg.slice(i + 1)}`
      return out.join('.')
    }
    case 'reorder':
      return m.order.map(i => parts[i]).join('.')
    case 'drop-signature':
      return `${parts[0]}.${parts[1]}.`
    case 'extra-parts':
      return [jws, ...m.parts].join('.')
    case 'whitespace':
      if (m.where === 'start') return `${m.ws}${jws}`
      if (m.where === 'end') return `${jws}${m.ws}`
      return `${parts[0]}.${m.ws}${parts[1]}.${parts[2]}`
    case 'alg-none':
      return unsignedWithHeader(ctx.payload, { ...ctx.header, alg: 'none', kid: ctx.signer.kid })
    case 'hs256-public-key': {
      const secret = createPublicKey(ctx.signer.key).export({ type: 'spki', format: 'pem' })
      const input = `${b64(jsonText({ ...ctx.header, alg: 'HS256', kid: ctx.signer.kid }))}.${b64(jsonText(ctx.payload))}`
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
    }
    case 'alg-header': {
      // The header claims another alg; the signature stays the original PS256 one.
      const header = b64(jsonText({ ...ctx.header, alg: m.alg, kid: ctx.signer.kid }))
      return `${header}.${parts[1]}.${parts[2]}`
    }
    case 'wrong-key':
      // Signed by another key under the right kid.
      return signText(ctx.payload, ctx.wrongSigner, { ...ctx.header, kid: ctx.signer.kid })
    case 'json-serialization':
      return JSON.stringify({ payload: parts[1], signatures: [{ protected: parts[0], signature: parts[2] }] })
    case 'replace-payload':
      return `${parts[0]}.${b64(jsonText({ ...(ctx.payload as object), injected: true }))}.${parts[2]}`
  }
}
