/**
 * The mock CDR Register in the bank's process (CDS Register API 1.36), as the mock OB Directory is
 * for the UK profile:
 *
 * - `GET /cdr-register/v1/jwks` — the keys that sign SSAs (TLS, no client authentication);
 * - `GET /idp/.well-known/openid-configuration` and its JWKS — the Register's IdP;
 * - `POST /idp/connect/token` — client credentials with a `private_key_jwt` assertion of the
 *   software product, scope `cdr-register:read`, the token bound to the client certificate, whose
 *   CN must be the product's name;
 * - `GET /cdr-register/v1/{industry}/data-recipients/brands/{brandId}/software-products/{productId}/ssa`
 *   — GetSoftwareStatementAssertion, `x-v` 4 (x-min-v negotiation, 400 / 406), the product's own
 *   bound token (401), known brand and product (404), all three statuses ACTIVE (403);
 * - `PUT /cdr-register/mock-admin/software-products/{productId}/statuses` — not CDS: lets a test
 *   suspend or remove a participant and put it back.
 */
import { randomUUID } from 'node:crypto'
import type Router from '@koa/router'
import type { Context } from 'koa'
import { cdrSsaClaims } from '../../../../../fixtures/builders/cdr_ssa.ts'
import type { Bank } from '../../../config/bank.ts'
import {
  decodeJws,
  type Json,
  JwsFormatError,
  joseHeaderProblem,
  type KeySet,
  signPs256,
} from '../../../crypto/jose.ts'
import { epoch } from '../../../models/store.ts'
import { readBody, readForm } from '../../../shared/body.ts'
import { checkAssertionTimes } from '../../../shared/client_auth.ts'
import {
  InvalidClient,
  InvalidRequest,
  InvalidScope,
  InvalidToken,
  UnsupportedGrantType,
} from '../../../shared/errors.ts'
import { type ClientCert, requireClientCert } from '../../../shared/mtls.ts'
import { noStore } from '../../../shared/no_store.ts'
import { ALLOWED_JWS_ALGS } from '../../../shared/signed_inputs.ts'
import { CDS_ERRORS, CdsError, cdsErrors } from '../errors.ts'
import { cdr } from '../state.ts'
import {
  BRAND_STATUSES,
  LEGAL_ENTITY_STATUSES,
  type Participant,
  PRODUCT_STATUSES,
  type Statuses,
} from './participants.ts'

export const REGISTER_SCOPE = 'cdr-register:read'
/** GetSoftwareStatementAssertion versions this Register serves (CDS 1.35+: v4 only). */
const SSA_VERSIONS = [4] as const
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** The Register's URLs on this bank. */
export function registerUrls(bank: Bank) {
  const base = bank.endpoints.issuer
  return {
    issuer: `${base}/idp`,
    token: `${base}/idp/connect/token`,
    idpJwks: `${base}/idp/.well-known/openid-configuration/jwks`,
    ssaJwks: `${base}/cdr-register/v1/jwks`,
  }
}

async function jwks(ctx: Context): Promise<void> {
  ctx.body = cdr(ctx.bank).registerJwks
}

async function idpConfiguration(ctx: Context): Promise<void> {
  const urls = registerUrls(ctx.bank)
  ctx.body = {
    issuer: urls.issuer,
    jwks_uri: urls.idpJwks,
    token_endpoint: urls.token,
    claims_supported: ['sub'],
    id_token_signing_alg_values_supported: ['PS256'],
    subject_types_supported: ['public'],
    scopes_supported: [REGISTER_SCOPE],
    response_types_supported: ['token'],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    tls_client_certificate_bound_access_tokens: true,
    request_object_signing_alg_values_supported: ['PS256'],
  }
}

async function idpJwks(ctx: Context): Promise<void> {
  ctx.body = { keys: [cdr(ctx.bank).idpKey.publicJwk] }
}

/**
 * The software product's client assertion (CDS "Client Authentication" towards the Register):
 * PS256/ES256, no `crit` or `b64`, a kid, iss = sub = client_id (the software product id), aud the
 * Register's issuer or token endpoint, exp not passed and at most `maxAssertionLifetime` ahead, iat
 * and nbf not in the future, signed by a key of the product's JWKS. Returns the participant and the
 * recording of the jti (single use), to be called once every other check of the request passed.
 */
async function authenticateProduct(bank: Bank, form: Record<string, string>) {
  if (form.client_assertion_type !== JWT_BEARER) {
    throw new InvalidClient(`client_assertion_type must be ${JWT_BEARER}`)
  }
  let assertion: ReturnType<typeof decodeJws>
  try {
    assertion = decodeJws(form.client_assertion, 'client_assertion')
  } catch (e) {
    if (e instanceof JwsFormatError) throw new InvalidClient(e.message)
    throw e
  }
  const { header, payload } = assertion
  const headerProblem = joseHeaderProblem(header)
  if (headerProblem) throw new InvalidClient(`client_assertion ${headerProblem}`)
  const alg = String(header.alg)
  if (!(ALLOWED_JWS_ALGS as readonly string[]).includes(alg)) {
    throw new InvalidClient(
      `client_assertion alg ${JSON.stringify(header.alg ?? null)} is not allowed; sign it PS256 or ES256`,
    )
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new InvalidClient("client_assertion header has no kid: it names a key of the software product's JWKS")
  }
  const clientId = payload.iss
  if (typeof clientId !== 'string' || payload.sub !== clientId) {
    throw new InvalidClient('client_assertion iss and sub must both be the software product id')
  }
  if (form.client_id !== undefined && form.client_id !== clientId) {
    throw new InvalidClient(`client_id "${form.client_id}" does not match the client_assertion iss "${clientId}"`)
  }
  const participant = cdr(bank).participants.product(clientId)
  if (!participant) throw new InvalidClient(`software product "${clientId}" is not registered with the CDR Register`)
  const urls = registerUrls(bank)
  const auds = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if (!auds.some(a => a === urls.issuer || a === urls.token)) {
    throw new InvalidClient(`client_assertion aud must be "${urls.token}" or "${urls.issuer}"`)
  }
  checkAssertionTimes(bank, payload)
  const { jti } = payload
  if (typeof jti !== 'string' || jti === '') throw new InvalidClient('client_assertion has no jti')
  let keys: KeySet
  try {
    keys = await bank.jwks.get(participant.recipient.jwksUri)
  } catch (e) {
    throw new InvalidClient(`the JWKS of software product "${clientId}" could not be read: ${(e as Error).message}`)
  }
  if (keys.verify(assertion.raw, header.kid, alg) !== 'valid') {
    throw new InvalidClient(`client_assertion does not verify with a key of ${participant.recipient.jwksUri}`)
  }
  const until = (payload.exp as number) + bank.options.clockSkew
  const consume = () => {
    if (!bank.store.useOnce(`register-assertion:${clientId}`, jti, until)) {
      throw new InvalidClient(`client_assertion jti "${jti}" has already been used`)
    }
  }
  return { participant, consume }
}

/** Why `cert` is not the client certificate of the product (CDS Certificate Management: CN = its name), or undefined. */
function productCertProblem(cert: ClientCert, participant: Participant): string | undefined {
  const name = participant.recipient.softwareProductName
  return cert.cn === name
    ? undefined
    : `the client certificate (CN=${cert.cn ?? ''}) is not a certificate of software product "${name}" (CN must be its name)`
}

/** `POST /idp/connect/token`: a `cdr-register:read` access token for a software product. */
async function token(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const form = await readForm(ctx, bank.options.maxBodyBytes, 'token')
  if (form.grant_type !== 'client_credentials') {
    throw new UnsupportedGrantType(
      `grant_type must be client_credentials, got ${JSON.stringify(form.grant_type ?? null)}`,
    )
  }
  const cert = requireClientCert(ctx, why => new InvalidClient(why))
  const { participant, consume } = await authenticateProduct(bank, form)
  const problem = productCertProblem(cert, participant)
  if (problem && !bank.deviations.has('register-skips-cert-cn-check')) throw new InvalidClient(problem)
  if (form.scope !== undefined && form.scope !== REGISTER_SCOPE) {
    throw new InvalidScope(`scope must be ${REGISTER_SCOPE}, got ${JSON.stringify(form.scope)}`)
  }
  // Recorded only now: a request refused for its certificate or scope does not use the assertion up.
  consume()
  const now = epoch()
  const ttl = bank.options.cdr.registerTokenTtl
  const state = cdr(bank)
  const accessToken = await signPs256(
    {
      iss: registerUrls(bank).issuer,
      aud: 'cdr-register',
      sub: participant.recipient.softwareProductId,
      client_id: participant.recipient.softwareProductId,
      scope: REGISTER_SCOPE,
      iat: now,
      exp: now + ttl,
      jti: randomUUID(),
      cnf: { 'x5t#S256': cert.x5tS256 },
    },
    state.idpKey.key,
    { kid: state.idpKey.kid, typ: 'at+jwt' },
  )
  ctx.body = { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope: REGISTER_SCOPE }
}

/** The Register access token of the request: signed by the IdP, live, `cdr-register:read`, bound to the certificate. */
function registerToken(ctx: Context, cert: ClientCert): Json {
  const bank: Bank = ctx.bank
  const m = /^Bearer +(\S+)$/i.exec(ctx.get('authorization'))
  if (!m) throw new InvalidToken('an Authorization header with a Register access token is required', false)
  let claims: Json
  try {
    const jws = decodeJws(m[1], 'the access token')
    if (cdr(bank).idpKeys.verify(jws.raw, String(jws.header.kid), 'PS256') !== 'valid') throw new JwsFormatError('bad')
    claims = jws.payload
  } catch {
    throw new InvalidToken('the access token was not issued by this Register')
  }
  if (claims.aud !== 'cdr-register' || typeof claims.exp !== 'number' || claims.exp <= epoch()) {
    throw new InvalidToken('the access token has expired or is not for the CDR Register')
  }
  if (
    !String(claims.scope ?? '')
      .split(' ')
      .includes(REGISTER_SCOPE)
  ) {
    throw new InvalidToken(`the access token lacks the scope ${REGISTER_SCOPE}`)
  }
  const bound = (claims.cnf as Json | undefined)?.['x5t#S256']
  if (bound !== cert.x5tS256 && !bank.deviations.has('register-unbound-tokens')) {
    throw new InvalidToken('the access token is bound to another client certificate (cnf x5t#S256 does not match)')
  }
  return claims
}

const POSITIVE_INT = /^[1-9][0-9]{0,8}$/

/**
 * CDS "HTTP Headers": x-v is required, a positive integer; the answer is the highest supported
 * version between x-min-v and x-v (x-min-v ≥ x-v counts as absent); none supported → 406.
 */
export function negotiateVersion(xv: string | undefined, xMinV: string | undefined, supported: readonly number[]) {
  if (xv === undefined || xv === '') throw new CdsError(400, CDS_ERRORS.headerMissing, 'x-v is required')
  if (!POSITIVE_INT.test(xv)) {
    throw new CdsError(400, CDS_ERRORS.invalidVersion, `x-v must be a positive integer, got "${xv}"`)
  }
  if (xMinV !== undefined && xMinV !== '' && !POSITIVE_INT.test(xMinV)) {
    throw new CdsError(400, CDS_ERRORS.invalidVersion, `x-min-v must be a positive integer, got "${xMinV}"`)
  }
  const max = Number(xv)
  const min = xMinV && Number(xMinV) < max ? Number(xMinV) : max
  const version = [...supported].reverse().find(v => v >= min && v <= max)
  if (version === undefined) {
    throw new CdsError(
      406,
      CDS_ERRORS.unsupportedVersion,
      `no requested version (x-v ${xv}${xMinV ? `, x-min-v ${xMinV}` : ''}) is supported; supported: ${supported.join(', ')}`,
    )
  }
  return version
}

/** `GET .../brands/{brandId}/software-products/{productId}/ssa` (GetSoftwareStatementAssertion). */
async function softwareStatementAssertion(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const state = cdr(bank)
  const cert = requireClientCert(ctx, why => new InvalidToken(why))
  const token = registerToken(ctx, cert)
  const { industry, brandId, productId } = ctx.params as Record<string, string>
  const version = bank.deviations.has('register-skips-version-check')
    ? SSA_VERSIONS[0]
    : negotiateVersion(ctx.get('x-v') || undefined, ctx.get('x-min-v') || undefined, SSA_VERSIONS)
  if (industry !== 'all' && !bank.deviations.has('register-accepts-any-industry')) {
    throw new CdsError(
      400,
      CDS_ERRORS.invalidField,
      `industry must be "all" (IndustryEnumRecipients), got "${industry}"`,
    )
  }
  if (!state.participants.hasBrand(String(brandId))) {
    throw new CdsError(404, CDS_ERRORS.invalidBrand, `data recipient brand ${brandId} is not registered`)
  }
  const participant = state.participants.product(String(productId))
  if (!participant || participant.recipient.brandId !== brandId) {
    throw new CdsError(
      404,
      CDS_ERRORS.invalidSoftwareProduct,
      `software product ${productId} is not a product of brand ${brandId}`,
    )
  }
  if (token.client_id !== productId && !bank.deviations.has('register-any-product')) {
    throw new CdsError(
      404,
      CDS_ERRORS.invalidSoftwareProduct,
      `the access token is not software product ${productId}'s`,
    )
  }
  const inactive = state.participants.inactive(participant)
  if (inactive && !bank.deviations.has('register-ignores-status')) {
    throw new CdsError(
      403,
      CDS_ERRORS.adrStatusNotActive,
      `${inactive}: the Register issues SSAs to active participants only`,
    )
  }
  const ttl = bank.deviations.has('register-long-lived-ssa') ? 24 * 3600 : bank.options.cdr.ssaTtl
  const claims = cdrSsaClaims(participant.recipient, bank.pki.cdr.register.issuer, ttl)
  ctx.set('x-v', String(version))
  ctx.type = 'application/json'
  // CDS: the 200 body "schema: string" — the SSA as a JSON string.
  ctx.body = JSON.stringify(await signPs256(claims, state.ssaKey.key, { kid: state.ssaKey.kid, typ: 'JWT' }))
}

const STATUS_VALUES: Record<keyof Statuses, readonly string[]> = {
  legalEntityStatus: LEGAL_ENTITY_STATUSES,
  brandStatus: BRAND_STATUSES,
  softwareProductStatus: PRODUCT_STATUSES,
}
const STATUS_SHAPE = 'the body must be a JSON object: { legalEntityStatus?, brandStatus?, softwareProductStatus? }'

/**
 * Not CDS: changes statuses of a participant, so that tests can see the Register refuse (403). Only
 * over the product's own client certificate: a recipient cannot suspend another.
 */
async function setStatuses(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const cert = requireClientCert(ctx, why => new InvalidRequest(why, 401))
  let change: unknown
  try {
    change = JSON.parse(await readBody(ctx, bank.options.maxBodyBytes))
  } catch {
    throw new InvalidRequest(STATUS_SHAPE)
  }
  if (change === null || typeof change !== 'object' || Array.isArray(change)) throw new InvalidRequest(STATUS_SHAPE)
  for (const [k, v] of Object.entries(change)) {
    const values = Object.hasOwn(STATUS_VALUES, k) ? STATUS_VALUES[k as keyof Statuses] : undefined
    if (!values?.includes(String(v))) {
      throw new InvalidRequest(
        `${k} must be one of ${values?.join(', ') ?? '(unknown field)'}, got ${JSON.stringify(v)}`,
      )
    }
  }
  const participants = cdr(bank).participants
  const participant = participants.product(String(ctx.params.productId))
  if (!participant) {
    throw new CdsError(
      404,
      CDS_ERRORS.invalidSoftwareProduct,
      `software product ${ctx.params.productId} is not registered`,
    )
  }
  const problem = productCertProblem(cert, participant)
  if (problem) throw new InvalidRequest(`only the software product itself may change its statuses: ${problem}`, 403)
  ctx.body = participants.setStatuses(participant.recipient.softwareProductId, change as Partial<Statuses>)
}

export function registerRoutes(router: Router): void {
  router.get('/cdr-register/v1/jwks', jwks)
  router.get('/idp/.well-known/openid-configuration', idpConfiguration)
  router.get('/idp/.well-known/openid-configuration/jwks', idpJwks)
  router.post('/idp/connect/token', noStore, token)
  router.get(
    '/cdr-register/v1/:industry/data-recipients/brands/:brandId/software-products/:productId/ssa',
    noStore,
    cdsErrors,
    softwareStatementAssertion,
  )
  router.put('/cdr-register/mock-admin/software-products/:productId/statuses', noStore, cdsErrors, setStatuses)
}
