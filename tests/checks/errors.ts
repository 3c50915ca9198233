/**
 * Checks of error answers: the registered error code, the absence of a client, the error body's
 * shape (RFC 7591 §3.2.2, RFC 6749 §5.2, OB DCR `RegistrationError`).
 */
import { expect, test } from '@playwright/test'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import type { Validator } from '../../fixtures/validators.ts'
import { recordAnswer } from './annotations.ts'
import { checkJsonContentType, responseOf } from './http.ts'

/** RFC 7591 §3.2.2 error codes (plus `invalid_request`, which RFC 7592 and most banks also use). */
export type RegistrationError =
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  | 'invalid_request'

/** RFC 6749 §5.2 token endpoint error codes. */
export type TokenError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'

const bodyOf = (ex: Exchange): Record<string, unknown> | undefined => {
  const json = responseOf(ex).json
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : undefined
}

/**
 * The error answer names its reason with one of the `allowed` codes. When several are allowed
 * (the specs disagree), the report records which one the target used.
 */
export async function checkErrorIs(
  ex: Exchange,
  allowed: readonly (RegistrationError | TokenError)[],
  ref = 'RFC7591-3.2.2',
) {
  await test.step(
    `error is ${allowed.length > 1 ? 'one of ' : ''}${allowed.join(', ')} [${ref}]`,
    async () => {
      const body = bodyOf(ex)
      const error = body?.error
      expect
        .soft(
          allowed as readonly unknown[],
          `error was ${JSON.stringify(error ?? null)} in ${JSON.stringify(body ?? responseOf(ex).text)}`,
        )
        .toContain(error)
      if (allowed.length > 1 && typeof error === 'string') recordAnswer('error', error)
    },
    { box: true },
  )
}

/** RFC 7591 §3.2.2 (OIDF CheckNoClientIdFromDynamicRegistrationEndpoint): a refusal creates no client. */
export async function checkNoClientId(ex: Exchange, ref = 'RFC7591-3.2.2') {
  await test.step(
    `the answer carries no client_id [${ref}]`,
    async () => {
      if (ex.kind === 'tls-failure') return // refused before any HTTP answer: nothing was created
      const body = bodyOf(ex)
      expect.soft(body?.client_id, `client_id was ${JSON.stringify(body?.client_id)}`).toBeUndefined()
    },
    { box: true },
  )
}

/** The error body matches the spec version's error schema (JSON object, `error` code, `error_description` ≤ 500). */
export async function validateErrorBody(ex: Exchange, validator: Validator, ref = 'RFC7591-3.2.2') {
  await test.step(
    `the error body matches the error schema [${ref}]`,
    async () => {
      const res = responseOf(ex)
      expect.soft(res.json, `the body is not JSON: ${JSON.stringify(res.text.slice(0, 200))}`).toBeDefined()
      if (res.json === undefined) return
      const { valid, errors } = validator.validate(res.json)
      expect.soft(valid, `schema violations:\n${errors.join('\n')}`).toBe(true)
    },
    { box: true },
  )
}

/** RFC 6749 §5.2: `error` and `error_description` use only printable ASCII except `"` and `\` (FMT-02). */
export async function checkErrorCharset(ex: Exchange, ref = 'RFC6749-5.2') {
  await test.step(
    `error and error_description use only the characters RFC 6749 allows [${ref}]`,
    async () => {
      const body = bodyOf(ex) ?? {}
      for (const field of ['error', 'error_description'] as const) {
        const v = body[field]
        if (typeof v !== 'string') continue
        const bad = [...v].filter(c => {
          const code = c.charCodeAt(0)
          return code < 0x20 || code > 0x7e || c === '"' || c === '\\'
        })
        expect
          .soft(bad, `${field} contains characters outside %x20-21 / %x23-5B / %x5D-7E: ${JSON.stringify(v)}`)
          .toEqual([])
      }
    },
    { box: true },
  )
}

/**
 * Everything beyond the status that a refused registration must get right: the JSON media type,
 * the registered error code, no client_id, the error schema (FMT-01).
 */
export async function checkRegistrationRefusal(
  ex: Exchange,
  allowed: readonly RegistrationError[],
  validator: Validator,
) {
  await checkJsonContentType(ex, 'RFC7591-3.2.2')
  await checkErrorIs(ex, allowed)
  await checkNoClientId(ex)
  await validateErrorBody(ex, validator)
}
