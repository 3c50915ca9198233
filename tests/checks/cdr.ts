/**
 * Checks of the AU CDR profile (CDS 1.36): the registration answer (RegistrationProperties, the
 * SSA returned unmodified and flattened, nothing beyond the registered metadata), registration
 * refusals (RegistrationError), the CDS error list of the Register, and the values a Data Holder
 * must register. Boxed steps whose titles end with the CDS section they enforce.
 */
import { expect, test } from '@playwright/test'
import { decodeJws } from '../../fixtures/builders/jose.ts'
import { type Exchange, outcomeOf, requestName } from '../../fixtures/clients/exchange.ts'
import type { Validator } from '../../fixtures/validators.ts'
import { recordAnswer } from './annotations.ts'
import { checkErrorIs, checkNoClientId, type RegistrationError, validateErrorBody } from './errors.ts'
import { checkJsonContentType, ensureRejected, responseOf } from './http.ts'

/** The request-only claims of a registration JWT: never in an answer. */
const REQUEST_ONLY = ['iss', 'iat', 'exp', 'aud', 'jti'] as const
/** SSA claims a Data Holder returns as top-level metadata (CDS Registration Response). */
const SSA_METADATA = [
  'client_name',
  'client_description',
  'client_uri',
  'org_id',
  'org_name',
  'logo_uri',
  'jwks_uri',
  'revocation_uri',
  'recipient_base_uri',
  'software_id',
] as const

export const bodyOf = (ex: Exchange): Record<string, unknown> => {
  const json = responseOf(ex).json
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {}
}

/** CDS DCR API: the answer validates against RegistrationProperties. */
export async function validateCdrRegistration(ex: Exchange, validator: Validator) {
  await test.step(
    `${requestName(ex.request)} answer matches RegistrationProperties [CDS-DCR-API]`,
    async () => {
      const { valid, errors } = validator.validate(responseOf(ex).json)
      expect.soft(valid, `schema violations:\n${errors.join('\n')}`).toBe(true)
    },
    { box: true },
  )
}

/** CDS Registration Response: "The Software Statement value MUST be returned unmodified". */
export async function checkSoftwareStatementUnmodified(body: Record<string, unknown>, ssa: string) {
  await test.step(
    'software_statement is returned unmodified [CDS-REG-RESP]',
    async () => {
      expect.soft(body.software_statement, 'the software_statement differs from the one sent').toBe(ssa)
    },
    { box: true },
  )
}

/** CDS Registration Response: the SSA metadata used is returned as top-level values, as the SSA has them. */
export async function checkSsaMetadataReturned(body: Record<string, unknown>, ssa: string) {
  await test.step(
    'the SSA metadata is returned as top-level values [CDS-REG-RESP]',
    async () => {
      const claims = decodeJws(ssa).payload
      for (const name of SSA_METADATA) {
        expect.soft(body[name], `${name} should be the SSA's ${JSON.stringify(claims[name])}`).toEqual(claims[name])
      }
    },
    { box: true },
  )
}

/** RFC 7591 §3.2.1, CDS: the answer carries client metadata only: none of the request JWT's own claims. */
export async function checkNoRequestClaims(body: Record<string, unknown>) {
  await test.step(
    'the answer carries no request JWT claim (iss, iat, exp, aud, jti) [CDS-REG-RESP]',
    async () => {
      const present = REQUEST_ONLY.filter(k => body[k] !== undefined)
      expect.soft(present, `request claims in the answer: ${present.join(', ')}`).toEqual([])
    },
    { box: true },
  )
}

/** A registered value: the field has exactly `expected` (named `shown` in the title when it differs per run). */
export async function checkRegistered(
  body: Record<string, unknown>,
  field: string,
  expected: unknown,
  ref: string,
  shown = JSON.stringify(expected),
) {
  await test.step(
    `${field} is registered as ${shown} [${ref}]`,
    async () => {
      expect.soft(body[field], `${field} was ${JSON.stringify(body[field] ?? null)}`).toEqual(expected)
    },
    { box: true },
  )
}

/** A field that must not be registered or returned. */
export async function checkNotRegistered(body: Record<string, unknown>, field: string, ref: string) {
  await test.step(
    `${field} is not registered or returned [${ref}]`,
    async () => {
      expect.soft(body[field], `${field} was returned: ${JSON.stringify(body[field])}`).toBeUndefined()
    },
    { box: true },
  )
}

/**
 * Everything a refused registration must get right: the status (400 unless stated), JSON, one of
 * the `allowed` RFC 7591 codes, no client_id, the RegistrationError schema.
 */
export async function checkCdrRefusal(
  ex: Exchange,
  allowed: readonly RegistrationError[],
  validator: Validator,
  ref: string,
  statuses: readonly number[] = [400],
) {
  await ensureRejected(ex, statuses, { ref })
  if (ex.kind !== 'response' || ex.status !== 400) {
    await checkNoClientId(ex, ref)
    return
  }
  await checkJsonContentType(ex, 'CDS-REG-ERR')
  await checkErrorIs(ex, allowed, ref)
  await checkNoClientId(ex, ref)
  await validateErrorBody(ex, validator, 'CDS-DCR-API')
}

/** The error description names what was wrong (e.g. the unknown signer's kid). */
export async function checkDescriptionNames(ex: Exchange, text: string, ref: string) {
  await test.step(
    `error_description names ${JSON.stringify(text)} [${ref}]`,
    async () => {
      const description = String(bodyOf(ex).error_description ?? '')
      expect.soft(description, `error_description was ${JSON.stringify(description)}`).toContain(text)
    },
    { box: true },
  )
}

/** CDS Register API: an error answered with the CDS error list (ResponseErrorListV2) carrying `code`. */
export async function checkCdsError(ex: Exchange, status: number, code: string, validator: Validator) {
  await test.step(
    `${requestName(ex.request)} answers HTTP ${status} with CDS error ${code} [CDS-REGISTER-API]`,
    async () => {
      const res = responseOf(ex)
      expect.soft(res.status, `expected HTTP ${status}, got ${outcomeOf(ex)}`).toBe(status)
      const { valid, errors } = validator.validate(res.json)
      expect.soft(valid, `not a CDS error list:\n${errors.join('\n')}\n${res.text.slice(0, 300)}`).toBe(true)
      const codes = ((res.json as { errors?: { code?: string }[] } | undefined)?.errors ?? []).map(e => e.code)
      expect.soft(codes, `error codes were ${JSON.stringify(codes)}`).toContain(code)
    },
    { box: true },
  )
}

/** Where the Data Holder may choose (research §8.1), the declared answer, else either; the report records which. */
export function allowedFor<T extends string>(declared: T | undefined, all: readonly T[]): T[] {
  return declared ? [declared] : [...all]
}

/** Records which of the allowed outcomes the Data Holder chose (no declared policy). */
export function recordChoice(kind: string, value: string) {
  recordAnswer(kind, value)
}
