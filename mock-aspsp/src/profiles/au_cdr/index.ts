/**
 * The Australian Consumer Data Right profile (CDS 1.36): a Data Holder's DCR and token side, and a
 * mock CDR Register in the same process (as the UK profile has the mock OB Directory). Everything
 * the profile decides is listed here; the rules are in `rules/`, the endpoints in `actions/` and
 * `register/`, the options in `defaults.ts`, the deviations in `deviations.ts`.
 */
import { readFileSync } from 'node:fs'
import { revoke } from '../../actions/revoke.ts'
import { tokenGrants } from '../../oauth/tokens.ts'
import { noStore } from '../../shared/no_store.ts'
import type { BankProfile } from '../profile.ts'
import {
  arrangementTokenGrant,
  cdrAuthorize,
  cdrIntrospect,
  cdrPar,
  cdrToken,
  revokeArrangement,
  userinfo,
} from './actions/auth_flow.ts'
import { deleteCdrClient, getCdrClient, updateCdrClient } from './actions/client_management.ts'
import { cdrDiscovery, cdrDiscoveryDocument, cdrJwks } from './actions/discovery.ts'
import { registerCdrClient } from './actions/register.ts'
import { CDR_PROFILE_DEFAULTS } from './defaults.ts'
import { CDR_DEVIATIONS } from './deviations.ts'
import { cdsErrors } from './errors.ts'
import { registerRoutes, registerUrls } from './register/routes.ts'
import * as certificateRules from './rules/certificate.ts'
import * as metadataRules from './rules/metadata.ts'
import * as participantStatusRules from './rules/participant_status.ts'
import * as requestRules from './rules/request.ts'
import * as requestObjectRules from './rules/request_object.ts'
import * as ssaRules from './rules/ssa.ts'
import { localRecipientJwks } from './state.ts'

export const auCdr: BankProfile = {
  name: 'au-cdr',
  title: () => 'AU CDR (CDS 1.36) Data Holder',
  defaults: CDR_PROFILE_DEFAULTS,
  deviations: CDR_DEVIATIONS,
  rules: {
    request: requestRules,
    ssa: ssaRules,
    metadata: metadataRules,
    requestObject: requestObjectRules,
    certificate: certificateRules,
    participantStatus: participantStatusRules,
  },
  errorShapes: [
    {
      where: 'POST, GET, PUT, DELETE /register',
      shape: '{ error, error_description }',
      spec: 'CDS DCR API RegistrationError; RFC7591-3.2.2',
    },
    { where: '/token, /par, /authorize', shape: '{ error, error_description }', spec: 'RFC6749-5.2; RFC9126-2.3' },
    {
      where: 'the mock CDR Register, /arrangements/revoke',
      shape: '{ errors: [{ code, title, detail }] }',
      spec: 'CDS Register API ResponseErrorListV2',
    },
  ],
  directory: { name: 'the mock CDR Register', paths: ['/cdr-register/', '/idp/'] },

  // CDS Transport Security: certificates of the CDR CA only ("MUST NOT trust other CAs").
  listenerTls: (pki, options) => {
    const foreign = options.deviations.includes('trust-non-cdr-ca') ? [pki.ca.certPath] : []
    const extra = [...foreign, ...options.extraCas]
    const server = pki.cdr.server
    return {
      serverCertificate: async () => ({
        cert: readFileSync(server.certPath),
        key: readFileSync(server.keyPath),
        certPath: server.certPath,
      }),
      caPaths: [pki.cdr.ca.certPath, ...extra],
      serverCaPath: pki.cdr.ca.certPath,
      ...(extra.length === 0 ? { crlPath: pki.cdr.ca.crlPath } : {}),
    }
  },

  crlPaths: pki => [pki.cdr.ca.crlPath],
  // A recipient's jwks_uri is its own host: fetched only from hosts given with --jwks-host (the test
  // PKI's recipients are answered in-process).
  jwksHosts: [],

  localJwks: (bank, url) => localRecipientJwks(bank.pki.cdr, url),

  discovery: cdrDiscoveryDocument,

  // CDS Certificate Management: the client certificate is the software product's (CN = its name,
  // O = the brand name), on every request acting for a client (rules/certificate.ts).
  certificateProblem: certificateRules.recipientCertificateProblem,

  routes(router, bank) {
    router.get('/.well-known/openid-configuration', cdrDiscovery)
    router.get('/jwks', cdrJwks)
    router.post('/register', noStore, registerCdrClient)
    router.get('/register/:clientId', noStore, getCdrClient)
    router.put('/register/:clientId', noStore, updateCdrClient)
    router.delete('/register/:clientId', noStore, deleteCdrClient)
    if (bank.deviations.has('patch-as-put')) router.patch('/register/:clientId', noStore, updateCdrClient)
    router.post('/token', noStore, cdrToken)
    router.post('/par', noStore, cdrPar)
    router.get('/authorize', cdrAuthorize)
    router.post('/introspect', noStore, cdrIntrospect)
    // /revoke of a refresh token takes the tokens of its arrangement with it (RFC 7009 §2.1).
    if (!tokenGrants.includes(arrangementTokenGrant)) tokenGrants.push(arrangementTokenGrant)
    router.post('/revoke', noStore, revoke)
    router.post('/arrangements/revoke', noStore, cdsErrors, revokeArrangement)
    router.get('/userinfo', noStore, userinfo)
    registerRoutes(router)
  },

  start: () => () => {},

  banner: bank => {
    const r = registerUrls(bank)
    return [
      `  aud         ${bank.endpoints.issuer} (the issuer)`,
      `  register    ${r.ssaJwks} (SSA keys), ${r.token} (cdr-register:read tokens)`,
    ]
  },
}
