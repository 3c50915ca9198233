/**
 * The Koa application of one bank: error handler first, then the router. Each endpoint is a
 * short list of named middleware (STYLE.md).
 */
import Router from '@koa/router'
import Koa, { type Context, type Next } from 'koa'
import { deleteClient, getClient, updateClient } from './actions/client_management.ts'
import { discovery, jwks } from './actions/discovery.ts'
import { introspect } from './actions/introspect.ts'
import { register } from './actions/register.ts'
import { revoke } from './actions/revoke.ts'
import { token } from './actions/token.ts'
import { directoryRoutes } from './directory/routes.ts'
import type { Bank } from './helpers/bank.ts'
import { errorHandler } from './shared/error_handler.ts'
import { noStore } from './shared/no_store.ts'
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

/** Extra routes (the authorization flow, accounts API) plug in here. */
export type RouteInstaller = (router: Router, bank: Bank) => void
export const routeInstallers: RouteInstaller[] = []

export function createApp(bank: Bank): Koa {
  const app = new Koa()
  app.context.bank = bank
  app.proxy = false
  // Koa's default error listener prints 4xx too; ours has already answered, so only log real failures.
  app.silent = true

  const router = new Router()
  router.get('/.well-known/openid-configuration', discovery)
  router.get('/jwks', jwks)
  router.post('/register', noStore, register)
  router.get('/register/:clientId', noStore, getClient)
  router.put('/register/:clientId', noStore, updateClient)
  router.delete('/register/:clientId', noStore, deleteClient)
  router.post('/token', noStore, token)
  router.post('/introspect', noStore, introspect)
  router.post('/revoke', noStore, revoke)
  directoryRoutes(router)
  for (const install of routeInstallers) install(router, bank)

  if (bank.options.log) app.use(requestLog)
  app.use(securityHeaders)
  app.use(errorHandler)
  app.use(router.routes())
  // Sets 405 / 501 with an Allow header; the error handler turns that into a JSON error.
  app.use(router.allowedMethods())
  return app
}
