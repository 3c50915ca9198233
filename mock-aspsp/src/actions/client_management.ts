/**
 * `GET | PUT | DELETE /register/{ClientId}` (OB DCR; RFC 7592 with a client credentials token in
 * place of a registration access token). An unknown client id and another client's token get
 * the same 401 (no enumeration), and the presented token is revoked ("immediately revokes the
 * access token"). An operation switched off answers 405 after the token check.
 */
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import type { Operation } from '../config/defaults.ts'
import { type ClientRecord, epoch } from '../models/store.ts'
import { bearerToken } from '../shared/bearer.ts'
import { InvalidToken, MethodNotAllowed, NotFound } from '../shared/errors.ts'
import { requestCert } from '../shared/mtls.ts'
import { registrationResponse, validateRegistration } from './register.ts'

const METHODS: Record<Operation, string> = { get: 'GET', put: 'PUT', delete: 'DELETE' }

/** The client the request's token may manage, or a 401 (405 when the operation is off). */
function managedClient(ctx: Context, op: Operation): ClientRecord {
  const bank: Bank = ctx.bank
  if (bank.deviations.has('refuse-every-management-call'))
    throw new InvalidToken('refused: this bank runs the refuse-every-management-call deviation')
  const token = bearerToken(ctx)
  if (token.grant !== 'client_credentials' && !bank.deviations.has('management-accepts-any-grant')) {
    throw new InvalidToken('client management needs a client credentials access token (OB DCR §Authentication)')
  }
  const clientId = String(ctx.params.clientId)
  const own = token.clientId === clientId ? bank.store.getClient(clientId) : undefined
  if (!own) {
    const other = bank.store.getClient(clientId)
    if (other && bank.deviations.has('accept-foreign-token')) return other
    if (!bank.deviations.has('no-revoke-on-mismatch')) bank.store.revokeToken(token.hash, token)
    if (!other && bank.deviations.has('unknown-client-404')) throw new NotFound(`client ${clientId} does not exist`)
    throw new InvalidToken('the access token does not grant access to this client; it has been revoked')
  }
  if (!bank.options.operations[op]) {
    if (bank.deviations.has('unoffered-operation-404')) throw new NotFound(`there is no ${METHODS[op]} ${ctx.path}`)
    const allowed = (Object.keys(METHODS) as Operation[]).filter(o => bank.options.operations[o]).map(o => METHODS[o])
    throw new MethodNotAllowed(`${METHODS[op]} /register/{ClientId} is not offered by this bank`, allowed)
  }
  if (bank.deviations.has('management-token-single-use')) bank.store.revokeToken(token.hash, token)
  return own
}

export async function getClient(ctx: Context): Promise<void> {
  const { deviations } = ctx.bank as Bank
  const client = managedClient(ctx, 'get')
  const body = registrationResponse(client)
  ctx.body = deviations.has('get-returns-summary')
    ? { client_id: client.clientId, software_id: client.softwareId }
    : body
  // The deviation sends the same JSON as text/plain (Koa's type for a string body).
  if (deviations.has('management-get-not-json')) [ctx.body, ctx.type] = [JSON.stringify(ctx.body), 'text/plain']
}

export async function updateClient(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  // The deviation: PUT without its token check (the client is the one the path names).
  const unchecked = bank.deviations.has('put-accepts-any-token') && bank.store.getClient(String(ctx.params.clientId))
  const client = unchecked || managedClient(ctx, 'put')
  const { registration, useJti } = await validateRegistration(ctx, requestCert(ctx), client)
  if (bank.deviations.has('put-ignores-redirect-change')) registration.redirect_uris = client.registration.redirect_uris
  const updated: ClientRecord = { ...client, registration, updatedAt: epoch() }
  await bank.store.batch(() => {
    useJti()
    // Deleted while this request was being validated (its JWKS read): nothing is kept, so nothing is acknowledged.
    if (!bank.store.updateClient(updated)) {
      throw new InvalidToken(
        'the client was deleted while this update was being validated; the access token is revoked with it',
      )
    }
  })
  // OB DCR PUT: "The ASPSP must not invalidate long lived access tokens that are issued to the client."
  if (bank.deviations.has('put-revokes-tokens')) bank.store.revokeClientTokens(client.clientId)
  ctx.body = registrationResponse(updated)
}

export async function deleteClient(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const client = managedClient(ctx, 'delete')
  bank.store.deleteClient(client.clientId, { keepTokens: bank.deviations.has('tokens-survive-delete') })
  if (bank.deviations.has('delete-returns-200')) {
    ctx.status = 200
    ctx.body = { client_id: client.clientId, deleted: true }
    return
  }
  ctx.status = 204
}
