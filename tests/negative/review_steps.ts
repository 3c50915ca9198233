/**
 * Steps the tests of the security review's catalogue ids (§2.10) share: a registration the bank
 * must refuse, changing nothing, and the positive control that the same request without its fault
 * is accepted by the same target in the same test. Not collected as tests.
 */
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import { controlRegistration as registrationControl } from '../../fixtures/controls.ts'
import type { RequestOptions, Tpp } from '../../fixtures/tpp.ts'
import type { Validators } from '../../fixtures/validators.ts'
import { checkRegistrationRefusal, type RegistrationError } from '../checks/errors.ts'
import { ensureStatus } from '../checks/http.ts'

/** RFC 7591 §3.2.2: 400 with one of `errors`, a JSON error body, and no client_id (nothing registered). */
export async function checkRegistrationRefused(
  ex: Exchange,
  errors: readonly RegistrationError[],
  schemas: Validators,
  ref = 'RFC7591-3.2.2',
) {
  await ensureStatus(ex, 400, ref)
  await checkRegistrationRefusal(ex, errors, schemas.registrationError)
}

/** The positive control: the same registration without its fault is accepted (201); its client id. */
export async function controlRegistration(tpp: Tpp, what: string, opts: RequestOptions = {}): Promise<string> {
  return (await registrationControl(tpp, opts, `${what} is registered`)).clientId
}
