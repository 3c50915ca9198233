/** `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server` (OIDC Discovery §3, RFC 8414 §2-3, RFC 8705 §5) and `/jwks`. */
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import { SUPPORTED_SCOPES } from '../profiles/uk_ob/rules/metadata.ts'
import { ALLOWED_JWS_ALGS } from '../shared/signed_inputs.ts'

export function discoveryDocument(bank: Bank): Record<string, unknown> {
  const e = bank.endpoints
  return {
    issuer: e.issuer,
    authorization_endpoint: e.authorization,
    pushed_authorization_request_endpoint: e.par,
    token_endpoint: e.token,
    jwks_uri: e.jwks,
    registration_endpoint: e.registration,
    introspection_endpoint: e.introspection,
    revocation_endpoint: e.revocation,
    // One listener serves mutual TLS on every path, so the aliases are the same URLs.
    mtls_endpoint_aliases: {
      token_endpoint: e.token,
      registration_endpoint: e.registration,
      introspection_endpoint: e.introspection,
      revocation_endpoint: e.revocation,
      pushed_authorization_request_endpoint: e.par,
    },
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: ['code', 'code id_token'],
    response_modes_supported: ['query', 'fragment'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    subject_types_supported: ['public'],
    claims_supported: ['sub', 'acr', 'openbanking_intent_id'],
    acr_values_supported: ['urn:openbanking:psd2:sca', 'urn:openbanking:psd2:ca'],
    id_token_signing_alg_values_supported: ['PS256'],
    request_object_signing_alg_values_supported: [...ALLOWED_JWS_ALGS],
    token_endpoint_auth_methods_supported: [...bank.options.authMethods],
    token_endpoint_auth_signing_alg_values_supported: [...ALLOWED_JWS_ALGS],
    introspection_endpoint_auth_methods_supported: [...bank.options.authMethods],
    revocation_endpoint_auth_methods_supported: [...bank.options.authMethods],
    ...(bank.deviations.has('discovery-omits-bound-tokens-flag')
      ? {}
      : { tls_client_certificate_bound_access_tokens: true }),
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: false,
    // FAPI 1 Advanced §5.2.2: /authorize and /par take signed request objects only (RFC 9101 §10.5).
    require_signed_request_object: true,
    // Both the request object by value and a pushed request work (RFC 9126 §5): PAR is not required.
    require_pushed_authorization_requests: false,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    claims_parameter_supported: false,
  }
}

export async function discovery(ctx: Context): Promise<void> {
  ctx.body = discoveryDocument(ctx.bank)
}

/** The bank's public signing keys (ID tokens, JWT access tokens). */
export async function jwks(ctx: Context): Promise<void> {
  ctx.body = (ctx.bank as Bank).signing.jwks
}
