/**
 * Checks of the OpenID Provider configuration (OIDC Discovery §3, RFC 8414 §2, RFC 8705 §5, OB DCR "Discovery").
 */
import { expect, test } from '@playwright/test'
import type { OpenIdConfiguration } from '../../fixtures/clients/discovery.ts'
import type { Validator } from '../../fixtures/validators.ts'

const isHttpsUrl = (v: unknown) => {
  if (typeof v !== 'string') return false
  try {
    const u = new URL(v)
    return u.protocol === 'https:' && u.host !== ''
  } catch {
    return false
  }
}

/** OBDCR DCR-001: discovery advertises `registration_endpoint` as an absolute https URL (FMT-06). */
export async function checkRegistrationEndpoint(config: OpenIdConfiguration) {
  await test.step(
    'registration_endpoint is an absolute https URL [OIDCD-3]',
    async () => {
      const v = config.registration_endpoint
      expect.soft(isHttpsUrl(v), `registration_endpoint was ${JSON.stringify(v ?? null)}`).toBe(true)
    },
    { box: true },
  )
}

/** RFC 8705 §5: where `mtls_endpoint_aliases` is published, each alias is an absolute https URL. */
export async function checkMtlsEndpointAliases(config: OpenIdConfiguration) {
  await test.step(
    'mtls_endpoint_aliases, where published, are absolute https URLs [RFC8705-5]',
    async () => {
      const aliases = config.mtls_endpoint_aliases
      if (aliases === undefined) return
      expect.soft(typeof aliases === 'object' && aliases !== null, 'mtls_endpoint_aliases is not an object').toBe(true)
      for (const [name, url] of Object.entries(aliases ?? {})) {
        expect.soft(isHttpsUrl(url), `mtls_endpoint_aliases.${name} was ${JSON.stringify(url)}`).toBe(true)
      }
    },
    { box: true },
  )
}

/** OIDC Discovery §3: the methods the suite will test are advertised in token_endpoint_auth_methods_supported. */
export async function checkAuthMethodsAdvertised(config: OpenIdConfiguration, methods: readonly string[]) {
  await test.step(
    `token_endpoint_auth_methods_supported lists ${methods.join(', ')} [OIDCD-3]`,
    async () => {
      const supported = config.token_endpoint_auth_methods_supported
      expect.soft(Array.isArray(supported), 'token_endpoint_auth_methods_supported is missing').toBe(true)
      const missing = methods.filter(m => !(supported ?? []).includes(m))
      expect.soft(missing, `not advertised: ${missing.join(', ')}`).toEqual([])
    },
    { box: true },
  )
}

/** The configuration matches the discovery schema. */
export async function validateDiscovery(config: OpenIdConfiguration, validator: Validator) {
  await test.step(
    'the configuration matches the discovery schema [OIDCD-3]',
    async () => {
      const { valid, errors } = validator.validate(config)
      expect.soft(valid, `schema violations:\n${errors.join('\n')}`).toBe(true)
    },
    { box: true },
  )
}
