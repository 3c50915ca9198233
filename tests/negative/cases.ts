/**
 * Registration cases: one table of "what is sent → what the bank must answer", run by two
 * operations. Each case becomes a `POST /register` test titled with its catalogue id, and the
 * same case a `PUT /register/{ClientId}` test titled NEG-MGMT-24 (RFC 7592 §2.2: an update is
 * validated as a registration is). Not collected as tests itself.
 *
 * A refused PUT must leave the client as it was: where the target offers GET, the client is read
 * before and after and compared member by member.
 *
 * Each case that may be refused has its positive control, first: the same TPP's valid request
 * (POST 201, PUT 200) on the same endpoint. Against a bank that refuses it, the case is
 * inconclusive, never passed.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto'
import type { Claims, Signer } from '../../fixtures/builders/jose.ts'
import { decodeJws } from '../../fixtures/builders/jose.ts'
import type { AuthMethod } from '../../fixtures/builders/registration.ts'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import {
  controlManagement,
  controlRegistration,
  ensureSucceeded,
  precondition,
  preconditionClient,
  tokenOk,
} from '../../fixtures/controls.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import type { Capability, Target } from '../../fixtures/targets/types.ts'
import { test } from '../../fixtures/test.ts'
import type { RequestOptions, Tpp } from '../../fixtures/tpp.ts'
import type { Validators } from '../../fixtures/validators.ts'
import { recordAnswer } from '../checks/annotations.ts'
import { checkRegistrationRefusal, type RegistrationError } from '../checks/errors.ts'
import { ensureRejected, ensureStatus } from '../checks/http.ts'
import { checkClientUnchanged } from '../checks/unchanged.ts'

export type Operation = 'POST' | 'PUT'

/** What a case builds its request from. */
export interface CaseContext {
  tpp: Tpp
  target: Target
  op: Operation
  /** The auth method of the requests (the first the target is tested with), unless a case sets one. */
  authMethod: AuthMethod
  /** The client a PUT updates, and the request that registered it (PUT only). */
  client?: { clientId: string; jws: string }
}

/** What a case sends: the body (normally a signed request), its media type, and what it carries. */
export interface Attempt {
  body: string
  /** Overrides the spec version's request media type. */
  contentType?: string
  /** The request claims, for the checks of an acceptance. */
  claims?: Claims
  /** The software statement sent, for the checks of an acceptance. */
  ssa?: string
}

/** How a refusal must look (RFC 7591 §3.2.2). */
export interface Refusal {
  /** The error codes the specs allow; when several, the report records the one used. */
  errors: readonly RegistrationError[]
  /** Statuses allowed (default 400). */
  statuses?: readonly number[]
}

/** An acceptance a profile allows, with the checks that make it right. */
export interface Acceptance {
  /** Names the answer in the report, e.g. `the SSA's redirect URIs registered`. */
  label: string
  check(ex: Exchange, attempt: Attempt, c: CaseContext): Promise<void>
}

/**
 * What the bank must answer: a refusal, or (where the catalogue says "profile") either a refusal
 * or an acceptance that meets its checks. Without `accepted`, an acceptance fails the case;
 * without `refused`, a refusal does.
 */
export interface Expectation {
  refused?: Refusal
  accepted?: Acceptance
}

export interface RegistrationCase {
  /** The catalogue id (`NEG-JWT-07`). */
  id: string
  /** The behaviour, after the id: `rejects a request whose exp has passed`. */
  title: string
  /** Spec clauses (annotations). */
  spec: readonly string[]
  requires?: readonly Capability[]
  /** Why the case does not apply to this target, if it does not (e.g. a 3.4-only rule). */
  notFor?: (target: Target) => string | undefined
  /** Run on POST only (a second registration with the same software or SSA). */
  postOnly?: boolean
  /**
   * On POST, `send` runs the case's own control (a first registration of the same request or SSA,
   * in a `control:` step), so the generic one is not needed.
   */
  ownControl?: boolean
  send(c: CaseContext): Promise<Attempt>
  expect: Expectation | ((target: Target) => Expectation)
}

/** Any RFC 7591 registration error (the catalogue names only the status for these checks). */
export const ANY_REGISTRATION_ERROR: readonly RegistrationError[] = [
  'invalid_client_metadata',
  'invalid_redirect_uri',
  'invalid_software_statement',
  'unapproved_software_statement',
  'invalid_request',
]

export const refused = (errors: readonly RegistrationError[], statuses?: readonly number[]): Expectation => ({
  refused: { errors, ...(statuses ? { statuses } : {}) },
})

// ---------------------------------------------------------------------------------------------
// Building requests

/** A signed request shaped by `opts`, as an attempt. */
export async function signed(c: CaseContext, opts: RequestOptions = {}): Promise<Attempt> {
  const r = await c.tpp.registrationRequest({ authMethod: c.authMethod, ...opts })
  return { body: r.jws, claims: r.claims, ssa: r.ssa }
}

/** True when SSAs can be minted for the TPP (the case can then put what it tests into the SSA). */
export const canMint = (c: CaseContext) => c.target.directory !== undefined && c.tpp.profile.mintAs !== undefined

/**
 * Options that register `uris`, and — where SSAs can be minted — an SSA listing them, so that
 * only the rule under test can refuse them (not "not in the SSA").
 */
export function redirectsInSsa(c: CaseContext, uris: string[]): RequestOptions {
  if (!canMint(c)) return { redirectUris: uris }
  return { redirectUris: uris, ssaClaims: { software_redirect_uris: [...c.tpp.profile.redirectUris, ...uris] } }
}

/** The claims of a software statement (not verified). */
export const ssaClaimsOf = (ssa: string): Claims => decodeJws(ssa).payload

/** The TPP's public signing key as a JWK (for `jwk` headers and `jwks` by value). */
export function publicJwk(signer: Signer): Record<string, unknown> {
  return { ...createPublicKey(signer.key).export({ format: 'jwk' }), kid: signer.kid, use: 'sig' }
}

/** The DER of a PEM certificate (its first one), base64: an `x5c` entry. */
export const x5cOf = (pem: Buffer) => new X509Certificate(pem).raw.toString('base64')

let rsaKey: KeyObject | undefined
/** An RSA key no directory knows (made once per worker; 2048 bits as PS256 needs). */
export function unknownRsaKey(): KeyObject {
  rsaKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  return rsaKey
}

// ---------------------------------------------------------------------------------------------
// Running a case

const spec = (description: string) => ({ type: 'spec', description })

/** Judges the answer: a refusal as the expectation says, or an acceptance a profile allows. */
async function judge(
  ex: Exchange,
  success: number,
  e: Expectation,
  attempt: Attempt,
  c: CaseContext,
  schemas: Validators,
): Promise<'accepted' | 'refused'> {
  const ref = c.op === 'PUT' ? 'RFC7592-2.2' : 'RFC7591-3.2.2'
  const statuses = e.refused?.statuses ?? [400]
  if (ex.kind === 'response' && ex.status === success && e.accepted) {
    if (e.refused) recordAnswer('answer', `accepted: ${e.accepted.label}`)
    await e.accepted.check(ex, attempt, c)
    return 'accepted'
  }
  if (!e.refused) {
    await ensureStatus(ex, success, ref)
    return 'accepted'
  }
  await ensureRejected(ex, statuses, { ref })
  if (e.accepted) recordAnswer('answer', 'refused')
  // A refusal other than 400 (415, 403) may come from a gateway without a body: check one if sent.
  if (ex.kind === 'response' && (ex.status === 400 || ex.text.trim() !== '')) {
    await checkRegistrationRefusal(ex, e.refused.errors, schemas.registrationError)
  }
  return 'refused'
}

const expectationFor = (rc: RegistrationCase, target: Target) =>
  typeof rc.expect === 'function' ? rc.expect(target) : rc.expect

/** The auth method of a case's requests: the first the target is tested with. */
const authMethodOf = (target: Target): AuthMethod => target.authMethods[0] ?? 'private_key_jwt'

function annotationsOf(rc: RegistrationCase, extra: string[] = []) {
  return [...rc.spec, ...extra].map(spec).concat((rc.requires ?? []).map(requires))
}

/**
 * Declares the tests of a table: each case on `POST /register` (titled with its id), and each
 * case that is not POST-only on `PUT /register/{ClientId}` (titled NEG-MGMT-24, naming the case id).
 */
export function declareRegistrationCases(areaTag: string, cases: readonly RegistrationCase[]) {
  test.describe('on POST /register', { tag: ['@dcr', '@negative', areaTag] }, () => {
    for (const rc of cases) {
      test(`${rc.id} ${rc.title}`, { annotation: annotationsOf(rc) }, async ({ tpp, target, schemas }) => {
        const reason = rc.notFor?.(target)
        test.skip(reason !== undefined, reason)
        const c: CaseContext = { tpp, target, op: 'POST', authMethod: authMethodOf(target) }
        if (expectationFor(rc, target).refused && !rc.ownControl) {
          await controlRegistration(tpp, { authMethod: c.authMethod }, 'the same registration without the fault: 201')
        }
        const attempt = await rc.send(c)
        const ex = await tpp.dcr.register(attempt.body, { contentType: attempt.contentType })
        await judge(ex, 201, expectationFor(rc, target), attempt, c, schemas)
      })
    }
  })

  test.describe('the same checks on PUT /register/{ClientId}', {
    tag: ['@dcr', '@negative', '@management', areaTag],
    annotation: requires('operation:put'),
  }, () => {
    for (const rc of cases.filter(x => !x.postOnly)) {
      test(`NEG-MGMT-24 PUT ${rc.title} (${rc.id})`, {
        annotation: annotationsOf(rc, ['RFC7592-2.2', 'OBDCR-PUT-register']),
      }, async ({ tpp, target, schemas }) => {
        const reason = rc.notFor?.(target)
        test.skip(reason !== undefined, reason)
        const authMethod = authMethodOf(target)
        const { clientId, request } = await preconditionClient(tpp, { authMethod }, 'a registered client')
        const token = await precondition('its access token', () => tokenOk(tpp, clientId, authMethod))
        const c: CaseContext = { tpp, target, op: 'PUT', authMethod, client: { clientId, jws: request.jws } }
        if (expectationFor(rc, target).refused) {
          await controlManagement(
            tpp,
            'put',
            { clientId, authMethod },
            {
              bearer: token,
              jws: (await signed(c)).body,
              title: 'the same update without the fault: PUT /register/{ClientId} answers 200',
            },
          )
        }
        const before = target.operations.get
          ? await precondition('the client as it is, read with GET', async () => {
              const ex = await tpp.dcr.get(clientId, token)
              ensureSucceeded(ex, 200)
              return ex
            })
          : undefined

        const attempt = await rc.send(c)
        const ex = await tpp.dcr.update(clientId, token, attempt.body, { contentType: attempt.contentType })
        const outcome = await judge(ex, 200, expectationFor(rc, target), attempt, c, schemas)

        if (outcome === 'refused' && before) {
          const after = await tpp.dcr.get(clientId, await tpp.accessToken(clientId, authMethod))
          await ensureStatus(after, 200, 'RFC7592-2.1')
          await checkClientUnchanged(before, after)
        } else if (outcome === 'refused') {
          test.info().annotations.push({
            type: 'skipped-step',
            description: `the client is not read back: ${target.name} does not implement GET /register/{ClientId}`,
          })
        }
      })
    }
  })
}
