/**
 * The CDS error shape of the Register APIs (CDS Register API `ResponseErrorListV2`:
 * `{ errors: [{ code, title, detail }] }`), and the middleware that writes it for the routes that
 * use it. Registration errors keep the RFC 7591 shape of the shared error handler.
 */
import type { Context, Next } from 'koa'
import { OAuthError } from '../../shared/errors.ts'

/** CDS error codes the mock uses (CDS "Error Codes"). */
export const CDS_ERRORS = {
  headerMissing: { code: 'urn:au-cds:error:cds-all:Header/Missing', title: 'Missing Required Header' },
  invalidVersion: { code: 'urn:au-cds:error:cds-all:Header/InvalidVersion', title: 'Invalid Version' },
  unsupportedVersion: { code: 'urn:au-cds:error:cds-all:Header/UnsupportedVersion', title: 'Unsupported Version' },
  invalidField: { code: 'urn:au-cds:error:cds-all:Field/Invalid', title: 'Invalid Field' },
  invalidBrand: { code: 'urn:au-cds:error:cds-register:Field/InvalidBrand', title: 'Invalid Brand' },
  invalidSoftwareProduct: {
    code: 'urn:au-cds:error:cds-register:Field/InvalidSoftwareProduct',
    title: 'Invalid Software Product',
  },
  invalidArrangement: {
    code: 'urn:au-cds:error:cds-all:Authorisation/InvalidArrangement',
    title: 'Invalid Consent Arrangement',
  },
  adrStatusNotActive: {
    code: 'urn:au-cds:error:cds-all:Authorisation/AdrStatusNotActive',
    title: 'ADR Status Is Not Active',
  },
} as const

/** An error answered in the CDS error list shape. */
export class CdsError extends OAuthError {
  constructor(
    status: number,
    readonly cds: { code: string; title: string },
    detail: string,
  ) {
    super(status, 'invalid_request', detail)
  }
}

/**
 * Writes `CdsError`s as `{ errors: [{ code, title, detail }] }` with `Cache-Control: no-store`; any
 * other error goes on to the shared error handler. The `register-errors-not-cds` deviation leaves
 * them all to it (RFC 7591 shape).
 */
export async function cdsErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next()
  } catch (e) {
    if (!(e instanceof CdsError) || ctx.bank.deviations.has('register-errors-not-cds')) throw e
    ctx.status = e.status
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { errors: [{ code: e.cds.code, title: e.cds.title, detail: e.description }] }
  }
}
