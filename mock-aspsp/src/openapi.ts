/**
 * The OpenAPI 3.1 description of every endpoint of the mock bank, served at `/openapi.json` with
 * the bank's own issuer as its server. `mock-aspsp/test/openapi.test.ts` keeps it true: every
 * route of the app is here, and every status documented here is one a request gets from the bank.
 */
import type { Context } from 'koa'
import { SIGNING_HELPER_BASE } from './actions/signing_helper.ts'
import type { Bank } from './config/bank.ts'

type Schema = Record<string, unknown>
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Schema) => ({ 'application/json': { schema } })
const response = (description: string, content?: Record<string, unknown>, headers?: Schema) => ({
  description,
  ...(content ? { content } : {}),
  ...(headers ? { headers } : {}),
})
const oauthError = (description: string) => response(description, json(ref('OAuthError')))
const obError = (description: string) => response(description, json(ref('OBErrorResponse1')))
const html = (description: string) => response(description, { 'text/html': { schema: { type: 'string' } } })
const redirect = (description: string) =>
  response(description, undefined, { Location: { schema: { type: 'string', format: 'uri-reference' } } })
const form = (properties: Schema, required: string[] = []) => ({
  required: true,
  content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties, required } } },
})
const path = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
})
const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra })

/** Client authentication at the token, PAR, introspection and revocation endpoints (form members). */
const CLIENT_AUTH: Schema = {
  client_id: str('The client_id (tls_client_auth: required; private_key_jwt: optional, = the assertion iss)'),
  client_assertion_type: str('urn:ietf:params:oauth:client-assertion-type:jwt-bearer (private_key_jwt)'),
  client_assertion: str(
    'private_key_jwt (RFC 7523): a JWS signed PS256/ES256 with a key of the software JWKS; iss = sub = client_id, aud = the token endpoint or the issuer, exp at most --max-assertion-lifetime ahead (default 3600 s), single-use jti; kid required when the JWKS has several keys (--try-keys-without-kid)',
  ),
}
const MTLS = [{ mtls: [] }]
const BEARER_MTLS = [{ mtls: [], bearer: [] }]
const UNAUTHENTICATED = oauthError(
  'the client could not be authenticated because it sent an Authorization header (client_secret_basic is not supported): invalid_client with WWW-Authenticate',
)
const FORM_REFUSED = oauthError(
  'the request is malformed or the client is not authenticated: invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope (RFC 6749 §5.2)',
)
const REGISTRATION: Schema = {
  required: true,
  content: {
    'application/jose': {
      schema: str(
        'A compact JWS (PS256/ES256, kid of the software JWKS) whose claims are the client metadata (OB DCR OBClientRegistrationRequest1): iss = software_id, aud = the bank org id or its issuer, iat, exp, jti, software_statement (the SSA) and redirect_uris, token_endpoint_auth_method, grant_types, response_types, scope, ...',
      ),
    },
    'application/jwt': { schema: str('The same, as OB DCR 3.1 sends it') },
  },
}

export function openApiDocument(bank: Bank): Schema {
  const aisp = '/open-banking/v3.1/aisp'
  const wellKnown = (operationId: string, summary: string) => ({
    get: {
      tags: ['discovery'],
      operationId,
      summary,
      security: [],
      responses: { 200: response('The server metadata', json(ref('ServerMetadata'))) },
    },
  })
  return {
    openapi: '3.1.0',
    info: {
      title: 'OB DCR conformance mock bank',
      version: '1.0.0',
      summary: 'A strict mock UK Open Banking ASPSP: DCR 3.1-3.4, token, PAR, consent, accounts, mock directory',
      description:
        'Every endpoint answers over mutual TLS (the listener asks for a client certificate; those that need one say so). Errors are JSON `{error, error_description}` with `Cache-Control: no-store` (OB Read/Write API errors: OBErrorResponse1); the description names the field, the rule and, for limits, the option. Options: `npm start -- --help`.',
    },
    servers: [{ url: bank.endpoints.issuer }],
    tags: [
      { name: 'discovery' },
      { name: 'dcr', description: 'Dynamic Client Registration (RFC 7591/7592, OB DCR)' },
      { name: 'oauth', description: 'Token, PAR, introspection, revocation, authorization' },
      { name: 'consent-pages', description: "The customer's sign-in and consent pages (HTML)" },
      { name: 'aisp', description: 'OB Account and Transaction API v3.1 (accounts, balances, consents)' },
      { name: 'directory', description: 'The mock Open Banking Directory: keystore and SSAs' },
      {
        name: 'mock-only',
        description:
          'The signing helper (--signing-helper, off by default): signs with the keys of a TPP of the mock directory. No real bank has it.',
      },
    ],
    paths: {
      '/.well-known/openid-configuration': wellKnown(
        'getOpenIdConfiguration',
        'OpenID Provider metadata (OIDC Discovery §4)',
      ),
      '/.well-known/oauth-authorization-server': wellKnown(
        'getOAuthServerMetadata',
        'Authorization server metadata (RFC 8414 §3)',
      ),
      '/jwks': {
        get: {
          tags: ['discovery'],
          operationId: 'getJwks',
          summary: "The bank's signing keys (ID tokens, JWT access tokens)",
          security: [],
          responses: { 200: response('A JWKS', json(ref('Jwks'))) },
        },
      },
      '/openapi.json': {
        get: {
          tags: ['discovery'],
          operationId: 'getOpenApi',
          summary: 'This document',
          security: [],
          responses: { 200: response('OpenAPI 3.1', json({ type: 'object' })) },
        },
      },
      '/register': {
        post: {
          tags: ['dcr'],
          operationId: 'registerClient',
          summary: 'Register a client (OB DCR POST /register; RFC 7591 §3.1)',
          security: MTLS,
          requestBody: REGISTRATION,
          responses: {
            201: response('The client, every registered value and the SSA claims', json(ref('Registration'))),
            400: oauthError(
              'invalid_client_metadata, invalid_redirect_uri, invalid_software_statement, unapproved_software_statement or invalid_request (RFC 7591 §3.2.2)',
            ),
            413: oauthError('the body exceeds --max-body'),
          },
        },
      },
      '/register/{clientId}': {
        parameters: [path('clientId', 'The client_id returned at registration')],
        get: {
          tags: ['dcr'],
          operationId: 'getClient',
          summary: 'Read a client (OB DCR GET; a client-credentials token of that client)',
          security: BEARER_MTLS,
          responses: {
            200: response('The registration', json(ref('Registration'))),
            401: oauthError(
              "invalid_token: unknown, expired, revoked, another client's or bound to another certificate (the token is revoked)",
            ),
            405: oauthError('GET is switched off (--disable get), after the token was checked'),
          },
        },
        put: {
          tags: ['dcr'],
          operationId: 'updateClient',
          summary: 'Update a client (OB DCR PUT; RFC 7592 §2.2): the same validation as POST',
          security: BEARER_MTLS,
          requestBody: REGISTRATION,
          responses: {
            200: response('The updated registration', json(ref('Registration'))),
            400: oauthError('as POST /register'),
            401: oauthError('invalid_token'),
            405: oauthError('PUT is switched off (--disable put)'),
          },
        },
        delete: {
          tags: ['dcr'],
          operationId: 'deleteClient',
          summary: 'Delete a client and every token of it (OB DCR DELETE)',
          security: BEARER_MTLS,
          responses: {
            204: response('Deleted'),
            401: oauthError('invalid_token'),
            405: oauthError('DELETE is switched off (--disable delete)'),
          },
        },
      },
      '/token': {
        post: {
          tags: ['oauth'],
          operationId: 'token',
          summary:
            'Tokens: client_credentials, authorization_code (PKCE), refresh_token (RFC 6749; RFC 8705 certificate-bound)',
          security: MTLS,
          requestBody: form(
            {
              grant_type: str('client_credentials | authorization_code | refresh_token'),
              scope: str('client_credentials: some of the registered scopes (accounts, payments, fundsconfirmations)'),
              code: str('authorization_code'),
              redirect_uri: str('authorization_code: as in the request object'),
              code_verifier: str('authorization_code: PKCE (RFC 7636)'),
              refresh_token: str('refresh_token'),
              ...CLIENT_AUTH,
            },
            ['grant_type'],
          ),
          responses: {
            200: response('Tokens', json(ref('TokenResponse'))),
            400: FORM_REFUSED,
            401: UNAUTHENTICATED,
          },
        },
      },
      '/par': {
        post: {
          tags: ['oauth'],
          operationId: 'pushAuthorizationRequest',
          summary: 'Pushed authorization request (RFC 9126): a signed request object',
          security: MTLS,
          requestBody: form(
            { request: str('The request object (PS256, openbanking_intent_id, PKCE S256)'), ...CLIENT_AUTH },
            ['request'],
          ),
          responses: {
            201: response('The request_uri', json(ref('ParResponse'))),
            400: oauthError('invalid_request, invalid_request_object, invalid_client, unauthorized_client'),
            401: UNAUTHENTICATED,
          },
        },
      },
      '/introspect': {
        post: {
          tags: ['oauth'],
          operationId: 'introspect',
          summary: "Token introspection (RFC 7662): the tokens of the client's own software",
          security: MTLS,
          requestBody: form({ token: str('An access or refresh token'), ...CLIENT_AUTH }, ['token']),
          responses: {
            200: response("active and, when true, the token's claims", json(ref('Introspection'))),
            400: oauthError('invalid_request or invalid_client'),
            401: UNAUTHENTICATED,
          },
        },
      },
      '/revoke': {
        post: {
          tags: ['oauth'],
          operationId: 'revoke',
          summary: "Token revocation (RFC 7009): the client's own tokens",
          security: MTLS,
          requestBody: form({ token: str('An access or refresh token'), ...CLIENT_AUTH }, ['token']),
          responses: {
            200: response('Revoked (also for an unknown token, RFC 7009 §2.2)'),
            400: oauthError('invalid_request or invalid_client'),
            401: UNAUTHENTICATED,
          },
        },
      },
      '/authorize': {
        get: {
          tags: ['oauth'],
          operationId: 'authorize',
          summary: "The customer's browser: a request object by value or a request_uri from /par",
          security: [],
          parameters: [
            { name: 'client_id', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'request', in: 'query', schema: { type: 'string' }, description: 'The signed request object' },
            { name: 'request_uri', in: 'query', schema: { type: 'string' }, description: 'From /par' },
          ],
          responses: {
            303: redirect(
              'To the sign-in page (/consent/{id}), or to the client with code (or error) when the bank decides headlessly (--auto-approve, --auto-deny) or the request is refused after the redirect URI is trusted',
            ),
            400: html(
              'A page: the request cannot be completed (unknown client, bad request object before the redirect URI is trusted)',
            ),
          },
        },
        post: {
          tags: ['oauth'],
          operationId: 'authorizeByPost',
          summary: 'The same, as a form POST',
          security: [],
          requestBody: form(
            { client_id: str('The client'), request: str('The request object'), request_uri: str('From /par') },
            ['client_id'],
          ),
          responses: {
            303: redirect('As GET'),
            400: html('As GET'),
          },
        },
      },
      '/consent/{id}': {
        parameters: [path('id', 'The interaction /authorize started')],
        get: {
          tags: ['consent-pages'],
          operationId: 'consentPage',
          summary: 'The sign-in page, then the consent page (test customers: npm run customers; password open-banking)',
          security: [],
          responses: {
            200: html('The page'),
            403: html('Another browser started this sign-in (session cookie)'),
            404: html('Expired or already used'),
          },
        },
      },
      '/consent/{id}/login': {
        parameters: [path('id', 'The interaction')],
        post: {
          tags: ['consent-pages'],
          operationId: 'consentLogin',
          summary: 'Sign in (username, password) or cancel',
          security: [],
          requestBody: form({
            username: str('A test customer'),
            password: str('open-banking'),
            action: str('cancel to cancel'),
          }),
          responses: {
            303: redirect('To the consent page, or to the client with access_denied (cancel)'),
            401: html('The username or password is not right'),
            404: html('Expired or already used'),
          },
        },
      },
      '/consent/{id}/decision': {
        parameters: [path('id', 'The interaction')],
        post: {
          tags: ['consent-pages'],
          operationId: 'consentDecision',
          summary: 'Approve with accounts, or deny',
          security: [],
          requestBody: form({ decision: str('approve | deny'), account: str('An AccountId (repeat for several)') }, [
            'decision',
          ]),
          responses: {
            303: redirect('To the client with the code, or with access_denied'),
            400: html("No account chosen, or not the customer's own"),
            403: html('Not signed in'),
            404: html('Expired or already answered'),
          },
        },
      },
      [`${aisp}/account-access-consents`]: {
        post: {
          tags: ['aisp'],
          operationId: 'createAccountAccessConsent',
          summary: 'Create a consent (status AwaitingAuthorisation) with a client-credentials token of scope accounts',
          security: BEARER_MTLS,
          requestBody: { required: true, content: json(ref('OBReadConsent1')) },
          responses: {
            201: response('The consent', json(ref('OBReadConsentResponse1'))),
            400: obError('A field is missing or invalid (UK.OBIE.Field.*)'),
            401: oauthError('invalid_token'),
            403: oauthError('The token is not a client-credentials token, or lacks the accounts scope'),
            415: obError('Content-Type is not application/json'),
          },
        },
      },
      [`${aisp}/account-access-consents/{consentId}`]: {
        parameters: [path('consentId', 'The ConsentId')],
        get: {
          tags: ['aisp'],
          operationId: 'getAccountAccessConsent',
          summary: 'Read a consent: AwaitingAuthorisation until the customer decides, then Authorised or Rejected',
          security: BEARER_MTLS,
          responses: {
            200: response('The consent', json(ref('OBReadConsentResponse1'))),
            400: obError('No consent of this client has this id (UK.OBIE.Resource.NotFound)'),
            401: oauthError('invalid_token'),
            403: oauthError('The token is not a client-credentials token of scope accounts'),
          },
        },
        delete: {
          tags: ['aisp'],
          operationId: 'deleteAccountAccessConsent',
          summary: 'Revoke a consent and every token issued for it',
          security: BEARER_MTLS,
          responses: {
            204: response('Revoked'),
            400: obError('No consent of this client has this id'),
            401: oauthError('invalid_token'),
          },
        },
      },
      [`${aisp}/accounts`]: {
        get: {
          tags: ['aisp'],
          operationId: 'getAccounts',
          summary: 'The accounts the customer shared (a token of the authorization code flow)',
          security: BEARER_MTLS,
          responses: {
            200: response('OBReadAccount6', json(ref('OBReadAccount6'))),
            401: oauthError('invalid_token'),
            403: oauthError('The token authorises no customer, or the consent does not (any more)'),
          },
        },
      },
      [`${aisp}/accounts/{accountId}`]: {
        parameters: [path('accountId', 'An AccountId of the consent')],
        get: {
          tags: ['aisp'],
          operationId: 'getAccount',
          summary: 'One shared account',
          security: BEARER_MTLS,
          responses: {
            200: response('OBReadAccount6', json(ref('OBReadAccount6'))),
            401: oauthError('invalid_token'),
            403: oauthError('Not an account of the consent'),
          },
        },
      },
      [`${aisp}/accounts/{accountId}/balances`]: {
        parameters: [path('accountId', 'An AccountId of the consent')],
        get: {
          tags: ['aisp'],
          operationId: 'getBalances',
          summary: "A shared account's balance (ReadBalances)",
          security: BEARER_MTLS,
          responses: {
            200: response('OBReadBalance1', json(ref('OBReadBalance1'))),
            401: oauthError('invalid_token'),
            403: oauthError('Not an account of the consent, or no ReadBalances permission'),
          },
        },
      },
      '/directory/keystore/{path}': {
        parameters: [
          path(
            'path',
            'keystore/openbanking.jwks (SSA signing keys), <org>/<software>.jwks, <org>/revoked/<software>.jwks, <org>/<org>.jwks',
          ),
        ],
        get: {
          tags: ['directory'],
          operationId: 'getKeystoreJwks',
          summary:
            'A JWKS of the mock directory, at the OB keystore path shapes (also answered for keystore.openbankingtest.org.uk)',
          security: [],
          responses: {
            200: response('A JWKS', json(ref('Jwks'))),
            404: oauthError('Nothing at that path'),
          },
        },
      },
      '/directory/organisation/{orgId}/software-statement/{softwareId}/software-statement-assertion': {
        parameters: [path('orgId', 'The organisation'), path('softwareId', 'The software')],
        get: {
          tags: ['directory'],
          operationId: 'getSoftwareStatementAssertion',
          summary: 'A fresh SSA for the software of the presented transport certificate (OB Directory API shape)',
          security: MTLS,
          responses: {
            200: response('The SSA (a JWS signed by the directory)', {
              'application/jwt': { schema: { type: 'string' } },
            }),
            400: oauthError('No certificate, or one that does not belong to the software (OBTransport or OBWAC)'),
            404: oauthError('No such software in the directory'),
          },
        },
      },
      ...signingHelperPaths(),
    },
    components: {
      securitySchemes: {
        mtls: {
          type: 'mutualTLS',
          description: "A transport certificate issued by a CA the bank trusts (the test CA, --extra-ca, a TPP's own)",
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An access token bound to the certificate it was issued over (RFC 8705 §3)',
        },
      },
      schemas: SCHEMAS,
    },
  }
}

function signingHelperPaths(): Record<string, unknown> {
  const op = (operationId: string, summary: string, properties: Schema, required: string[], result: string) => ({
    post: {
      tags: ['mock-only'],
      operationId,
      summary,
      security: MTLS,
      requestBody: { required: true, content: json({ type: 'object', properties, required }) },
      responses: {
        200: response('Signed', json(ref(result))),
        400: oauthError("Not JSON, a member missing, or the certificate is not the TPP's"),
        404: oauthError('No such TPP in the mock directory'),
      },
    },
  })
  const tpp = str('A TPP of the mock directory (alpha, beta, ... or your own: npm run tpp -- add)')
  return {
    [`${SIGNING_HELPER_BASE}/registration`]: op(
      'mockSignRegistration',
      'A signed registration request with a fresh SSA (mock only)',
      {
        tpp,
        auth: str('private_key_jwt (default) or tls_client_auth'),
        redirect_uris: { type: 'array', items: { type: 'string' } },
        claims: { type: 'object', description: 'Claims to set' },
      },
      ['tpp'],
      'SignedRegistration',
    ),
    [`${SIGNING_HELPER_BASE}/client-assertion`]: op(
      'mockSignClientAssertion',
      'A client assertion for private_key_jwt (mock only)',
      { tpp, client_id: str('The client'), aud: str('Default: the token endpoint'), claims: { type: 'object' } },
      ['tpp', 'client_id'],
      'SignedAssertion',
    ),
    [`${SIGNING_HELPER_BASE}/request-object`]: op(
      'mockSignRequestObject',
      'A request object with PKCE for a consent (mock only)',
      {
        tpp,
        client_id: str('The client'),
        intent: str('The ConsentId'),
        response_type: str('code id_token (default) or code'),
        redirect_uri: str("Default: the TPP's first"),
        claims: { type: 'object' },
      },
      ['tpp', 'client_id', 'intent'],
      'SignedRequestObject',
    ),
  }
}

const SCHEMAS: Record<string, Schema> = {
  OAuthError: {
    type: 'object',
    required: ['error', 'error_description'],
    properties: { error: { type: 'string' }, error_description: { type: 'string' } },
  },
  OBErrorResponse1: {
    type: 'object',
    required: ['Code', 'Message', 'Errors'],
    properties: {
      Code: { type: 'string' },
      Id: { type: 'string' },
      Message: { type: 'string' },
      Errors: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['ErrorCode', 'Message'],
          properties: { ErrorCode: { type: 'string' }, Message: { type: 'string' }, Path: { type: 'string' } },
        },
      },
    },
  },
  ServerMetadata: {
    type: 'object',
    required: [
      'issuer',
      'token_endpoint',
      'registration_endpoint',
      'jwks_uri',
      'token_endpoint_auth_methods_supported',
    ],
    properties: {
      issuer: { type: 'string', format: 'uri' },
      authorization_endpoint: { type: 'string' },
      pushed_authorization_request_endpoint: { type: 'string' },
      token_endpoint: { type: 'string' },
      registration_endpoint: { type: 'string' },
      jwks_uri: { type: 'string' },
      token_endpoint_auth_methods_supported: { type: 'array', items: { enum: ['private_key_jwt', 'tls_client_auth'] } },
    },
  },
  Jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' } } } },
  Registration: {
    type: 'object',
    required: ['client_id', 'client_id_issued_at', 'redirect_uris', 'token_endpoint_auth_method', 'software_id'],
    properties: {
      client_id: { type: 'string', maxLength: 36 },
      client_id_issued_at: { type: 'integer' },
      redirect_uris: { type: 'array', items: { type: 'string' } },
      token_endpoint_auth_method: { enum: ['private_key_jwt', 'tls_client_auth'] },
      token_endpoint_auth_signing_alg: { enum: ['PS256', 'ES256'] },
      tls_client_auth_subject_dn: { type: 'string' },
      grant_types: { type: 'array', items: { type: 'string' } },
      response_types: { type: 'array', items: { type: 'string' } },
      software_id: { type: 'string' },
      scope: { description: 'A string (3.2+) or an array (3.1)' },
      software_statement: { type: 'string' },
    },
  },
  TokenResponse: {
    type: 'object',
    required: ['access_token', 'token_type', 'expires_in'],
    properties: {
      access_token: { type: 'string' },
      token_type: { const: 'Bearer' },
      expires_in: { type: 'integer' },
      scope: { type: 'string' },
      refresh_token: { type: 'string' },
      id_token: { type: 'string' },
    },
  },
  ParResponse: {
    type: 'object',
    required: ['request_uri', 'expires_in'],
    properties: { request_uri: { type: 'string' }, expires_in: { type: 'integer' } },
  },
  Introspection: { type: 'object', required: ['active'], properties: { active: { type: 'boolean' } } },
  OBReadConsent1: {
    type: 'object',
    required: ['Data', 'Risk'],
    properties: {
      Data: {
        type: 'object',
        required: ['Permissions'],
        properties: {
          Permissions: { type: 'array', items: { type: 'string' } },
          ExpirationDateTime: { type: 'string', format: 'date-time' },
          TransactionFromDateTime: { type: 'string', format: 'date-time' },
          TransactionToDateTime: { type: 'string', format: 'date-time' },
        },
      },
      Risk: { type: 'object' },
    },
  },
  OBReadConsentResponse1: {
    type: 'object',
    required: ['Data', 'Risk', 'Links', 'Meta'],
    properties: {
      Data: {
        type: 'object',
        required: ['ConsentId', 'CreationDateTime', 'Status', 'StatusUpdateDateTime', 'Permissions'],
        properties: {
          ConsentId: { type: 'string' },
          CreationDateTime: { type: 'string' },
          Status: { enum: ['AwaitingAuthorisation', 'Authorised', 'Rejected', 'Revoked'] },
          StatusUpdateDateTime: { type: 'string' },
          Permissions: { type: 'array', items: { type: 'string' } },
        },
      },
      Risk: { type: 'object' },
      Links: { type: 'object' },
      Meta: { type: 'object' },
    },
  },
  OBReadAccount6: {
    type: 'object',
    required: ['Data', 'Links', 'Meta'],
    properties: {
      Data: {
        type: 'object',
        required: ['Account'],
        properties: {
          Account: {
            type: 'array',
            items: {
              type: 'object',
              required: ['AccountId', 'Currency', 'AccountType', 'AccountSubType'],
              properties: { AccountId: { type: 'string' }, Currency: { type: 'string' }, Nickname: { type: 'string' } },
            },
          },
        },
      },
      Links: { type: 'object' },
      Meta: { type: 'object' },
    },
  },
  OBReadBalance1: {
    type: 'object',
    required: ['Data', 'Links', 'Meta'],
    properties: {
      Data: {
        type: 'object',
        required: ['Balance'],
        properties: {
          Balance: {
            type: 'array',
            items: {
              type: 'object',
              required: ['AccountId', 'Amount', 'CreditDebitIndicator', 'Type', 'DateTime'],
              properties: { AccountId: { type: 'string' }, Amount: { type: 'object' } },
            },
          },
        },
      },
      Links: { type: 'object' },
      Meta: { type: 'object' },
    },
  },
  SignedRegistration: { type: 'object', required: ['request'], properties: { request: { type: 'string' } } },
  SignedAssertion: {
    type: 'object',
    required: ['client_assertion'],
    properties: { client_assertion: { type: 'string' } },
  },
  SignedRequestObject: {
    type: 'object',
    required: ['request', 'code_verifier', 'state', 'nonce'],
    properties: {
      request: { type: 'string' },
      code_verifier: { type: 'string' },
      state: { type: 'string' },
      nonce: { type: 'string' },
    },
  },
}

const cache = new WeakMap<Bank, Schema>()

/** `GET /openapi.json`. */
export async function openApi(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  let doc = cache.get(bank)
  if (!doc) {
    doc = openApiDocument(bank)
    cache.set(bank, doc)
  }
  ctx.body = doc
}
