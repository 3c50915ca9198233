/**
 * `POST /introspect` (RFC 7662), client-authenticated. A client learns about the tokens of its own
 * software's clients (one TPP application, several registrations): anything else is
 * `{"active": false}` (RFC 7662 §4: the server decides who may introspect what). A token whose
 * grant has ended (its consent revoked or expired) is inactive too (§2.2), as the resource
 * server and the token endpoint treat it.
 */
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import { findToken, grantProblem, tokenProblem } from '../oauth/tokens.ts'
import { readForm } from '../shared/body.ts'
import { authenticateClient } from '../shared/client_auth.ts'
import { InvalidRequest } from '../shared/errors.ts'

export async function introspect(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const params = await readForm(ctx, bank.options.maxBodyBytes, 'introspection')
  const { client } = await authenticateClient(ctx, params, bank.endpoints.introspection)
  if (!params.token) throw new InvalidRequest('token is required (RFC 7662 §2.1)')
  const record = findToken(bank, params.token)
  const sameSoftware = record?.clientId === client.clientId || record?.extra?.softwareId === client.softwareId
  if (!record || tokenProblem(record) || !sameSoftware || grantProblem(bank, record) !== undefined) {
    ctx.body = { active: false }
    return
  }
  ctx.body = {
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
