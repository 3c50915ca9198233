/**
 * The one error handler, first in the chain: every error leaves as JSON
 * `{ error, error_description }` with `Cache-Control: no-store`; anything unexpected becomes a
 * `server_error` whose details stay in the log, never in the response.
 */
import type { Context, Next } from 'koa'
import { MethodNotAllowed, NotFound, OAuthError, ObApiError, ServerError, sanitizeDescription } from './errors.ts'

const REGISTRATION_CODES = new Set([
  'invalid_client_metadata',
  'invalid_redirect_uri',
  'invalid_software_statement',
  'unapproved_software_statement',
])

function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err
  const e = err as { status?: number; expose?: boolean; message?: string }
  // Errors Koa or Node raise for bad input (e.g. a URI that cannot be decoded) carry a 4xx status.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new OAuthError(
      e.status,
      e.status === 404 ? 'not_found' : 'invalid_request',
      e.expose && e.message ? e.message : 'the request is malformed',
    )
  }
  return new ServerError()
}

export async function errorHandler(ctx: Context, next: Next): Promise<void> {
  try {
    await next()
    if (ctx.body === undefined || ctx.body === null) {
      if (ctx.status === 404) throw new NotFound(`there is no ${ctx.method} ${ctx.path} on this server`)
      if (ctx.status === 405 || ctx.status === 501) {
        const allow = ctx.response.get('Allow')
        throw new MethodNotAllowed(
          `${ctx.method} is not allowed on ${ctx.path} (allowed: ${allow || 'none'})`,
          allow.split(/, */),
        )
      }
    }
  } catch (err) {
    const e = toOAuthError(err)
    // Unexpected exceptions are logged; a ServerError thrown on purpose (a deviation) is not news.
    if (e.status >= 500 && !(err instanceof OAuthError))
      console.error(`mock-aspsp: ${ctx.method} ${ctx.path} failed:`, err)
    const { deviations } = ctx.bank
    const registration = ctx.path.startsWith('/register')
    ctx.status = e.status
    for (const [k, v] of Object.entries(e.headers)) ctx.set(k, v)
    if (deviations.has('missing-www-authenticate') && registration) ctx.remove('WWW-Authenticate')
    if (deviations.has('token-401-without-challenge') && ctx.path === '/token') ctx.remove('WWW-Authenticate')
    if (!deviations.has('missing-no-store')) {
      ctx.set('Cache-Control', 'no-store')
      ctx.set('Pragma', 'no-cache')
    }
    const code = deviations.has('wrong-error-code') && REGISTRATION_CODES.has(e.error) ? 'invalid_request' : e.error
    const description = deviations.has('raw-error-descriptions') ? e.description : sanitizeDescription(e.description)
    ctx.state.errorCode = code
    if (ctx.path.startsWith('/open-banking/') && e.status !== 401 && e.status !== 403) {
      ctx.body = obErrorResponse(ctx, e, description)
      ctx.state.errorCode = (ctx.body as { Errors: { ErrorCode: string }[] }).Errors[0]?.ErrorCode
    } else if (deviations.has('error-not-json') && registration) {
      ctx.type = 'text/plain'
      ctx.body = `${code}: ${description}`
    } else {
      const uri = deviations.has('relative-error-uri') ? { error_uri: `/docs/errors#${code}` } : {}
      ctx.body = { error: code, error_description: description, ...uri }
    }
  }
}

const OB_CODES: Record<number, string> = {
  400: '400 BadRequest',
  404: '404 NotFound',
  405: '405 MethodNotAllowed',
  406: '406 NotAcceptable',
  413: '413 PayloadTooLarge',
  415: '415 UnsupportedMediaType',
  500: '500 InternalServerError',
}

/** OB Read/Write Data API profile "Error Response Structure" (`OBErrorResponse1`). */
function obErrorResponse(ctx: Context, e: OAuthError, description: string): Record<string, unknown> {
  const obCode =
    e instanceof ObApiError
      ? e.obCode
      : e.status === 404
        ? 'UK.OBIE.Resource.NotFound'
        : e.status >= 500
          ? 'UK.OBIE.UnexpectedError'
          : 'UK.OBIE.Field.Invalid'
  const item: Record<string, string> = { ErrorCode: obCode, Message: description }
  if (e instanceof ObApiError && e.path) item.Path = e.path
  return {
    Code: OB_CODES[e.status] ?? String(e.status),
    Id: String(ctx.response.get('x-fapi-interaction-id') || ''),
    Message: description,
    Errors: [item],
  }
}
