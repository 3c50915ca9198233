/**
 * Checks of successful registration answers (RFC 7591 §3.2.1, RFC 7592 §2, OB DCR data dictionary).
 */
import { expect, test } from '@playwright/test'
import type { Claims } from '../../fixtures/builders/jose.ts'
import { type AuthMethod, dnClaim, type SpecVersion } from '../../fixtures/builders/registration.ts'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import type { Validator } from '../../fixtures/validators.ts'
import { warn } from './annotations.ts'
import { responseOf } from './http.ts'

export type Body = Record<string, unknown>

/** The JSON object of an answer ({} when the body is not one). */
export function bodyOf(ex: Exchange): Body {
  const json = responseOf(ex).json
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Body) : {}
}

/** Stops the test unless the answer names the client (RFC 7591 §3.2.1: `client_id` REQUIRED); returns it. */
export async function ensureClientId(ex: Exchange): Promise<string> {
  return test.step(
    'the answer carries a client_id [RFC7591-3.2.1]',
    async () => {
      const id = bodyOf(ex).client_id
      expect(typeof id === 'string' && id !== '', `client_id was ${JSON.stringify(id ?? null)}`).toBe(true)
      return id as string
    },
    { box: true },
  )
}

/** The answer matches the spec version's registration response schema (OB DCR `OBClientRegistration1`). */
export async function validateRegistrationResponse(ex: Exchange, validator: Validator, version: SpecVersion) {
  await test.step(
    `the registration matches the OB DCR ${version} response schema [OBDCR-${version}-OBClientRegistration1]`,
    async () => {
      const { valid, errors } = validator.validate(bodyOf(ex))
      expect.soft(valid, `schema violations:\n${errors.join('\n')}`).toBe(true)
    },
    { box: true },
  )
}

/** RFC 7591 §3.2.1: the software statement is returned unmodified (POS-REG-04). */
export async function checkSoftwareStatementEchoed(ex: Exchange, ssa: string) {
  await test.step(
    'software_statement is returned unmodified [RFC7591-3.2.1]',
    async () => {
      const got = bodyOf(ex).software_statement
      expect
        .soft(got === ssa, `software_statement ${got === undefined ? 'is missing' : 'differs from the SSA sent'}`)
        .toBe(true)
    },
    { box: true },
  )
}

const asSet = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort() : v)

/** RFC 7591 §3.2.1: the registered values are returned; the ones a TPP cannot do without are unchanged. */
export async function checkRegisteredMetadata(ex: Exchange, sent: Claims) {
  await test.step(
    'redirect_uris, token_endpoint_auth_method and software_id are returned as registered [RFC7591-3.2.1]',
    async () => {
      const body = bodyOf(ex)
      for (const field of ['redirect_uris', 'token_endpoint_auth_method', 'software_id'] as const) {
        if (sent[field] === undefined) continue
        expect
          .soft(asSet(body[field]), `${field} was ${JSON.stringify(body[field])}, sent ${JSON.stringify(sent[field])}`)
          .toEqual(asSet(sent[field]))
      }
    },
    { box: true },
  )
}

/** OB DCR 3.1 returns `scope` as an array of strings; 3.2 and later as one space-separated string. */
export async function checkScopeShape(ex: Exchange, version: SpecVersion) {
  const shape = version === '3.1' ? 'an array of scope strings' : 'a space-separated string'
  await test.step(
    `scope is ${shape} (OB DCR ${version}) [OBDCR-${version}-scope]`,
    async () => {
      const scope = bodyOf(ex).scope
      if (scope === undefined) return
      const ok =
        version === '3.1'
          ? Array.isArray(scope) && scope.every(s => typeof s === 'string')
          : typeof scope === 'string' && scope.trim() !== ''
      expect.soft(ok, `scope was ${JSON.stringify(scope)}, expected ${shape}`).toBe(true)
    },
    { box: true },
  )
}

/**
 * OB DCR data dictionary: the subject DN member "must be set iff token_endpoint_auth_method is set
 * to tls_client_auth" (`tls_client_auth_dn` in 3.1, `tls_client_auth_subject_dn` from 3.2): a
 * tls_client_auth client carries it, any other client does not.
 */
export async function checkSubjectDnMember(ex: Exchange, version: SpecVersion, authMethod: AuthMethod) {
  const member = dnClaim(version)
  await test.step(
    `a ${authMethod} client carries ${authMethod === 'tls_client_auth' ? member : `no ${member}`} (OB DCR ${version}) [OBDCR-${version}-${member}]`,
    async () => {
      const body = bodyOf(ex)
      if (authMethod === 'tls_client_auth') {
        expect.soft(typeof body[member], `${member} was ${JSON.stringify(body[member] ?? null)}`).toBe('string')
        // The other version's name is not defined in this version's dictionary: allowed, and reported.
        const other = member === 'tls_client_auth_dn' ? 'tls_client_auth_subject_dn' : 'tls_client_auth_dn'
        if (body[other] !== undefined) warn(`the ${version} registration also carries ${other}`)
      } else {
        expect
          .soft(body[member], `a ${authMethod} registration carries ${member} ${JSON.stringify(body[member])}`)
          .toBeUndefined()
      }
    },
    { box: true },
  )
}

/**
 * OB DCR data dictionary: private_key_jwt needs `token_endpoint_auth_signing_alg`; tls_client_auth
 * needs the subject DN member (POS-REG-06).
 */
export async function checkAuthMethodMembers(ex: Exchange, version: SpecVersion) {
  await test.step(
    `the members the auth method depends on are present [OBDCR-${version}-token_endpoint_auth_method]`,
    async () => {
      const body = bodyOf(ex)
      const needs =
        body.token_endpoint_auth_method === 'private_key_jwt'
          ? 'token_endpoint_auth_signing_alg'
          : body.token_endpoint_auth_method === 'tls_client_auth'
            ? dnClaim(version)
            : undefined
      if (!needs) return
      expect.soft(typeof body[needs], `${body.token_endpoint_auth_method} client without ${needs}`).toBe('string')
    },
    { box: true },
  )
}

/** RFC 7591 §3.2.1: `client_secret_expires_at` is REQUIRED when a `client_secret` is issued (POS-REG-03). */
export async function checkClientSecretExpiry(ex: Exchange) {
  await test.step(
    'a client_secret comes with client_secret_expires_at [RFC7591-3.2.1]',
    async () => {
      const body = bodyOf(ex)
      if (body.client_secret === undefined) return
      expect
        .soft(typeof body.client_secret_expires_at, 'client_secret was issued without client_secret_expires_at')
        .toBe('number')
    },
    { box: true },
  )
}

/**
 * RFC 7592 §3: `registration_client_uri` and `registration_access_token` come together (or not at
 * all: OB DCR manages clients with client-credentials tokens instead); the URI is absolute https (POS-REG-02).
 */
export async function checkManagementCredentials(ex: Exchange) {
  await test.step(
    'registration_client_uri and registration_access_token come together, the URI absolute https [RFC7592-3]',
    async () => {
      const body = bodyOf(ex)
      const uri = body.registration_client_uri
      const rat = body.registration_access_token
      expect
        .soft(
          uri === undefined,
          `registration_client_uri ${uri === undefined ? 'absent' : 'present'} but registration_access_token ${rat === undefined ? 'absent' : 'present'}`,
        )
        .toBe(rat === undefined)
      if (uri !== undefined) {
        expect
          .soft(
            typeof uri === 'string' && /^https:\/\/[^/]/.test(uri),
            `registration_client_uri was ${JSON.stringify(uri)}`,
          )
          .toBe(true)
        expect.soft(typeof rat === 'string' && rat !== '', 'registration_access_token is empty').toBe(true)
      }
    },
    { box: true },
  )
}

/** The scopes of a registration, whichever shape the version uses. */
export function scopesOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String)
  return typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : []
}

/** RFC 7591 §2, RFC 6749 §3.3: the granted scope is within the requested one (POS-REG-05). */
export async function checkScopeWithinRequested(ex: Exchange, requested: readonly string[]) {
  await test.step(
    'the registered scope does not exceed the requested scope [RFC7591-2]',
    async () => {
      const granted = scopesOf(bodyOf(ex).scope)
      const extra = granted.filter(s => !requested.includes(s))
      expect.soft(extra, `scope ${granted.join(' ')} exceeds the requested ${requested.join(' ')}`).toEqual([])
    },
    { box: true },
  )
}

/** RFC 7591 §2: a metadata member the server does not understand is ignored, not echoed as registered (POS-REG-08). */
export async function checkMemberIgnored(ex: Exchange, member: string) {
  await test.step(
    `the unknown member ${member} is not registered [RFC7591-2]`,
    async () => {
      expect.soft(bodyOf(ex)[member], `${member} was returned as registered metadata`).toBeUndefined()
    },
    { box: true },
  )
}

/** RFC 7591 §3.2.1: the server returns the values it applied for members the request left out (POS-REG-09). */
export async function checkDefaultsReturned(ex: Exchange, members: readonly string[]) {
  await test.step(
    `defaults are returned for the omitted ${members.join(', ')} [RFC7591-3.2.1]`,
    async () => {
      const body = bodyOf(ex)
      const missing = members.filter(m => body[m] === undefined)
      expect.soft(missing, `the registration omits ${missing.join(', ')}`).toEqual([])
    },
    { box: true },
  )
}

/** The registered redirect URIs are exactly `expected` (POS-REG-10, POS-REG-13). */
export async function checkRedirectUris(ex: Exchange, expected: readonly string[], ref = 'OBDCR-redirect_uris') {
  await test.step(
    `redirect_uris are ${expected.join(', ')} [${ref}]`,
    async () => {
      const got = bodyOf(ex).redirect_uris
      expect.soft(asSet(got), `redirect_uris were ${JSON.stringify(got)}`).toEqual(asSet([...expected]))
    },
    { box: true },
  )
}

/** RFC 7592 §2.1: reading the client returns the same client as registered (POS-REG-11). */
export async function checkSameClient(read: Exchange, registered: Exchange) {
  await test.step(
    'the client read back has the registered client_id, redirect_uris and registration_client_uri [RFC7592-2.1]',
    async () => {
      const a = bodyOf(read)
      const b = bodyOf(registered)
      expect.soft(a.client_id, 'client_id differs').toBe(b.client_id)
      expect.soft(asSet(a.redirect_uris), 'redirect_uris differ').toEqual(asSet(b.redirect_uris))
      expect.soft(a.registration_client_uri, 'registration_client_uri differs').toBe(b.registration_client_uri)
    },
    { box: true },
  )
}
