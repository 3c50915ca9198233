/**
 * `POST /introspect` (RFC 7662), client-authenticated. A client learns about the tokens of its own
 * software's clients (one TPP application, several registrations): anything else is
 * `{"active": false}` (RFC 7662 §4: the server decides who may introspect what). A token whose
 * grant has ended (its consent revoked or expired) is inactive too (§2.2), as the resource
 * server and the token endpoint treat it.
 */
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import type { TokenRecord } from '../models/store.ts'
import { findToken, grantProblem, tokenProblem } from '../oauth/tokens.ts'
import { readForm } from '../shared/body.ts'
import { type AuthenticatedClient, authenticateClient } from '../shared/client_auth.ts'
import { InvalidRequest } from '../shared/errors.ts'

/** RFC 7662 §2.2: what an active token's introspection answers. */
export function activeIntrospection(bank: Bank, record: TokenRecord): Record<string, unknown> {
  return {
    active: true,
    client_id: record.clientId,
    scope: record.scope,
    token_type: record.kind === 'access' ? 'Bearer' : 'refresh_token',
    exp: record.expiresAt,
    iat: record.issuedAt,
    iss: bank.endpoints.issuer,
    ...(record.x5tS256 ? { cnf: { 'x5t#S256': record.x5tS256 } } : {}),
    ...(typeof record.extra?.subject === 'string' ? { sub: record.extra.subject } : {}),
  }
}

/** The introspection request: the client authenticated, and the record of the token it names (if any). */
export async function introspectionRequest(
  ctx: Context,
): Promise<{ auth: AuthenticatedClient; record: TokenRecord | undefined }> {
  const bank: Bank = ctx.bank
  const params = await readForm(ctx, bank.options.maxBodyBytes, 'introspection')
  const auth = await authenticateClient(ctx, params, bank.endpoints.introspection)
  if (!params.token) throw new InvalidRequest('token is required (RFC 7662 §2.1)')
  return { auth, record: findToken(bank, params.token) }
}

export async function introspect(ctx: Context): Promise<void> {
  const { auth, record } = await introspectionRequest(ctx)
  const { client } = auth
  const sameSoftware = record?.clientId === client.clientId || record?.extra?.softwareId === client.softwareId
  const inactive = !record || tokenProblem(record) || !sameSoftware || grantProblem(ctx.bank, record) !== undefined
  ctx.body = inactive ? { active: false } : activeIntrospection(ctx.bank, record)
}
