/**
 * A data recipient driving the AU CDR Data Holder of a running mock, for unit tests: software
 * statements minted with the mock Register's key (a fresh software product each), registration,
 * client assertions, form calls over any recipient's certificate, PAR and /authorize with the JARM
 * response read back, and the code redeemed.
 */
import { randomUUID } from 'node:crypto'
import { cdrRequestObjectClaims } from '../../../fixtures/au/auth_code.ts'
import { pkcePair } from '../../../fixtures/builders/authorization.ts'
import { cdrRegistrationClaims } from '../../../fixtures/builders/cdr_registration.ts'
import { mintCdrSsa } from '../../../fixtures/builders/cdr_ssa.ts'
import { CLIENT_ASSERTION_TYPE, clientAssertion } from '../../../fixtures/builders/client_assertion.ts'
import { type Claims, decodeJws, type Signer, signerFromFile, signJws } from '../../../fixtures/builders/jose.ts'
import type { CdrRecipient } from '../../../keys/pki.ts'
import type { RunningMock } from '../../src/server.ts'
import { type CallResult, httpsCall, pki } from '../support.ts'

export const recipients = pki.cdr.recipients as Record<'mercury' | 'venus' | 'mars' | 'jupiter', CdrRecipient>
export const { mercury, venus } = recipients

export const signerOf = (r: CdrRecipient): Signer => signerFromFile(r.signing.keyPath, r.signing.kid, r.signing.alg)
export const registerSigner = () =>
  signerFromFile(pki.cdr.register.ssaSigning.keyPath, pki.cdr.register.ssaSigning.kid, pki.cdr.register.ssaSigning.alg)

/** One HTTPS call to the AU bank over `as`'s client certificate (`'none'`: without one). */
export function auCall(
  mock: RunningMock,
  o: { method?: string; path: string; as?: CdrRecipient | 'none'; headers?: Record<string, string>; body?: string },
): Promise<CallResult> {
  const as = o.as ?? mercury
  return httpsCall({
    host: 'localhost',
    port: mock.port,
    path: o.path,
    method: o.method ?? 'GET',
    ca: pki.cdr.ca.certPath,
    cert: as === 'none' ? undefined : as.transport,
    headers: o.headers,
    body: o.body,
  })
}

/** A form POST over `as`'s certificate. */
export function postForm(mock: RunningMock, path: string, fields: Record<string, string>, as: CdrRecipient = mercury) {
  return auCall(mock, {
    method: 'POST',
    path,
    as,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
}

/** An SSA of `r` from the mock Register's key, for a fresh software product unless `claims` name one. */
export const ssaOf = (r: CdrRecipient, claims: Claims = {}, signer = registerSigner()) =>
  mintCdrSsa(r, { issuer: pki.cdr.register.issuer, signer }, { software_id: randomUUID().toUpperCase(), ...claims })

/** A signed registration request of `r` (claims overridden last). */
export async function registrationRequest(
  mock: RunningMock,
  r: CdrRecipient,
  o: { ssa?: string; claims?: Claims } = {},
) {
  const ssa = o.ssa ?? (await ssaOf(r))
  const softwareId = String(decodeJws(ssa).payload.software_id)
  const claims = cdrRegistrationClaims({
    softwareId,
    ssa,
    aud: mock.bank.endpoints.issuer,
    redirectUris: [r.redirectUris[0] as string],
    claims: o.claims,
  })
  return signJws(claims, signerOf(r))
}

/** POST /register of a request body over `as`'s certificate. */
export const postRegistration = (mock: RunningMock, body: string, as: CdrRecipient = mercury) =>
  auCall(mock, { method: 'POST', path: '/register', as, headers: { 'content-type': 'application/jwt' }, body })

/** Registers a client of `r` (asserting 201); returns its client_id. */
export async function registerCdr(mock: RunningMock, r: CdrRecipient = mercury, claims: Claims = {}): Promise<string> {
  const res = await postRegistration(mock, await registrationRequest(mock, r, { claims }), r)
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${res.text}`)
  return String(res.json.client_id)
}

/** The client-authentication fields of `clientId` (signed with `r`'s key) plus `fields`. */
export async function authenticated(
  mock: RunningMock,
  clientId: string,
  fields: Record<string, string>,
  r: CdrRecipient = mercury,
): Promise<Record<string, string>> {
  return {
    client_id: clientId,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: await clientAssertion(clientId, mock.bank.endpoints.issuer, signerOf(r)),
    ...fields,
  }
}

/** A client-authenticated form POST of `clientId` (keys of `r`) over `over`'s certificate. */
export async function clientPost(
  mock: RunningMock,
  path: string,
  clientId: string,
  fields: Record<string, string>,
  o: { r?: CdrRecipient; over?: CdrRecipient } = {},
) {
  const r = o.r ?? mercury
  return postForm(mock, path, await authenticated(mock, clientId, fields, r), o.over ?? r)
}

/** A client credentials token (asserting 200). */
export async function ccToken(mock: RunningMock, clientId: string, r: CdrRecipient = mercury): Promise<string> {
  const res = await clientPost(
    mock,
    '/token',
    clientId,
    { grant_type: 'client_credentials', scope: 'cdr:registration' },
    { r },
  )
  if (res.status !== 200) throw new Error(`token failed: ${res.status} ${res.text}`)
  return String(res.json.access_token)
}

/** The claims of a valid request object of `clientId` (the suite's, `fixtures/au/auth_code.ts`). */
export const requestObjectClaims = (
  mock: RunningMock,
  clientId: string,
  r: CdrRecipient,
  challenge: string,
  o: Claims = {},
) =>
  cdrRequestObjectClaims(clientId, mock.bank.endpoints.issuer, r.redirectUris[0] as string, challenge, randomUUID(), o)

/** GetSoftwareStatementAssertion's path for `r`'s software product. */
export const ssaPath = (r: CdrRecipient) =>
  `/cdr-register/v1/all/data-recipients/brands/${r.brandId}/software-products/${r.softwareProductId}/ssa`

/** Pushes a request object of `clientId` (asserting 201): its request_uri and PKCE verifier. */
export async function pushed(mock: RunningMock, clientId: string, r: CdrRecipient = mercury, claims: Claims = {}) {
  const pkce = pkcePair()
  const request = await signJws(requestObjectClaims(mock, clientId, r, pkce.challenge, claims), signerOf(r))
  const res = await clientPost(mock, '/par', clientId, { request }, { r })
  if (res.status !== 201) throw new Error(`PAR failed: ${res.status} ${res.text}`)
  return { requestUri: String(res.json.request_uri), verifier: pkce.verifier, redirectUri: r.redirectUris[0] as string }
}

/** GET /authorize with `query` (written as given: a test may repeat a parameter). */
export const authorizeCall = (mock: RunningMock, query: string) =>
  auCall(mock, { path: `/authorize?${query}`, as: 'none' })

/** The code in the JARM response of an /authorize redirect (read without verifying: not what is tested here). */
export function codeOf(res: CallResult): string {
  const location = res.headers.location
  if (res.status !== 302 || typeof location !== 'string') throw new Error(`authorize: ${res.status} ${res.text}`)
  const response = new URL(location).searchParams.get('response')
  if (!response) throw new Error(`authorize: no JARM response in ${location}`)
  return String(decodeJws(response).payload.code)
}

/** PAR (the request object's claims overridden by `claims`), /authorize and the code redeemed (asserting 200): the token answer. */
export async function codeTokens(mock: RunningMock, clientId: string, r: CdrRecipient = mercury, claims: Claims = {}) {
  const p = await pushed(mock, clientId, r, claims)
  const code = codeOf(
    await authorizeCall(mock, new URLSearchParams({ client_id: clientId, request_uri: p.requestUri }).toString()),
  )
  const res = await clientPost(
    mock,
    '/token',
    clientId,
    { grant_type: 'authorization_code', code, redirect_uri: p.redirectUri, code_verifier: p.verifier },
    { r },
  )
  if (res.status !== 200) throw new Error(`code redemption failed: ${res.status} ${res.text}`)
  return res.json as { access_token: string; refresh_token: string; cdr_arrangement_id: string; id_token: string }
}
