/**
 * Checks that a refused management call or a token that must be dead changed nothing (RFC 7592
 * §2; OB DCR GET/PUT/DELETE): the registration reads back as before, the client is still there,
 * and a revoked or foreign token stays refused.
 */
import { expect, test } from '@playwright/test'
import type { AuthMethod } from '../../fixtures/builders/registration.ts'
import { type Exchange, outcomeOf } from '../../fixtures/clients/exchange.ts'
import type { Target } from '../../fixtures/targets/types.ts'
import type { Tpp } from '../../fixtures/tpp.ts'
import { recordAnswer } from './annotations.ts'
import { type Body, bodyOf } from './registration.ts'

/** RFC 7592 §3 lets a server rotate this on every read: it is not part of the registration's state. */
const VOLATILE = new Set(['registration_access_token'])

const withoutVolatile = (b: Body) => Object.fromEntries(Object.entries(b).filter(([k]) => !VOLATILE.has(k)))

/**
 * The registration as the client reads it now, with a fresh token of its own, or undefined when the
 * target offers no GET (the "nothing changed" comparison is then reported as a skipped step).
 */
export async function readRegistration(
  tpp: Tpp,
  clientId: string,
  method: AuthMethod,
  target: Target,
): Promise<Body | undefined> {
  if (!target.operations.get) return undefined
  return test.step('read the registration with a fresh token of the client', async () => {
    const ex = await tpp.dcr.get(clientId, await tpp.accessToken(clientId, method))
    expect(ex.kind === 'response' && ex.status, `GET of the client: ${outcomeOf(ex)}`).toBe(200)
    return bodyOf(ex)
  })
}

/** RFC 7592 §2.2: a refused update leaves the registration as it was (NEG-MGMT-18). */
export async function checkRegistrationUnchanged(before: Body | undefined, after: Body | undefined) {
  if (before === undefined || after === undefined) {
    test.info().annotations.push({
      type: 'skipped-step',
      description: 'the registration is unchanged: the target offers no GET /register/{ClientId} to compare with',
    })
    return
  }
  await test.step(
    'the registration reads back exactly as before the refused call [RFC7592-2.2]',
    async () => {
      expect.soft(withoutVolatile(after), 'the registration changed').toEqual(withoutVolatile(before))
    },
    { box: true },
  )
}

/**
 * The client still exists after a refused call: it still gets a client_credentials token, and
 * reads back 200 where GET is offered (RFC 7592 §2.3: a refused DELETE deletes nothing).
 */
export async function checkClientAlive(tpp: Tpp, clientId: string, method: AuthMethod, target: Target) {
  await test.step(
    'the client still exists: it gets a token and reads back [RFC7592-2.3]',
    async () => {
      const tokenEx = await tpp.tokens.clientCredentials(
        clientId,
        method,
        tpp.profile.tokenScope === undefined ? {} : { scope: tpp.profile.tokenScope },
      )
      const token = tokenEx.kind === 'response' ? (bodyOf(tokenEx).access_token as string | undefined) : undefined
      expect.soft(token, `the client got no token: ${outcomeOf(tokenEx)}`).toBeTruthy()
      if (token && target.operations.get) {
        const read = await tpp.dcr.get(clientId, token)
        expect.soft(read.kind === 'response' && read.status, `GET of the client: ${outcomeOf(read)}`).toBe(200)
      }
    },
    { box: true },
  )
}

/**
 * A token that must be dead (revoked, or its client deleted) is refused with 401 on its own client's
 * configuration endpoint: GET where offered, else PUT with a valid request, else DELETE. Returns the
 * exchange (for further checks).
 */
export async function checkTokenRefused(
  tpp: Tpp,
  clientId: string,
  token: string,
  target: Target,
  why: string,
  ref = 'RFC6750-3.1',
): Promise<Exchange> {
  return test.step(
    `the ${why} token is refused with 401 on its own client [${ref}]`,
    async () => {
      let ex: Exchange
      if (target.operations.get) ex = await tpp.dcr.get(clientId, token)
      else if (target.operations.put) ex = await tpp.dcr.update(clientId, token, (await tpp.registrationRequest()).jws)
      else ex = await tpp.dcr.delete(clientId, token)
      if (!target.operations.get) recordAnswer('dead-token-probe', ex.request.method)
      expect.soft(ex.kind === 'response' && ex.status, `the ${why} token: ${outcomeOf(ex)}`).toBe(401)
      return ex
    },
    { box: true },
  )
}
