/**
 * Every option of the mock bank, with its default. The options both profiles use are here; those of
 * one profile only are in its module (`profiles/uk_ob/defaults.ts`, `profiles/au_cdr/defaults.ts`)
 * and assembled here. Nothing else in the mock defines a default: the CLI (`npm start -- --help`),
 * the library entry (`startMock`) and the tests all start from `DEFAULTS`.
 *
 * Each option says what it does, why, the spec clause it follows and an example.
 */
import { CDR_DEFAULTS, CDR_PROFILE_DEFAULTS, type CdrOptions } from '../profiles/au_cdr/defaults.ts'
import type { ProfileName } from '../profiles/profile.ts'
import { UK_OB_DEFAULTS, type UkObOptions } from '../profiles/uk_ob/defaults.ts'

export type SpecVersion = '3.1' | '3.2' | '3.3' | '3.4'
export type AuthMethod = 'private_key_jwt' | 'tls_client_auth'
export type Operation = 'get' | 'put' | 'delete'

/** Who approves a consent headlessly: a customer (username or customer id) and the AccountIds shared (all when absent). */
export interface AutoApproval {
  customer: string
  accounts?: string[]
}

export interface MockOptions extends UkObOptions {
  /**
   * The DCR profile the bank speaks: `uk-ob` (UK Open Banking DCR 3.1–3.4, the mock OB Directory)
   * or `au-cdr` (Australia's Consumer Data Right, CDS 1.36: a Data Holder with the mock CDR
   * Register). A profile sets some of the options below otherwise (profiles/au_cdr/defaults.ts
   * lists which and why); options given explicitly still win. Example: `--profile au-cdr`.
   */
  profile: ProfileName
  /** Options of the `au-cdr` profile only, documented in profiles/au_cdr/defaults.ts. */
  cdr: CdrOptions
  /**
   * TCP port of the HTTPS listener.
   * Example: `--port 8443` / `OB_MOCK_PORT=8443`.
   */
  port: number
  /**
   * The bank's host name: in the issuer URL and in the server certificate. The generated server
   * certificate covers `localhost`, `127.0.0.1` and `::1`; for any other name (or the host of
   * `issuer`) the bank issues itself one from the test CA that covers it too (kept in
   * `keys/generated/server/`), so TPPs that trust `keys/generated/ca/ca.pem` verify it.
   * Example: `--host bank.example.test`.
   */
  host: string
  /**
   * Address to listen on. Default: `host` when it is `localhost` or an IP address, else
   * 127.0.0.1 (map the name to it in /etc/hosts, or `curl --resolve`); `0.0.0.0` serves every
   * interface (a container reached by name). Example: `--listen 0.0.0.0`.
   */
  listen?: string
  /**
   * PEM files of your own TLS server certificate and its key, instead of one from the test CA
   * (the bank warns when it does not cover the issuer's host). RFC 9110 §4.3.4 (https
   * certificate verification). Example: `--server-cert bank.pem --server-key bank.key`.
   */
  serverCert?: string
  serverKey?: string
  /**
   * Issuer URL advertised in discovery and accepted as `aud`. Default: `https://<host>:<port>`.
   * OIDC Discovery §3 (`issuer`). Example: `--issuer https://bank.example:8443`.
   */
  issuer?: string
  /**
   * UK OB DCR spec version this bank implements: `3.1` (scope as an array, `tls_client_auth_dn`,
   * `application/jwt`), `3.2`, `3.3` (CIBA fields validated when present) or `3.4`
   * (`application_type` `native`, the jwt-bearer grant type, the subject DN pattern).
   * OB DCR v3.x data dictionaries. Example: `--spec 3.1`.
   */
  specVersion: SpecVersion
  /**
   * Where registrations, tokens and replay caches live: `memory` (lost on exit; for tests) or a
   * path to an SQLite file (created when missing; survives a restart and a kill -9).
   * Example: `--store ./data/bank.sqlite`.
   */
  store: string
  /**
   * Folder of the test PKI (CA, server and TPP certificates, directory keys), generated there on
   * first use and shared with the suite and the CLIs. Default: `keys/generated` of the checkout;
   * `npx ob-mock-bank` (the installed package): `keys/generated` of the working directory, never
   * inside node_modules. Example: `--keys-dir ./pki` / `OB_KEYS_DIR=./pki`.
   */
  keysDir?: string
  /**
   * SQLite `synchronous` setting. `normal` (WAL) survives a process crash (kill -9) without
   * losing an acknowledged write; `full` also survives a power cut at the cost of an fsync per
   * commit. Example: `--sqlite-sync full`.
   */
  sqliteSync: 'normal' | 'full'
  /**
   * Extra PEM files of CAs trusted for mutual TLS, besides the generated directory CA (e.g. the
   * OB sandbox issuing CA to accept real sandbox transport certificates). RFC 8705 §2.
   * Example: `--extra-ca ./ob-sandbox-issuing.pem`.
   */
  extraCas: string[]
  /**
   * Client management operations offered. An operation switched off answers 405 after the
   * token has been checked (the OBIE tool expects 401 for a deleted client even when GET is off).
   * OB DCR: GET, PUT and DELETE are optional. Example: `--disable get,put`.
   */
  operations: Record<Operation, boolean>
  /**
   * Token endpoint client authentication methods offered (FAPI allows only these two).
   * OB DCR `token_endpoint_auth_method`; FAPI 1 Advanced §5.2.2. Example: `--auth-methods tls_client_auth`.
   */
  authMethods: AuthMethod[]
  /**
   * Allow more than one client per `software_id`. OB DCR `software_id`: "ASPSPs can choose to
   * allow multiple registrations for a given software statement". Example: `--single-client-per-software`.
   */
  multipleClientsPerSoftware: boolean
  /**
   * Require the transport certificate to belong to the software: at `POST /register` and `PUT`
   * (the SSA's software), and on every later request that acts for a client — token, PAR,
   * introspection, revocation, bearer calls (the client's software; `shared/cert_owner.ts`). An
   * OBTransport certificate names the software (CN = `software_id`, OU = org id), an OBWAC/eIDAS
   * certificate its organisation (CN = org id, organizationIdentifier = `PSDGB-OB-<org id>`); see
   * pki/cert_profiles.ts. The AU CDR profile has its own rule (CN = the software product name,
   * O = the brand: profiles/au_cdr/rules/certificate.ts). Switched off, any trusted certificate may
   * act for a client.
   * Example: `--no-transport-cert-check`.
   */
  transportCertMustMatchSoftware: boolean
  /**
   * Access token format: `opaque` (random, looked up in the store) or `jwt` (PS256-signed by the
   * bank, RFC 9068). A client-credentials JWT carries its whole record and is known by its
   * signature (only its revocation is recorded, `oauth/tokens.ts`); the code flow's JWTs are
   * recorded like opaque tokens (their consent). Example: `--token-format jwt`.
   */
  accessTokenFormat: 'opaque' | 'jwt'
  /** Access token lifetime in seconds. RFC 6749 §5.1 `expires_in`. Example: `--token-ttl 600`. */
  accessTokenTtl: number
  /**
   * Access token lifetimes of particular software, overriding `accessTokenTtl`: keys are a
   * `software_id` or the name of a TPP of the test PKI (`gamma`), values seconds. Banks set token
   * lifetimes per client; the conformance suite starts the mock with `gamma=3` so that a test can
   * see an expired token refused without waiting an hour (NEG-MGMT-05). RFC 6749 §5.1 `expires_in`.
   * Example: `--token-ttl-for gamma=3`.
   */
  tokenTtlBySoftware: Record<string, number>
  /**
   * Tolerated clock difference in seconds for `iat`, `nbf` and `exp` of request JWTs and client
   * assertions. RFC 7519 §4.1.4 ("some small leeway"). Example: `--clock-skew 10`.
   */
  clockSkew: number
  /**
   * Longest accepted lifetime of a client assertion (`exp` minus now), in seconds. RFC 7523 §3
   * item 4 lets the server refuse an `exp` "unreasonably far in the future" without saying how
   * far; widely used clients sign for 30 minutes (the official UK DCR tool) or 60 (Python's
   * authlib, which has no option to change it), so the default accepts an hour and still refuses
   * a day (catalogue NEG-TOK-14). FAPI recommends short-lived assertions: lower it to hold
   * clients to that. Example: `--max-assertion-lifetime 300`.
   */
  maxAssertionLifetime: number
  /**
   * A client assertion without `kid` from a client whose software JWKS holds several keys: with
   * this switch the bank tries each key of the JWKS made for the assertion's alg; without it the
   * assertion is refused, because OIDC Core §10.1 requires the kid then ("If there are multiple
   * keys in the referenced JWK Set document, a kid value MUST be provided"). A JWKS with one key
   * needs no kid either way. The official UK DCR tool signs its client assertions without kid.
   * Example: `--try-keys-without-kid`.
   */
  tryKeysWithoutKid: boolean
  /**
   * Largest accepted request body in bytes; larger bodies get 413 with a JSON error.
   * Example: `--max-body 65536`.
   */
  maxBodyBytes: number
  /**
   * How long a fetched software JWKS is reused before it is fetched again, in seconds.
   * OB DCR "Of JWS & JWKS". Example: `--jwks-ttl 60`.
   */
  jwksCacheTtl: number
  /**
   * Hosts (`host` or `host:port`) the bank fetches software JWKS (`software_jwks_endpoint`) from,
   * besides the directory's keystore (`keystore.openbankingtest.org.uk`) and its own
   * `/directory/keystore`. Any other URL in a software statement is refused without a request:
   * the bank never calls an address a TPP chose (server-side request forgery). OB DCR "Of JWS &
   * JWKS" (keys come from the directory). Example: `--jwks-host keystore.openbanking.org.uk`.
   */
  jwksAllowedHosts: string[]
  /**
   * How long a software JWKS fetch may take in all (connection, answer, body), in milliseconds;
   * the fetch is then abandoned and the error says so. Example: `--jwks-timeout 2000`.
   */
  jwksFetchTimeoutMs: number
  /**
   * Named deviations: each breaks exactly one rule the way real banks have been seen to
   * (see profiles/uk_ob/deviations/; the AU profile's in profiles/au_cdr/deviations.ts). Strict when empty.
   * Example: `--deviation accept-expired-request`.
   */
  deviations: string[]
  /**
   * Decide consents without the consent page, for headless runs (curl, CI, request collections):
   * `true` approves as the first customer with all their accounts; `{ customer, accounts }` as
   * the customer named by username or customer id, sharing the accounts named by AccountId (all
   * when none are named). `npm run customers` lists the customers and accounts of a seed.
   * Example: `--auto-approve`, `--auto-approve=emily.jones:<AccountId>,<AccountId>`.
   */
  autoApprove: boolean | AutoApproval
  /**
   * Deny every consent without the consent page (the customer says no): the client gets
   * `access_denied` at its redirect URI and the consent becomes Rejected (RFC 6749 §4.1.2.1).
   * Example: `--auto-deny`.
   */
  autoDeny: boolean
  /**
   * Seed of the fake customers, their accounts and balances (generated with faker): the same seed
   * gives the same customers on every run and every machine. Example: `--customer-seed 7`.
   */
  customerSeed: number
  /**
   * Lifetime of a pushed authorization request's `request_uri`, in seconds. RFC 9126 §2.2
   * (`expires_in`; the RFC's example is 60 s; FAPI 2.0 asks for under 600 s).
   * Example: `--par-ttl 90`.
   */
  parTtl: number
  /**
   * Lifetime of an authorization code, in seconds. RFC 6749 §4.1.2 recommends at most 10 minutes;
   * FAPI 2.0 Security Profile §5.3.2.1 asks for at most 60 s. Example: `--code-ttl 30`.
   */
  codeTtl: number
  /**
   * How long a customer may take on the sign-in and consent pages, in seconds (then the flow must
   * start again at /authorize). Example: `--consent-page-ttl 900`.
   */
  consentPageTtl: number
  /**
   * Lifetime of a refresh token, in seconds, never beyond the consent's `ExpirationDateTime`.
   * Rotation keeps the first token's expiry. OB Account and Transaction API profile ("the
   * refresh token may be valid for as long as the consent"). Example: `--refresh-token-ttl 86400`.
   */
  refreshTokenTtl: number
  /**
   * Longest accepted request object lifetime, `exp` minus `nbf`, in seconds; also how far in the
   * past `nbf` may lie. FAPI 1 Advanced §5.2.2 items 13 and 17 (60 minutes).
   * Example: `--max-request-object-lifetime 600`.
   */
  maxRequestObjectLifetime: number
  /**
   * `max-age` of the `Strict-Transport-Security` header on every answer, in seconds (RFC 6797
   * §6.1.1): browsers reach the bank over HTTPS only for that long. A browser that trusts the test
   * CA remembers it for `localhost`, so that plain-http pages of other local servers are upgraded
   * too: `0` makes such a browser forget it. Example: `--hsts-max-age 0`.
   */
  hstsMaxAge: number
  /**
   * Log one line per request to stderr: method, path, status, the error code of a refusal and the
   * client (never a token or a JWT). Example: `--log`.
   */
  log: boolean
  /**
   * Heap ceiling in MB: past it the bank runs a full garbage collection (checked once a second),
   * so that resident memory follows the live data under a long load test instead of V8's growth
   * heuristics; the ceiling rises to twice the live heap when the bank holds more. 0 switches it
   * off. Example: `--heap-ceiling 128`.
   */
  heapCeilingMb: number
}

export const DEFAULTS: MockOptions = {
  ...UK_OB_DEFAULTS,
  profile: 'uk-ob',
  cdr: CDR_DEFAULTS,
  port: 8443,
  host: 'localhost',
  specVersion: '3.3',
  store: 'mock-aspsp/data/bank.sqlite',
  sqliteSync: 'normal',
  extraCas: [],
  operations: { get: true, put: true, delete: true },
  authMethods: ['private_key_jwt', 'tls_client_auth'],
  multipleClientsPerSoftware: true,
  transportCertMustMatchSoftware: true,
  accessTokenFormat: 'opaque',
  accessTokenTtl: 3600,
  tokenTtlBySoftware: {},
  clockSkew: 30,
  maxAssertionLifetime: 3600,
  tryKeysWithoutKid: false,
  maxBodyBytes: 64 * 1024,
  jwksCacheTtl: 300,
  jwksAllowedHosts: [],
  jwksFetchTimeoutMs: 5000,
  deviations: [],
  autoApprove: false,
  autoDeny: false,
  customerSeed: 20_240_501,
  parTtl: 60,
  codeTtl: 60,
  consentPageTtl: 600,
  refreshTokenTtl: 90 * 24 * 3600,
  maxRequestObjectLifetime: 3600,
  hstsMaxAge: 31_536_000,
  log: false,
  heapCeilingMb: 64,
}

/** The option values each profile sets otherwise (each profile's module lists and explains them). */
const PROFILE_DEFAULTS: Record<ProfileName, Partial<MockOptions>> = { 'uk-ob': {}, 'au-cdr': CDR_PROFILE_DEFAULTS }

/** The defaults of a profile: `DEFAULTS` with the profile's own values. */
export function defaultsFor(profile: ProfileName): MockOptions {
  return structuredClone({ ...DEFAULTS, ...PROFILE_DEFAULTS[profile], profile })
}

/** Options with every default applied. */
export function withDefaults(partial: Partial<MockOptions> = {}): MockOptions {
  const base = defaultsFor(partial.profile ?? DEFAULTS.profile)
  return {
    ...base,
    ...partial,
    operations: { ...base.operations, ...partial.operations },
    jwksAllowedHosts: [...(partial.jwksAllowedHosts ?? base.jwksAllowedHosts)],
    tokenTtlBySoftware: { ...base.tokenTtlBySoftware, ...partial.tokenTtlBySoftware },
    cdr: { ...base.cdr, ...partial.cdr },
  }
}
