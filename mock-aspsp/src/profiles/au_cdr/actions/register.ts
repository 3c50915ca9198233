/**
 * `POST /register` of a Data Holder (CDS 1.36 DCR API `postClientRegistration`): a JWT signed by
 * the data recipient carrying a software statement issued by the CDR Register, over mutual TLS,
 * without client authentication. One active registration per `software_id`. The same validation
 * serves `PUT /register/{ClientId}` (`validateCdrRegistration`).
 */
import { randomUUID } from 'node:crypto'
import type { Context } from 'koa'
import { reencode } from '../../../actions/register.ts'
import type { Bank } from '../../../config/bank.ts'
import type { Json } from '../../../crypto/jose.ts'
import { type ClientRecord, epoch } from '../../../models/store.ts'
import { readBody } from '../../../shared/body.ts'
import { InvalidClientMetadata, InvalidRequest, OAuthError } from '../../../shared/errors.ts'
import { requestCert, requireClientCert } from '../../../shared/mtls.ts'
import { registeredMetadata } from '../rules/metadata.ts'
import {
  checkMediaType,
  checkRequestClaims,
  checkRequestHeader,
  checkRequestSignature,
  parseRequest,
  useRequestJti,
} from '../rules/request.ts'
import { checkSsaClaims, checkSsaSignature, parseSoftwareStatement } from '../rules/ssa.ts'

export interface CdrRegistration {
  registration: Json
  softwareId: string
  orgId: string
  /** Records the request's jti (a replay throws): call in the store transaction that stores the client. */
  useJti: () => void
}

/** Every check of a registration request, in the order the ACCC mock Data Holder applies them (research §1.5). */
export async function validateCdrRegistration(ctx: Context, existing?: ClientRecord): Promise<CdrRegistration> {
  const bank: Bank = ctx.bank
  const now = epoch()
  checkMediaType(bank, ctx.get('content-type'))
  const request = parseRequest(bank, await readBody(ctx, bank.options.maxBodyBytes))
  const claims = request.payload
  const ssaJws = parseSoftwareStatement(bank, claims)
  // Only under the accept-missing-ssa deviation: a Data Holder that registers the request as it
  // stands, software_id its iss (and, with no jwks_uri, nothing to verify its signature against).
  const ssa = ssaJws ? ssaJws.payload : { ...claims, software_id: claims.iss }
  if (ssaJws) {
    checkSsaSignature(bank, ssaJws)
    checkSsaClaims(bank, ssa, now)
  }
  checkRequestHeader(bank, request.header)
  if (ssaJws) await checkRequestSignature(bank, request, ssa)
  checkRequestClaims(bank, claims, ssa, now)
  const validating =
    existing && bank.deviations.has('put-skips-validation')
      ? { ...bank, deviations: bank.deviations.with('skip-redirect-subset-check') }
      : bank
  const registration = registeredMetadata(validating, claims, ssa)
  const softwareId = String(ssa.software_id)
  if (existing && existing.softwareId !== softwareId && !bank.deviations.has('put-accepts-other-software')) {
    throw new InvalidClientMetadata(
      `software_id "${softwareId}" of the software statement is not the registered "${existing.softwareId}": a registration cannot move to another software product`,
    )
  }
  if (typeof claims.software_statement === 'string') {
    registration.software_statement = bank.deviations.has('modify-software-statement')
      ? reencode(claims.software_statement)
      : claims.software_statement
  }
  if (bank.deviations.has('echo-request-claims')) {
    for (const k of ['iss', 'iat', 'exp', 'aud', 'jti'] as const)
      if (claims[k] !== undefined) registration[k] = claims[k]
  }
  return { registration, softwareId, orgId: String(ssa.org_id ?? ''), useJti: () => useRequestJti(bank, claims, now) }
}

/** The registration answer (CDS RegistrationProperties; RFC 7591 §3.2.1). */
export function cdrRegistrationResponse(client: ClientRecord): Json {
  return { client_id: client.clientId, client_id_issued_at: client.issuedAt, ...client.registration }
}

export async function registerCdrClient(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  // The anti-bank answers as a Data Holder whose validation refused the request: nothing names the deviation.
  if (bank.deviations.has('refuse-every-registration'))
    throw new InvalidClientMetadata('the registration request failed validation')
  if (bank.deviations.has('no-client-cert-on-register')) requestCert(ctx)
  else requireClientCert(ctx, why => new InvalidRequest(why))
  const { registration, softwareId, orgId, useJti } = await validateCdrRegistration(ctx)
  const now = epoch()
  const client: ClientRecord = {
    clientId: randomUUID(),
    softwareId,
    orgId,
    issuedAt: now,
    updatedAt: now,
    registration,
  }
  // One commit: the jti, the one-registration-per-software check and the client.
  await bank.store.batch(() => {
    useJti()
    if (!bank.deviations.has('accept-duplicate-registration') && bank.store.countClientsOfSoftware(softwareId) > 0) {
      throw new OAuthError(
        400,
        bank.options.cdr.duplicateError,
        `software_id "${softwareId}" already has an active registration at this Data Holder; duplicate registrations for a given software_id are not valid (update it with PUT)`,
      )
    }
    bank.store.insertClient(client)
  })
  ctx.status = 201
  ctx.body = cdrRegistrationResponse(client)
}
