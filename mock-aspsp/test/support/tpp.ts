/**
 * A TPP for the robustness tests: mints its SSA (the tests hold the directory key), signs
 * registration requests and client assertions with the fixtures' builders, and runs the
 * register → token → manage flow over its own transport certificate.
 */

import { clientAssertion } from '../../../fixtures/builders/client_assertion.ts'
import { type Claims, type Signer, signerFromFile } from '../../../fixtures/builders/jose.ts'
import {
  type AuthMethod,
  registrationClaims,
  type SpecVersion,
  signRegistration,
} from '../../../fixtures/builders/registration.ts'
import { keystoreUrls, mintSsa } from '../../../fixtures/builders/ssa.ts'
import type { Pki, TppIdentity } from '../../../keys/pki.ts'
import { BankClient, type HttpResult } from './http.ts'

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export const form = (params: Record<string, string>) => new URLSearchParams(params).toString()
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
export const JOSE = { 'content-type': 'application/jose' }

export function json(res: HttpResult): Record<string, unknown> {
  return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>
}

export interface Registered {
  clientId: string
  authMethod: AuthMethod
  body: Record<string, unknown>
}

export class Tpp {
  readonly signer: Signer
  readonly directorySigner: Signer
  /** Over the TPP's own transport certificate. */
  readonly client: BankClient

  constructor(
    readonly pki: Pki,
    readonly identity: TppIdentity,
    readonly url: string,
    readonly specVersion: SpecVersion = '3.3',
    /**
     * Where the SSA's JWKS URLs point: the real keystore host (answered by msw in the bank's
     * process) by default, or the bank's own `<issuer>/directory/keystore` for a bank started
     * in-process without msw (msw in a process slows every HTTP client request of it ~8×).
     */
    readonly keystoreBase?: string,
  ) {
    this.signer = signerFromFile(identity.signing.keyPath, identity.signing.kid, identity.signing.alg)
    const d = pki.directory.signing
    this.directorySigner = signerFromFile(d.keyPath, d.kid, d.alg)
    this.client = new BankClient(url, pki, identity.transport)
  }

  ssa(claims: Claims = {}): Promise<string> {
    const urls = this.keystoreBase ? keystoreUrls(this.identity.orgId, this.identity.softwareId, this.keystoreBase) : {}
    return mintSsa(
      this.identity,
      { issuer: this.pki.directory.issuer, signer: this.directorySigner },
      { ...urls, ...claims },
    )
  }

  /** The claims of a valid registration request (with a fresh SSA unless one is given). */
  async registrationClaims(authMethod: AuthMethod, claims: Claims = {}, ssa?: string): Promise<Claims> {
    return registrationClaims({
      tpp: this.identity,
      ssa: ssa ?? (await this.ssa()),
      aud: this.pki.aspsp.orgId,
      specVersion: this.specVersion,
      authMethod,
      claims,
    })
  }

  async registrationJws(authMethod: AuthMethod, claims: Claims = {}): Promise<string> {
    return signRegistration(await this.registrationClaims(authMethod, claims), this.signer)
  }

  /** POST /register; throws unless the bank answers 201. */
  async register(authMethod: AuthMethod = 'private_key_jwt', claims: Claims = {}): Promise<Registered> {
    const res = await this.client.request({
      method: 'POST',
      path: '/register',
      headers: JOSE,
      body: await this.registrationJws(authMethod, claims),
    })
    if (res.status !== 201) throw new Error(`register: HTTP ${res.status} ${res.body.toString('utf8')}`)
    const body = json(res)
    return { clientId: String(body.client_id), authMethod, body }
  }

  /** The client authentication parameters of a form request for this client. */
  async clientAuth(reg: { clientId: string; authMethod: AuthMethod }, aud: string): Promise<Record<string, string>> {
    if (reg.authMethod === 'tls_client_auth') return { client_id: reg.clientId }
    return {
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await clientAssertion(reg.clientId, aud, this.signer),
    }
  }

  /** POST /token with client_credentials; the raw answer. */
  async tokenResponse(reg: Registered, via: BankClient = this.client): Promise<HttpResult> {
    const auth = await this.clientAuth(reg, `${this.url}/token`)
    return via.request({
      method: 'POST',
      path: '/token',
      headers: FORM,
      body: form({ grant_type: 'client_credentials', ...auth }),
    })
  }

  /** A client credentials access token; throws unless the bank issues one. */
  async token(reg: Registered): Promise<string> {
    const res = await this.tokenResponse(reg)
    if (res.status !== 200) throw new Error(`token: HTTP ${res.status} ${res.body.toString('utf8')}`)
    return String(json(res).access_token)
  }

  /** GET /register/{id} with a bearer token. */
  getRegistration(clientId: string, token: string, via: BankClient = this.client): Promise<HttpResult> {
    return via.request({
      method: 'GET',
      path: `/register/${encodeURIComponent(clientId)}`,
      headers: { authorization: `Bearer ${token}` },
    })
  }

  close(): void {
    this.client.close()
  }
}
