/**
 * The MOCK-ONLY signing helper (`--signing-helper`, off by default): signs, with the keys of a
 * TPP of the mock directory, what a TPP must sign itself — a registration request carrying a fresh
 * SSA, a client assertion, a request object — so that tools that cannot sign PS256 (Postman,
 * newman, Bruno) can walk the DCR and AIS journeys. A real bank never holds a TPP's private keys:
 * nothing here exists there. Each call must come over mutual TLS with a certificate that belongs
 * to the TPP it asks for (pki/cert_profiles.ts), so a client can only have its own keys used.
 */
import type Router from '@koa/router'
import type { Context } from 'koa'
import { pkcePair, requestObjectClaims, signRequestObject } from '../../../fixtures/builders/authorization.ts'
import { clientAssertion } from '../../../fixtures/builders/client_assertion.ts'
import { type Claims, signerFromFile } from '../../../fixtures/builders/jose.ts'
import { type AuthMethod, registrationClaims, signRegistration } from '../../../fixtures/builders/registration.ts'
import { mintSsa } from '../../../fixtures/builders/ssa.ts'
import { findTpp, type SoftwareIdentity } from '../../../keys/pki.ts'
import type { Bank } from '../config/bank.ts'
import { mediaType, readBody } from '../shared/body.ts'
import { actsForProblem } from '../shared/cert_owner.ts'
import { InvalidRequest, NotFound } from '../shared/errors.ts'
import { requireClientCert } from '../shared/mtls.ts'
import { noStore } from '../shared/no_store.ts'

export const SIGNING_HELPER_BASE = '/mock/sign'

/** The JSON body, the TPP it names, and that the caller's certificate is that TPP's. */
async function helperRequest(ctx: Context): Promise<{ body: Record<string, unknown>; tpp: SoftwareIdentity }> {
  const bank: Bank = ctx.bank
  const cert = requireClientCert(ctx, why => new InvalidRequest(why))
  if (mediaType(ctx) !== 'application/json') throw new InvalidRequest('the signing helper takes application/json')
  let body: Record<string, unknown>
  try {
    body = JSON.parse(await readBody(ctx, bank.options.maxBodyBytes)) as Record<string, unknown>
  } catch {
    throw new InvalidRequest('the request body is not JSON')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidRequest('the body must be a JSON object')
  const name = body.tpp
  if (typeof name !== 'string')
    throw new InvalidRequest('tpp is required: the name of a TPP of the mock directory (alpha, ...)')
  const tpp = findTpp(bank.pki, name)
  if (!tpp) throw new NotFound(`tpp "${name}" is not in the mock directory`)
  const problem = actsForProblem(bank, cert, { softwareId: tpp.softwareId, orgId: tpp.orgId })
  if (problem) throw new InvalidRequest(`the signing helper signs only for the caller's own TPP: ${problem}`)
  return { body, tpp }
}

const claimsOf = (v: unknown): Claims => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Claims) : {})
const signerOf = (tpp: SoftwareIdentity) => signerFromFile(tpp.signing.keyPath, tpp.signing.kid, tpp.signing.alg)

/** `POST /mock/sign/registration`: `{ request }`, a signed registration request with a fresh SSA. */
async function signRegistrationRequest(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const { body, tpp } = await helperRequest(ctx)
  const auth = (body.auth ?? 'private_key_jwt') as AuthMethod
  if (auth !== 'private_key_jwt' && auth !== 'tls_client_auth') {
    throw new InvalidRequest('auth must be private_key_jwt or tls_client_auth')
  }
  const { directory } = bank.pki
  const ssa = await mintSsa(tpp, {
    issuer: directory.issuer,
    signer: signerFromFile(directory.signing.keyPath, directory.signing.kid),
  })
  const redirectUris = Array.isArray(body.redirect_uris) ? (body.redirect_uris as string[]) : undefined
  const claims = registrationClaims({
    tpp,
    ssa,
    aud: bank.pki.aspsp.orgId,
    specVersion: bank.options.specVersion,
    authMethod: auth,
    ...(redirectUris ? { redirectUris } : {}),
    claims: claimsOf(body.claims),
  })
  ctx.body = { request: await signRegistration(claims, signerOf(tpp)) }
}

/** `POST /mock/sign/client-assertion`: `{ client_assertion }` for `client_id` (RFC 7523), aud the token endpoint. */
async function signClientAssertion(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const { body, tpp } = await helperRequest(ctx)
  if (typeof body.client_id !== 'string') throw new InvalidRequest('client_id is required')
  const aud = typeof body.aud === 'string' ? body.aud : bank.endpoints.token
  ctx.body = { client_assertion: await clientAssertion(body.client_id, aud, signerOf(tpp), claimsOf(body.claims)) }
}

/** `POST /mock/sign/request-object`: `{ request, code_verifier, state, nonce }` for a consent (`intent`). */
async function signRequestObjectFor(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const { body, tpp } = await helperRequest(ctx)
  if (typeof body.client_id !== 'string') throw new InvalidRequest('client_id is required')
  if (typeof body.intent !== 'string') throw new InvalidRequest('intent is required: the ConsentId')
  const responseType = body.response_type === 'code' ? 'code' : 'code id_token'
  const pkce = pkcePair()
  const claims = requestObjectClaims({
    clientId: body.client_id,
    issuer: bank.endpoints.issuer,
    redirectUri: typeof body.redirect_uri === 'string' ? body.redirect_uri : (tpp.redirectUris[0] as string),
    intentId: body.intent,
    codeChallenge: pkce.challenge,
    responseType,
    claims: claimsOf(body.claims),
  })
  ctx.body = {
    request: await signRequestObject(claims, signerOf(tpp)),
    code_verifier: pkce.verifier,
    state: claims.state,
    nonce: claims.nonce,
  }
}

/** Installs the helper's routes (only when `signingHelper` is on). */
export function signingHelperRoutes(router: Router): void {
  router.post(`${SIGNING_HELPER_BASE}/registration`, noStore, signRegistrationRequest)
  router.post(`${SIGNING_HELPER_BASE}/client-assertion`, noStore, signClientAssertion)
  router.post(`${SIGNING_HELPER_BASE}/request-object`, noStore, signRequestObjectFor)
}
