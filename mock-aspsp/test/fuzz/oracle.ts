/**
 * What every answer of the mock bank must look like, whatever it was sent: never a 5xx, an error
 * as JSON with a registered code (the one list of codes is here), `Cache-Control: no-store` on
 * errors, the challenge or `Allow` header its status needs, and no acceptance of a request built
 * to be refused.
 */
import { TOKEN_ERRORS } from '../../../fixtures/schemas/definitions.ts'
import type { HttpResult } from '../support/http.ts'

/** Error codes registered for OAuth (IANA "OAuth Extensions Error Registry"), by the RFC that defines them. */
export const REGISTERED_ERROR_CODES = {
  /** RFC 6749 §5.2: token endpoint (and, by RFC 7009 / RFC 7662, revocation and introspection). */
  rfc6749: TOKEN_ERRORS,
  /** RFC 6750 §3.1: bearer-token protected resources (client management). */
  rfc6750: ['invalid_request', 'invalid_token', 'insufficient_scope'],
  /** RFC 7591 §3.2.2: client registration. */
  rfc7591: [
    'invalid_redirect_uri',
    'invalid_client_metadata',
    'invalid_software_statement',
    'unapproved_software_statement',
  ],
  /** RFC 7009 §2.2.1: revocation. */
  rfc7009: ['unsupported_token_type'],
} as const

/**
 * Codes of the mock's own for HTTP-level answers no RFC code fits (an unknown path, a method the
 * path does not have). Documented in mock-aspsp/src/shared/errors.ts.
 */
export const HTTP_LEVEL_CODES = ['not_found', 'method_not_allowed'] as const

export type Target = 'register' | 'manage' | 'token' | 'introspect' | 'revoke' | 'meta' | 'raw'

const R = REGISTERED_ERROR_CODES
const ALL_CODES: ReadonlySet<string> = new Set([
  ...R.rfc6749,
  ...R.rfc6750,
  ...R.rfc7591,
  ...R.rfc7009,
  ...HTTP_LEVEL_CODES,
])
/** The error codes each endpoint may answer with. */
export const CODES_BY_TARGET: Record<Target, ReadonlySet<string>> = {
  register: new Set([...R.rfc7591, 'invalid_request', ...HTTP_LEVEL_CODES]),
  manage: new Set([...R.rfc6750, ...R.rfc7591, ...HTTP_LEVEL_CODES]),
  token: new Set([...R.rfc6749, ...HTTP_LEVEL_CODES]),
  introspect: new Set(['invalid_request', 'invalid_client', ...HTTP_LEVEL_CODES]),
  revoke: new Set(['invalid_request', 'invalid_client', ...R.rfc7009, ...HTTP_LEVEL_CODES]),
  // Odd methods and paths, and raw requests, may land on any endpoint.
  meta: ALL_CODES,
  raw: ALL_CODES,
}

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

export interface Expectation {
  target: Target
  method: string
  /** The request is built to be refused (alg none, embedded key, forged signature, ...). */
  mustReject: boolean
  /** The request path (with any query), where known. */
  path?: string
}

/**
 * The front channel: pages a person's browser is sent to. Their errors are HTML pages for that
 * person, not JSON (RFC 6749 §4.1.2.1: "inform the resource owner"; the mock's error page).
 */
export function isFrontChannel(method: string, path: string | undefined): boolean {
  if (path === undefined || (method !== 'GET' && method !== 'POST')) return false
  const bare = path.split('?')[0] ?? ''
  return bare === '/authorize' || /^\/consent\/[^/]+(\/login|\/decision)?$/.test(bare)
}

/** Why the answer breaks the contract, or null when it keeps it. */
export function violation(res: HttpResult, exp: Expectation): string | null {
  const { status } = res
  if (status >= 500) return `HTTP ${status}: a 5xx for client input: ${res.body.toString('utf8').slice(0, 300)}`
  if (status < 200) return `HTTP ${status}: not a final status`
  if (exp.mustReject && status < 400) return `HTTP ${status}: a request built to be refused was accepted`
  if (status < 400) return null
  if (exp.method === 'HEAD') return null
  const type = res.headers['content-type'] ?? ''
  if (isFrontChannel(exp.method, exp.path)) {
    if (!/^text\/html\b/i.test(type)) return `HTTP ${status} from a browser page with Content-Type "${type}", not HTML`
    if (!/<title>[^<]+<\/title>/.test(res.body.toString('utf8'))) return `HTTP ${status}: an error page without a title`
    if (!/no-store/i.test(res.headers['cache-control'] ?? '')) return `HTTP ${status}: an error page without no-store`
    return null
  }
  if (!/^application\/json\b/i.test(type)) {
    return `HTTP ${status} with Content-Type "${type}", not JSON: ${res.body.toString('utf8').slice(0, 200)}`
  }
  let body: unknown
  try {
    body = JSON.parse(res.body.toString('utf8'))
  } catch {
    return `HTTP ${status}: the error body is not JSON: ${res.body.toString('utf8').slice(0, 200)}`
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return `HTTP ${status}: the error is not an object`
  const { error, error_description: description } = body as Record<string, unknown>
  if (typeof error !== 'string') return `HTTP ${status}: no "error" member`
  if (!CODES_BY_TARGET[exp.target].has(error)) {
    return `HTTP ${status}: error "${error}" is not a registered code for ${exp.target}`
  }
  if (description !== undefined && (typeof description !== 'string' || !DESCRIPTION.test(description))) {
    return `HTTP ${status}: error_description has characters outside RFC 6749 §5.2: ${JSON.stringify(description).slice(0, 200)}`
  }
  if (!/no-store/i.test(res.headers['cache-control'] ?? ''))
    return `HTTP ${status}: an error without Cache-Control: no-store`
  if (status === 401 && exp.target === 'manage' && !/^Bearer\b/i.test(res.headers['www-authenticate'] ?? '')) {
    return 'HTTP 401 from client management without a WWW-Authenticate: Bearer challenge'
  }
  if (status === 405 && res.headers.allow === undefined) return 'HTTP 405 without an Allow header'
  return null
}
