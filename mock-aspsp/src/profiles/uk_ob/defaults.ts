/**
 * The options of the UK Open Banking profile only, with their defaults: each says what it does, why,
 * the clause it follows and an example. The UK rules (`rules/`) and this profile's module read them;
 * the AU profile ignores them. They are members of `MockOptions` (config/defaults.ts, where the
 * options both profiles use are), so each is still one flag of `npm start` and one field of `startMock`.
 */

export interface UkObOptions {
  /**
   * Answer for the real OB keystore host (`keystore.openbankingtest.org.uk`) from local keys with
   * msw, so SSAs carrying real-looking `software_jwks_endpoint` URLs work offline. Switch off to
   * fetch those URLs from the network. Example: `--no-msw`.
   */
  msw: boolean
  /**
   * JWKS of other directories whose keys the bank trusts to sign SSAs, besides the mock
   * directory's: an https URL (fetched and cached like software JWKS) or a file. With a real
   * sandbox directory's keystore (and `--no-msw`, so that its host is not answered locally;
   * `--extra-ca` for its transport CAs), SSAs the real directory signed register here. The SSA's
   * `iss` must still be a trusted issuer ("OpenBanking Ltd", the OB Directory's). RFC 7591 §2.3.
   * Example: `--trust-directory-jwks https://keystore.openbankingtest.org.uk/keystore/openbanking.jwks`.
   */
  trustedDirectoryJwks: string[]
  /**
   * Accept only the bank's directory org id as the registration request's `aud`. By default the
   * issuer URL is accepted too, because real TPPs send it. OB DCR `aud`.
   * Example: `--strict-aud`.
   */
  strictAudience: boolean
  /**
   * Accept each software statement for one registration only (by its `jti`, or its bytes when it
   * has none). By default an SSA may be reused: the OB Directory's SSAs are long-lived and the
   * OBIE tool registers with one SSA many times. RFC 7519 §4.1.7; OB DCR §Software Statement.
   * Example: `--single-use-ssa`.
   */
  ssaSingleUse: boolean
  /**
   * Longest accepted lifetime of a registration request (`exp` − `iat`), in seconds; with an
   * unexpired `exp`, an `iat` far in the past is refused too. Bounds how long the request's `jti` must be
   * remembered against replay (a request valid until 1e20 would be remembered for ever). OB DCR
   * data dictionary `iat`, `exp`; RFC 7519 §4.1.4, §4.1.6 (catalogue NEG-JWT-15).
   * Example: `--max-request-lifetime 7200`.
   */
  maxRequestLifetime: number
  /**
   * MOCK ONLY: serve `/mock/sign/...`, which signs registration requests (with a fresh SSA),
   * client assertions and request objects with the keys of a TPP of the mock directory, for tools
   * that cannot sign PS256 themselves (the Postman collection in collections/). Each call must
   * present that TPP's transport certificate. No real bank has such a thing: it holds no TPP's
   * private keys. Off by default. Example: `--signing-helper`.
   */
  signingHelper: boolean
}

export const UK_OB_DEFAULTS: UkObOptions = {
  msw: true,
  trustedDirectoryJwks: [],
  strictAudience: false,
  ssaSingleUse: false,
  maxRequestLifetime: 3600,
  signingHelper: false,
}
