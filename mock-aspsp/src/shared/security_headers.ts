/**
 * Headers every answer of the bank carries, errors included: browsers must not guess a media type
 * other than the one declared (a JSON error read as HTML), and must only ever reach the bank over
 * HTTPS (RFC 6797 HSTS; the bank has no plain-HTTP listener to fall back to; `hstsMaxAge`).
 */
import type { Context, Next } from 'koa'
import type { MockOptions } from '../config/defaults.ts'

/** The headers, also written by the listener's own raw answers (server.ts). */
export function securityHeadersFor(options: Pick<MockOptions, 'hstsMaxAge'>): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Strict-Transport-Security': `max-age=${options.hstsMaxAge}`,
  }
}

/** Built once per bank's options, not per request. */
const perOptions = new WeakMap<MockOptions, Record<string, string>>()

export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  const { options } = ctx.bank
  let headers = perOptions.get(options)
  if (!headers) {
    headers = securityHeadersFor(options)
    perOptions.set(options, headers)
  }
  ctx.set(headers)
  await next()
}
