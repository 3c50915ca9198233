/**
 * Headers every answer of the bank carries, errors included: browsers must not guess a media type
 * other than the one declared (a JSON error read as HTML), and must only ever reach the bank over
 * HTTPS (RFC 6797 HSTS; the bank has no plain-HTTP listener to fall back to; `hstsMaxAge`).
 */
import type { Context, Next } from 'koa'
import type { MockOptions } from '../helpers/defaults.ts'

/** The headers, also written by the listener's own raw answers (server.ts). */
export function securityHeadersFor(options: Pick<MockOptions, 'hstsMaxAge'>): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Strict-Transport-Security': `max-age=${options.hstsMaxAge}`,
  }
}

export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set(securityHeadersFor(ctx.bank.options))
  await next()
}
