/**
 * The test cases the official UK DCR conformance tool composes its scenarios from ("Register
 * software client", "Retrieve client credentials grant", "Delete software client"), as steps
 * made of atomic checks. Not collected as tests.
 */
import { test } from '@playwright/test'
import type { AuthMethod } from '../../fixtures/builders/registration.ts'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import { controlManagement } from '../../fixtures/controls.ts'
import type { Target } from '../../fixtures/targets/types.ts'
import type { RequestOptions, SignedRequest, Tpp } from '../../fixtures/tpp.ts'
import type { Validators } from '../../fixtures/validators.ts'
import { checkNoClientId } from '../checks/errors.ts'
import {
  checkEmptyBody,
  checkJsonContentType,
  checkJsonContentTypeIfBody,
  checkNoStore,
  checkWwwAuthenticateBearer,
  ensureStatus,
} from '../checks/http.ts'
import { ensureClientId, validateRegistrationResponse } from '../checks/registration.ts'
import { ensureAccessToken, validateTokenResponse } from '../checks/token.ts'

export interface Registered {
  clientId: string
  exchange: Exchange
  request: SignedRequest
}

/** "Register software client": POST /register → 201 JSON with a client_id, valid against the schema. */
export function registerSoftwareClient(tpp: Tpp, schemas: Validators, opts: RequestOptions = {}): Promise<Registered> {
  return test.step('Register software client', async () => {
    const { request, exchange } = await tpp.register(opts)
    await ensureStatus(exchange, 201, 'RFC7591-3.2.1')
    await checkJsonContentType(exchange, 'RFC7591-3.2.1')
    const clientId = await ensureClientId(exchange)
    await validateRegistrationResponse(exchange, schemas.registrationResponse, schemas.version)
    return { clientId, exchange, request }
  })
}

/** "Retrieve client credentials grant": the new client gets an access token. */
export function retrieveClientCredentialsGrant(
  tpp: Tpp,
  clientId: string,
  method: AuthMethod,
  schemas: Validators,
): Promise<string> {
  return test.step('Retrieve client credentials grant', async () => {
    const scope = tpp.profile.tokenScope
    const ex = await tpp.tokens.clientCredentials(clientId, method, scope === undefined ? {} : { scope })
    const token = await ensureAccessToken(ex)
    await validateTokenResponse(ex, schemas.tokenResponse)
    await checkNoStore(ex, 'RFC6749-5.1')
    return token
  })
}

/** "Delete software client": DELETE /register/{ClientId} → 204 No Content. */
export function deleteSoftwareClient(tpp: Tpp, clientId: string, token: string): Promise<void> {
  return test.step('Delete software client', async () => {
    const ex = await tpp.dcr.delete(clientId, token)
    await ensureStatus(ex, 204, 'RFC7592-2.3')
    await checkEmptyBody(ex)
  })
}

/** `control:` "Retrieve software client" with the client's own token answers 200 (where the target offers GET). */
export async function controlRetrieve(
  tpp: Tpp,
  target: Target,
  client: { clientId: string; authMethod: AuthMethod },
  token: string,
  when: string,
): Promise<void> {
  if (!target.operations.get) return
  await controlManagement(tpp, 'get', client, { bearer: token, title: `Retrieve software client ${when}: 200` })
}

/**
 * A management call refused for want of a valid token: 401, a Bearer challenge (with `error`
 * when given), a JSON body if there is one, and no client data (OB DCR; RFC 7592 §2; RFC 6750 §3).
 */
export async function checkUnauthorized(ex: Exchange, error?: string) {
  await ensureStatus(ex, 401, 'RFC7592-2.1')
  await checkWwwAuthenticateBearer(ex, error)
  await checkJsonContentTypeIfBody(ex)
  await checkNoClientId(ex, 'RFC7592-2.1')
}
