/**
 * `POST /par`: pushed authorization requests (RFC 9126). The client authenticates as at the token
 * endpoint and pushes its signed request object; the bank validates it now, as /authorize would,
 * and answers 201 with a single-use `request_uri` that lives `parTtl` seconds.
 */
import { randomBytes } from 'node:crypto'
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import { epoch } from '../models/store.ts'
import { grantTypesOf } from '../oauth/client_info.ts'
import { RedirectableError, validateRequestObject } from '../profiles/uk_ob/rules/request_object.ts'
import { readForm } from '../shared/body.ts'
import { authenticateClient } from '../shared/client_auth.ts'
import { InvalidRequest, UnauthorizedClient } from '../shared/errors.ts'
import { PAR_GRANT, PAR_URN } from './authorize.ts'

/**
 * The start of every profile's pushed authorization request: the form, the client authenticated as
 * at the token endpoint, and no `request_uri` among the parameters (RFC 9126 §2.1).
 */
export async function readPushedRequest(ctx: Context) {
  const bank: Bank = ctx.bank
  const params = await readForm(ctx, bank.options.maxBodyBytes, 'pushed authorization')
  const { client } = await authenticateClient(ctx, params, bank.endpoints.par)
  if (params.request_uri !== undefined) {
    throw new InvalidRequest(
      'request_uri must not be sent to the pushed authorization request endpoint (RFC 9126 §2.1)',
    )
  }
  return { bank, params, client }
}

export async function par(ctx: Context): Promise<void> {
  const { bank, params, client } = await readPushedRequest(ctx)
  if (!grantTypesOf(client).includes('authorization_code')) {
    throw new UnauthorizedClient(`client "${client.clientId}" is not registered for the authorization_code grant`)
  }
  if (params.request === undefined) {
    throw new InvalidRequest(
      'request is required: this bank accepts only signed request objects (FAPI 1 Advanced §5.2.2)',
    )
  }
  let request: Awaited<ReturnType<typeof validateRequestObject>>
  try {
    request = await validateRequestObject(bank, client, params.request, params)
  } catch (e) {
    // RFC 9126 §2.3: the PAR endpoint answers errors itself; nothing is redirected.
    throw e instanceof RedirectableError ? e.error : e
  }
  answerPushedRequest(ctx, bank, PAR_GRANT, client.clientId, request)
}

/**
 * Keeps a validated pushed request as a single-use grant of `type` (each profile's /authorize takes
 * its own) living `parTtl` seconds, and answers 201 with its `request_uri` (RFC 9126 §2.2).
 */
export function answerPushedRequest(ctx: Context, bank: Bank, type: string, clientId: string, request: object): void {
  const id = randomBytes(24).toString('base64url')
  bank.store.putGrant({
    type,
    id,
    clientId,
    expiresAt: epoch() + bank.options.parTtl,
    data: { request: { ...request } },
  })
  ctx.status = 201
  ctx.body = { request_uri: `${PAR_URN}${id}`, expires_in: bank.options.parTtl }
}
