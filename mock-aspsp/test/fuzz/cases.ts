/**
 * The fuzz cases: one generator per endpoint, each producing a recipe (plain data, printable as a
 * reproducer) that `materialize.ts` turns into bytes on the wire. Recipes start from a valid
 * request and break one or more things, so that deep validation code is reached as well as the
 * parsers at the door.
 */
import fc from 'fast-check'
import type { JwsMutation, Segment } from './jws.ts'
import type { Target } from './oracle.ts'
import {
  brief,
  garbageToken,
  type Huge,
  headerSafe,
  hostileValue,
  hugeString,
  NASTY_KEYS,
  nastyString,
  poisonObject,
  REMOVE,
} from './values.ts'

export type CertName = 'alpha' | 'beta' | 'none' | 'rogue' | 'expired'
/** Members to set (or delete, with REMOVE) in a JSON object. */
export type Patch = [string, unknown][]

export interface JwsRecipe {
  claims: Patch
  header: Patch
  mutation: JwsMutation
}

export interface RegistrationRecipe extends JwsRecipe {
  authMethod: 'private_key_jwt' | 'tls_client_auth'
  jti: string
  ssa: JwsRecipe & { signer: 'directory' | 'untrusted' }
}

export interface AssertionRecipe extends JwsRecipe {
  /** Whose client id the assertion names (the fixture clients, or an unknown one). */
  client: 'alpha' | 'beta' | 'unknown'
  jti: string
}

/** A form value, or a placeholder the runner fills in. */
export type FormValue =
  | string
  | { fill: 'assertion'; recipe: AssertionRecipe }
  | { fill: 'client-id'; client: 'alpha' | 'beta' }
  | { fill: 'token'; of: 'alpha' | 'beta' }
  | { fill: 'huge'; value: Huge }

export type Body =
  | { kind: 'none' }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'text'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'huge'; value: Huge }
  | { kind: 'registration'; recipe: RegistrationRecipe }
  | { kind: 'form'; pairs: [string, FormValue][]; broken: string | null }

export type ClientIdSpec = { fixture: 'alpha' | 'beta' } | { raw: string }

export type AuthSpec =
  | { kind: 'none' }
  | { kind: 'token'; of: 'alpha' | 'beta'; format: 'plain' | 'lowercase' | 'extra-spaces' | 'suffix' | 'twice' | 'tab' }
  | { kind: 'header'; value: string }

/** One HTTP request made through Node's client. */
export interface HttpCase {
  target: Exclude<Target, 'raw'>
  method: string
  /** A literal path, or /register/{id} to fill in. */
  path: string | { register: ClientIdSpec }
  cert: CertName
  contentType: string | null
  auth: AuthSpec
  extraHeaders: [string, string][]
  body: Body
}

/** Bytes on a fresh TLS connection, for what Node's client refuses to send. */
export interface RawCase {
  target: 'raw'
  cert: CertName
  method: string
  requestTarget: string
  version: string
  headers: [string, string][]
  framing: 'content-length' | 'chunked' | 'cl-and-te' | 'duplicate-cl' | 'bad-chunk-size' | 'negative-cl' | 'none'
  body: string
}

export type FuzzCase = HttpCase | RawCase

// ---------------------------------------------------------------------------------------------
// Building blocks

const cert = fc.oneof(
  { weight: 12, arbitrary: fc.constant<CertName>('alpha') },
  { weight: 2, arbitrary: fc.constant<CertName>('beta') },
  { weight: 1, arbitrary: fc.constantFrom<CertName>('none', 'rogue', 'expired') },
)

const segment = fc.constantFrom<Segment>(0, 1, 2)

export const jwsMutation: fc.Arbitrary<JwsMutation> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 2,
    arbitrary: fc.double({ min: 0, max: 0.999, noNaN: true }).map(keep => ({ kind: 'truncate' as const, keep })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('repad' as const),
      segment,
      pad: fc.constantFrom('=', '==', '===', '%3D'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('standard-base64' as const), segment }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      segment,
      at: fc.double({ min: 0, max: 0.999, noNaN: true }),
      char: fc.constantFrom('A', 'z', '0', '-', '_', '+', '/', '=', '.', ' ', '\u00e9'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<Segment[]>([1, 0, 2], [0, 2, 1], [2, 1, 0], [0, 1], [1, 2], [0], [0, 0, 2], [1, 1, 2])
      .map(order => ({ kind: 'reorder' as const, order })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop-signature' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(fc.constant(''), garbageToken), { minLength: 1, maxLength: 3 })
      .map(parts => ({ kind: 'extra-parts' as const, parts })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('whitespace' as const),
      where: fc.constantFrom('start' as const, 'end' as const, 'inside' as const),
      ws: fc.constantFrom(' ', '\n', '\r\n', '\t', '\u00a0', '\u2028'),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'alg-none' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'hs256-public-key' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('none', 'None', 'HS256', 'RS256', 'ES256', 'PS512', 'EdDSA', 'dir', '')
      .map(alg => ({ kind: 'alg-header' as const, alg })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'wrong-key' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'json-serialization' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'replace-payload' as const }) },
)

/** URLs a hostile header may point at: loopback on closed ports only (nothing leaves the machine). */
const keyUrl = fc.constantFrom(
  'https://127.0.0.1:1/jwks',
  'https://localhost:1/../../etc/passwd',
  'http://127.0.0.1:1/',
  'file:///etc/passwd',
  '',
)

/** Header members of an attacker: kid traversal, embedded keys and key URLs, crit, b64. */
const headerPatch: fc.Arbitrary<Patch> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Patch>([]) },
  {
    weight: 4,
    arbitrary: fc.array(
      fc.oneof(
        fc.tuple(
          fc.constant('kid'),
          fc.oneof(
            fc.constantFrom(
              '../../etc/passwd',
              '../../../../../../dev/zero',
              '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
              'kid\u0000',
              '',
              '*',
              "' OR '1'='1",
            ),
            hostileValue,
          ),
        ),
        fc.tuple(fc.constantFrom('jku', 'x5u'), fc.oneof(keyUrl, hostileValue)),
        fc.tuple(fc.constant('jwk'), fc.oneof(fc.constant({ kty: 'oct', k: 'AAAA' }), hostileValue)),
        fc.tuple(fc.constant('x5c'), fc.oneof(fc.constant(['MIIB']), hostileValue)),
        fc.tuple(fc.constant('crit'), fc.oneof(fc.constant(['exp']), fc.constant(['b64']), hostileValue)),
        fc.tuple(fc.constant('b64'), fc.oneof(fc.constant(false), hostileValue)),
        fc.tuple(fc.constantFrom('typ', 'cty', 'zip', 'enc', 'x5t#S256'), hostileValue),
        fc.tuple(fc.constantFrom('alg', 'kid'), fc.constant(REMOVE)),
        fc.tuple(fc.constantFrom(...NASTY_KEYS), hostileValue),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  },
)

/** Embedded keys or key URLs in a header: the bank must take the key from the directory, never from these. */
export function embedsKey(header: Patch): boolean {
  return header.some(([k, v]) => ['jwk', 'jku', 'x5u', 'x5c'].includes(k) && v !== REMOVE)
}

const REQUEST_CLAIMS = [
  'iss',
  'aud',
  'jti',
  'iat',
  'exp',
  'nbf',
  'redirect_uris',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'tls_client_auth_subject_dn',
  'tls_client_auth_dn',
  'grant_types',
  'response_types',
  'software_id',
  'scope',
  'software_statement',
  'application_type',
  'id_token_signed_response_alg',
  'request_object_signing_alg',
  'client_name',
  'logo_uri',
  'client_uri',
  'jwks',
  'jwks_uri',
  'client_id',
  'registration_access_token',
  'tls_client_certificate_bound_access_tokens',
  'backchannel_token_delivery_mode',
  'backchannel_client_notification_endpoint',
  'default_max_age',
  'require_auth_time',
  'subject_type',
  'id_token_encrypted_response_alg',
  'tls_client_auth_san_dns',
] as const

const SSA_CLAIMS = [
  'iss',
  'iat',
  'exp',
  'jti',
  'software_id',
  'org_id',
  'org_status',
  'software_jwks_endpoint',
  'software_jwks_revoked_endpoint',
  'software_redirect_uris',
  'software_roles',
  'software_client_name',
  'organisation_competent_authority_claims',
  'org_contacts',
] as const

/** Subject DNs: well formed, nearly well formed, and shaped to make a backtracking matcher work hard. */
export const dnString: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.constantFrom(
        'CN=',
        'OU=',
        'O=',
        'C=',
        'a',
        'b',
        '=',
        ',',
        ' ',
        '\\',
        '+',
        '"',
        '#',
        '\u00e9',
        'a=b',
        ',a=b=c',
      ),
      {
        maxLength: 120,
      },
    )
    .map(parts => `CN=${parts.join('')}`),
  fc
    .tuple(
      fc.constantFrom(',a=b=c', ',a=b=c=d=e', ',x==y', ',k=v'),
      fc.integer({ min: 1, max: 80 }),
      fc.constantFrom(',', ', ', ',=', ''),
    )
    .map(([seg, n, tail]) => `CN=a${seg.repeat(n)}${tail}`),
)

/** Values that are nearly right: a claim of the right shape with one detail wrong. */
const plausible = fc.constantFrom<unknown>(
  'PS256',
  'ES256',
  'RS256',
  'none',
  'private_key_jwt',
  'client_secret_basic',
  'tls_client_auth',
  ['client_credentials'],
  ['authorization_code', 'implicit'],
  ['code'],
  ['token'],
  'openid accounts',
  'openid accounts payments fundsconfirmations',
  ['openid', 'accounts'],
  'web',
  'native',
  ['https://127.0.0.1/cb'],
  ['https://example.com/cb#frag'],
  ['http://example.com/cb'],
  [],
  'CN=eRqIPed41jQfaRKQ3D5syk,OU=0015800001pfGViVVJ,O=OpenBanking,C=GB',
  'CN=a,=b',
  'CN=\\',
  0,
  -1,
  2 ** 31,
  1e12,
)

function claimsPatch(names: readonly string[]): fc.Arbitrary<Patch> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<Patch>([]) },
    {
      weight: 7,
      arbitrary: fc.array(
        fc.tuple(
          fc.oneof(
            { weight: 8, arbitrary: fc.constantFrom(...names) },
            { weight: 1, arbitrary: fc.constantFrom(...NASTY_KEYS) },
            {
              weight: 1,
              arbitrary: nastyString,
            },
          ),
          fc.oneof(
            { weight: 5, arbitrary: hostileValue },
            { weight: 3, arbitrary: plausible },
            { weight: 1, arbitrary: dnString },
            { weight: 1, arbitrary: fc.constant(REMOVE) },
          ),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    },
  )
}

const uuidV4 = fc.uuid({ version: 4 })

/** One known claim given a value of the wrong type: the type confusions that break naive code. */
function typeConfusion(names: readonly string[]): fc.Arbitrary<Patch> {
  return fc
    .tuple(
      fc.constantFrom(...names),
      fc.oneof(poisonObject, fc.constantFrom<unknown>([], [[]], {}, 0, -1, 1.5, true, null, '', ['a', 1])),
    )
    .map(([k, v]): Patch => [[k, v]])
}

const requestClaimsPatch = fc.oneof(
  { weight: 6, arbitrary: claimsPatch(REQUEST_CLAIMS) },
  { weight: 2, arbitrary: typeConfusion(REQUEST_CLAIMS) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('tls_client_auth_subject_dn', 'tls_client_auth_dn'), dnString)
      .map(([k, dn]): Patch => [[k, dn]]),
  },
)
const NO_MUTATION: JwsMutation = { kind: 'none' }
const cleanSsa = { claims: [] as Patch, header: [] as Patch, mutation: NO_MUTATION, signer: 'directory' as const }

/** Everything at once: several defects in one request (the first one found wins). */
const anyRegistrationRecipe: fc.Arbitrary<RegistrationRecipe> = fc.record({
  authMethod: fc.constantFrom('private_key_jwt' as const, 'tls_client_auth' as const),
  jti: uuidV4,
  claims: requestClaimsPatch,
  header: headerPatch,
  mutation: jwsMutation,
  ssa: fc.record({
    claims: fc.oneof(
      { weight: 3, arbitrary: fc.constant<Patch>([]) },
      { weight: 1, arbitrary: claimsPatch(SSA_CLAIMS) },
    ),
    header: fc.oneof({ weight: 4, arbitrary: fc.constant<Patch>([]) }, { weight: 1, arbitrary: headerPatch }),
    mutation: fc.oneof({ weight: 4, arbitrary: fc.constant(NO_MUTATION) }, { weight: 1, arbitrary: jwsMutation }),
    signer: fc.oneof(
      { weight: 9, arbitrary: fc.constant('directory' as const) },
      { weight: 1, arbitrary: fc.constant('untrusted' as const) },
    ),
  }),
})

/**
 * One defect in an otherwise valid request, so that each rule down the validation chain (claims,
 * metadata, DN, SSA claims) is reached rather than the first check stopping every case.
 */
const oneDefectRecipe: fc.Arbitrary<RegistrationRecipe> = fc
  .record({
    authMethod: fc.constantFrom('private_key_jwt' as const, 'tls_client_auth' as const),
    jti: uuidV4,
    defect: fc.oneof(
      { weight: 8, arbitrary: requestClaimsPatch.map(claims => ({ claims })) },
      { weight: 1, arbitrary: headerPatch.map(header => ({ header })) },
      { weight: 1, arbitrary: jwsMutation.map(mutation => ({ mutation })) },
      { weight: 2, arbitrary: claimsPatch(SSA_CLAIMS).map(claims => ({ ssa: { ...cleanSsa, claims } })) },
      { weight: 1, arbitrary: typeConfusion(SSA_CLAIMS).map(claims => ({ ssa: { ...cleanSsa, claims } })) },
      { weight: 1, arbitrary: headerPatch.map(header => ({ ssa: { ...cleanSsa, header } })) },
      { weight: 1, arbitrary: jwsMutation.map(mutation => ({ ssa: { ...cleanSsa, mutation } })) },
    ),
  })
  .map(({ authMethod, jti, defect }) => ({
    authMethod,
    jti,
    claims: [],
    header: [],
    mutation: NO_MUTATION,
    ssa: cleanSsa,
    ...defect,
  }))

export const registrationRecipe: fc.Arbitrary<RegistrationRecipe> = fc.oneof(
  { weight: 3, arbitrary: oneDefectRecipe },
  { weight: 1, arbitrary: anyRegistrationRecipe },
)

const randomBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 400 }).map(bytes => ({ kind: 'bytes' as const, bytes })) },
  { weight: 2, arbitrary: nastyString.map(text => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: hostileValue.map(value => ({ kind: 'json' as const, value })) },
  { weight: 1, arbitrary: hugeString.map(value => ({ kind: 'huge' as const, value })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
)

const registrationBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 6, arbitrary: registrationRecipe.map(recipe => ({ kind: 'registration' as const, recipe })) },
  { weight: 2, arbitrary: randomBody },
)

const JOSE_TYPES = ['application/jose', 'application/jwt']
const contentType = (usual: string[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...usual) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'APPLICATION/JOSE',
        'application/jose; charset=utf-16',
        'application/jose;;;',
        'application/jose, application/json',
        'application/jwt; charset=utf-8',
        'application/x-www-form-urlencoded; charset=ISO-8859-1',
        'application/x-www-form-urlencoded;',
        '*/*',
        '/',
        ';',
        '',
      ),
    },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: nastyString.map(headerSafe) },
  )

const extraHeaders: fc.Arbitrary<[string, string][]> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<[string, string][]>([]) },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.tuple(
        fc.constantFrom(
          'x-forwarded-for',
          'x-forwarded-proto',
          'x-forwarded-host',
          'host',
          'x-ssl-client-cert',
          'x-client-cert',
          'ssl-client-cert',
          'x-fapi-interaction-id',
          'accept',
          'accept-encoding',
          'content-encoding',
          'expect',
          'origin',
          'cookie',
          'range',
          'if-none-match',
          'x-http-method-override',
        ),
        fc.oneof(
          nastyString.map(headerSafe),
          fc.constantFrom('gzip', '100-continue', 'DELETE', '127.0.0.1', 'bytes=0-1'),
        ),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  },
)

// ---------------------------------------------------------------------------------------------
// Per endpoint

const registerCase: fc.Arbitrary<HttpCase> = fc.record({
  target: fc.constant('register' as const),
  method: fc.oneof(
    { weight: 20, arbitrary: fc.constant('POST') },
    { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'GET', 'DELETE') },
  ),
  path: fc.oneof(
    { weight: 20, arbitrary: fc.constant('/register') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '/register/',
        '/REGISTER',
        '/register?x=1',
        '/register;x',
        '//register',
        '/register%00',
      ),
    },
  ),
  cert,
  contentType: contentType(JOSE_TYPES),
  auth: fc.oneof(
    { weight: 9, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 1, arbitrary: garbageToken.map(v => ({ kind: 'header' as const, value: headerSafe(v) })) },
  ),
  extraHeaders,
  body: registrationBody,
})

const clientIdSpec: fc.Arbitrary<ClientIdSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ fixture: 'alpha' as const }) },
  { weight: 2, arbitrary: fc.constant({ fixture: 'beta' as const }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        uuidV4,
        fc.constantFrom(
          '%00',
          '..%2f..%2fetc%2fpasswd',
          '..',
          '.',
          '%2e%2e',
          '%E0%A4%A',
          '%ZZ',
          '%',
          '%c0%ae',
          'a%0d%0ab',
          '%ff',
          '%20',
        ),
        fc.integer({ min: 300, max: 12_000 }).map(n => 'a'.repeat(n)),
        nastyString.map(s => encodeURIComponent(s)),
      )
      .map(raw => ({ raw })),
  },
)

const authSpec: fc.Arbitrary<AuthSpec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('token' as const),
      of: fc.oneof(
        { weight: 4, arbitrary: fc.constant('alpha' as const) },
        { weight: 1, arbitrary: fc.constant('beta' as const) },
      ),
      format: fc.oneof(
        { weight: 8, arbitrary: fc.constant('plain' as const) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'lowercase' as const,
            'extra-spaces' as const,
            'suffix' as const,
            'twice' as const,
            'tab' as const,
          ),
        },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        garbageToken.map(t => `Bearer ${t}`),
        garbageToken,
        fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'Bearer a b', 'Bearer =', 'DPoP abc', 'Bearer \u00ff', ','),
        fc.integer({ min: 4000, max: 15_000 }).map(n => `Bearer ${'A'.repeat(n)}`),
      )
      .map(value => ({ kind: 'header' as const, value: headerSafe(value) })),
  },
)

/** Anything goes: method, client id, credentials and certificate all drawn independently. */
const anyManageCase: fc.Arbitrary<HttpCase> = fc.record({
  target: fc.constant('manage' as const),
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('GET', 'PUT') },
    { weight: 1, arbitrary: fc.constant('DELETE') },
    { weight: 1, arbitrary: fc.constantFrom('POST', 'PATCH', 'HEAD', 'OPTIONS') },
  ),
  path: clientIdSpec.map(register => ({ register })),
  cert,
  contentType: contentType(JOSE_TYPES),
  auth: authSpec,
  extraHeaders,
  body: fc.oneof(
    { weight: 3, arbitrary: registrationBody },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  ),
})

/** The owner, with its own token and certificate: past authentication, into PUT's validation. */
const ownerManageCase: fc.Arbitrary<HttpCase> = fc
  .record({
    owner: fc.constantFrom('alpha' as const, 'beta' as const),
    method: fc.oneof({ weight: 6, arbitrary: fc.constant('PUT') }, { weight: 1, arbitrary: fc.constant('GET') }),
    contentType: contentType(JOSE_TYPES),
    extraHeaders,
    body: registrationBody,
  })
  .map(({ owner, method, contentType, extraHeaders, body }) => ({
    target: 'manage' as const,
    method,
    path: { register: { fixture: owner } },
    cert: owner,
    contentType,
    auth: { kind: 'token' as const, of: owner, format: 'plain' as const },
    extraHeaders,
    body,
  }))

const manageCase: fc.Arbitrary<HttpCase> = fc.oneof(
  { weight: 3, arbitrary: anyManageCase },
  { weight: 2, arbitrary: ownerManageCase },
)

export const assertionRecipe: fc.Arbitrary<AssertionRecipe> = fc.record({
  client: fc.oneof(
    { weight: 6, arbitrary: fc.constant('alpha' as const) },
    { weight: 1, arbitrary: fc.constantFrom('beta' as const, 'unknown' as const) },
  ),
  jti: uuidV4,
  claims: claimsPatch(['iss', 'sub', 'aud', 'jti', 'exp', 'iat', 'nbf', 'client_id', 'scope']),
  header: headerPatch,
  mutation: jwsMutation,
})

const FORM_KEYS = [
  'grant_type',
  'client_id',
  'client_assertion',
  'client_assertion_type',
  'client_secret',
  'scope',
  'token',
  'token_type_hint',
  'code',
  'refresh_token',
  'redirect_uri',
] as const

const formValue: fc.Arbitrary<FormValue> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'client_credentials',
      'authorization_code',
      'refresh_token',
      'password',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      'access_token',
      'refresh_token',
      'openid accounts',
    ),
  },
  { weight: 1, arbitrary: garbageToken },
  { weight: 1, arbitrary: hugeString.map(value => ({ fill: 'huge' as const, value })) },
  { weight: 2, arbitrary: assertionRecipe.map(recipe => ({ fill: 'assertion' as const, recipe })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('alpha' as const, 'beta' as const)
      .map(client => ({ fill: 'client-id' as const, client })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('alpha' as const, 'beta' as const).map(of => ({ fill: 'token' as const, of })),
  },
)

/** A form for `endpoint` that starts valid (or nearly) and gets parameters added, replaced or repeated. */
function formBody(base: [string, FormValue][]): fc.Arbitrary<Body> {
  return fc.record({
    kind: fc.constant('form' as const),
    pairs: fc
      .tuple(
        fc.subarray(base),
        fc.array(
          fc.tuple(
            fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FORM_KEYS) }, { weight: 1, arbitrary: nastyString }),
            formValue,
          ),
          {
            maxLength: 4,
          },
        ),
        fc.boolean(),
      )
      .map(([kept, added, replace]) => {
        if (!replace) return [...kept, ...added]
        // Replace rather than repeat: one value per name.
        const out = new Map(kept)
        for (const [k, v] of added) out.set(k, v)
        return [...out]
      }),
    broken: fc.oneof(
      { weight: 8, arbitrary: fc.constant(null) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '%',
          '%zz',
          '%E0%A4',
          '&&&',
          '=',
          '==&=',
          '+%2B+',
          'a=%00',
          '%FF%FE',
          'x=\u00e9',
          ';',
          'a=1;b=2',
        ),
      },
    ),
  })
}

const assertionAlpha = (): FormValue => ({
  fill: 'assertion',
  recipe: { client: 'alpha', jti: '', claims: [], header: [], mutation: { kind: 'none' } },
})

function formCase(target: 'token' | 'introspect' | 'revoke'): fc.Arbitrary<HttpCase> {
  const base: [string, FormValue][] =
    target === 'token'
      ? [
          ['grant_type', 'client_credentials'],
          ['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
          ['client_assertion', assertionAlpha()],
          ['scope', 'accounts'],
        ]
      : [
          ['token', { fill: 'token', of: 'alpha' }],
          ['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
          ['client_assertion', assertionAlpha()],
          ['token_type_hint', 'access_token'],
        ]
  return fc.record({
    target: fc.constant(target),
    method: fc.oneof(
      { weight: 20, arbitrary: fc.constant('POST') },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE') },
    ),
    path: fc.constant(`/${target}`),
    cert,
    contentType: contentType(['application/x-www-form-urlencoded']),
    auth: fc.oneof(
      { weight: 9, arbitrary: fc.constant({ kind: 'none' as const }) },
      {
        weight: 1,
        arbitrary: fc
          .oneof(
            garbageToken.map(t => `Basic ${t}`),
            garbageToken.map(t => `Bearer ${t}`),
            garbageToken,
          )
          .map(value => ({ kind: 'header' as const, value: headerSafe(value) })),
      },
    ),
    extraHeaders,
    body: fc.oneof({ weight: 6, arbitrary: formBody(base) }, { weight: 1, arbitrary: randomBody }),
  })
}

const META_PATHS = [
  '/.well-known/openid-configuration',
  '/jwks',
  '/register',
  '/token',
  '/introspect',
  '/revoke',
  '/',
  '/authorize',
  '/par',
  '/directory/keystore/keystore/openbanking.jwks',
  '/directory/keystore/../../../etc/passwd',
  '/directory/keystore/%2e%2e/%2e%2e/etc/passwd',
  '/directory/keystore/0015800001pfGViVVJ/revoked/x.jwks',
  '/directory/organisation/x/software-statement/y/software-statement-assertion',
  '/.well-known/openid-configuration/../../jwks',
  '/jwks?kid=../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/\u00e9',
  '/favicon.ico',
  '/register/%00/x',
  '*',
]

const metaCase: fc.Arbitrary<HttpCase> = fc.record({
  target: fc.constant('meta' as const),
  method: fc.constantFrom(
    'GET',
    'POST',
    'PUT',
    'DELETE',
    'PATCH',
    'OPTIONS',
    'HEAD',
    'TRACE',
    'PROPFIND',
    'FOO',
    'M-SEARCH',
  ),
  path: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...META_PATHS) },
    { weight: 1, arbitrary: nastyString.map(s => `/${encodeURIComponent(s)}`) },
    { weight: 1, arbitrary: fc.webPath().map(p => (p.startsWith('/') ? p : `/${p}`)) },
  ),
  cert,
  contentType: contentType(['application/json', 'application/jose', 'application/x-www-form-urlencoded']),
  auth: fc.oneof({ weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) }, { weight: 1, arbitrary: authSpec }),
  extraHeaders,
  body: fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 1, arbitrary: randomBody },
  ),
})

/** Header names and values with CR, LF, NUL, obs-fold, bare CR and UTF-8: what Node's client refuses. */
const rawHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constantFrom('Authorization', 'Content-Type', 'X-Test', 'Host'),
    fc.constantFrom(
      'Bearer abc\r\nX-Injected: 1',
      'Bearer abc\nX-Injected: 1',
      'Bearer abc\rX-Injected: 1',
      'a\u0000b',
      'application/jose\r\n\r\nGET /jwks HTTP/1.1',
      'value\r\n folded',
      'é😀',
      '\u0085',
      'x'.repeat(20_000),
    ),
  ),
  fc.tuple(
    fc.constantFrom('X Bad', 'X:Bad', '', 'Ünicode', 'X-\u0000', ' Leading', 'Content-Length '),
    fc.constant('1'),
  ),
  fc.tuple(
    fc.constantFrom('Transfer-Encoding'),
    fc.constantFrom('gzip', 'chunked, gzip', 'chunked', 'identity', 'xchunked'),
  ),
  fc.tuple(
    fc.constantFrom('Upgrade', 'Connection'),
    fc.constantFrom('websocket', 'h2c', 'Upgrade', 'Upgrade, HTTP2-Settings'),
  ),
  fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', '200-ok', '')),
)

const rawCase: fc.Arbitrary<RawCase> = fc.record({
  target: fc.constant('raw' as const),
  cert,
  method: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
    // Not PRI: Node's parser takes it for an HTTP/2 preface and drops a malformed one without an
    // answer, below anything the bank can hook (reported as a known limitation).
    { weight: 1, arbitrary: fc.constantFrom('get', 'G ET', 'CONNECT', '', 'GET\u0000', 'ÄÖ') },
  ),
  requestTarget: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom('/register', '/register/x', '/token', '/jwks', '/.well-known/openid-configuration'),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'https://localhost/register',
        '*',
        '',
        '/register x',
        '/ré',
        '/\u0000',
        '/register/%00',
        '/..\\..\\etc\\passwd',
        `/${'a'.repeat(20_000)}`,
        'localhost:443',
      ),
    },
  ),
  version: fc.oneof(
    { weight: 6, arbitrary: fc.constant('HTTP/1.1') },
    { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1 ', 'http/1.1', '') },
  ),
  headers: fc.array(rawHeader, { minLength: 1, maxLength: 3 }),
  framing: fc.constantFrom(
    'content-length',
    'content-length',
    'chunked',
    'cl-and-te',
    'duplicate-cl',
    'bad-chunk-size',
    'negative-cl',
    'none',
  ),
  body: fc.oneof(fc.constant(''), nastyString, fc.constant('grant_type=client_credentials&client_id=x')),
})

/** Every endpoint, weighted by how much surface it has. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    { weight: 30, arbitrary: registerCase },
    { weight: 20, arbitrary: manageCase },
    { weight: 15, arbitrary: formCase('token') },
    { weight: 8, arbitrary: formCase('introspect') },
    { weight: 8, arbitrary: formCase('revoke') },
    { weight: 8, arbitrary: metaCase },
    { weight: 5, arbitrary: rawCase },
  )
  .map(c => withSummary(c))

/** Attaches a short printable form, so a failure prints a usable reproducer rather than 100 KB. */
function withSummary<T extends FuzzCase>(c: T): T {
  Object.defineProperty(c, fc.toStringMethod, { value: () => summarize(c), enumerable: false })
  return c
}

export function summarize(c: FuzzCase): string {
  if (c.target === 'raw') {
    return `raw ${brief(c.method, 20)} ${brief(c.requestTarget, 60)} ${brief(c.version, 12)} cert=${c.cert} framing=${c.framing} headers=${brief(c.headers, 200)} body=${brief(c.body, 60)}`
  }
  const path = typeof c.path === 'string' ? c.path : `/register/{${brief(c.path.register, 60)}}`
  return `${c.target}: ${c.method} ${brief(path, 80)} cert=${c.cert} content-type=${brief(c.contentType, 40)} auth=${brief(c.auth, 80)} headers=${brief(c.extraHeaders, 100)} body=${brief(c.body, 600)}`
}
