/**
 * What an AU CDR bank holds beside the shared `Bank`: the mock CDR Register (participants and its
 * keys) and the Data Holder's own signing keys. Kept per bank here, so the shared `Bank` type
 * stays the same for every profile.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { JWK } from 'jose'
import type { CdrPki, CdrRecipient, SigningKey } from '../../../../keys/pki.ts'
import { type Bank, BoundedMap } from '../../config/bank.ts'
import { type DecodedJws, KeySet } from '../../crypto/jose.ts'
import { Participants } from './register/participants.ts'

export interface OwnKey {
  kid: string
  alg: 'PS256' | 'ES256'
  key: KeyObject
  publicJwk: JWK
}

export interface CdrState {
  participants: Participants
  /** The keys the Register publishes at /cdr-register/v1/jwks (the SSA signing key). */
  registerJwks: { keys: JWK[] }
  registerKeys: KeySet
  /** The key the Register signs SSAs with. */
  ssaKey: OwnKey
  /** The key the Register signs its access tokens with, and the key set that verifies them. */
  idpKey: OwnKey
  idpKeys: KeySet
  /** The Data Holder's signing keys by alg (ID tokens, JARM responses). */
  holderKeys: Record<'PS256' | 'ES256', OwnKey>
  /** SSAs whose signature verified, decoded and frozen, by their exact string. */
  verifiedSsas: BoundedMap<DecodedJws>
}

/** A public JWK without the certificate chain, as a JWKS publishes it. */
function publicJwkOf(k: SigningKey): JWK {
  const { x5c: _x5c, ...jwk } = k.publicJwk as JWK & { x5c?: unknown }
  return jwk
}

function ownKey(k: SigningKey): OwnKey {
  const key = createPrivateKey(readFileSync(k.keyPath))
  return { kid: k.kid, alg: k.alg, key, publicJwk: publicJwkOf(k) }
}

/** The JWKS a recipient publishes at its jwks_uri: its two signing keys and its encryption key. */
export function recipientJwks(r: CdrRecipient): { keys: JWK[] } {
  return { keys: [publicJwkOf(r.signing), publicJwkOf(r.signingEs256), r.encryption.publicJwk as JWK] }
}

/** The JWKS at `url` when it is a recipient's of the test PKI, null for another path on a recipient host. */
export function localRecipientJwks(cdr: CdrPki, url: string): unknown {
  const recipient = Object.values(cdr.recipients).find(r => r.jwksUri === url)
  if (recipient) return recipientJwks(recipient)
  const known = Object.values(cdr.recipients).some(r => url.startsWith(`${r.recipientBaseUri}/`))
  return known ? null : undefined
}

const states = new WeakMap<Bank, CdrState>()

/** The AU state of a bank, made on first use. */
export function cdr(bank: Bank): CdrState {
  let s = states.get(bank)
  if (!s) {
    const { register, dataHolder } = bank.pki.cdr
    const ssaKey = ownKey(register.ssaSigning)
    const idpKey = ownKey(register.idpSigning)
    const registerJwks = { keys: [{ ...ssaKey.publicJwk, key_ops: ['verify'] }] }
    s = {
      participants: new Participants(bank.pki.cdr),
      registerJwks,
      registerKeys: new KeySet(registerJwks),
      ssaKey,
      idpKey,
      idpKeys: new KeySet({ keys: [idpKey.publicJwk] }),
      holderKeys: { PS256: ownKey(dataHolder.signing), ES256: ownKey(dataHolder.signingEs256) },
      verifiedSsas: new BoundedMap(1_000),
    }
    states.set(bank, s)
  }
  return s
}
