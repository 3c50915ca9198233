/**
 * The fuzzer's view of one bank: a client per certificate, the two fixture clients (alpha with
 * private_key_jwt, beta with tls_client_auth) that management and token cases aim at, fresh
 * tokens for them, and the turning of a recipe into the request on the wire.
 */

import { clientAssertionClaims } from '../../../fixtures/builders/client_assertion.ts'
import { type Signer, signerFromFile } from '../../../fixtures/builders/jose.ts'
import { registrationClaims, type SpecVersion } from '../../../fixtures/builders/registration.ts'
import { ssaClaims } from '../../../fixtures/builders/ssa.ts'
import type { Pki } from '../../../keys/pki.ts'
import { BankClient, type HttpResult, type RequestInput } from '../support/http.ts'
import { json, type Registered, Tpp } from '../support/tpp.ts'
import type {
  AssertionRecipe,
  AuthSpec,
  Body,
  CertName,
  FormValue,
  HttpCase,
  Patch,
  RawCase,
  RegistrationRecipe,
} from './cases.ts'
import { breaksSignature, type JwsMutation, mutate, signText } from './jws.ts'
import type { Expectation } from './oracle.ts'
import { jsonText, REMOVE } from './values.ts'

type Fixture = 'alpha' | 'beta'

export interface Prepared {
  cert: CertName
  request: RequestInput
  expectation: Expectation
  /** What to do with the answer (clean up a registration, note a deleted fixture). */
  after?: (res: HttpResult) => Promise<void>
}

function applyPatch(base: Record<string, unknown>, patch: Patch): Record<string, unknown> {
  // A null-prototype copy: `__proto__` and friends become plain members, as JSON.parse makes them.
  const out: Record<string, unknown> = Object.assign(Object.create(null), base)
  for (const [k, v] of patch) {
    if (v === REMOVE) delete out[k]
    else out[k] = v
  }
  return out
}

/**
 * A header whose alg or kid was changed no longer names the key that signed it. (`crit` is not
 * here: `crit: ["b64"], b64: false` over a compact JWS signs the very same bytes, so accepting
 * it is no forgery.)
 */
const touchesAlgOrKid = (header: Patch) => header.some(([k]) => k === 'alg' || k === 'kid')

export interface WorldStats {
  fixturesRegistered: number
  registrationsCleanedUp: number
  registrationsLeft: number
}

export class World {
  readonly clients: Record<CertName, BankClient>
  readonly tpps: Record<Fixture, Tpp>
  readonly stats: WorldStats = { fixturesRegistered: 0, registrationsCleanedUp: 0, registrationsLeft: 0 }
  private readonly fixtures = new Map<Fixture, Registered>()
  private readonly untrustedDirectory: Signer

  constructor(
    readonly url: string,
    readonly pki: Pki,
    readonly specVersion: SpecVersion = '3.3',
  ) {
    const tpp = (name: string) => {
      const t = pki.tpps[name]
      if (!t) throw new Error(`the test PKI has no TPP ${name}`)
      return t
    }
    this.tpps = {
      alpha: new Tpp(pki, tpp('alpha'), url, specVersion),
      beta: new Tpp(pki, tpp('beta'), url, specVersion),
    }
    this.clients = {
      alpha: this.tpps.alpha.client,
      beta: this.tpps.beta.client,
      none: new BankClient(url, pki, null),
      rogue: new BankClient(url, pki, tpp('rogue').transport),
      expired: new BankClient(url, pki, tpp('expired').transport),
    }
    const u = pki.directory.untrusted
    this.untrustedDirectory = signerFromFile(u.keyPath, u.kid, u.alg)
  }

  close(): void {
    for (const c of Object.values(this.clients)) c.close()
  }

  /** The fixture client, registered (again) when it is missing. */
  async fixture(name: Fixture): Promise<Registered> {
    const have = this.fixtures.get(name)
    if (have) return have
    const reg = await this.tpps[name].register(name === 'alpha' ? 'private_key_jwt' : 'tls_client_auth')
    this.stats.fixturesRegistered++
    this.fixtures.set(name, reg)
    return reg
  }

  forget(name: Fixture): void {
    this.fixtures.delete(name)
  }

  /** A fresh access token of the fixture; a fixture that can no longer get one is replaced. */
  async token(name: Fixture): Promise<string> {
    const reg = await this.fixture(name)
    const res = await this.tpps[name].tokenResponse(reg)
    if (res.status === 200) return String(json(res).access_token)
    // A fuzzed PUT may have changed how the fixture authenticates: start over with a new one.
    this.forget(name)
    return this.tpps[name].token(await this.fixture(name))
  }

  // -------------------------------------------------------------------------------------------

  private async registrationJws(
    recipe: RegistrationRecipe,
    tppName: Fixture,
  ): Promise<{ jws: string; broken: boolean }> {
    const tpp = this.tpps[tppName]
    const ssaSigner = recipe.ssa.signer === 'directory' ? tpp.directorySigner : this.untrustedDirectory
    const ssaPayload = applyPatch(ssaClaims(tpp.identity, this.pki.directory.issuer), recipe.ssa.claims)
    const ssaHeader = applyPatch({ alg: ssaSigner.alg, kid: ssaSigner.kid, typ: 'JWT' }, recipe.ssa.header)
    const ssa = mutate(signText(ssaPayload, ssaSigner, ssaHeader), recipe.ssa.mutation, {
      payload: ssaPayload,
      header: ssaHeader,
      signer: ssaSigner,
      wrongSigner: this.untrustedDirectory,
    })
    const base = registrationClaims({
      tpp: tpp.identity,
      ssa,
      aud: this.pki.aspsp.orgId,
      specVersion: tpp.specVersion,
      authMethod: recipe.authMethod,
      claims: { jti: recipe.jti },
    })
    const payload = applyPatch(base, recipe.claims)
    const header = applyPatch({ alg: tpp.signer.alg, kid: tpp.signer.kid, typ: 'JWT' }, recipe.header)
    const wrong = tpp.identity.revokedSigning
    const jws = mutate(signText(payload, tpp.signer, header), recipe.mutation, {
      payload,
      header,
      signer: tpp.signer,
      wrongSigner: signerFromFile(wrong.keyPath, wrong.kid, wrong.alg),
    })
    const broken =
      breaks(recipe.mutation, tpp.signer.alg) ||
      recipe.header.some(([k]) => ['jwk', 'jku', 'x5u', 'x5c'].includes(k)) ||
      touchesAlgOrKid(recipe.header) ||
      recipe.ssa.signer === 'untrusted' ||
      breaks(recipe.ssa.mutation, ssaSigner.alg) ||
      touchesAlgOrKid(recipe.ssa.header)
    return { jws, broken }
  }

  private assertion(recipe: AssertionRecipe): { value: string; broken: boolean } {
    const clientId =
      recipe.client === 'unknown'
        ? 'b8a1c7e2-0000-4000-8000-000000000000'
        : (this.fixtures.get(recipe.client)?.clientId ?? '')
    const tpp = this.tpps[recipe.client === 'beta' ? 'beta' : 'alpha']
    const payload = applyPatch(
      clientAssertionClaims(clientId, `${this.url}/token`, recipe.jti ? { jti: recipe.jti } : {}),
      recipe.claims,
    )
    const header = applyPatch({ alg: tpp.signer.alg, kid: tpp.signer.kid, typ: 'JWT' }, recipe.header)
    const wrong = tpp.identity.revokedSigning
    const value = mutate(signText(payload, tpp.signer, header), recipe.mutation, {
      payload,
      header,
      signer: tpp.signer,
      wrongSigner: signerFromFile(wrong.keyPath, wrong.kid, wrong.alg),
    })
    // Only a private_key_jwt client authenticates with an assertion: beta registers tls_client_auth,
    // and a fuzzed PUT that was accepted may have changed either fixture's method (see prepare()).
    const reg = recipe.client === 'unknown' ? undefined : this.fixtures.get(recipe.client)
    const broken =
      breaks(recipe.mutation, tpp.signer.alg) || touchesAlgOrKid(recipe.header) || reg?.authMethod !== 'private_key_jwt'
    return { value, broken }
  }

  private async formValue(v: FormValue): Promise<{ value: string; broken: boolean; assertion: boolean }> {
    if (typeof v === 'string') return { value: v, broken: false, assertion: false }
    switch (v.fill) {
      case 'huge':
        return { value: v.value.value, broken: false, assertion: false }
      case 'client-id':
        return { value: (await this.fixture(v.client)).clientId, broken: false, assertion: false }
      case 'token':
        return { value: await this.token(v.of), broken: false, assertion: false }
      case 'assertion': {
        await this.fixture('alpha')
        await this.fixture('beta')
        const a = this.assertion(v.recipe)
        return { value: a.value, broken: a.broken, assertion: true }
      }
    }
  }

  private async body(body: Body, cert: CertName): Promise<{ bytes: Buffer | undefined; broken: boolean }> {
    switch (body.kind) {
      case 'none':
        return { bytes: undefined, broken: false }
      case 'bytes':
        return { bytes: Buffer.from(body.bytes), broken: false }
      case 'text':
        return { bytes: Buffer.from(body.text, 'utf8'), broken: false }
      case 'json':
        return { bytes: Buffer.from(jsonText(body.value), 'utf8'), broken: false }
      case 'huge':
        return { bytes: Buffer.from(body.value.value, 'utf8'), broken: false }
      case 'registration': {
        const { jws, broken } = await this.registrationJws(body.recipe, cert === 'beta' ? 'beta' : 'alpha')
        return { bytes: Buffer.from(jws, 'utf8'), broken }
      }
      case 'form': {
        const parts: string[] = []
        let brokenAssertion = false
        for (const [k, v] of body.pairs) {
          const f = await this.formValue(v)
          // Only an assertion sent as the client_assertion must fail client authentication.
          if (f.assertion && k === 'client_assertion') brokenAssertion ||= f.broken
          parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(f.value)}`)
        }
        if (body.broken !== null) parts.push(body.broken)
        return { bytes: Buffer.from(parts.join('&'), 'utf8'), broken: brokenAssertion }
      }
    }
  }

  private async authorization(auth: AuthSpec): Promise<string | undefined> {
    switch (auth.kind) {
      case 'none':
        return undefined
      case 'header':
        return auth.value
      case 'token': {
        const t = await this.token(auth.of)
        const forms = {
          plain: `Bearer ${t}`,
          lowercase: `bearer ${t}`,
          'extra-spaces': `Bearer   ${t}  `,
          suffix: `Bearer ${t}x`,
          twice: `Bearer ${t}, Bearer ${t}`,
          tab: `Bearer\t${t}`,
        }
        return forms[auth.format]
      }
    }
  }

  /** Turns a recipe into a request, with what the answer must satisfy. */
  async prepare(c: HttpCase): Promise<Prepared> {
    const headers: Record<string, string> = {}
    for (const [k, v] of c.extraHeaders) headers[k] = v
    // Host must name the bank for Node's client to be usable at all; a fuzzed Host goes raw.
    delete headers.host
    if (c.contentType !== null) headers['content-type'] = c.contentType
    const authorization = await this.authorization(c.auth)
    if (authorization !== undefined) headers.authorization = authorization

    let path: string
    let owner: Fixture | undefined
    if (typeof c.path === 'string') {
      path = c.path
    } else if ('fixture' in c.path.register) {
      owner = c.path.register.fixture
      path = `/register/${(await this.fixture(owner)).clientId}`
    } else {
      path = `/register/${c.path.register.raw}`
    }
    const { bytes, broken } = await this.body(c.body, c.cert)
    let mustReject = false
    if (c.target === 'register' || (c.target === 'manage' && c.method === 'PUT')) {
      mustReject = c.body.kind === 'registration' && broken
    }
    if (c.target === 'manage' && ['GET', 'PUT', 'DELETE'].includes(c.method)) {
      const auth = c.auth
      const rightToken = auth.kind === 'token' && owner !== undefined && auth.of === owner && auth.of === c.cert
      mustReject ||= !rightToken || (auth.kind === 'token' && (auth.format === 'suffix' || auth.format === 'twice'))
    }
    if (c.target === 'token' || c.target === 'introspect' || c.target === 'revoke') mustReject ||= broken

    const prepared: Prepared = {
      cert: c.cert,
      request: { method: c.method, path, headers, ...(bytes ? { body: bytes } : {}) },
      expectation: { target: c.target, method: c.method, mustReject, path },
    }
    if (c.target === 'register') prepared.after = res => this.cleanUp(res, c.cert)
    if (c.target === 'manage' && owner) {
      const name = owner
      prepared.after = async res => {
        if (c.method === 'DELETE' && res.status < 300) this.forget(name)
        const reg = this.fixtures.get(name)
        // A fuzzed PUT that was accepted may have changed how the fixture authenticates.
        if (c.method === 'PUT' && res.status === 200 && reg) {
          reg.authMethod =
            json(res).token_endpoint_auth_method === 'tls_client_auth' ? 'tls_client_auth' : 'private_key_jwt'
        }
      }
    }
    return prepared
  }

  /** Deletes a client the fuzzer managed to register, so the bank's memory measures leaks only. */
  private async cleanUp(res: HttpResult, cert: CertName): Promise<void> {
    if (res.status !== 201) return
    const body = json(res)
    const tppName: Fixture = cert === 'beta' ? 'beta' : 'alpha'
    const tpp = this.tpps[tppName]
    const reg: Registered = {
      clientId: String(body.client_id),
      authMethod: body.token_endpoint_auth_method === 'tls_client_auth' ? 'tls_client_auth' : 'private_key_jwt',
      body,
    }
    const tok = await tpp.tokenResponse(reg)
    if (tok.status === 200) {
      const del = await tpp.client.request({
        method: 'DELETE',
        path: `/register/${reg.clientId}`,
        headers: { authorization: `Bearer ${String(json(tok).access_token)}` },
      })
      if (del.status === 204) {
        this.stats.registrationsCleanedUp++
        return
      }
    }
    this.stats.registrationsLeft++
  }

  /** The bytes of a raw request. */
  raw(c: RawCase): Buffer {
    const body = Buffer.from(c.body, 'utf8')
    const head = [`${c.method} ${c.requestTarget} ${c.version}`.trimEnd(), 'Host: localhost']
    for (const [k, v] of c.headers) head.push(`${k}: ${v}`)
    const chunked = Buffer.concat([
      Buffer.from(body.length ? `${body.length.toString(16)}\r\n` : ''),
      body,
      Buffer.from(body.length ? '\r\n0\r\n\r\n' : '0\r\n\r\n'),
    ])
    let payload = body
    switch (c.framing) {
      case 'content-length':
        head.push(`Content-Length: ${body.length}`)
        break
      case 'chunked':
        head.push('Transfer-Encoding: chunked')
        payload = chunked
        break
      case 'cl-and-te':
        head.push(`Content-Length: ${chunked.length}`, 'Transfer-Encoding: chunked')
        payload = chunked
        break
      case 'duplicate-cl':
        head.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`)
        break
      case 'bad-chunk-size':
        head.push('Transfer-Encoding: chunked')
        payload = Buffer.concat([Buffer.from('zz\r\n'), body, Buffer.from('\r\n0\r\n\r\n')])
        break
      case 'negative-cl':
        head.push('Content-Length: -1')
        break
      case 'none':
        break
    }
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), payload])
  }
}

function breaks(m: JwsMutation, signerAlg: string): boolean {
  if (m.kind === 'alg-header' && m.alg === signerAlg) return false
  return breaksSignature(m)
}
