/**
 * What the AU tests share: their annotations (spec clause, the reference behaviours a test proves,
 * the negative catalogue id it is the AU form of), the positive control of every refusal, and the
 * common preconditions.
 */
import type { CdrRequestOptions, Recipient } from '../../fixtures/au/recipient.ts'
import type { CdrRegisteredClient } from '../../fixtures/au/test.ts'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import {
  control as controlStep,
  ensureSucceeded,
  inconclusive,
  precondition,
  registeredClientId,
} from '../../fixtures/controls.ts'

export { inconclusive, precondition }

/** The CDS 1.36 sections the AU checks cite (README "AU CDR: spec references"). */
export const CDS = {
  request: 'CDS-REG-REQ',
  validation: 'CDS-REG-VAL',
  ssa: 'CDS-SSA',
  response: 'CDS-REG-RESP',
  errors: 'CDS-REG-ERR',
  management: 'CDS-REG-MGMT',
  api: 'CDS-DCR-API',
  clientAuth: 'CDS-CLIENT-AUTH',
  tokens: 'CDS-TOKENS',
  par: 'CDS-PAR',
  flows: 'CDS-FLOWS',
  requestObject: 'CDS-REQ-OBJ',
  tls: 'CDS-TLS',
  certificates: 'CDS-CERTS',
  discovery: 'CDS-DISCOVERY',
  register: 'CDS-REGISTER-API',
} as const

export const spec = (description: string) => ({ type: 'spec', description }) as const
/** The reference behaviours (fixtures/catalogue/cdr_behaviours.ts) this test proves. */
export const behaviour = (...ids: number[]) =>
  ({ type: 'behaviour', description: ids.map(n => `CDR-B${String(n).padStart(2, '0')}`).join(', ') }) as const
/** The negative-catalogue checks (shared/catalogue/dcr-checks.md) this test is the AU form of. */
export const formOf = (...ids: string[]) => ({ type: 'au-form-of', description: ids.join(', ') }) as const

/**
 * The positive control of a refusal: the same request without its fault must succeed (`expected`)
 * against the same target, else the refusal proves nothing and the test is inconclusive
 * (fixtures/controls.ts, as for the UK tests).
 */
export function control(title: string, run: () => Promise<Exchange>, expected: readonly number[] = [201]) {
  return controlStep(title, async () => {
    const ex = await run()
    ensureSucceeded(ex, expected)
    return ex
  })
}

/**
 * A registration of `r` the test needs before it can check anything (a precondition): accepted
 * with 201 and a client_id, else the test is inconclusive. Returns the request and the answer.
 */
export function registerFirst(r: Recipient, title: string, opts: CdrRequestOptions = {}) {
  return precondition(title, async () => {
    const res = await r.register(opts)
    ensureSucceeded(res.exchange, [201])
    registeredClientId(res.exchange)
    return res
  })
}

/** A fresh `cdr:registration` token of a registered client (a precondition). */
export const freshToken = (client: CdrRegisteredClient, scope?: string) =>
  precondition(`a ${scope ?? 'cdr:registration'} token`, () => client.token(scope))

/** The client's registration read back with its own token (for "nothing changed" checks). */
export async function readBack(client: CdrRegisteredClient): Promise<Record<string, unknown>> {
  const token = await freshToken(client)
  const ex = await control(
    'GET the registration with its own token',
    () => client.recipient.dcr.get(client.clientId, token),
    [200],
  )
  return (ex.kind === 'response' ? ex.json : {}) as Record<string, unknown>
}
