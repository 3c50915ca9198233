/**
 * Headers every answer of the bank carries, errors included: browsers must not guess a media type
 * other than the one declared (a JSON error read as HTML), and must only ever reach the bank over
 * HTTPS (RFC 6797 HSTS; the bank has no plain-HTTP listener to fall back to).
 */
import type { Context, Next } from 'koa'

/** The headers, also written by the listener's own raw answers (server.ts). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Strict-Transport-Security': 'max-age=31536000',
}

export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set(SECURITY_HEADERS)
  await next()
}
