/**
 * NEG-SSA (catalogue §2.4): a registration is refused when its software statement is missing,
 * malformed, untrusted, expired, incomplete, of an inactive organisation, or contradicted by the
 * request; the choices OB DCR leaves to the bank (SSA reuse, several clients per software) are
 * asserted as the target declares them — on POST /register, and again on PUT (NEG-MGMT-24).
 */
import { decodeJws, epoch, signWithHeader } from '../../fixtures/builders/jose.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import { test } from '../../fixtures/test.ts'
import { declareRegistrationCases } from './cases.ts'
import { checkRegistrationRefused, controlRegistration } from './review_steps.ts'
import { SSA_CASES } from './ssa_cases.ts'

const spec = (description: string) => ({ type: 'spec', description })

declareRegistrationCases('@ssa', SSA_CASES)

test.describe('NEG-SSA-19 the software statement is valid now, with numeric times and no unknown crit', {
  tag: ['@dcr', '@negative', '@ssa'],
}, () => {
  test('NEG-SSA-19 rejects a software statement not valid yet (nbf ahead), with non-numeric nbf, iat or exp, or an unknown crit', {
    annotation: [spec('RFC7519-4.1.5'), spec('RFC7515-4.1.11'), spec('RFC7591-3.2.2'), requires('ssa:mint')],
  }, async ({ tpp, target, schemas }) => {
    const directory = target.directory as NonNullable<typeof target.directory>
    const cases: [string, () => Promise<string>][] = [
      ['nbf an hour ahead', () => tpp.ssa({ nbf: '+1h' })],
      ['nbf as a string', () => tpp.ssa({ nbf: String(epoch()) })],
      ['iat as a string', () => tpp.ssa({ iat: String(epoch()) })],
      ['exp as a string', () => tpp.ssa({ exp: String(epoch() + 3600) })],
      [
        'a crit header naming an extension no directory defines',
        async () =>
          signWithHeader(decodeJws(await tpp.ssa()).payload, directory.signer, {
            crit: ['urn:ob-dcr-suite:unknown'],
            'urn:ob-dcr-suite:unknown': true,
          }),
      ],
    ]
    for (const [name, ssa] of cases) {
      await test.step(`a software statement with ${name}`, async () => {
        const { exchange } = await tpp.register({ ssa: await ssa() })
        await checkRegistrationRefused(exchange, ['invalid_software_statement'], schemas)
      })
    }
    await controlRegistration(tpp, 'a software statement minted and signed the same way without those faults', {
      ssa: signWithHeader(decodeJws(await tpp.ssa({ nbf: '-1m' })).payload, directory.signer, {}),
    })
  })
})
