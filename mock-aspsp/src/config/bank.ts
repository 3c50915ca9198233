/**
 * One bank instance: resolved options, its keys, store, directory and caches. Built once by
 * `createBank()` and reached by every middleware as `ctx.bank`.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { JWK } from 'jose'
import type { Pki } from '../../../keys/pki.ts'
import { type DecodedJws, KeySet } from '../crypto/jose.ts'
import { JwksResolver } from '../crypto/jwks_resolver.ts'
import { Directory } from '../directory/directory.ts'
import type { Store } from '../models/store.ts'
import { RevocationLists } from '../pki/revocation.ts'
import { profileFor } from '../profiles/index.ts'
import type { BankProfile, KnownDeviationName } from '../profiles/profile.ts'
import type { MockOptions } from './defaults.ts'
import { Deviations } from './deviations.ts'
import { SPEC_PROFILES, type SpecProfile } from './spec.ts'

export interface Endpoints {
  issuer: string
  registration: string
  token: string
  jwks: string
  introspection: string
  revocation: string
  authorization: string
  par: string
  keystore: string
}

export interface Bank {
  options: MockOptions
  /** The DCR profile the bank runs (profiles/): its routes, rules, discovery and directory. */
  dcrProfile: BankProfile
  profile: SpecProfile
  deviations: Deviations<KnownDeviationName>
  endpoints: Endpoints
  pki: Pki
  store: Store
  directory: Directory
  jwks: JwksResolver
  /**
   * The bank's own PS256 key (ID tokens, JWT access tokens), its kid, and its public half as the
   * JWKS the bank publishes (`/jwks`) and as a key set that verifies what the bank signed.
   */
  signing: { key: KeyObject; kid: string; jwks: { keys: JWK[] }; publicKeys: KeySet }
  /** The trusted directory SSA-signing keys, imported once. */
  ssaKeys: KeySet
  /** The CRLs consulted on every request that presents a certificate (re-read when they change). */
  revocations: RevocationLists
  /**
   * SSAs whose signature verified, decoded and frozen, by their signature part (a hit must be the
   * exact string: `shared/signed_inputs.ts`): the same bytes always verify the same way against the
   * same keys, and OB SSAs are reused for many registrations.
   */
  verifiedSsas: BoundedMap<DecodedJws>
}

/** A map that forgets its oldest entry past `limit` (memory stays flat under load). */
export class BoundedMap<V> {
  private readonly items = new Map<string, V>()
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.items.get(key)
  }
  has(key: string): boolean {
    return this.items.has(key)
  }
  set(key: string, value: V): void {
    if (!this.items.has(key) && this.items.size >= this.limit) {
      const oldest = this.items.keys().next().value
      if (oldest !== undefined) this.items.delete(oldest)
    }
    this.items.set(key, value)
  }
}

export function endpointsFor(issuer: string): Endpoints {
  return {
    issuer,
    registration: `${issuer}/register`,
    token: `${issuer}/token`,
    jwks: `${issuer}/jwks`,
    introspection: `${issuer}/introspect`,
    revocation: `${issuer}/revoke`,
    authorization: `${issuer}/authorize`,
    par: `${issuer}/par`,
    keystore: `${issuer}/directory/keystore`,
  }
}

/** The bank's signing key from its PEM, with the public JWKS and key set derived once. */
function ownSigningKey(pem: Buffer, kid: string): Bank['signing'] {
  const key = createPrivateKey(pem)
  const { n, e, kty } = createPublicKey(key).export({ format: 'jwk' })
  const jwks = { keys: [{ kty, n, e, kid, alg: 'PS256', use: 'sig' } as JWK] }
  return { key, kid, jwks, publicKeys: new KeySet(jwks) }
}
export function createBank(options: MockOptions, pki: Pki, store: Store): Bank {
  const issuer =
    options.issuer ?? `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`
  const directory = new Directory(pki)
  const endpoints = endpointsFor(issuer)
  const dcrProfile = profileFor(options.profile)
  return {
    options,
    dcrProfile,
    profile: SPEC_PROFILES[options.specVersion],
    deviations: new Deviations<KnownDeviationName>(options.deviations, dcrProfile.deviations),
    endpoints,
    pki,
    store,
    directory,
    // URLs the profile serves itself are answered in-process (UK: the bank's own keystore;
    // keystore.openbankingtest.org.uk goes through fetch, where msw answers it, or with --no-msw
    // the network does). Other hosts only when the profile or the options allow them.
    jwks: new JwksResolver(
      options.jwksCacheTtl,
      url => dcrProfile.localJwks({ pki, directory, endpoints, options }, url),
      {
        allowedHosts: new Set([...dcrProfile.jwksHosts, ...options.jwksAllowedHosts.map(h => h.toLowerCase())]),
        timeoutMs: options.jwksFetchTimeoutMs,
        // The CAs the bank trusts for mutual TLS (the profile's), trusted for the keystores it reads too.
        trustedCas: dcrProfile.listenerTls(pki, options).caPaths.map(f => readFileSync(f)),
      },
    ),
    signing: ownSigningKey(readFileSync(pki.aspsp.signing.keyPath), pki.aspsp.signing.kid),
    ssaKeys: new KeySet(directory.ssaJwks),
    revocations: new RevocationLists(dcrProfile.crlPaths(pki)),
    verifiedSsas: new BoundedMap(1_000),
  }
}
