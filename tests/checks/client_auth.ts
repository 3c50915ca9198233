/**
 * Checks of refused token requests (RFC 6749 §5.2; RFC 7523 §3.1; RFC 8705 §2): the status each
 * error code allows, the JSON error body, no token issued.
 */
import { expect, test } from '@playwright/test'
import { type Exchange, requestName } from '../../fixtures/clients/exchange.ts'
import { recordAnswer } from './annotations.ts'
import { checkErrorCharset, checkErrorIs, type TokenError } from './errors.ts'
import { checkJsonContentType, ensureRejected } from './http.ts'
import { bodyOf } from './registration.ts'

/**
 * RFC 6749 §5.2 (NEG-TOK-27): `invalid_client` may be 400 or 401, every other error is 400; a 401
 * names its authentication scheme in `WWW-Authenticate` (RFC 9110 §15.5.2). Records the status
 * the target chose for `invalid_client`.
 */
export async function checkTokenErrorStatus(ex: Exchange) {
  if (ex.kind === 'tls-failure') return
  await test.step(
    `${requestName(ex.request)}: invalid_client is 400 or 401 (with WWW-Authenticate), any other error 400 [RFC6749-5.2]`,
    async () => {
      const error = bodyOf(ex).error
      if (error === 'invalid_client') {
        expect.soft([400, 401], `invalid_client came with HTTP ${ex.status}`).toContain(ex.status)
        recordAnswer('invalid_client-status', String(ex.status))
      } else {
        expect.soft(ex.status, `error ${JSON.stringify(error ?? null)} came with HTTP ${ex.status}`).toBe(400)
      }
      if (ex.status === 401) {
        expect.soft(ex.headers['www-authenticate'], 'a 401 without WWW-Authenticate (RFC 9110 §15.5.2)').toBeTruthy()
      }
    },
    { box: true },
  )
}

/** RFC 6749 §5.2: a refused token request issues no access token. */
export async function checkNoAccessToken(ex: Exchange) {
  if (ex.kind === 'tls-failure') return
  await test.step(
    'the answer carries no access_token [RFC6749-5.2]',
    async () => {
      expect.soft(bodyOf(ex).access_token, 'an access_token was issued').toBeUndefined()
    },
    { box: true },
  )
}

/**
 * A token request refused the way RFC 6749 §5.2 says: 400 (401 allowed for `invalid_client`), or,
 * where `tlsFailure` is allowed, a refused TLS handshake; a JSON body naming one of `allowed`; no
 * token. When several codes are allowed the report records which one the target used.
 */
export async function checkTokenRefusal(
  ex: Exchange,
  allowed: readonly TokenError[],
  opts: { tlsFailure?: boolean; ref?: string } = {},
) {
  const statuses = allowed.includes('invalid_client') ? [400, 401] : [400]
  await ensureRejected(ex, statuses, { tlsFailure: opts.tlsFailure, ref: opts.ref ?? 'RFC6749-5.2' })
  if (ex.kind === 'tls-failure') return
  await checkJsonContentType(ex, 'RFC6749-5.2')
  await checkErrorIs(ex, allowed, opts.ref ?? 'RFC6749-5.2')
  await checkTokenErrorStatus(ex)
  await checkNoAccessToken(ex)
  await checkErrorCharset(ex)
}
