/**
 * `GET | PUT | DELETE /register/{ClientId}` of a Data Holder (CDS 1.36 "Registration Management"):
 * a client credentials access token with the `cdr:registration` scope, bound to the client
 * certificate (MTLS holder of key). A token that is not the client's, or an unknown client, is
 * 401 with a `WWW-Authenticate: Bearer` challenge; a token without the scope, or of another grant
 * (a data-access token), is 403; DELETE is optional (405 when switched off). A REMOVED software
 * product's registration is cleaned up (`rules/participant_status.ts`).
 */
import type { Context } from 'koa'
import type { Bank } from '../../../config/bank.ts'
import type { Operation } from '../../../config/defaults.ts'
import { type ClientRecord, epoch } from '../../../models/store.ts'
import { findToken } from '../../../oauth/tokens.ts'
import { bearerToken } from '../../../shared/bearer.ts'
import { InsufficientScope, InvalidRequest, InvalidToken, MethodNotAllowed, NotFound } from '../../../shared/errors.ts'
import { refuseRemovedProduct } from '../rules/participant_status.ts'
import { cdrRegistrationResponse, validateCdrRegistration } from './register.ts'

export const REGISTRATION_SCOPE = 'cdr:registration'
const METHODS: Record<Operation, string> = { get: 'GET', put: 'PUT', delete: 'DELETE' }

/** The client the request's token may manage, or the 401 / 403 / 405 that says why not. */
async function managedClient(ctx: Context, op: Operation): Promise<ClientRecord> {
  const bank: Bank = ctx.bank
  if (bank.deviations.has('unknown-token-400')) {
    const presented = /^Bearer (\S+)$/i.exec(ctx.get('authorization'))?.[1]
    if (presented && !findToken(bank, presented)) throw new InvalidRequest('the access token could not be read')
  }
  const token = bearerToken(ctx)
  // The anti-bank refuses the token it has just read, as a Data Holder that finds it invalid would.
  if (bank.deviations.has('refuse-every-management-call'))
    throw new InvalidToken('the access token is not valid for this client')
  if (!token.scope.split(' ').includes(REGISTRATION_SCOPE) && !bank.deviations.has('skip-registration-scope-check')) {
    throw new InsufficientScope(
      `the access token's scope "${token.scope}" lacks ${REGISTRATION_SCOPE} (CDS Registration Management)`,
    )
  }
  // CDS: "Access tokens issued for consuming CDR Data SHOULD NOT be used for client registration maintenance".
  if (token.grant !== 'client_credentials' && !bank.deviations.has('skip-registration-scope-check')) {
    throw new InsufficientScope(
      `the access token was issued by the ${token.grant} grant: registration management takes a client_credentials token with ${REGISTRATION_SCOPE} (CDS Registration Management)`,
    )
  }
  const clientId = String(ctx.params.clientId)
  const client = bank.store.getClient(clientId)
  if (!client || token.clientId !== clientId) {
    if (client && bank.deviations.has('accept-foreign-token')) return client
    if (!client && bank.deviations.has('unknown-client-404')) throw new NotFound(`client ${clientId} does not exist`)
    throw new InvalidToken('the client is unknown, or the access token was not issued to it')
  }
  if (!bank.options.operations[op]) {
    const allowed = (Object.keys(METHODS) as Operation[]).filter(o => bank.options.operations[o]).map(o => METHODS[o])
    throw new MethodNotAllowed(`${METHODS[op]} /register/{ClientId} is not offered by this Data Holder`, allowed)
  }
  // A REMOVED software product's registration is cleaned up (CDS Participant Statuses).
  await refuseRemovedProduct(bank, client, d => new InvalidToken(d))
  return client
}

export async function getCdrClient(ctx: Context): Promise<void> {
  const body = cdrRegistrationResponse(await managedClient(ctx, 'get'))
  if (ctx.bank.deviations.has('get-omits-software-statement')) delete body.software_statement
  ctx.body = body
}

export async function updateCdrClient(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const client = await managedClient(ctx, 'put')
  const { registration, useJti } = await validateCdrRegistration(ctx, client)
  const updated: ClientRecord = bank.deviations.has('put-ignores-update')
    ? client
    : { ...client, registration, updatedAt: epoch() }
  await bank.store.batch(() => {
    useJti()
    // Deleted (or cleaned up as REMOVED) while this request was validated (its JWKS read): nothing
    // is kept, so nothing is acknowledged.
    if (!bank.store.updateClient(updated)) {
      throw new InvalidToken(
        `client "${client.clientId}" was deleted while this update was being validated; the access token is revoked with it`,
      )
    }
  })
  ctx.body = cdrRegistrationResponse(updated)
}

export async function deleteCdrClient(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const client = await managedClient(ctx, 'delete')
  bank.store.deleteClient(client.clientId)
  if (bank.deviations.has('delete-returns-200')) {
    ctx.status = 200
    ctx.body = { client_id: client.clientId, deleted: true }
    return
  }
  ctx.status = 204
}
