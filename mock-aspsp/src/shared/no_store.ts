import type { Context, Next } from 'koa'

/** RFC 6749 §5.1: responses carrying tokens or credentials must not be cached. */
export async function noStore(ctx: Context, next: Next): Promise<void> {
  await next()
  if (!ctx.bank.deviations.has('missing-no-store')) {
    ctx.set('Cache-Control', 'no-store')
    ctx.set('Pragma', 'no-cache')
  }
}
