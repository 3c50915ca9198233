/** Shared test support: a bank without a listener, valid claims, and an mTLS HTTP client. */
import { readFileSync } from 'node:fs'
import https from 'node:https'
import { clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import { type Claims, signerFromFile } from '../../fixtures/builders/jose.ts'
import {
  type AuthMethod,
  registrationClaims,
  type SpecVersion,
  signRegistration,
} from '../../fixtures/builders/registration.ts'
import { mintSsa, ssaClaims } from '../../fixtures/builders/ssa.ts'
import { ensurePki, type Pki, type TppIdentity } from '../../keys/pki.ts'
import { type Bank, createBank } from '../src/config/bank.ts'
import { type MockOptions, withDefaults } from '../src/config/defaults.ts'
import { startKeystoreInterception } from '../src/directory/msw.ts'
import { MemoryStore } from '../src/models/memory_store.ts'
import type { RunningMock } from '../src/server.ts'

export const pki: Pki = await ensurePki()
export const alpha = pki.tpps.alpha as TppIdentity
export const beta = pki.tpps.beta as TppIdentity
export const gamma = pki.tpps.gamma as TppIdentity

/** A bank object (no listener) for rule tests; msw answers the keystore host as in a running bank. */
export function testBank(options: Partial<MockOptions> = {}): Bank {
  const bank = createBank(withDefaults({ store: 'memory', port: 8443, ...options }), pki, new MemoryStore())
  startKeystoreInterception(bank.directory)
  return bank
}

export const directorySigner = () => signerFromFile(pki.directory.signing.keyPath, pki.directory.signing.kid)
export const softwareSigner = (tpp: TppIdentity = alpha) => signerFromFile(tpp.signing.keyPath, tpp.signing.kid)

export function validSsaClaims(tpp: TppIdentity = alpha, overrides: Claims = {}): Claims {
  return { ...ssaClaims(tpp, pki.directory.issuer), ...overrides }
}

export const ssaFor = (tpp: TppIdentity = alpha, claims: Claims = {}) =>
  mintSsa(tpp, { issuer: pki.directory.issuer, signer: directorySigner() }, claims)

export interface RequestOptions {
  tpp?: TppIdentity
  spec?: SpecVersion
  auth?: AuthMethod
  claims?: Claims
  ssa?: string
  ssaClaims?: Claims
}

export function requestClaims(o: RequestOptions = {}): Claims {
  const tpp = o.tpp ?? alpha
  return registrationClaims({
    tpp,
    ssa: o.ssa ?? 'ssa.placeholder.sig',
    aud: pki.aspsp.orgId,
    specVersion: o.spec ?? '3.3',
    authMethod: o.auth ?? 'private_key_jwt',
    claims: o.claims,
  })
}

/** A signed registration request with a fresh SSA. */
export async function signedRequest(o: RequestOptions = {}): Promise<string> {
  const tpp = o.tpp ?? alpha
  const ssa = o.ssa ?? (await ssaFor(tpp, o.ssaClaims))
  return signRegistration(requestClaims({ ...o, ssa }), softwareSigner(tpp))
}

export interface CallResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: Record<string, unknown>
}

/** An HTTPS call over mutual TLS with a TPP's transport certificate ('none' for no certificate). */
export function call(
  mock: RunningMock,
  req: {
    method?: string
    path: string
    tpp?: TppIdentity | 'none'
    cert?: 'transport2'
    headers?: Record<string, string>
    body?: string | Buffer
  },
): Promise<CallResult> {
  const tpp = req.tpp ?? alpha
  const keyCert = tpp === 'none' ? undefined : req.cert === 'transport2' ? tpp.transport2 : tpp.transport
  return httpsCall({
    host: 'localhost',
    port: mock.port,
    path: req.path,
    method: req.method ?? 'GET',
    ca: mock.bank.pki.ca.certPath,
    cert: keyCert,
    headers: req.headers,
    body: req.body,
  })
}

/**
 * One HTTPS request on a fresh connection, trusting the CA at `ca`, with a client certificate or
 * none; the body is read whole and parsed as JSON where it is JSON (`{}` otherwise). Redirects
 * are returned, not followed.
 */
export function httpsCall(o: {
  host: string
  port: number | string
  /** Sent as written: not normalised (a test may send dot segments or odd escapes on purpose). */
  path: string
  method: string
  ca: string
  cert?: { certPath: string; keyPath: string } | undefined
  headers?: Record<string, string> | undefined
  body?: string | Buffer | undefined
}): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const r = https.request(
      {
        host: o.host,
        port: o.port,
        path: o.path,
        method: o.method,
        ca: readFileSync(o.ca),
        ...(o.cert ? { cert: readFileSync(o.cert.certPath), key: readFileSync(o.cert.keyPath) } : {}),
        headers: o.headers,
        agent: false,
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', c => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: Record<string, unknown> = {}
          try {
            json = JSON.parse(text)
          } catch {
            // not JSON: pages and empty bodies
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        })
      },
    )
    r.on('error', reject)
    if (o.body !== undefined) r.write(o.body)
    r.end()
  })
}

export function form(params: Record<string, string>): { headers: Record<string, string>; body: string } {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  }
}

/** Registers a client for `tpp` and returns its client_id (asserting 201). */
export async function register(mock: RunningMock, o: RequestOptions = {}): Promise<string> {
  const res = await call(mock, {
    method: 'POST',
    path: '/register',
    tpp: o.tpp ?? alpha,
    headers: { 'content-type': 'application/jose' },
    body: await signedRequest(o),
  })
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${res.text}`)
  return String(res.json.client_id)
}

/**
 * A client_credentials request of a private_key_jwt client: the assertion signed by `tpp`'s
 * software key, sent over `over`'s transport certificate (the same TPP unless a test wants another).
 */
export async function ccTokenRequest(
  mock: RunningMock,
  clientId: string,
  tpp: TppIdentity = alpha,
  over: TppIdentity = tpp,
): Promise<CallResult> {
  const assertion = await clientAssertion(clientId, `${mock.url}/token`, softwareSigner(tpp))
  return call(mock, {
    method: 'POST',
    path: '/token',
    tpp: over,
    ...form({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  })
}

/** A client credentials token for a private_key_jwt client. */
export async function ccToken(mock: RunningMock, clientId: string, tpp: TppIdentity = alpha): Promise<string> {
  const res = await ccTokenRequest(mock, clientId, tpp)
  if (res.status !== 200) throw new Error(`token failed: ${res.status} ${res.text}`)
  return String(res.json.access_token)
}

/** Asserts that `fn` throws (or rejects with) an OAuthError with this wire code and a matching description. */
export async function rejectsWith(fn: () => unknown, error: string, description: RegExp): Promise<void> {
  let thrown: unknown
  try {
    await fn()
  } catch (e) {
    thrown = e
  }
  const e = thrown as { error?: string; description?: string } | undefined
  if (!e || e.error !== error || !description.test(e.description ?? '')) {
    throw new Error(
      `expected ${error} matching ${description}, got ${thrown === undefined ? 'no error' : `${e?.error}: ${e?.description ?? String(thrown)}`}`,
    )
  }
}

/**
 * Runs `request` with `meanwhile` landing during its first read of a JWKS (`bank.jwks.get`), the
 * await between a handler's checks and its write; returns the request's answer and the status
 * `meanwhile` got (undefined when no JWKS was read).
 */
export async function duringJwksRead<T>(
  mock: RunningMock,
  meanwhile: () => Promise<{ status: number }>,
  request: () => Promise<T>,
): Promise<{ answer: T; meanwhile: number | undefined }> {
  const jwks = mock.bank.jwks
  const get = jwks.get.bind(jwks)
  let status: number | undefined
  let started = false
  jwks.get = async url => {
    if (!started) {
      started = true
      status = (await meanwhile()).status
    }
    return get(url)
  }
  try {
    return { answer: await request(), meanwhile: status }
  } finally {
    jwks.get = get
  }
}
