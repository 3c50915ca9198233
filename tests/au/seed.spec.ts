/**
 * The CDR-shaped registration request of the WSO2 DCR tryout that this project started from
 * (fixtures/au/samples/README.md): its SSA is signed with a sample key no CDR Register publishes.
 * A Data Holder answers it with a clear 4xx that names the unknown signer — never a 5xx, never a
 * registration.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { AU_CDR, test } from '../../fixtures/au/test.ts'
import { decodeJws } from '../../fixtures/builders/jose.ts'
import { allowedFor, checkCdrRefusal, checkDescriptionNames } from '../checks/cdr.ts'
import { CDS, control, spec } from './support.ts'

const SAMPLE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/au/samples/wso2_cdr_update_request.jwt',
)

test.describe('AU CDR: the seed request', { tag: [AU_CDR, '@dcr', '@negative'] }, () => {
  test("AU-DCR-160 refuses the WSO2 tryout's CDR request with a 4xx naming the SSA's unknown signer", {
    annotation: [spec(CDS.validation), spec('RFC7591-3.2.2')],
  }, async ({ recipient, auTarget, cdrSchemas }) => {
    const request = readFileSync(SAMPLE, 'utf8').trim()
    const ssaKid = String(decodeJws(String(decodeJws(request).payload.software_statement)).header.kid)
    const ex = await recipient.dcr.register(request)
    const errors = allowedFor(auTarget.policies.unknownSignerError, [
      'invalid_software_statement',
      'unapproved_software_statement',
    ])
    await checkCdrRefusal(ex, errors, cdrSchemas.registration_error, CDS.validation)
    await checkDescriptionNames(ex, ssaKid, CDS.validation)
    await control('a registration with an SSA the Register issued', async () => (await recipient.register()).exchange)
  })
})
