/**
 * `POST /token` (RFC 6749 §4.4 client credentials; RFC 7523 / RFC 8705 client authentication;
 * RFC 8705 §3 certificate-bound tokens). Grants other than client_credentials are handled by the
 * handlers registered in `grantHandlers` (authorization code and refresh token live with the
 * authorization flow).
 */
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import { accessTokenTtl, issueToken } from '../oauth/tokens.ts'
import { readForm } from '../shared/body.ts'
import { type AuthenticatedClient, authenticateClient } from '../shared/client_auth.ts'
import {
  InvalidClient,
  InvalidRequest,
  InvalidScope,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '../shared/errors.ts'

export type GrantHandler = (ctx: Context, params: Record<string, string>, auth: AuthenticatedClient) => Promise<void>

/** Grant types beyond client_credentials register themselves here. */
export const grantHandlers = new Map<string, GrantHandler>()

function registeredScopes(registration: Record<string, unknown>): string[] {
  const scope = registration.scope
  const list = Array.isArray(scope) ? (scope as string[]) : typeof scope === 'string' ? scope.split(' ') : []
  return list.filter(s => s !== '' && s !== 'openid')
}

/** RFC 6749 §4.4.2 / §3.3: no scope → the client's registered scopes; asked scopes must be among them. */
function grantedScope(bank: Bank, auth: AuthenticatedClient, requested: string | undefined): string {
  const registered = registeredScopes(auth.client.registration)
  if (requested === undefined || requested.trim() === '') return registered.join(' ')
  const asked = [...new Set(requested.trim().split(/ +/))]
  if (!bank.deviations.has('grant-unrequested-scope')) {
    for (const s of asked) {
      if (!registered.includes(s)) {
        throw new InvalidScope(
          `scope "${s}" is not available to this client with client_credentials (registered: ${registered.join(' ') || 'none'})`,
        )
      }
    }
  }
  return asked.join(' ')
}

async function clientCredentials(ctx: Context, params: Record<string, string>, auth: AuthenticatedClient) {
  const bank: Bank = ctx.bank
  const grants = (auth.client.registration.grant_types ?? []) as string[]
  if (!grants.includes('client_credentials') && !bank.deviations.has('skip-client-grant-check')) {
    throw new UnauthorizedClient('this client is not registered for the client_credentials grant')
  }
  const scope = grantedScope(bank, auth, params.scope)
  const { value, record } = await issueToken(bank, {
    clientId: auth.client.clientId,
    grant: 'client_credentials',
    scope,
    x5tS256: auth.cert?.x5tS256 ?? null,
    ttl: accessTokenTtl(bank, auth.client.softwareId),
    // Introspection answers the clients of the same software about this token.
    extra: { softwareId: auth.client.softwareId },
  })
  // RFC 6749 §5.1, written out: the token is base64url (a JWT: base64url parts and dots), so it
  // needs no escaping, and JSON.stringify would scan a JWT access token character by character.
  const tokenType = bank.deviations.has('token-response-without-token-type') ? '' : '"token_type":"Bearer",'
  ctx.type = 'application/json'
  ctx.body = `{"access_token":"${value}",${tokenType}"expires_in":${record.expiresAt - record.issuedAt},"scope":${JSON.stringify(scope)}}`
}

grantHandlers.set('client_credentials', clientCredentials)

export async function token(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  if (bank.deviations.has('refuse-every-token-request'))
    throw new InvalidClient('refused: this bank runs the refuse-every-token-request deviation')
  const params = await readForm(ctx, bank.options.maxBodyBytes, 'token')
  const grantType = params.grant_type
  if (!grantType) throw new InvalidRequest('grant_type is required')
  const handler = grantHandlers.get(grantType)
  if (!handler) {
    if (bank.deviations.has('unsupported-grant-invalid-request'))
      throw new InvalidRequest(`grant_type "${grantType}" is not supported`)
    throw new UnsupportedGrantType(
      `grant_type "${grantType}" is not supported (supported: ${[...grantHandlers.keys()].join(', ')})`,
    )
  }
  const auth = await authenticateClient(ctx, params, bank.endpoints.token)
  // FAPI 1 Advanced §5.2.2 / RFC 8705 §3: every token is bound to the client certificate.
  if (!auth.cert && !bank.deviations.has('unbound-tokens') && !bank.deviations.has('tls-auth-without-cert')) {
    throw new InvalidRequest('a trusted client certificate is required: access tokens are bound to it (RFC 8705 §3)')
  }
  await handler(ctx, params, auth)
}
