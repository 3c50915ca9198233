/** What the authorization flow reads from a client's registration (RFC 7591 §2 metadata, OB SSA claims). */
import type { ClientRecord } from '../models/store.ts'

/** A registered list: an array of strings, or a single string (space-separated for scope). */
function list(value: unknown, separator = ' '): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  if (typeof value === 'string') return value.split(separator).filter(Boolean)
  return []
}

export const redirectUrisOf = (client: ClientRecord) => list(client.registration.redirect_uris)
export const scopesOf = (client: ClientRecord) => list(client.registration.scope)
export const grantTypesOf = (client: ClientRecord) => list(client.registration.grant_types)
/** `response_types` values are themselves space-separated ("code id_token"): never split them. */
export const responseTypesOf = (client: ClientRecord) =>
  list(client.registration.response_types ?? ['code id_token'], '\u0000').map(normaliseResponseType)
/** The registered `request_object_signing_alg` (a string; some banks answer an array), or none. */
export const requestObjectAlgsOf = (client: ClientRecord) => list(client.registration.request_object_signing_alg)

/**
 * Where a client's keys are: the SSA's `software_jwks_endpoint` flattened into a UK registration,
 * the `jwks_uri` (RFC 7591 §2) of an AU one.
 */
export function jwksUriOf(client: ClientRecord): string {
  const r = client.registration
  return String(r.software_jwks_endpoint ?? r.jwks_uri)
}

/** "id_token code" and "code id_token" are the same response type (OAuth 2.0 Multiple Response Types §3). */
export function normaliseResponseType(value: string): string {
  return value.split(' ').filter(Boolean).sort().join(' ')
}

/** The TPP as a customer should see it: the client or software name, and the organisation. */
export function displayNameOf(client: ClientRecord): { name: string; organisation: string | undefined } {
  const r = client.registration
  const name = [r.client_name, r.software_client_name].find((v): v is string => typeof v === 'string' && v !== '')
  const org = typeof r.org_name === 'string' && r.org_name !== '' ? r.org_name : undefined
  return { name: name ?? client.clientId, organisation: org }
}
