/**
 * The Koa application of one bank: error handler first, then the router. Each endpoint is a
 * short list of named middleware (STYLE.md).
 */
import Router from '@koa/router'
import Koa, { type Context, type Next } from 'koa'
import type { Bank } from './helpers/bank.ts'
import { errorHandler } from './shared/error_handler.ts'
import { securityHeaders } from './shared/security_headers.ts'

declare module 'koa' {
  interface DefaultContext {
    bank: Bank
  }
}

async function requestLog(ctx: Context, next: Next): Promise<void> {
  const started = process.hrtime.bigint()
  try {
    await next()
  } finally {
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    console.error(`${new Date().toISOString()} ${ctx.method} ${ctx.path} ${ctx.status} ${ms.toFixed(1)}ms`)
  }
}

/** Extra routes of the UK profile (the authorization flow, accounts API) plug in here. */
export type RouteInstaller = (router: Router, bank: Bank) => void
export const routeInstallers: RouteInstaller[] = []

export function createApp(bank: Bank): Koa {
  const app = new Koa()
  app.context.bank = bank
  app.proxy = false
  // Koa's default error listener prints 4xx too; ours has already answered, so only log real failures.
  app.silent = true

  const router = new Router()
  // The endpoints are the profile's (profiles/uk_ob, profiles/au_cdr).
  bank.dcrProfile.routes(router, bank)

  if (bank.options.log) app.use(requestLog)
  app.use(securityHeaders)
  app.use(errorHandler)
  app.use(router.routes())
  // Sets 405 / 501 with an Allow header; the error handler turns that into a JSON error.
  app.use(router.allowedMethods())
  return app
}
