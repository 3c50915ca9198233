/**
 * NEG-JWT (catalogue §2.3): the signed registration request is refused when its media type, its
 * JWS form, its signature, its JOSE header or its claims are wrong — on POST /register, and the
 * same table again on PUT /register/{ClientId} (NEG-MGMT-24).
 */
import { test } from '../../fixtures/test.ts'
import { declareRegistrationCases } from './cases.ts'
import { REQUEST_JWT_CASES } from './request_jwt_cases.ts'
import { checkRegistrationRefused, controlRegistration } from './review_steps.ts'

const spec = (description: string) => ({ type: 'spec', description })

declareRegistrationCases('@jwt', REQUEST_JWT_CASES)

test.describe('NEG-JWT-15 a registration request is short-lived', { tag: ['@dcr', '@negative', '@jwt'] }, () => {
  test('NEG-JWT-15 rejects a registration request issued long ago or valid for ever (iat far past or negative, exp 1e20)', {
    annotation: [spec('OBDCR-data-dictionary'), spec('RFC7519-4.1.4'), spec('RFC7519-4.1.6'), spec('RFC7591-3.2.2')],
  }, async ({ tpp, schemas }) => {
    for (const [name, claims] of [
      ['issued thirty days ago, valid five more minutes', { iat: '-30d', exp: '+5m' }],
      ['issued at -100 (1969), valid until 1e20', { iat: -100, exp: 1e20 }],
      ['issued now, valid until 1e20', { exp: 1e20 }],
    ] as const) {
      await test.step(`a request ${name}`, async () => {
        const { exchange } = await tpp.register({ claims })
        await checkRegistrationRefused(exchange, ['invalid_client_metadata'], schemas)
      })
    }
    await controlRegistration(tpp, 'the same request issued now and valid five minutes', {
      claims: { iat: '+0s', exp: '+5m' },
    })
  })
})
