/**
 * Headers of the OB Read/Write APIs (OB Read/Write Data API profile, "Request Headers"): every
 * answer carries an `x-fapi-interaction-id`, the client's when it sent a valid one (RFC 4122 UUID),
 * a new one otherwise; resource answers are not cached.
 */
import { randomUUID } from 'node:crypto'
import type { Context, Next } from 'koa'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

export async function fapiHeaders(ctx: Context, next: Next): Promise<void> {
  const sent = ctx.get('x-fapi-interaction-id')
  ctx.set('x-fapi-interaction-id', UUID.test(sent) ? sent : randomUUID())
  ctx.set('Cache-Control', 'no-store')
  await next()
}
