/**
 * Checks of the shape of answers across endpoints (catalogue FMT): error members, caching,
 * authentication challenges, discovery metadata of certificate-bound tokens and mTLS aliases.
 */
import { expect, test } from '@playwright/test'
import type { OpenIdConfiguration } from '../../fixtures/clients/discovery.ts'
import { type Exchange, requestName } from '../../fixtures/clients/exchange.ts'
import { warn } from './annotations.ts'
import { bearerChallenge } from './http.ts'
import { bodyOf } from './registration.ts'

const what = (ex: Exchange) => requestName(ex.request)

/** OB OpenAPI (RegistrationError): `error_description` is at most 500 characters (FMT-02). */
export async function checkErrorDescriptionLength(ex: Exchange, max = 500) {
  await test.step(
    `${what(ex)}: error_description is at most ${max} characters [OBDCR-OpenAPI-RegistrationError]`,
    async () => {
      const d = bodyOf(ex).error_description
      if (typeof d !== 'string') return
      expect.soft(d.length, `error_description has ${d.length} characters`).toBeLessThanOrEqual(max)
    },
    { box: true },
  )
}

/** RFC 6749 §5.2: `error_uri`, where present, is a URI of the allowed characters (FMT-03). */
export async function checkErrorUri(ex: Exchange) {
  await test.step(
    `${what(ex)}: error_uri, where present, is an absolute URI of %x21 / %x23-5B / %x5D-7E [RFC6749-5.2]`,
    async () => {
      const uri = bodyOf(ex).error_uri
      if (uri === undefined) return
      const ok = typeof uri === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(uri) && URL.canParse(uri)
      expect.soft(ok, `error_uri was ${JSON.stringify(uri)}`).toBe(true)
    },
    { box: true },
  )
}

/** RFC 9110 §15.5.2, RFC 6750 §3: a 401 names its scheme; a bearer-protected resource says `Bearer` (FMT-05). */
export async function checkChallengeOn401(ex: Exchange, scheme?: 'Bearer') {
  if (ex.kind !== 'response' || ex.status !== 401) return
  await test.step(
    `${what(ex)}: the 401 carries WWW-Authenticate${scheme ? `: ${scheme} …` : ''} [RFC6750-3]`,
    async () => {
      const header = ex.headers['www-authenticate']
      expect.soft(header, 'a 401 without WWW-Authenticate').toBeTruthy()
      if (scheme && header) {
        expect.soft(bearerChallenge(header), `WWW-Authenticate was ${JSON.stringify(header)}`).toBeDefined()
      }
    },
    { box: true },
  )
}

/** RFC 8705 §3.3: the bank says it issues certificate-bound access tokens (FMT-06). */
export async function checkBoundTokensAdvertised(config: OpenIdConfiguration) {
  await test.step(
    'tls_client_certificate_bound_access_tokens is true [RFC8705-3.3]',
    async () => {
      const v = config.tls_client_certificate_bound_access_tokens
      expect.soft(v, `tls_client_certificate_bound_access_tokens was ${JSON.stringify(v ?? null)}`).toBe(true)
    },
    { box: true },
  )
}

/**
 * RFC 8705 §5: where `mtls_endpoint_aliases` is published, it names the token endpoint (where
 * certificate-bound tokens are issued); a missing registration alias is reported as a warning
 * (the registration endpoint may then need mutual TLS itself) (FMT-06).
 */
export async function checkMtlsAliasesNameTokenAndRegistration(config: OpenIdConfiguration) {
  await test.step(
    'mtls_endpoint_aliases, where published, names token_endpoint (and registration_endpoint) [RFC8705-5]',
    async () => {
      const aliases = config.mtls_endpoint_aliases
      if (aliases === undefined) return
      expect.soft(typeof aliases.token_endpoint, 'mtls_endpoint_aliases has no token_endpoint').toBe('string')
      if (aliases.registration_endpoint === undefined) {
        warn('mtls_endpoint_aliases has no registration_endpoint: registrations go to registration_endpoint')
      }
    },
    { box: true },
  )
}
