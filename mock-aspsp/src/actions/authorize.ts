/**
 * `GET|POST /authorize` (RFC 6749 §4.1.1, OIDC Core §3.3.2.1, RFC 9101, RFC 9126 §4) and the
 * customer's pages behind it: sign-in and consent at `/consent/{id}`.
 *
 * A valid request starts an interaction (a short-lived record bound to a cookie of the customer's
 * browser) and sends the browser to the sign-in page; with `autoApprove` the named customer (the
 * first by default) approves at once with the named accounts (all by default), with `autoDeny`
 * the customer refuses. Errors follow RFC 6749 §4.1.2.1: shown as a page
 * until the redirect URI is trusted, sent to the client after.
 *
 * The pages do what a careful bank does (a test bank may list its test customers, nothing more):
 * every form carries an anti-CSRF token bound to the browser's session and a POST from another
 * origin is refused (OWASP CSRF Prevention; RFC 6749 §10.12), the session cookie is replaced at
 * sign-in (session fixation, OWASP Session Management), and wrong passwords are limited per
 * sign-in and per customer (OWASP Authentication: brute force).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context } from 'koa'
import { CUSTOMER_PASSWORD, customersFor, findCustomer, resolveAutoApproval, signIn } from '../banking/customers.ts'
import type { Bank } from '../config/bank.ts'
import { getConsent } from '../models/consent.ts'
import { epoch, type GrantRecord } from '../models/store.ts'
import { approve, deny, errorRedirect } from '../oauth/authorization.ts'
import { displayNameOf, grantTypesOf } from '../oauth/client_info.ts'
import {
  type AuthorizationRequest,
  RedirectableError,
  usableConsent,
  validateRequestObject,
} from '../profiles/uk_ob/rules/request_object.ts'
import { mediaType, readBody } from '../shared/body.ts'
import { InvalidRequest, InvalidRequestUri, OAuthError, UnauthorizedClient } from '../shared/errors.ts'
import { consentPage, errorPage, PAGE_CSP, signInPage, type TppView } from '../views/pages.ts'

/** RFC 9126 §2.2: the request_uri a pushed request is known by. */
export const PAR_URN = 'urn:ietf:params:oauth:request_uri:'
export const PAR_GRANT = 'pushed-authorization-request'
const INTERACTION = 'consent-interaction'
const SESSION_COOKIE = 'ob_mock_session'
/** Wrong passwords one sign-in allows; then it ends and the customer starts again from the app. */
const ATTEMPTS_PER_SIGN_IN = 5
/** Wrong passwords for one username across sign-ins, within `LOCKOUT_SECONDS`; then it is locked that long. */
const ATTEMPTS_PER_USERNAME = 10
const LOCKOUT_SECONDS = 900

interface Interaction {
  request: AuthorizationRequest
  /** SHA-256 of the cookie value the customer's browser holds. */
  session: string
  customerId?: string
  /** Wrong passwords entered in this sign-in. */
  failures?: number
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url')

/**
 * The anti-CSRF token of a session: derived from the session cookie, which another site can
 * neither read nor set, so a forged form cannot carry it (OWASP "signed double-submit cookie").
 */
const csrfToken = (session: string) => sha256(`csrf\u0000${session}`)

/** Wrong passwords per username (lower case): count and the time the window started, per bank. */
const failedSignIns = new WeakMap<Bank, Map<string, { count: number; since: number }>>()

function usernameLocked(bank: Bank, username: string, now = epoch()): boolean {
  const entry = failedSignIns.get(bank)?.get(username.toLowerCase())
  return entry !== undefined && now - entry.since < LOCKOUT_SECONDS && entry.count >= ATTEMPTS_PER_USERNAME
}

function recordFailedSignIn(bank: Bank, username: string, now = epoch()): void {
  let byName = failedSignIns.get(bank)
  if (!byName) {
    byName = new Map()
    failedSignIns.set(bank, byName)
  }
  const key = username.toLowerCase().slice(0, 200)
  const entry = byName.get(key)
  if (!entry || now - entry.since >= LOCKOUT_SECONDS) {
    // The map holds only the usernames tried in the last window.
    if (byName.size >= 10_000) byName.clear()
    byName.set(key, { count: 1, since: now })
  } else {
    entry.count++
  }
}

/** Sets the session cookie of an interaction (a new value at the start and at sign-in). */
function setSessionCookie(ctx: Context, id: string, session: string): void {
  ctx.cookies.set(SESSION_COOKIE, session, {
    path: `/consent/${id}`,
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    maxAge: ctx.bank.options.consentPageTtl * 1000,
    overwrite: true,
  })
}

/**
 * Headers of every page: HTML, never cached or framed, no referrer to another site. `same-origin`
 * rather than `no-referrer`: under `no-referrer` a browser sends `Origin: null` with the page's
 * own forms, and the Origin check could not tell them from a forged one (Fetch §3.1, "append a
 * request Origin header"). The redirects to the TPP, which carry the code, send no referrer.
 */
function sendPage(ctx: Context, status: number, html: string): void {
  ctx.status = status
  ctx.type = 'text/html; charset=utf-8'
  ctx.set('Content-Security-Policy', PAGE_CSP)
  ctx.set('X-Frame-Options', 'DENY')
  ctx.set('X-Content-Type-Options', 'nosniff')
  ctx.set('Referrer-Policy', 'same-origin')
  ctx.set('Cache-Control', 'no-store')
  ctx.body = html
}

/** 303: the browser follows with a GET, whatever method brought it here. */
function redirect(ctx: Context, url: string): void {
  ctx.set('Cache-Control', 'no-store')
  ctx.set('Referrer-Policy', 'no-referrer')
  ctx.status = 303
  ctx.redirect(url)
}

/** The answer for an error of the authorization flow: a redirect to the client, or a page. */
function answerError(ctx: Context, e: unknown): void {
  const bank: Bank = ctx.bank
  if (e instanceof RedirectableError) ctx.state.errorCode = e.error.error
  else if (e instanceof OAuthError) ctx.state.errorCode = e.error
  if (e instanceof RedirectableError) {
    redirect(ctx, errorRedirect(bank, e))
    return
  }
  if (e instanceof OAuthError) {
    sendPage(
      ctx,
      e.status,
      errorPage({
        title: 'This request cannot be completed',
        message:
          'The app or website that sent you here made a request the bank cannot accept, so you have not been sent back to it.',
        error: e.error,
        description: e.description,
      }),
    )
    return
  }
  console.error(`mock-aspsp: ${ctx.method} ${ctx.path} failed:`, e)
  sendPage(
    ctx,
    500,
    errorPage({
      title: 'Something went wrong',
      message: 'The bank could not complete your request. Nothing was changed.',
    }),
  )
}

/** The request's parameters: the query of a GET, the form of a POST; a repeated one is an error. */
export async function authorizationParams(ctx: Context): Promise<Record<string, string>> {
  let entries: URLSearchParams
  if (ctx.method === 'POST') {
    if (mediaType(ctx) !== 'application/x-www-form-urlencoded') {
      throw new InvalidRequest('a POST to the authorization endpoint must be application/x-www-form-urlencoded')
    }
    entries = new URLSearchParams(await readBody(ctx, ctx.bank.options.maxBodyBytes))
  } else {
    entries = new URLSearchParams(ctx.querystring)
  }
  const params: Record<string, string> = Object.create(null)
  for (const [k, v] of entries) {
    if (k in params) throw new InvalidRequest(`parameter ${k} is repeated; each parameter may appear once`)
    params[k] = v
  }
  return params
}

/** The validated request behind `/authorize`: from a request object, or from a pushed request. */
async function authorizationRequest(bank: Bank, params: Record<string, string>): Promise<AuthorizationRequest> {
  const clientId = params.client_id
  if (!clientId) throw new InvalidRequest('client_id is required')
  const client = bank.store.getClient(clientId)
  if (!client) throw new InvalidRequest(`client_id "${clientId}" is not registered with this bank`)
  if (!grantTypesOf(client).includes('authorization_code')) {
    throw new UnauthorizedClient(`client "${clientId}" is not registered for the authorization_code grant`)
  }
  if (params.request_uri !== undefined) {
    if (params.request !== undefined) throw new InvalidRequest('send request or request_uri, not both')
    const uri = params.request_uri
    const id = uri.startsWith(PAR_URN) ? uri.slice(PAR_URN.length) : undefined
    // Checked before it is taken: a request naming another client's request_uri must not use it
    // up for that client (RFC 9126 §4: single use, by the client that pushed it).
    const pushed = id === undefined ? undefined : bank.store.getGrant(PAR_GRANT, id)
    const usable = pushed !== undefined && pushed.expiresAt > epoch() && pushed.clientId === clientId
    const record = usable && id !== undefined ? bank.store.takeGrant(PAR_GRANT, id) : undefined
    if (!record) {
      throw new InvalidRequestUri(
        `request_uri "${uri}" is unknown, expired, already used or pushed by another client (RFC 9126 section 4)`,
      )
    }
    const request = record.data.request as AuthorizationRequest
    try {
      // The consent may have changed since the request was pushed.
      usableConsent(bank, client, request.intentId)
    } catch (e) {
      if (e instanceof OAuthError) {
        throw new RedirectableError(e, { uri: request.redirectUri, mode: request.responseMode, state: request.state })
      }
      throw e
    }
    return request
  }
  if (params.request === undefined) {
    throw new InvalidRequest(
      'request or request_uri is required: this bank accepts only signed request objects (FAPI 1 Advanced §5.2.2)',
    )
  }
  return validateRequestObject(bank, client, params.request, params)
}

export async function authorize(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  try {
    const params = await authorizationParams(ctx)
    if (params.client_id) ctx.state.claimedClientId = params.client_id
    const request = await authorizationRequest(bank, params)
    if (bank.options.autoApprove) {
      const { customer, accountIds } = resolveAutoApproval(bank.options.customerSeed, bank.options.autoApprove)
      return redirect(ctx, await approve(bank, request, customer, accountIds))
    }
    if (bank.options.autoDeny) return redirect(ctx, deny(bank, request, 'the customer denied access (--auto-deny)'))
    const id = randomBytes(18).toString('base64url')
    const session = randomBytes(24).toString('base64url')
    const interaction: Interaction = { request, session: sha256(session) }
    bank.store.putGrant({
      type: INTERACTION,
      id,
      clientId: request.clientId,
      expiresAt: epoch() + bank.options.consentPageTtl,
      data: { ...interaction },
    })
    setSessionCookie(ctx, id, session)
    redirect(ctx, `/consent/${id}`)
    // For a client that does not follow the redirect (curl): what the 303 means.
    ctx.type = 'text/plain; charset=utf-8'
    ctx.body = `The consent now waits for the customer at ${bank.endpoints.issuer}/consent/${id}: open that URL in a browser and sign in (password ${CUSTOMER_PASSWORD}). For headless runs, start the bank with --auto-approve (npm run customers lists who can approve) or --auto-deny.\n`
  } catch (e) {
    answerError(ctx, e)
  }
}

// ---------------------------------------------------------------------------------------------
// The customer's pages

/** A page error that is the customer's, not the client's: shown, never redirected. */
class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
  ) {
    super(title)
  }
}

/**
 * The interaction of `/consent/:id`, if this browser holds its cookie and it has not expired; the
 * session's anti-CSRF token with it.
 */
function interactionOf(ctx: Context): { record: GrantRecord; data: Interaction; csrf: string } {
  const bank: Bank = ctx.bank
  const id = String(ctx.params.id ?? '')
  const record = bank.store.getGrant(INTERACTION, id)
  if (!record || record.expiresAt <= epoch()) {
    throw new PageError(404, 'This sign-in has expired or has already been used')
  }
  const data = record.data as unknown as Interaction
  const cookie = ctx.cookies.get(SESSION_COOKIE)
  if (!cookie || sha256(cookie) !== data.session) {
    throw new PageError(403, 'This sign-in was started in another browser')
  }
  return { record, data, csrf: csrfToken(cookie) }
}

/**
 * A form posted to a page: from the bank's own origin (a browser names the origin of a form it
 * posts), carrying the session's anti-CSRF token. Anything else was sent by another site.
 */
async function pageFormOf(ctx: Context, csrf: string): Promise<URLSearchParams> {
  const origin = ctx.get('origin')
  if (origin && origin !== new URL(ctx.bank.endpoints.issuer).origin) {
    throw new PageError(403, 'This form was sent from another website')
  }
  const form = await pageForm(ctx)
  const sent = form.get('csrf') ?? ''
  const a = Buffer.from(sent)
  const b = Buffer.from(csrf)
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new PageError(403, 'This form has expired or was not sent from this page')
  }
  return form
}

function tppOf(bank: Bank, request: AuthorizationRequest): TppView {
  const client = bank.store.getClient(request.clientId)
  return client ? displayNameOf(client) : { name: request.clientId }
}

/** The form of a page: URL-encoded, repeated names allowed (one `account` per ticked box). */
async function pageForm(ctx: Context): Promise<URLSearchParams> {
  if (mediaType(ctx) !== 'application/x-www-form-urlencoded') {
    throw new PageError(400, 'The form could not be read')
  }
  return new URLSearchParams(await readBody(ctx, ctx.bank.options.maxBodyBytes))
}

function renderSignIn(
  ctx: Context,
  data: Interaction,
  csrf: string,
  status: number,
  error?: string,
  username?: string,
) {
  const bank: Bank = ctx.bank
  sendPage(
    ctx,
    status,
    signInPage({
      action: `/consent/${ctx.params.id}/login`,
      csrf,
      tpp: tppOf(bank, data.request),
      customers: customersFor(bank.options.customerSeed),
      password: CUSTOMER_PASSWORD,
      ...(error ? { error } : {}),
      ...(username !== undefined ? { username } : {}),
    }),
  )
}

function renderConsent(
  ctx: Context,
  data: Interaction,
  csrf: string,
  status: number,
  error?: string,
  selected?: string[],
) {
  const bank: Bank = ctx.bank
  const customer = data.customerId ? findCustomer(bank.options.customerSeed, data.customerId) : undefined
  if (!customer) return renderSignIn(ctx, data, csrf, status)
  const consent = getConsent(bank.store, data.request.intentId)
  sendPage(
    ctx,
    status,
    consentPage({
      action: `/consent/${ctx.params.id}/decision`,
      csrf,
      tpp: tppOf(bank, data.request),
      customer,
      permissions: consent?.permissions ?? [],
      expirationDateTime: consent?.expirationDateTime,
      ...(error ? { error } : {}),
      ...(selected ? { selected } : {}),
    }),
  )
}

/** Runs a page handler; its errors become pages (customer's) or redirects (client's). */
function page(handler: (ctx: Context) => Promise<void>) {
  return async function consentPageHandler(ctx: Context): Promise<void> {
    try {
      await handler(ctx)
    } catch (e) {
      if (e instanceof PageError) {
        sendPage(
          ctx,
          e.status,
          errorPage({ title: e.title, message: 'Go back to the app or website you came from and start again.' }),
        )
      } else {
        answerError(ctx, e)
      }
    }
  }
}

/** `GET /consent/:id`: the sign-in page, or the consent page once the customer has signed in. */
export const showConsent = page(async ctx => {
  const { data, csrf } = interactionOf(ctx)
  if (data.customerId) renderConsent(ctx, data, csrf, 200)
  else renderSignIn(ctx, data, csrf, 200)
})

/**
 * `POST /consent/:id/login`: sign in (username, password) or cancel. A new session cookie replaces
 * the one the sign-in started with; wrong passwords end the sign-in after a few tries, and lock
 * the username for a while after more.
 */
export const login = page(async ctx => {
  const bank: Bank = ctx.bank
  const { record, data, csrf } = interactionOf(ctx)
  const form = await pageFormOf(ctx, csrf)
  if (form.get('action') === 'cancel') {
    if (!bank.store.takeGrant(INTERACTION, record.id)) throw new PageError(404, 'This sign-in has already been used')
    return redirect(ctx, deny(bank, data.request, 'the customer cancelled at sign-in'))
  }
  const username = form.get('username') ?? ''
  if (usernameLocked(bank, username)) {
    throw new PageError(429, 'Too many wrong passwords for this username: try again later')
  }
  const customer = signIn(bank.options.customerSeed, username, form.get('password') ?? '')
  if (!customer) {
    recordFailedSignIn(bank, username)
    const failures = (data.failures ?? 0) + 1
    if (failures >= ATTEMPTS_PER_SIGN_IN) {
      bank.store.takeGrant(INTERACTION, record.id)
      throw new PageError(429, 'Too many wrong passwords: this sign-in has ended')
    }
    bank.store.putGrant({ ...record, data: { ...data, failures } })
    const error = `The username or password is not right. Check them and try again (${ATTEMPTS_PER_SIGN_IN - failures} tries left).`
    return renderSignIn(ctx, data, csrf, 401, error, username)
  }
  // Session fixation: whoever knew the cookie before sign-in does not know the new one.
  const session = randomBytes(24).toString('base64url')
  bank.store.putGrant({
    ...record,
    data: { ...data, customerId: customer.customerId, session: sha256(session), failures: 0 },
  })
  setSessionCookie(ctx, record.id, session)
  redirect(ctx, `/consent/${record.id}`)
})

/** `POST /consent/:id/decision`: approve with the chosen accounts, or deny. */
export const decide = page(async ctx => {
  const bank: Bank = ctx.bank
  const { record, data, csrf } = interactionOf(ctx)
  const customer = data.customerId ? findCustomer(bank.options.customerSeed, data.customerId) : undefined
  if (!customer) throw new PageError(403, 'Sign in first')
  const form = await pageFormOf(ctx, csrf)
  const decision = form.get('decision')
  if (decision !== 'approve' && decision !== 'deny') throw new PageError(400, 'Choose to allow or deny access')
  const chosen = [...new Set(form.getAll('account'))]
  const own = new Set(customer.accounts.map(a => a.accountId))
  if (decision === 'approve') {
    if (chosen.length === 0) return renderConsent(ctx, data, csrf, 400, 'Choose at least one account to share.')
    if (chosen.some(a => !own.has(a))) return renderConsent(ctx, data, csrf, 400, 'Choose only your own accounts.')
  }
  // One decision per interaction: a second submit (double click, back button) finds nothing.
  if (!bank.store.takeGrant(INTERACTION, record.id)) throw new PageError(404, 'This request has already been answered')
  if (decision === 'deny') return redirect(ctx, deny(bank, data.request, 'the customer denied access'))
  redirect(ctx, await approve(bank, data.request, customer, chosen))
})
