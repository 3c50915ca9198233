/**
 * A TPP and a customer for the mock's own tests of the authorization code flow: plain node:https
 * requests with a transport certificate (or none), registration, consents, request objects,
 * the sign-in and consent forms, and the token endpoint.
 */

import { after, before } from 'node:test'
import type { ResponseType } from '../../fixtures/builders/authorization.ts'
import {
  accountAccessConsentBody,
  pkcePair,
  requestObjectClaims,
  signRequestObject,
} from '../../fixtures/builders/authorization.ts'
import { CLIENT_ASSERTION_TYPE, clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import { type Claims, signerFromFile } from '../../fixtures/builders/jose.ts'
import { type AuthMethod, registrationClaims, signRegistration } from '../../fixtures/builders/registration.ts'
import { keystoreUrls, mintSsa } from '../../fixtures/builders/ssa.ts'
import type { Pki, TppIdentity } from '../../keys/pki.ts'
import type { MockOptions } from '../src/config/defaults.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { type CallResult, httpsCall, pki as testPki } from './support.ts'

export type Answer = CallResult

export interface CallOptions {
  method?: string
  /** Whose transport certificate to present: a TPP, a certificate, or none (a customer's browser). */
  as?: TppIdentity | { certPath: string; keyPath: string } | null
  headers?: Record<string, string>
  form?: Record<string, string | string[]>
  json?: unknown
  body?: string
}

/** One HTTPS request to the mock; redirects are returned, not followed. */
export function call(mock: RunningMock, path: string, opts: CallOptions = {}): Promise<Answer> {
  const url = new URL(path, mock.url)
  const headers: Record<string, string> = { ...(opts.headers ?? {}) }
  let body = opts.body
  if (opts.form) {
    const f = new URLSearchParams()
    for (const [k, v] of Object.entries(opts.form)) for (const one of [v].flat()) f.append(k, one)
    body = f.toString()
    headers['content-type'] ??= 'application/x-www-form-urlencoded'
  } else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json)
    headers['content-type'] ??= 'application/json'
  }
  const who = opts.as === undefined ? null : opts.as
  const certPair = who === null ? undefined : 'transport' in who ? who.transport : who
  return httpsCall({
    host: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
    ca: mock.bank.pki.ca.certPath,
    cert: certPair,
    headers,
    body,
  })
}

export interface Client {
  clientId: string
  tpp: TppIdentity
  authMethod: AuthMethod
}

export interface RegisterOptions {
  authMethod?: AuthMethod
  responseTypes?: string[]
  redirectUris?: string[]
}

/** The TPP side of the flow against one mock bank. */
export class TppDriver {
  constructor(
    readonly mock: RunningMock,
    readonly pki: Pki,
  ) {}

  get issuer() {
    return this.mock.url
  }

  /** Registers a client of `tpp` (SSA with keystore URLs the bank serves itself). */
  async register(tpp: TppIdentity, opts: RegisterOptions = {}): Promise<Client> {
    const authMethod = opts.authMethod ?? 'private_key_jwt'
    const res = await call(this.mock, '/register', {
      as: tpp,
      headers: { 'content-type': 'application/jose' },
      body: await this.registrationRequest(tpp, opts),
    })
    if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${res.text}`)
    return { clientId: String(res.json.client_id), tpp, authMethod }
  }

  /** A signed registration request of `tpp` (for POST, or PUT) whose SSA points at the bank's own keystore. */
  async registrationRequest(tpp: TppIdentity, opts: RegisterOptions = {}): Promise<string> {
    const authMethod = opts.authMethod ?? 'private_key_jwt'
    const directory = this.pki.directory
    const ssa = await mintSsa(
      tpp,
      { issuer: directory.issuer, signer: signerFromFile(directory.signing.keyPath, directory.signing.kid) },
      keystoreUrls(tpp.orgId, tpp.softwareId, `${this.issuer}/directory/keystore`),
    )
    const claims = registrationClaims({
      tpp,
      ssa,
      aud: this.pki.aspsp.orgId,
      specVersion: '3.3',
      authMethod,
      redirectUris: opts.redirectUris ?? tpp.redirectUris.slice(0, 2),
      claims: opts.responseTypes ? { response_types: opts.responseTypes } : {},
    })
    return signRegistration(claims, signerFromFile(tpp.signing.keyPath, tpp.signing.kid))
  }

  /** The client-authentication part of a form (private_key_jwt or tls_client_auth). */
  async clientAuth(client: Client, aud = `${this.issuer}/token`): Promise<Record<string, string>> {
    if (client.authMethod === 'tls_client_auth') return { client_id: client.clientId }
    const signer = signerFromFile(client.tpp.signing.keyPath, client.tpp.signing.kid)
    return {
      client_id: client.clientId,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await clientAssertion(client.clientId, aud, signer),
    }
  }

  /** POST /token with the client's authentication and `params`. */
  async token(client: Client, params: Record<string, string>, as: CallOptions['as'] = client.tpp) {
    return call(this.mock, '/token', { as, form: { ...(await this.clientAuth(client)), ...params } })
  }

  /** A client-credentials access token with the accounts scope. */
  async ccToken(client: Client, scope = 'accounts'): Promise<string> {
    const res = await this.token(client, { grant_type: 'client_credentials', scope })
    if (res.status !== 200) throw new Error(`client_credentials failed: ${res.status} ${res.text}`)
    return String(res.json.access_token)
  }

  /** Creates an account-access consent; returns its ConsentId. */
  async consent(client: Client, permissions?: string[], expiration?: string): Promise<string> {
    const res = await call(this.mock, '/open-banking/v3.1/aisp/account-access-consents', {
      as: client.tpp,
      headers: { authorization: `Bearer ${await this.ccToken(client)}` },
      json: accountAccessConsentBody(permissions, expiration),
    })
    if (res.status !== 201) throw new Error(`consent failed: ${res.status} ${res.text}`)
    return String((res.json.Data as Record<string, unknown>).ConsentId)
  }

  /** A signed request object and the PKCE verifier that goes with it. */
  async requestObject(
    client: Client,
    intentId: string,
    opts: { responseType?: ResponseType; redirectUri?: string; claims?: Claims } = {},
  ) {
    const pkce = pkcePair()
    const claims = requestObjectClaims({
      clientId: client.clientId,
      issuer: this.issuer,
      redirectUri: opts.redirectUri ?? (client.tpp.redirectUris[0] as string),
      intentId,
      codeChallenge: pkce.challenge,
      responseType: opts.responseType ?? 'code id_token',
      claims: opts.claims,
    })
    const jws = await signRequestObject(claims, signerFromFile(client.tpp.signing.keyPath, client.tpp.signing.kid))
    return { jws, claims, verifier: pkce.verifier }
  }

  /** The authorization URL of a request object sent by value. */
  authorizeUrl(client: Client, jws: string): string {
    const q = new URLSearchParams({ client_id: client.clientId, request: jws })
    return `/authorize?${q}`
  }
}

/**
 * The customer's browser: follows the bank's own redirects, keeps the session cookie (replaced
 * when the bank sets a new one), and posts a page's form with the anti-CSRF token of the page.
 */
export class Browser {
  private cookie: string | undefined
  constructor(private readonly mock: RunningMock) {}

  private keepCookie(res: Answer): Answer {
    const set = res.headers['set-cookie']
    if (set) this.cookie = String([set].flat()[0]).split(';')[0]
    return res
  }

  /** GET /authorize…; returns the answer (a redirect to the consent page, to the client, or a page). */
  async open(path: string): Promise<Answer> {
    return this.keepCookie(await call(this.mock, path))
  }

  private headers(): Record<string, string> {
    return this.cookie ? { cookie: this.cookie } : {}
  }

  async get(path: string) {
    return this.keepCookie(await call(this.mock, path, { headers: this.headers() }))
  }

  /**
   * Posts a form to `/consent/{id}/...`, as the page at `/consent/{id}` would: with its anti-CSRF
   * token, read from the page first (unless the form carries one). `headers` adds or replaces some
   * (an `origin`, for instance).
   */
  async post(path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const withToken = { ...form }
    if (withToken.csrf === undefined) {
      const page = await this.get(path.replace(/\/(login|decision)$/, ''))
      const token = csrfOf(page.text)
      if (token !== undefined) withToken.csrf = token
    }
    return this.keepCookie(await call(this.mock, path, { headers: { ...this.headers(), ...headers }, form: withToken }))
  }
}

/** The anti-CSRF token of a page's form, if it has one. */
export const csrfOf = (html: string) => /name="csrf" value="([^"]*)"/.exec(html)?.[1]

/** The Location header of a redirect. */
export const locationOf = (a: Answer) => String(a.headers.location ?? '')

/**
 * A bank for one describe block (in-memory store; no msw, the SSAs point at its own keystore) and
 * a TPP driver for it, started before its tests and closed after them.
 */
export function describeBank(options: Partial<MockOptions> = {}): { mock: RunningMock; tpp: TppDriver } {
  const ctx = {} as { mock: RunningMock; tpp: TppDriver }
  before(async () => {
    ctx.mock = await startMock({ port: 0, store: 'memory', msw: false, pki: testPki, ...options })
    ctx.tpp = new TppDriver(ctx.mock, testPki)
  })
  after(() => ctx.mock.close())
  return ctx
}
