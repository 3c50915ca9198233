/**
 * The CDR Register a recipient gets its software statements from (CDS 1.36 Register API, "SSA
 * Definition", "Participant Statuses"): its JWKS, its access tokens (`cdr-register:read`, bound to
 * the client certificate, whose CN names the software product), GetSoftwareStatementAssertion with
 * `x-v` 4, and its refusals: 401, 403 for an inactive participant, 404, 400 and 406 for version
 * negotiation. Against a Data Holder target without a Register API these tests are skipped.
 */
import { createHash, X509Certificate } from 'node:crypto'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import { AU_CDR, expect, requiresAu, test } from '../../fixtures/au/test.ts'
import { decodeJws } from '../../fixtures/builders/jose.ts'
import { send } from '../../fixtures/clients/exchange.ts'
import { bodyOf, checkCdsError } from '../checks/cdr.ts'
import { checkErrorIs } from '../checks/errors.ts'
import { checkWwwAuthenticateBearer, ensureRejected, ensureStatus } from '../checks/http.ts'
import {
  getSsa,
  REGISTER_SCOPE,
  registerJwksUrl,
  registerToken,
  registerTokenRequest,
  ssaOf,
  ssaUrl,
  statusesUrl,
} from './register_support.ts'
import { CDS, control, inconclusive, spec } from './support.ts'

const TAGS = [AU_CDR, '@register']
const ERR = {
  missing: 'urn:au-cds:error:cds-all:Header/Missing',
  invalidVersion: 'urn:au-cds:error:cds-all:Header/InvalidVersion',
  unsupported: 'urn:au-cds:error:cds-all:Header/UnsupportedVersion',
  notActive: 'urn:au-cds:error:cds-all:Authorisation/AdrStatusNotActive',
}

test.describe('AU CDR: the CDR Register', { tag: TAGS, annotation: requiresAu('register:api') }, () => {
  test('AU-DCR-001 serves its JWKS without client authentication, and it verifies the SSAs it issues', {
    annotation: [spec(CDS.register), spec(CDS.ssa)],
  }, async ({ recipient, tlsContext, exchangeLog }) => {
    const ex = await send(
      await tlsContext('none'),
      { method: 'GET', url: registerJwksUrl(recipient), label: 'GET /cdr-register/v1/jwks' },
      exchangeLog,
    )
    await ensureStatus(ex, 200, CDS.register)
    const ssa =
      ssaOf(await getSsa(recipient, await registerToken(recipient))) ?? inconclusive('the Register issued no SSA')
    await test.step(
      'the SSA verifies with a key of the JWKS (PS256) [CDS-SSA]',
      async () => {
        const { protectedHeader } = await jwtVerify(
          ssa,
          createLocalJWKSet(ex.kind === 'response' ? (ex.json as JSONWebKeySet) : { keys: [] }),
        )
        expect.soft(protectedHeader.alg).toBe('PS256')
      },
      { box: true },
    )
  })

  test('AU-DCR-002 issues an SSA with x-v 4: PS256, every required claim, a 10-minute lifetime', {
    annotation: [spec(CDS.register), spec(CDS.ssa)],
  }, async ({ recipient, cdrSchemas }) => {
    const ex = await getSsa(recipient, await registerToken(recipient))
    await ensureStatus(ex, 200, CDS.register)
    await test.step(
      'the answer names the version it is in: x-v 4 [CDS-REGISTER-API]',
      async () => {
        expect.soft(ex.kind === 'response' ? ex.headers['x-v'] : undefined).toBe('4')
      },
      { box: true },
    )
    const ssa = ssaOf(ex) ?? inconclusive('the 200 carries no SSA')
    const { header, payload } = decodeJws(ssa)
    await test.step(
      'the SSA claims match the CDS SSA Definition, for this brand and product [CDS-SSA]',
      async () => {
        const { valid, errors } = cdrSchemas.ssa.validate(payload)
        expect.soft(valid, errors.join('\n')).toBe(true)
        expect.soft(header.alg).toBe('PS256')
        expect.soft(payload.software_id).toBe(recipient.profile.softwareProductId)
        expect.soft(payload.org_id).toBe(recipient.profile.brandId)
      },
      { box: true },
    )
    await test.step(
      'the SSA lives at most 10 minutes (exp - iat <= 600) [CDS-SSA]',
      async () => {
        expect.soft(Number(payload.exp) - Number(payload.iat)).toBeLessThanOrEqual(600)
      },
      { box: true },
    )
  })

  test('AU-DCR-003 issues a cdr-register:read token bound to the client certificate', {
    annotation: [spec(CDS.register), spec('RFC8705-3')],
  }, async ({ recipient }) => {
    const ex = await registerTokenRequest(recipient)
    await ensureStatus(ex, 200, CDS.register)
    const body = bodyOf(ex)
    await test.step(
      'a Bearer token for cdr-register:read [CDS-REGISTER-API]',
      async () => {
        expect.soft(String(body.token_type).toLowerCase()).toBe('bearer')
        expect.soft(String(body.scope ?? REGISTER_SCOPE)).toBe(REGISTER_SCOPE)
      },
      { box: true },
    )
    const token = String(body.access_token)
    test.skip(token.split('.').length !== 3, 'the Register token is opaque: its binding is checked by AU-DCR-005')
    await test.step(
      "the token's cnf x5t#S256 is the client certificate's thumbprint [RFC8705-3]",
      async () => {
        const der = new X509Certificate(recipient.profile.transport.cert).raw
        const expected = createHash('sha256').update(der).digest('base64url')
        expect.soft((decodeJws(token).payload.cnf as Record<string, unknown> | undefined)?.['x5t#S256']).toBe(expected)
      },
      { box: true },
    )
  })

  test('AU-DCR-004 refuses GetSoftwareStatementAssertion without a token, or with one it did not issue: 401', {
    annotation: [spec(CDS.register), spec('RFC6750-3')],
    tag: '@negative',
  }, async ({ recipient }) => {
    for (const [what, token] of [
      ['no token', null],
      ['a token it did not issue', 'eyJhbGciOiJub25lIn0.e30.'],
    ] as const) {
      await test.step(`${what}: 401`, async () => {
        const ex = await getSsa(recipient, token)
        await ensureRejected(ex, [401], { ref: CDS.register })
        await checkWwwAuthenticateBearer(ex)
      })
    }
    await control(
      'the same request with its token',
      async () => getSsa(recipient, await registerToken(recipient)),
      [200],
    )
  })

  test('AU-DCR-005 refuses its token shown over another client certificate: 401 (holder of key)', {
    annotation: [spec(CDS.register), spec('RFC8705-3'), requiresAu('recipient:second')],
    tag: '@negative',
  }, async ({ recipient, recipientFor, auTarget }) => {
    const token = await registerToken(recipient)
    const otherCert = await recipientFor(recipient.profile, auTarget.secondRecipient)
    await ensureRejected(await getSsa(otherCert, token), [401], { ref: 'RFC8705-3' })
    await control('the same token over its own certificate', () => getSsa(recipient, token), [200])
  })

  test('AU-DCR-006 negotiates the version: 400 without or with a bad x-v, 406 when none is supported, the highest supported otherwise', {
    annotation: [spec(CDS.register)],
    tag: '@negative',
  }, async ({ recipient, cdrSchemas }) => {
    const token = await registerToken(recipient)
    const cases: [string, Record<string, string>, number, string][] = [
      ['no x-v', {}, 400, ERR.missing],
      ['x-v "abc"', { 'x-v': 'abc' }, 400, ERR.invalidVersion],
      ['x-v 3 (obsolete)', { 'x-v': '3' }, 406, ERR.unsupported],
      ['x-v 3, x-min-v 1', { 'x-v': '3', 'x-min-v': '1' }, 406, ERR.unsupported],
    ]
    for (const [what, headers, status, code] of cases) {
      await test.step(`${what}: ${status}`, async () =>
        checkCdsError(await getSsa(recipient, token, headers), status, code, cdrSchemas.register_error))
    }
    const ex = await control(
      'x-v 5 with x-min-v 4: the highest supported version',
      () => getSsa(recipient, token, { 'x-v': '5', 'x-min-v': '4' }),
      [200],
    )
    await test.step(
      'answered in version 4 [CDS-REGISTER-API]',
      async () => {
        expect.soft(ex.kind === 'response' ? ex.headers['x-v'] : undefined).toBe('4')
      },
      { box: true },
    )
  })

  test("AU-DCR-007 refuses an unknown brand or product, or a product other than the token's: 404", {
    annotation: [spec(CDS.register), requiresAu('recipient:second')],
    tag: '@negative',
  }, async ({ recipient, secondRecipient, cdrSchemas }) => {
    const token = await registerToken(recipient)
    const unknown = '00000000-0000-4000-8000-000000000404'
    const cases: [string, string, string][] = [
      ['an unknown brand', ssaUrl(recipient, { brandId: unknown }), 'urn:au-cds:error:cds-register:Field/InvalidBrand'],
      [
        'an unknown software product',
        ssaUrl(recipient, { productId: unknown }),
        'urn:au-cds:error:cds-register:Field/InvalidSoftwareProduct',
      ],
      [
        "another recipient's brand and product",
        ssaUrl(recipient, {
          brandId: secondRecipient.profile.brandId,
          productId: secondRecipient.profile.softwareProductId,
        }),
        'urn:au-cds:error:cds-register:Field/InvalidSoftwareProduct',
      ],
    ]
    for (const [what, url, code] of cases) {
      await test.step(`${what}: 404`, async () =>
        checkCdsError(await getSsa(recipient, token, { 'x-v': '4' }, url), 404, code, cdrSchemas.register_error))
    }
    await control("the token's own brand and product", () => getSsa(recipient, token), [200])
  })

  test('AU-DCR-008 refuses SSAs while the data recipient, its brand or its product is not active: 403', {
    annotation: [spec(CDS.register), spec(CDS.ssa), requiresAu('register:statuses')],
    tag: '@negative',
  }, async ({ recipientFor, auTarget, cdrSchemas }) => {
    const r = await recipientFor(auTarget.statusRecipient ?? auTarget.recipient)
    const token = await registerToken(r)
    const url = statusesUrl(r, r.profile.softwareProductId)
    const setStatuses = (statuses: Record<string, string>) =>
      r.call({
        method: 'PUT',
        url,
        label: 'PUT /cdr-register/mock-admin/.../statuses',
        headers: { 'content-type': 'application/json' },
        data: JSON.stringify(statuses),
      })
    const active = { legalEntityStatus: 'ACTIVE', brandStatus: 'ACTIVE', softwareProductStatus: 'ACTIVE' }
    const inactive: Record<string, string>[] = [
      { legalEntityStatus: 'SUSPENDED' },
      { legalEntityStatus: 'REVOKED' },
      { legalEntityStatus: 'SURRENDERED' },
      { brandStatus: 'INACTIVE' },
      { brandStatus: 'REMOVED' },
      { softwareProductStatus: 'INACTIVE' },
      { softwareProductStatus: 'REMOVED' },
    ]
    try {
      for (const change of inactive) {
        await test.step(`${JSON.stringify(change)}: 403`, async () => {
          await control('the Register records the status', () => setStatuses({ ...active, ...change }), [200])
          await checkCdsError(await getSsa(r, token), 403, ERR.notActive, cdrSchemas.register_error)
        })
      }
    } finally {
      await setStatuses(active)
    }
    await control('all active again: the SSA is issued', () => getSsa(r, token), [200])
  })

  test("AU-DCR-009 refuses a token request over another product's certificate, for another scope or grant", {
    annotation: [spec(CDS.register), spec(CDS.certificates), requiresAu('recipient:second')],
    tag: '@negative',
  }, async ({ recipient, recipientFor, auTarget }) => {
    const otherCert = await recipientFor(recipient.profile, auTarget.secondRecipient)
    await test.step("another product's client certificate: invalid_client", async () => {
      const ex = await registerTokenRequest(otherCert)
      await ensureRejected(ex, [400, 401], { ref: CDS.certificates })
      await checkErrorIs(ex, ['invalid_client'], 'RFC6749-5.2')
    })
    await test.step('scope cdr-register:write: invalid_scope', async () => {
      const ex = await registerTokenRequest(recipient, { form: { scope: 'cdr-register:write' } })
      await ensureRejected(ex, [400], { ref: CDS.register })
      await checkErrorIs(ex, ['invalid_scope', 'invalid_client'], 'RFC6749-5.2')
    })
    await test.step('grant_type authorization_code: unsupported_grant_type', async () => {
      const ex = await registerTokenRequest(recipient, { form: { grant_type: 'authorization_code' } })
      await ensureRejected(ex, [400], { ref: CDS.register })
      await checkErrorIs(ex, ['unsupported_grant_type'], 'RFC6749-5.2')
    })
    await control('the same token request over its own certificate', () => registerTokenRequest(recipient), [200])
  })
})
