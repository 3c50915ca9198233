/**
 * The Koa application of one bank: error handler first, then the router. Each endpoint is a
 * short list of named middleware (STYLE.md).
 */
import Router from '@koa/router'
import Koa, { type Context, type Next } from 'koa'
import type { Bank } from './config/bank.ts'
import { errorHandler } from './shared/error_handler.ts'
import { securityHeaders } from './shared/security_headers.ts'

declare module 'koa' {
  interface DefaultContext {
    bank: Bank
  }
}

/**
 * `--log`: one line per request on stderr: time, method, path, status, the error code of a
 * refusal, the client (authenticated, or only claimed: `client?=`) and the duration. Never a
 * token, an assertion or any other credential: the path and those two fields are all it reads.
 */
async function requestLog(ctx: Context, next: Next): Promise<void> {
  const started = process.hrtime.bigint()
  try {
    await next()
  } finally {
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    const { errorCode, clientId, claimedClientId } = ctx.state as LogState
    const parts = [new Date().toISOString(), ctx.method, ctx.path, String(ctx.status)]
    if (errorCode) parts.push(errorCode)
    if (clientId) parts.push(`client=${loggable(clientId)}`)
    else if (claimedClientId) parts.push(`client?=${loggable(claimedClientId)}`)
    parts.push(`${ms.toFixed(1)}ms`)
    console.error(parts.join(' '))
  }
}

const PLAIN = /^[\w.:@~+/=-]{1,200}$/

/**
 * A value the client chose (a claimed client_id), fit for one log line: as it is when plain, else
 * quoted as JSON with every character outside printable ASCII escaped, and cut to 200 characters,
 * so that no request can end its line and write one of its own (CWE-117).
 */
function loggable(value: string): string {
  if (PLAIN.test(value)) return value
  return JSON.stringify(value.slice(0, 200)).replace(
    /[^\x20-\x7e]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** What the request log reads from `ctx.state`; set where the bank learns it. */
export interface LogState {
  /** The wire error code of the answer (`invalid_client`, `UK.OBIE.Field.Invalid`, ...). */
  errorCode?: string
  /** The client the request authenticated as (or registered). */
  clientId?: string
  /** The client_id the request named before it was authenticated. */
  claimedClientId?: string
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
