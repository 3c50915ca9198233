/**
 * The peer of the benchmark: panva's oidc-provider configured for the flows our bank serves —
 * mutual TLS, `private_key_jwt` and `tls_client_auth` (PS256), certificate-bound access tokens,
 * open RFC 7591 registration (JSON) with RFC 7592 read, client_credentials, and access tokens either
 * opaque or PS256 JWTs (one Resource Server, selected by default) — kept in a Map that never evicts.
 *
 * Usage: `node --import tsx bench/peer.ts --port 8810 [--token-format opaque|jwt]`
 * Prints `peer ready <origin>` once listening.
 */
import { createPrivateKey, type X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import https from 'node:https'
import type { TLSSocket } from 'node:tls'
import Provider, { type Adapter, type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import { ensurePki } from '../keys/pki.ts'
import { parseArgs, serverTls, type TokenFormat } from './common.ts'

/** The one Resource Server every client_credentials token is for. */
export const PEER_RESOURCE = 'urn:bench:api'
/** Scopes the peer's clients may ask for, like the OB roles' scopes. */
export const PEER_SCOPES = ['accounts', 'payments', 'fundsconfirmations']

/** In-memory adapter over one Map per model that never evicts (the default memory adapter is an LRU of 1,000). */
class MapAdapter implements Adapter {
  private static readonly stores = new Map<string, Map<string, AdapterPayload>>()
  private static readonly byUid = new Map<string, string>()
  private static readonly byUserCode = new Map<string, string>()
  private readonly store: Map<string, AdapterPayload>

  constructor(name: string) {
    let store = MapAdapter.stores.get(name)
    if (!store) {
      store = new Map()
      MapAdapter.stores.set(name, store)
    }
    this.store = store
  }

  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    this.store.set(id, payload)
    if (payload.uid) MapAdapter.byUid.set(payload.uid, id)
    if (payload.userCode) MapAdapter.byUserCode.set(payload.userCode, id)
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.get(id)
  }
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = MapAdapter.byUid.get(uid)
    return id === undefined ? undefined : this.store.get(id)
  }
  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = MapAdapter.byUserCode.get(userCode)
    return id === undefined ? undefined : this.store.get(id)
  }
  async consume(id: string): Promise<void> {
    const p = this.store.get(id)
    if (p) p.consumed = Math.floor(Date.now() / 1000)
  }
  async destroy(id: string): Promise<void> {
    this.store.delete(id)
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, p] of this.store) if (p.grantId === grantId) this.store.delete(id)
  }
}

/** The client certificate of the request's TLS connection, parsed once per connection. */
const certs = new WeakMap<object, X509Certificate | undefined>()
function peerCertificate(ctx: KoaContextWithOIDC): X509Certificate | undefined {
  const socket = ctx.req.socket as TLSSocket
  if (certs.has(socket)) return certs.get(socket)
  const cert = socket.getPeerX509Certificate?.()
  certs.set(socket, cert)
  return cert
}

/** RFC 4514 form (most significant RDN last) of the subject as node prints it (one RDN a line, most significant first). */
const rfc4514 = (subject: string) => subject.split('\n').reverse().join(',')

/** The provider's configuration for one access-token format. */
export function peerConfiguration(signingKeyPem: string, format: TokenFormat): Configuration {
  const jwk = createPrivateKey(signingKeyPem).export({ format: 'jwk' })
  return {
    adapter: MapAdapter,
    jwks: { keys: [{ ...jwk, kid: 'peer-ps256', alg: 'PS256', use: 'sig' }] },
    cookies: { keys: ['bench-peer-cookie-key'] },
    scopes: ['openid', ...PEER_SCOPES],
    responseTypes: ['code id_token', 'code'],
    clientAuthMethods: ['private_key_jwt', 'tls_client_auth'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['PS256'],
      idTokenSigningAlgValues: ['PS256'],
      requestObjectSigningAlgValues: ['PS256'],
    },
    clientDefaults: {
      grant_types: ['client_credentials'],
      response_types: [],
      id_token_signed_response_alg: 'PS256',
      token_endpoint_auth_method: 'private_key_jwt',
    },
    routes: { registration: '/register', token: '/token' },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      registration: { enabled: true, initialAccessToken: false },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        getCertificate: peerCertificate,
        certificateAuthorized: ctx => (ctx.req.socket as TLSSocket).authorized === true,
        certificateSubjectMatches: (ctx, property, expected) => {
          const cert = peerCertificate(ctx)
          return property === 'tls_client_auth_subject_dn' && cert !== undefined && rfc4514(cert.subject) === expected
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => PEER_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: PEER_SCOPES.join(' '),
          audience: PEER_RESOURCE,
          accessTokenTTL: 3600,
          accessTokenFormat: format,
          ...(format === 'jwt' ? { jwt: { sign: { alg: 'PS256' as const } } } : {}),
        }),
      },
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2))
  const port = Number(args.get('port') ?? 8810)
  const format = (args.get('token-format') ?? 'opaque') as TokenFormat
  if (format !== 'opaque' && format !== 'jwt')
    throw new Error(`peer: --token-format must be opaque or jwt, not ${format}`)
  const pki = await ensurePki()
  const origin = `https://localhost:${port}`
  const provider = new Provider(origin, peerConfiguration(readFileSync(pki.aspsp.signing.keyPath, 'utf8'), format))
  const server = https.createServer(serverTls(pki), provider.callback())
  server.listen(port, '127.0.0.1', () => console.log(`peer ready ${origin} token-format=${format}`))
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}
