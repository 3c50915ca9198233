/**
 * Checks of refused token requests (RFC 6749 §5.2; RFC 7523 §3.1; RFC 8705 §2): the status each
 * error code allows, the JSON error body, no token issued.
 */
import { expect, test } from '@playwright/test'
import { type Exchange, requestName } from '../../fixtures/clients/exchange.ts'
import { recordAnswer } from './annotations.ts'
import { checkErrorCharset, checkErrorIs, type TokenError } from './errors.ts'
import { checkJsonContentType, ensureRejected, type TlsRefusalOption } from './http.ts'
import { bodyOf } from './registration.ts'

/** The scheme of an Authorization request header (`Basic`, `Bearer`), lower case, if one was sent. */
const authorizationScheme = (ex: Exchange) =>
  Object.entries(ex.request.headers)
    .find(([k]) => k.toLowerCase() === 'authorization')?.[1]
    .split(/\s/, 1)[0]
    ?.toLowerCase()

/**
 * RFC 6749 §5.2 (NEG-TOK-27): `invalid_client` may be 400 or 401 — and MUST be 401 with a
 * `WWW-Authenticate` challenge of the scheme used when the client authenticated with the
 * Authorization header; every other error is 400; any 401 names its scheme in `WWW-Authenticate`
 * (RFC 9110 §15.5.2). Records the status the target chose for `invalid_client`.
 */
export async function checkTokenErrorStatus(ex: Exchange) {
  if (ex.kind === 'tls-failure') return
  const scheme = authorizationScheme(ex)
  await test.step(
    `${requestName(ex.request)}: invalid_client is 400 or 401${scheme ? ` (401 with WWW-Authenticate: ${scheme}, as the Authorization header was used)` : ''}, any other error 400 [RFC6749-5.2]`,
    async () => {
      const error = bodyOf(ex).error
      if (error === 'invalid_client') {
        const allowed = scheme ? [401] : [400, 401]
        expect.soft(allowed, `invalid_client came with HTTP ${ex.status}`).toContain(ex.status)
        recordAnswer('invalid_client-status', String(ex.status))
        if (scheme) {
          const challenge = ex.headers['www-authenticate'] ?? ''
          expect
            .soft(
              new RegExp(`(^|,\\s*)${scheme}\\b`, 'i').test(challenge),
              `WWW-Authenticate was ${JSON.stringify(ex.headers['www-authenticate'] ?? null)}, expected a ${scheme} challenge`,
            )
            .toBe(true)
        }
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
 * where `tlsRefusal` proves it, a client certificate refused at the handshake; a JSON body naming
 * one of `allowed`; no token. When several codes are allowed the report records which one the
 * target used.
 */
export async function checkTokenRefusal(
  ex: Exchange,
  allowed: readonly TokenError[],
  opts: TlsRefusalOption & { ref?: string } = {},
) {
  const statuses = allowed.includes('invalid_client') ? [400, 401] : [400]
  await ensureRejected(ex, statuses, { tlsRefusal: opts.tlsRefusal, ref: opts.ref ?? 'RFC6749-5.2' })
  if (ex.kind === 'tls-failure') return
  await checkJsonContentType(ex, 'RFC6749-5.2')
  await checkErrorIs(ex, allowed, opts.ref ?? 'RFC6749-5.2')
  await checkTokenErrorStatus(ex)
  await checkNoAccessToken(ex)
  await checkErrorCharset(ex)
}
