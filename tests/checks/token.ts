/**
 * Checks of token endpoint answers (RFC 6749 §4.4.3, §5.1; RFC 6750).
 */
import { expect, test } from '@playwright/test'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import { accessTokenOf } from '../../fixtures/clients/token_client.ts'
import type { Validator } from '../../fixtures/validators.ts'
import { ensureStatus } from './http.ts'
import { bodyOf } from './registration.ts'

/** Stops the test unless a client_credentials request was answered 200 with an access token; returns it. */
export async function ensureAccessToken(ex: Exchange): Promise<string> {
  await ensureStatus(ex, 200, 'RFC6749-4.4.3')
  return test.step(
    'the token response carries an access_token [RFC6749-5.1]',
    async () => {
      const token = accessTokenOf(ex)
      expect(token, `access_token was ${JSON.stringify(bodyOf(ex).access_token ?? null)}`).toBeDefined()
      return token as string
    },
    { box: true },
  )
}

/** RFC 6749 §5.1, RFC 6750 §4: the token response matches the token schema; token_type is Bearer. */
export async function validateTokenResponse(ex: Exchange, validator: Validator) {
  await test.step(
    'the token response matches the token response schema (token_type Bearer) [RFC6749-5.1]',
    async () => {
      const { valid, errors } = validator.validate(bodyOf(ex))
      expect.soft(valid, `schema violations:\n${errors.join('\n')}`).toBe(true)
      const type = bodyOf(ex).token_type
      expect
        .soft(typeof type === 'string' && type.toLowerCase() === 'bearer', `token_type was ${JSON.stringify(type)}`)
        .toBe(true)
    },
    { box: true },
  )
}
