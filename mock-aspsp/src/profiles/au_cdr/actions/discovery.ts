/**
 * The Data Holder's OpenID Provider configuration (CDS 1.36 "OpenID Provider Configuration
 * endpoint": every metadata the Data Holder MUST include) and its `/jwks`.
 */
import type { Context } from 'koa'
import type { Bank } from '../../../config/bank.ts'
import { ALLOWED_JWS_ALGS } from '../../../shared/signed_inputs.ts'
import { JARM_ENCRYPTION_ALGS, JARM_ENCRYPTION_ENCS, SUPPORTED_SCOPES } from '../rules/metadata.ts'
import { cdr } from '../state.ts'

export function cdrDiscoveryDocument(bank: Bank): Record<string, unknown> {
  const issuer = bank.endpoints.issuer
  const algs = [...ALLOWED_JWS_ALGS]
  return {
    issuer,
    authorization_endpoint: bank.endpoints.authorization,
    token_endpoint: bank.endpoints.token,
    jwks_uri: bank.endpoints.jwks,
    registration_endpoint: bank.endpoints.registration,
    userinfo_endpoint: `${issuer}/userinfo`,
    introspection_endpoint: bank.endpoints.introspection,
    revocation_endpoint: bank.endpoints.revocation,
    pushed_authorization_request_endpoint: bank.endpoints.par,
    cdr_arrangement_revocation_endpoint: `${issuer}/arrangements/revoke`,
    acr_values_supported: ['urn:cds.au:cdr:2', 'urn:cds.au:cdr:3'],
    claims_supported: ['sub', 'acr', 'auth_time'],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    id_token_signing_alg_values_supported: algs,
    request_object_signing_alg_values_supported: algs,
    response_modes_supported: ['jwt'],
    response_types_supported: ['code'],
    scopes_supported: [...SUPPORTED_SCOPES],
    subject_types_supported: ['pairwise'],
    token_endpoint_auth_methods_supported: [...bank.options.authMethods],
    token_endpoint_auth_signing_alg_values_supported: algs,
    code_challenge_methods_supported: ['S256'],
    tls_client_certificate_bound_access_tokens: true,
    require_pushed_authorization_requests: true,
    authorization_signing_alg_values_supported: algs,
    ...(bank.options.cdr.jarmEncryption
      ? {
          authorization_encryption_alg_values_supported: [...JARM_ENCRYPTION_ALGS],
          authorization_encryption_enc_values_supported: [...JARM_ENCRYPTION_ENCS],
        }
      : {}),
  }
}

export async function cdrDiscovery(ctx: Context): Promise<void> {
  ctx.body = cdrDiscoveryDocument(ctx.bank)
}

/** The Data Holder's public signing keys (ID tokens, JARM responses). */
export async function cdrJwks(ctx: Context): Promise<void> {
  const keys = cdr(ctx.bank).holderKeys
  ctx.body = { keys: [keys.PS256.publicJwk, keys.ES256.publicJwk] }
}
