/**
 * The mock bank's command line: every option is a flag and an environment variable; `usage()`
 * lists them with their defaults (which live in config/defaults.ts).
 */

import { parseAutoApproval, resolveAutoApproval } from './banking/customers.ts'
import { DEFAULTS, defaultsFor, type MockOptions, type Operation } from './config/defaults.ts'
import { CDR_FLAGS } from './profiles/au_cdr/cli_flags.ts'
import { profileFor } from './profiles/index.ts'
import { PROFILE_NAMES, type ProfileName } from './profiles/profile.ts'

export interface Flag {
  flag: string
  env: string
  help: string
  /** Applies the value (or true for a switch) to the options. */
  apply: (o: MockOptions, value: string) => void
  takesValue: boolean
  /** A switch that may carry a value written `--flag=value` (env: any value but 0/false/no). */
  optionalValue?: string
  shows: (o: MockOptions) => string
}

export const list = (v: string) =>
  v
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
export const int = (name: string, v: string) => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`)
  return n
}
export const oneOf = <T extends string>(name: string, v: string, allowed: readonly T[]): T => {
  if (!(allowed as readonly string[]).includes(v))
    throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${v}"`)
  return v as T
}

/** Read before every other option: a profile brings its own defaults (config/defaults.ts). */
const PROFILE_FLAG: Flag = {
  flag: '--profile',
  env: 'OB_MOCK_PROFILE',
  help: 'DCR profile: uk-ob (UK Open Banking) or au-cdr (Australia CDR, with the mock CDR Register)',
  takesValue: true,
  apply: (o, v) => (o.profile = oneOf('--profile', v, PROFILE_NAMES)),
  shows: o => o.profile,
}

const FLAGS: Flag[] = [
  PROFILE_FLAG,
  {
    flag: '--port',
    env: 'OB_MOCK_PORT',
    help: 'HTTPS port',
    takesValue: true,
    apply: (o, v) => (o.port = int('--port', v)),
    shows: o => String(o.port),
  },
  {
    flag: '--host',
    env: 'OB_MOCK_HOST',
    help: 'host name of the bank: issuer URL and server certificate',
    takesValue: true,
    apply: (o, v) => (o.host = v),
    shows: o => o.host,
  },
  {
    flag: '--listen',
    env: 'OB_MOCK_LISTEN',
    help: 'address to listen on (default: host if localhost or an IP, else 127.0.0.1)',
    takesValue: true,
    apply: (o, v) => (o.listen = v),
    shows: o => o.listen ?? '(derived)',
  },
  {
    flag: '--server-cert',
    env: 'OB_MOCK_SERVER_CERT',
    help: 'PEM file of your own server certificate (default: one from the test CA covering host)',
    takesValue: true,
    apply: (o, v) => (o.serverCert = v),
    shows: o => o.serverCert ?? '(test CA)',
  },
  {
    flag: '--server-key',
    env: 'OB_MOCK_SERVER_KEY',
    help: 'PEM file of the key of --server-cert',
    takesValue: true,
    apply: (o, v) => (o.serverKey = v),
    shows: o => o.serverKey ?? '(test CA)',
  },
  {
    flag: '--issuer',
    env: 'OB_MOCK_ISSUER',
    help: 'issuer URL (default https://<host>:<port>)',
    takesValue: true,
    apply: (o, v) => (o.issuer = v),
    shows: o => o.issuer ?? '(derived)',
  },
  {
    flag: '--spec',
    env: 'OB_MOCK_SPEC',
    help: 'OB DCR spec version: 3.1, 3.2, 3.3 or 3.4',
    takesValue: true,
    apply: (o, v) => (o.specVersion = oneOf('--spec', v, ['3.1', '3.2', '3.3', '3.4'] as const)),
    shows: o => o.specVersion,
  },
  {
    flag: '--store',
    env: 'OB_MOCK_STORE',
    help: '"memory" or an SQLite file path',
    takesValue: true,
    apply: (o, v) => (o.store = v),
    shows: o => o.store,
  },
  {
    flag: '--keys-dir',
    env: 'OB_KEYS_DIR',
    help: 'folder of the test PKI (generated there on first use)',
    takesValue: true,
    apply: (o, v) => (o.keysDir = v),
    shows: o => o.keysDir ?? 'keys/generated',
  },
  {
    flag: '--sqlite-sync',
    env: 'OB_MOCK_SQLITE_SYNC',
    help: 'normal (survives kill -9) or full (also power loss)',
    takesValue: true,
    apply: (o, v) => (o.sqliteSync = oneOf('--sqlite-sync', v, ['normal', 'full'] as const)),
    shows: o => o.sqliteSync,
  },
  {
    flag: '--no-msw',
    env: 'OB_MOCK_NO_MSW',
    help: 'do not answer for keystore.openbankingtest.org.uk locally',
    takesValue: false,
    apply: o => (o.msw = false),
    shows: o => String(!o.msw),
  },
  {
    flag: '--extra-ca',
    env: 'OB_MOCK_EXTRA_CA',
    help: 'PEM file of an extra CA trusted for mutual TLS (repeatable; env: comma list)',
    takesValue: true,
    apply: (o, v) => o.extraCas.push(...list(v)),
    shows: o => o.extraCas.join(',') || '(none)',
  },
  {
    flag: '--trust-directory-jwks',
    env: 'OB_MOCK_TRUST_DIRECTORY_JWKS',
    help: 'https URL or file of another directory JWKS trusted to sign SSAs (repeatable; env: comma list)',
    takesValue: true,
    apply: (o, v) => o.trustedDirectoryJwks.push(...list(v)),
    shows: o => o.trustedDirectoryJwks.join(',') || '(none)',
  },
  {
    flag: '--disable',
    env: 'OB_MOCK_DISABLE',
    help: 'switch management operations off: any of get,put,delete',
    takesValue: true,
    apply: (o, v) => {
      for (const op of list(v))
        o.operations[oneOf('--disable', op, ['get', 'put', 'delete'] as const) as Operation] = false
    },
    shows: o => (Object.keys(o.operations) as Operation[]).filter(k => !o.operations[k]).join(',') || '(none)',
  },
  {
    flag: '--auth-methods',
    env: 'OB_MOCK_AUTH_METHODS',
    help: 'token endpoint auth methods offered: private_key_jwt,tls_client_auth',
    takesValue: true,
    apply: (o, v) =>
      (o.authMethods = list(v).map(m => oneOf('--auth-methods', m, ['private_key_jwt', 'tls_client_auth'] as const))),
    shows: o => o.authMethods.join(','),
  },
  {
    flag: '--strict-aud',
    env: 'OB_MOCK_STRICT_AUD',
    help: 'accept only the org id as registration aud (not the issuer)',
    takesValue: false,
    apply: o => (o.strictAudience = true),
    shows: o => String(o.strictAudience),
  },
  {
    flag: '--single-client-per-software',
    env: 'OB_MOCK_SINGLE_CLIENT',
    help: 'refuse a second client for the same software_id',
    takesValue: false,
    apply: o => (o.multipleClientsPerSoftware = false),
    shows: o => String(!o.multipleClientsPerSoftware),
  },
  {
    flag: '--single-use-ssa',
    env: 'OB_MOCK_SINGLE_USE_SSA',
    help: 'accept each software statement for one registration only',
    takesValue: false,
    apply: o => (o.ssaSingleUse = true),
    shows: o => String(o.ssaSingleUse),
  },
  {
    flag: '--no-transport-cert-check',
    env: 'OB_MOCK_NO_TRANSPORT_CHECK',
    help: 'do not require the transport certificate to belong to the SSA software (OBTransport) or organisation (OBWAC)',
    takesValue: false,
    apply: o => (o.transportCertMustMatchSoftware = false),
    shows: o => String(!o.transportCertMustMatchSoftware),
  },
  {
    flag: '--token-format',
    env: 'OB_MOCK_TOKEN_FORMAT',
    help: 'access tokens: opaque or jwt',
    takesValue: true,
    apply: (o, v) => (o.accessTokenFormat = oneOf('--token-format', v, ['opaque', 'jwt'] as const)),
    shows: o => o.accessTokenFormat,
  },
  {
    flag: '--token-ttl',
    env: 'OB_MOCK_TOKEN_TTL',
    help: 'access token lifetime, seconds',
    takesValue: true,
    apply: (o, v) => (o.accessTokenTtl = int('--token-ttl', v)),
    shows: o => String(o.accessTokenTtl),
  },
  {
    flag: '--token-ttl-for',
    env: 'OB_MOCK_TOKEN_TTL_FOR',
    help: 'access token lifetime of one software: <software_id or PKI TPP name>=<seconds> (repeatable; env: comma list)',
    takesValue: true,
    apply: (o, v) => {
      for (const item of list(v)) {
        const at = item.indexOf('=')
        if (at < 1) throw new Error(`--token-ttl-for needs <software>=<seconds>, got "${item}"`)
        o.tokenTtlBySoftware[item.slice(0, at)] = int('--token-ttl-for', item.slice(at + 1))
      }
    },
    shows: o =>
      Object.entries(o.tokenTtlBySoftware)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '(none)',
  },
  {
    flag: '--clock-skew',
    env: 'OB_MOCK_CLOCK_SKEW',
    help: 'tolerated clock skew for JWT times, seconds',
    takesValue: true,
    apply: (o, v) => (o.clockSkew = int('--clock-skew', v)),
    shows: o => String(o.clockSkew),
  },
  {
    flag: '--max-assertion-lifetime',
    env: 'OB_MOCK_MAX_ASSERTION_LIFETIME',
    help: 'longest client assertion lifetime, seconds',
    takesValue: true,
    apply: (o, v) => (o.maxAssertionLifetime = int('--max-assertion-lifetime', v)),
    shows: o => String(o.maxAssertionLifetime),
  },
  {
    flag: '--try-keys-without-kid',
    env: 'OB_MOCK_TRY_KEYS_WITHOUT_KID',
    help: 'verify a kid-less client assertion with each key of its alg in the software JWKS',
    takesValue: false,
    apply: o => (o.tryKeysWithoutKid = true),
    shows: o => String(o.tryKeysWithoutKid),
  },
  {
    flag: '--max-request-lifetime',
    env: 'OB_MOCK_MAX_REQUEST_LIFETIME',
    help: 'longest registration request lifetime (exp - iat), seconds',
    takesValue: true,
    apply: (o, v) => (o.maxRequestLifetime = int('--max-request-lifetime', v)),
    shows: o => String(o.maxRequestLifetime),
  },
  {
    flag: '--max-body',
    env: 'OB_MOCK_MAX_BODY',
    help: 'largest request body, bytes',
    takesValue: true,
    apply: (o, v) => (o.maxBodyBytes = int('--max-body', v)),
    shows: o => String(o.maxBodyBytes),
  },
  {
    flag: '--jwks-ttl',
    env: 'OB_MOCK_JWKS_TTL',
    help: 'software JWKS cache lifetime, seconds',
    takesValue: true,
    apply: (o, v) => (o.jwksCacheTtl = int('--jwks-ttl', v)),
    shows: o => String(o.jwksCacheTtl),
  },
  {
    flag: '--jwks-host',
    env: 'OB_MOCK_JWKS_HOSTS',
    help: 'another host software JWKS may be fetched from (repeatable; env: comma list)',
    takesValue: true,
    apply: (o, v) => o.jwksAllowedHosts.push(...list(v).map(h => h.toLowerCase())),
    shows: o => o.jwksAllowedHosts.join(',') || '(the directory keystore only)',
  },
  {
    flag: '--jwks-timeout',
    env: 'OB_MOCK_JWKS_TIMEOUT',
    help: 'software JWKS fetch timeout, milliseconds',
    takesValue: true,
    apply: (o, v) => (o.jwksFetchTimeoutMs = int('--jwks-timeout', v)),
    shows: o => String(o.jwksFetchTimeoutMs),
  },
  {
    flag: '--deviation',
    env: 'OB_MOCK_DEVIATIONS',
    help: 'switch on a named deviation (repeatable; env: comma list; --list-deviations)',
    takesValue: true,
    // Checked against the profile's deviations once every option is read.
    apply: (o, v) => o.deviations.push(...list(v)),
    shows: o => o.deviations.join(',') || '(none)',
  },
  {
    flag: '--auto-approve',
    env: 'OB_MOCK_AUTO_APPROVE',
    help: 'approve consents without the consent page: the first customer, all accounts; or =<customer>[:<AccountId>,...] (npm run customers)',
    takesValue: false,
    optionalValue: '<customer>[:<AccountId>,...]',
    apply: (o, v) => (o.autoApprove = parseAutoApproval(v)),
    shows: o =>
      typeof o.autoApprove === 'object'
        ? `${o.autoApprove.customer}:${o.autoApprove.accounts?.join(',') ?? 'all'}`
        : String(o.autoApprove),
  },
  {
    flag: '--auto-deny',
    env: 'OB_MOCK_AUTO_DENY',
    help: 'deny consents without the consent page (the customer refuses)',
    takesValue: false,
    apply: o => (o.autoDeny = true),
    shows: o => String(o.autoDeny),
  },
  {
    flag: '--customer-seed',
    env: 'OB_MOCK_CUSTOMER_SEED',
    help: 'seed of the fake customers and accounts',
    takesValue: true,
    apply: (o, v) => (o.customerSeed = int('--customer-seed', v)),
    shows: o => String(o.customerSeed),
  },
  {
    flag: '--par-ttl',
    env: 'OB_MOCK_PAR_TTL',
    help: 'lifetime of a pushed authorization request, seconds',
    takesValue: true,
    apply: (o, v) => (o.parTtl = int('--par-ttl', v)),
    shows: o => String(o.parTtl),
  },
  {
    flag: '--code-ttl',
    env: 'OB_MOCK_CODE_TTL',
    help: 'authorization code lifetime, seconds',
    takesValue: true,
    apply: (o, v) => (o.codeTtl = int('--code-ttl', v)),
    shows: o => String(o.codeTtl),
  },
  {
    flag: '--consent-page-ttl',
    env: 'OB_MOCK_CONSENT_PAGE_TTL',
    help: 'time a customer has on the sign-in and consent pages, seconds',
    takesValue: true,
    apply: (o, v) => (o.consentPageTtl = int('--consent-page-ttl', v)),
    shows: o => String(o.consentPageTtl),
  },
  {
    flag: '--refresh-token-ttl',
    env: 'OB_MOCK_REFRESH_TOKEN_TTL',
    help: 'refresh token lifetime (at most the consent expiry), seconds',
    takesValue: true,
    apply: (o, v) => (o.refreshTokenTtl = int('--refresh-token-ttl', v)),
    shows: o => String(o.refreshTokenTtl),
  },
  {
    flag: '--max-request-object-lifetime',
    env: 'OB_MOCK_MAX_REQUEST_OBJECT_LIFETIME',
    help: 'longest request object lifetime (exp - nbf), seconds',
    takesValue: true,
    apply: (o, v) => (o.maxRequestObjectLifetime = int('--max-request-object-lifetime', v)),
    shows: o => String(o.maxRequestObjectLifetime),
  },
  {
    flag: '--signing-helper',
    env: 'OB_MOCK_SIGNING_HELPER',
    help: 'MOCK ONLY: sign registrations, assertions and request objects for directory TPPs at /mock/sign/...',
    takesValue: false,
    apply: o => (o.signingHelper = true),
    shows: o => String(o.signingHelper),
  },
  {
    flag: '--hsts-max-age',
    env: 'OB_MOCK_HSTS_MAX_AGE',
    help: 'Strict-Transport-Security max-age, seconds (0: browsers forget it)',
    takesValue: true,
    apply: (o, v) => (o.hstsMaxAge = int('--hsts-max-age', v)),
    shows: o => String(o.hstsMaxAge),
  },
  {
    flag: '--log',
    env: 'OB_MOCK_LOG',
    help: 'log one line per request to stderr (status, error code, client; no credentials)',
    takesValue: false,
    apply: o => (o.log = true),
    shows: o => String(o.log),
  },
  {
    flag: '--heap-ceiling',
    env: 'OB_MOCK_HEAP_CEILING',
    help: 'MB of JS heap past which a full GC runs (0 = V8 decides)',
    takesValue: true,
    apply: (o, v) => (o.heapCeilingMb = int('--heap-ceiling', v)),
    shows: o => String(o.heapCeilingMb),
  },
  ...CDR_FLAGS,
]

export function usage(): string {
  const lines = [
    'usage: npm start -- [options]',
    '',
    'The mock bank: a UK Open Banking ASPSP (DCR 3.1-3.4, the default) or, with --profile au-cdr, an',
    'Australian CDR Data Holder beside a mock CDR Register. Token endpoint, mutual TLS.',
    'Every option can also be set by its environment variable. Defaults in brackets.',
    '',
  ]
  for (const f of FLAGS) {
    const name = f.takesValue ? `${f.flag} <value>` : f.optionalValue ? `${f.flag}[=${f.optionalValue}]` : f.flag
    lines.push(
      `  ${name.padEnd(32)}${name.length > 32 ? `\n  ${''.padEnd(32)}` : ''} ${f.help} [${f.shows(structuredClone(DEFAULTS))}]`,
    )
    lines.push(`  ${''.padEnd(32)} env ${f.env}`)
  }
  lines.push(
    '  --list-deviations                print the named deviations and exit',
    '  --help                           print this and exit',
  )
  return lines.join('\n')
}

/** The profile named by `--profile` (or OB_MOCK_PROFILE), read before the other options. */
function profileOf(argv: string[], env: NodeJS.ProcessEnv): ProfileName {
  const o = structuredClone(DEFAULTS)
  if (env[PROFILE_FLAG.env]) PROFILE_FLAG.apply(o, env[PROFILE_FLAG.env] as string)
  argv.forEach((arg, i) => {
    if (arg === PROFILE_FLAG.flag) PROFILE_FLAG.apply(o, argv[i + 1] ?? '')
    else if (arg.startsWith(`${PROFILE_FLAG.flag}=`)) PROFILE_FLAG.apply(o, arg.slice(PROFILE_FLAG.flag.length + 1))
  })
  return o.profile
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): MockOptions {
  const o: MockOptions = defaultsFor(profileOf(argv, env))
  for (const f of FLAGS) {
    const v = env[f.env]
    if (v !== undefined && v !== '') {
      if (f.takesValue) f.apply(o, v)
      else if (!/^(0|false|no)$/i.test(v)) f.apply(o, f.optionalValue ? v : 'true')
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined]
    const f = FLAGS.find(x => x.flag === name)
    if (!f) throw new Error(`unknown option "${arg}" (see --help)`)
    if (f.takesValue) {
      const value = inline ?? argv[++i]
      if (value === undefined) throw new Error(`${f.flag} needs a value`)
      f.apply(o, value)
    } else {
      f.apply(o, f.optionalValue && inline !== undefined ? inline : 'true')
    }
  }
  if (o.authMethods.length === 0) throw new Error('--auth-methods must name at least one method')
  const known = profileFor(o.profile).deviations
  for (const d of o.deviations) {
    if (!Object.hasOwn(known, d)) {
      throw new Error(
        `unknown deviation "${d}" for profile ${o.profile} (see --profile ${o.profile} --list-deviations)`,
      )
    }
  }
  if (o.autoApprove && o.autoDeny) throw new Error('--auto-approve and --auto-deny exclude each other: choose one')
  // An unknown customer or account fails here, at start, not at the first /authorize.
  if (o.autoApprove) resolveAutoApproval(o.customerSeed, o.autoApprove)
  if ((o.serverCert === undefined) !== (o.serverKey === undefined))
    throw new Error('--server-cert and --server-key go together: give both PEM files or neither')
  return o
}
