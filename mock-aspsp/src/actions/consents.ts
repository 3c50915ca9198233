/**
 * Account-access consents (OB Account and Transaction API v3.1, `/account-access-consents`):
 * `POST` creates one (status AwaitingAuthorisation) with a client-credentials token of scope
 * `accounts`; `GET` shows it and its status (Authorised or Rejected once the customer decided);
 * `DELETE` revokes it, and with it every token issued for it.
 */
import { randomUUID } from 'node:crypto'
import type { Context } from 'koa'
import { checkPermissions } from '../banking/permissions.ts'
import type { Bank } from '../config/bank.ts'
import { type Consent, getConsent, isoNow, saveConsent, withStatus } from '../models/consent.ts'
import type { TokenRecord } from '../models/store.ts'
import { bearerToken } from '../shared/bearer.ts'
import { mediaType, readBody } from '../shared/body.ts'
import { Forbidden, InsufficientScope, ObApiError } from '../shared/errors.ts'

export const AISP_BASE = '/open-banking/v3.1/aisp'

/** A client-credentials access token with the accounts scope (OB Security Profile). */
function clientCredentialsToken(ctx: Context): TokenRecord {
  const token = bearerToken(ctx)
  if (token.grant !== 'client_credentials') {
    throw new Forbidden('account-access-consents need a client_credentials access token, not a customer token')
  }
  if (!token.scope.split(' ').includes('accounts')) {
    throw new InsufficientScope(`the access token's scope "${token.scope}" lacks accounts`)
  }
  return token
}

/** An OB date-time: ISO 8601 with a timezone ("All date-time fields ... must include the timezone"). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

function optionalDateTime(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ObApiError(
      400,
      'UK.OBIE.Field.InvalidDate',
      `${path} must be an ISO 8601 date-time with a timezone, got ${JSON.stringify(value)}`,
      path,
    )
  }
  return value
}

async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  const type = mediaType(ctx)
  if (type !== 'application/json') {
    throw new ObApiError(
      415,
      'UK.OBIE.Header.Invalid',
      `Content-Type must be application/json, got "${type || 'none'}"`,
      'Content-Type',
    )
  }
  const text = await readBody(ctx, ctx.bank.options.maxBodyBytes)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ObApiError(400, 'UK.OBIE.Resource.InvalidFormat', 'the request body is not JSON')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ObApiError(400, 'UK.OBIE.Resource.InvalidFormat', 'the request body must be a JSON object')
  }
  return body as Record<string, unknown>
}

function consentResponse(bank: Bank, c: Consent): Record<string, unknown> {
  const data: Record<string, unknown> = {
    ConsentId: c.consentId,
    CreationDateTime: c.creationDateTime,
    Status: c.status,
    StatusUpdateDateTime: c.statusUpdateDateTime,
    Permissions: c.permissions,
  }
  if (c.expirationDateTime) data.ExpirationDateTime = c.expirationDateTime
  if (c.transactionFromDateTime) data.TransactionFromDateTime = c.transactionFromDateTime
  if (c.transactionToDateTime) data.TransactionToDateTime = c.transactionToDateTime
  return {
    Data: data,
    Risk: {},
    Links: { Self: `${bank.endpoints.issuer}${AISP_BASE}/account-access-consents/${c.consentId}` },
    Meta: { TotalPages: 1 },
  }
}

/** `POST /account-access-consents` (OBReadConsent1 → OBReadConsentResponse1). */
export async function createConsent(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const token = clientCredentialsToken(ctx)
  const body = await readJson(ctx)
  const data = body.Data as Record<string, unknown> | undefined
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ObApiError(400, 'UK.OBIE.Field.Missing', 'Data is required', 'Data')
  }
  if (!body.Risk || typeof body.Risk !== 'object' || Array.isArray(body.Risk)) {
    throw new ObApiError(
      400,
      'UK.OBIE.Field.Missing',
      'Risk is required (an object, {} when there is nothing to say)',
      'Risk',
    )
  }
  const permissions = checkPermissions(data.Permissions)
  const expiration = optionalDateTime(data.ExpirationDateTime, 'Data.ExpirationDateTime')
  if (expiration && Date.parse(expiration) <= Date.now()) {
    throw new ObApiError(
      400,
      'UK.OBIE.Field.InvalidDate',
      'Data.ExpirationDateTime must be in the future',
      'Data.ExpirationDateTime',
    )
  }
  const from = optionalDateTime(data.TransactionFromDateTime, 'Data.TransactionFromDateTime')
  const to = optionalDateTime(data.TransactionToDateTime, 'Data.TransactionToDateTime')
  if (from && to && Date.parse(from) > Date.parse(to)) {
    throw new ObApiError(
      400,
      'UK.OBIE.Field.InvalidDate',
      'Data.TransactionFromDateTime must not be after Data.TransactionToDateTime',
      'Data.TransactionFromDateTime',
    )
  }
  const now = isoNow()
  const consent: Consent = {
    consentId: `aac-${randomUUID()}`,
    clientId: token.clientId,
    status: 'AwaitingAuthorisation',
    creationDateTime: now,
    statusUpdateDateTime: now,
    permissions,
  }
  if (expiration) consent.expirationDateTime = expiration
  if (from) consent.transactionFromDateTime = from
  if (to) consent.transactionToDateTime = to
  saveConsent(bank.store, consent)
  ctx.status = 201
  ctx.body = consentResponse(bank, consent)
}

/** The consent of the path, if it belongs to the token's client; one answer for unknown and foreign ids. */
function ownConsent(ctx: Context, token: TokenRecord): Consent {
  const id = String(ctx.params.consentId)
  const consent = getConsent(ctx.bank.store, id)
  if (!consent || consent.clientId !== token.clientId) {
    throw new ObApiError(
      400,
      'UK.OBIE.Resource.NotFound',
      `ConsentId "${id}" names no account-access consent of this client`,
    )
  }
  return consent
}

/** `GET /account-access-consents/{ConsentId}`. */
export async function readConsent(ctx: Context): Promise<void> {
  const consent = ownConsent(ctx, clientCredentialsToken(ctx))
  ctx.body = consentResponse(ctx.bank, consent)
}

/** `DELETE /account-access-consents/{ConsentId}`: 204; the consent's tokens stop working. */
export async function deleteConsent(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const consent = ownConsent(ctx, clientCredentialsToken(ctx))
  saveConsent(bank.store, withStatus(consent, 'Revoked'))
  ctx.status = 204
}
