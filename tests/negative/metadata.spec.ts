/**
 * NEG-META (catalogue §2.5): a registration is refused when its client metadata break the OB DCR
 * data dictionary of the target's version, RFC 7591, RFC 8705 or FAPI; where the catalogue leaves
 * the answer to the bank ("profile"), a refusal or a correct default passes and the report says
 * which — on POST /register, and again on PUT /register/{ClientId} (NEG-MGMT-24).
 */
import { dnClaim } from '../../fixtures/builders/registration.ts'
import { controlManagement, controlToken, precondition, tokenOk } from '../../fixtures/controls.ts'
import { test, withAuthMethod } from '../../fixtures/negative.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import type { TppProfile } from '../../fixtures/targets/types.ts'
import { checkTokenRefusal } from '../checks/client_auth.ts'
import { checkRegistrationUnchanged, readRegistration } from '../checks/management.ts'
import { declareRegistrationCases } from './cases.ts'
import { METADATA_CASES } from './metadata_cases.ts'
import { checkRegistrationRefused, controlRegistration } from './review_steps.ts'

const spec = (description: string) => ({ type: 'spec', description })

declareRegistrationCases('@metadata', METADATA_CASES)

test.describe('NEG-META-38 the subject DN names the certificate of the registration', {
  tag: ['@dcr', '@negative', '@metadata', '@tls'],
}, () => {
  withAuthMethod('tls_client_auth', () => {
    test("NEG-META-38 refuses a tls_client_auth_subject_dn that is another TPP's, on POST and PUT; that TPP's certificate gets no token", {
      annotation: [
        spec('RFC8705-2.1.2'),
        spec('OBDCR-tls_client_auth_subject_dn'),
        spec('RFC7591-3.2.2'),
        requires('tpp:second'),
      ],
    }, async ({ tpp, secondTpp, tppFor, target, schemas }) => {
      const member = dnClaim(target.specVersion)
      // The second TPP's DN: another organisation's certificate, trusted by the bank.
      const foreign = {
        authMethod: 'tls_client_auth',
        claims: { [member]: secondTpp.profile.transport.subjectDn },
      } as const
      const { exchange } = await tpp.register(foreign)
      await checkRegistrationRefused(exchange, ['invalid_client_metadata'], schemas)
      const clientId = await controlRegistration(tpp, "the same request with its own certificate's DN", {
        authMethod: 'tls_client_auth',
      })
      await controlToken(tpp, clientId, 'tls_client_auth', 'the client gets a token over its own certificate')
      const other = await tppFor(target.tpp, target.secondTpp as TppProfile)
      await test.step("the other TPP's certificate gets no token for the client [RFC8705-2.1.2]", async () => {
        await checkTokenRefusal(await other.tokens.clientCredentials(clientId, 'tls_client_auth'), ['invalid_client'])
      })
      if (!target.operations.put) {
        test
          .info()
          .annotations.push({ type: 'skipped-step', description: `the PUT half: ${target.name} offers no PUT` })
        return
      }
      const token = await precondition('a token of the client', () => tokenOk(tpp, clientId, 'tls_client_auth'))
      const before = await readRegistration(tpp, clientId, 'tls_client_auth', target)
      const put = await tpp.dcr.update(clientId, token, (await tpp.registrationRequest(foreign)).jws)
      await checkRegistrationRefused(put, ['invalid_client_metadata'], schemas, 'RFC7592-2.2')
      await checkRegistrationUnchanged(before, await readRegistration(tpp, clientId, 'tls_client_auth', target))
      await test.step("the other TPP's certificate still gets no token for the client [RFC8705-2.1.2]", async () => {
        await checkTokenRefusal(await other.tokens.clientCredentials(clientId, 'tls_client_auth'), ['invalid_client'])
      })
      await controlManagement(
        tpp,
        'put',
        { clientId, authMethod: 'tls_client_auth' },
        {
          bearer: token,
          jws: (await tpp.registrationRequest({ authMethod: 'tls_client_auth' })).jws,
          title: "the same update with the client's own DN is accepted: 200",
        },
      )
    })
  })
})
