/**
 * The mock directory over HTTP: keystore JWKS under `/directory/keystore/...` (the OB keystore's
 * path shapes), and an SSA endpoint shaped like the Directory API's
 * `GET /organisation/{OrganisationId}/software-statement/{SoftwareStatementId}/software-statement-assertion`.
 */
import type Router from '@koa/router'
import type { Context } from 'koa'
import { signerFromFile } from '../../../fixtures/builders/jose.ts'
import { mintSsa } from '../../../fixtures/builders/ssa.ts'
import type { Bank } from '../config/bank.ts'
import { actsForProblem } from '../shared/cert_owner.ts'
import { InvalidRequest, NotFound } from '../shared/errors.ts'
import { requireClientCert } from '../shared/mtls.ts'
import { LOCAL_KEYSTORE_PATH } from './directory.ts'

async function keystore(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const rest = ctx.path.slice(`${LOCAL_KEYSTORE_PATH}/`.length)
  const jwks = bank.directory.jwksAtPath(rest)
  if (!jwks) throw new NotFound(`the directory keystore has nothing at ${rest}`)
  ctx.set('Cache-Control', 'public, max-age=300')
  ctx.body = jwks
}

/** Issues an SSA for the software of the presented transport certificate (OBTransport or OBWAC, pki/cert_profiles.ts). */
async function softwareStatementAssertion(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const { orgId, softwareId } = ctx.params as { orgId: string; softwareId: string }
  const record = bank.directory.softwareRecord(softwareId)
  if (!record || record.tpp.orgId !== orgId) {
    throw new NotFound(`software ${softwareId} of organisation ${orgId} is not in the directory`)
  }
  const cert = requireClientCert(ctx, why => new InvalidRequest(why))
  const problem = actsForProblem(bank, cert, { softwareId, orgId })
  if (problem) throw new InvalidRequest(problem)
  const { directory } = bank.pki
  ctx.type = 'application/jwt'
  ctx.body = await mintSsa(record.tpp, {
    issuer: directory.issuer,
    signer: signerFromFile(directory.signing.keyPath, directory.signing.kid, 'PS256'),
  })
}

export function directoryRoutes(router: Router): void {
  router.get(`${LOCAL_KEYSTORE_PATH}/*path`, keystore)
  router.get(
    '/directory/organisation/:orgId/software-statement/:softwareId/software-statement-assertion',
    softwareStatementAssertion,
  )
}
