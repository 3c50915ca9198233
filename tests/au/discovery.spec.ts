/**
 * The Data Holder's OpenID Provider configuration (CDS 1.36 "OpenID Provider Configuration
 * endpoint"): every metadata a Data Holder MUST publish, with the values CDS fixes.
 */
import { AU_CDR, expect, test } from '../../fixtures/au/test.ts'
import { send } from '../../fixtures/clients/exchange.ts'
import { bodyOf } from '../checks/cdr.ts'
import { checkJsonContentType, ensureStatus } from '../checks/http.ts'
import { CDS, formOf, spec } from './support.ts'

test.describe('AU CDR: discovery', { tag: [AU_CDR, '@dcr', '@discovery'] }, () => {
  test('AU-DCR-010 publishes the CDS mandatory metadata: registration endpoint, private_key_jwt, bound tokens, PAR, JARM', {
    annotation: [spec(CDS.discovery), spec('OIDCD-3'), formOf('FMT-06')],
  }, async ({ auTarget, tlsContext, cdrSchemas, exchangeLog }) => {
    // TLS only, no client authentication (CDS: InfoSecBaseUri).
    const ex = await send(
      await tlsContext('none'),
      { method: 'GET', url: auTarget.discoveryUrl, headers: { accept: 'application/json' } },
      exchangeLog,
    )
    await ensureStatus(ex, 200, 'OIDCD-4.2')
    await checkJsonContentType(ex, 'OIDCD-4.2')
    const config = bodyOf(ex)
    await test.step(
      'the configuration validates against the CDS metadata list [CDS-DISCOVERY]',
      async () => {
        const { valid, errors } = cdrSchemas.discovery.validate(config)
        expect.soft(valid, errors.join('\n')).toBe(true)
      },
      { box: true },
    )
    await test.step(
      'PAR is required and JARM signing is offered [CDS-PAR]',
      async () => {
        expect.soft(config.require_pushed_authorization_requests).toBe(true)
        expect.soft(config.authorization_signing_alg_values_supported).toEqual(expect.arrayContaining(['PS256']))
      },
      { box: true },
    )
  })
})
