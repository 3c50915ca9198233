/**
 * The options of the Australian CDR profile (CDS 1.36), with their defaults: what each does, why,
 * the clause it follows and an example. Where the references disagree (research note §8.1) the
 * default is one answer and the option switches to the other, because a real Data Holder may give
 * either; the README's "AU CDR: choices" table lists them.
 *
 * Shared options the profile sets differently (`CDR_PROFILE_DEFAULTS`) are documented in
 * `config/defaults.ts`; here only why the profile changes them.
 */
import type { MockOptions } from '../../config/defaults.ts'

export type RegistrationErrorCode =
  | 'invalid_client_metadata'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  | 'invalid_redirect_uri'

export interface CdrOptions {
  /**
   * Error code of a second registration for a `software_id` that already has one. CDS 1.36 "Registration
   * Errors" only demands HTTP 400; its example says `invalid_software_statement`, the ACCC mock Data
   * Holder and WSO2 answer `invalid_client_metadata` (research §8.1 item 1).
   * Example: `--cdr-duplicate-error invalid_software_statement`.
   */
  duplicateError: 'invalid_client_metadata' | 'invalid_software_statement'
  /**
   * Error code of a software statement signed by a key the CDR Register does not publish. RFC 7591
   * §3.2.2 leaves both readings open; the ACCC mock answers `invalid_software_statement` today, its
   * 2022 version `unapproved_software_statement` (research §8.1 item 2).
   * Example: `--cdr-unknown-signer-error unapproved_software_statement`.
   */
  unknownSignerError: 'invalid_software_statement' | 'unapproved_software_statement'
  /**
   * What an omitted `authorization_signed_response_alg` does when `code` is registered: refused
   * (CDS "Registration Request using JWT": Conditional, required for `code`; the ACCC mock) or
   * registered as PS256 (CDS "Authentication Flows", JARM: "If omitted, the default is PS256";
   * research §8.1 item 4). Example: `--cdr-jarm-alg-default`.
   */
  jarmSigningAlgDefault: boolean
  /**
   * `id_token_encrypted_response_alg` / `_enc` with `response_types` `code`: refused (CDS 1.33+:
   * "SHALL NOT be used for Authorization Code Flow"; WSO2 validates them) or ignored and not
   * registered (the ACCC mock; research §8.1 item 6). Example: `--cdr-id-token-encryption ignore`.
   */
  idTokenEncryptionWithCode: 'refuse' | 'ignore'
  /**
   * Refuse a software statement whose `redirect_uris` are on different hosts (WSO2's check; not in
   * CDS, research §8.1 item 5). Example: `--cdr-redirect-same-host`.
   */
  ssaRedirectsSameHost: boolean
  /**
   * Refuse a software statement with a non-https redirect URI (WSO2's check; the ACCC mock and
   * WSO2 both accept `https://localhost` redirects; research §8.1 item 5). Example: `--cdr-redirect-https-only`.
   */
  ssaRedirectsHttpsOnly: boolean
  /**
   * Offer JARM response encryption (`authorization_encrypted_response_alg` RSA-OAEP / RSA-OAEP-256,
   * `_enc` A256GCM / A128CBC-HS256). CDS "Authentication Flows": encryption MAY be supported. Off:
   * the encryption metadata is refused and discovery does not advertise it.
   * Example: `--cdr-no-jarm-encryption`.
   */
  jarmEncryption: boolean
  /**
   * Lifetime of the SSAs the mock CDR Register issues, in seconds. CDS "Software Statement
   * Assertion": "issued with a 10 minute expiry time". Example: `--cdr-ssa-ttl 600`.
   */
  ssaTtl: number
  /**
   * Lifetime of the mock CDR Register's access tokens (`cdr-register:read`), in seconds. The ACCC
   * mock Register issues 300 s tokens. Example: `--cdr-register-token-ttl 300`.
   */
  registerTokenTtl: number
}

export const CDR_DEFAULTS: CdrOptions = {
  duplicateError: 'invalid_client_metadata',
  unknownSignerError: 'invalid_software_statement',
  jarmSigningAlgDefault: false,
  idTokenEncryptionWithCode: 'refuse',
  ssaRedirectsSameHost: false,
  ssaRedirectsHttpsOnly: false,
  jarmEncryption: true,
  ssaTtl: 600,
  registerTokenTtl: 300,
}

/** Shared options the AU profile sets otherwise (documented in config/defaults.ts). */
export const CDR_PROFILE_DEFAULTS: Partial<MockOptions> = {
  // CDS "Client Authentication": private_key_jwt only; tls_client_auth SHALL NOT be supported.
  authMethods: ['private_key_jwt'],
  // CDS "Tokens": access tokens expire between 2 and 10 minutes after issue.
  accessTokenTtl: 300,
  // CDS "Registration Validation": no multiple active registrations for the same software_id.
  multipleClientsPerSoftware: false,
  // CDS "Pushed Authorisation": request_uri lives 10 to 90 seconds.
  parTtl: 60,
}
