/**
 * The UK Open Banking DCR profile (OB DCR 3.1–3.4, the default): its rules, deviations, discovery
 * document, routes and directory. The rules are in `rules/`, the deviations in `deviations/` (one
 * file per area, named like the rule file and the suite's spec file); the endpoints still live in
 * the top-level `actions/` and `directory/`, where the AU profile reuses some. This module lists
 * them, so that the shared code reaches the UK profile only through `BankProfile`.
 */
import { serverCertificateFor } from '../../../../keys/pki.ts'
import { deleteClient, getClient, updateClient } from '../../actions/client_management.ts'
import { discovery, discoveryDocument, jwks } from '../../actions/discovery.ts'
import { introspect } from '../../actions/introspect.ts'
import { register } from '../../actions/register.ts'
import { revoke } from '../../actions/revoke.ts'
import { signingHelperRoutes } from '../../actions/signing_helper.ts'
import { token } from '../../actions/token.ts'
import { routeInstallers } from '../../app.ts'
import { KEYSTORE_HOST } from '../../directory/directory.ts'
import { startKeystoreInterception } from '../../directory/msw.ts'
import { directoryRoutes } from '../../directory/routes.ts'
import { openApi } from '../../openapi.ts'
import { noStore } from '../../shared/no_store.ts'
import type { BankProfile } from '../profile.ts'
import { DEVIATIONS } from './deviations/index.ts'
import * as metadataRules from './rules/metadata.ts'
import * as requestRules from './rules/request.ts'
import * as requestObjectRules from './rules/request_object.ts'
import * as ssaRules from './rules/ssa.ts'

export const ukOb: BankProfile = {
  name: 'uk-ob',
  title: options => `UK OB DCR ${options.specVersion}`,
  defaults: {},
  deviations: DEVIATIONS,
  rules: { request: requestRules, ssa: ssaRules, metadata: metadataRules, requestObject: requestObjectRules },
  errorShapes: [
    {
      where: 'registration, token, management',
      shape: '{ error, error_description }',
      spec: 'RFC7591-3.2.2; RFC6749-5.2',
    },
    { where: '/open-banking/*', shape: '{ Code, Id, Message, Errors[] }', spec: 'OB Read/Write API OBErrorResponse1' },
  ],
  directory: { name: 'the mock Open Banking Directory', paths: ['/directory/keystore/', '/directory/organisation/'] },

  // The test CA, the operator's extra CAs and the CAs of the TPPs' own identities (keys/byo/); with
  // a CRL loaded OpenSSL demands one for every issuing CA, so extra CAs come without it.
  listenerTls: (pki, options) => {
    const extraCas = [...options.extraCas, ...pki.byoCas]
    return {
      serverCertificate: names => serverCertificateFor(pki, names),
      caPaths: [pki.ca.certPath, ...extraCas],
      serverCaPath: pki.ca.certPath,
      ...(extraCas.length === 0 ? { crlPath: pki.ca.crlPath } : {}),
    }
  },

  crlPaths: pki => [pki.ca.crlPath],
  jwksHosts: [KEYSTORE_HOST],

  localJwks: (bank, url) => bank.directory.localJwks(url, bank.endpoints.issuer),

  discovery: discoveryDocument,

  routes(router, bank) {
    router.get('/.well-known/openid-configuration', discovery)
    // RFC 8414 §3: the same metadata at the OAuth well-known path (openid-client, authlib discover it here).
    router.get('/.well-known/oauth-authorization-server', discovery)
    router.get('/jwks', jwks)
    router.post('/register', noStore, register)
    router.get('/register/:clientId', noStore, getClient)
    router.put('/register/:clientId', noStore, updateClient)
    router.delete('/register/:clientId', noStore, deleteClient)
    router.post('/token', noStore, token)
    router.post('/introspect', noStore, introspect)
    router.post('/revoke', noStore, revoke)
    directoryRoutes(router)
    router.get('/openapi.json', openApi)
    for (const install of routeInstallers) install(router, bank)
    if (bank.options.signingHelper) signingHelperRoutes(router)
  },

  start: bank => (bank.options.msw ? startKeystoreInterception(bank.directory) : () => {}),

  banner: bank => [`  aud         ${bank.pki.aspsp.orgId} (directory org id) or ${bank.endpoints.issuer}`],
}
