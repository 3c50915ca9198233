/**
 * The authorization code flow plugs into the app and the token endpoint here: account-access
 * consents, `/par`, `/authorize` with the customer's pages, the `authorization_code` and
 * `refresh_token` grants, and the accounts API. `server.ts` imports this module once.
 */
import { ACCOUNTS_PATHS, listAccounts, readAccount, readBalances } from './actions/accounts.ts'
import { authorize, decide, login, showConsent } from './actions/authorize.ts'
import { authorizationCodeGrant, consentTokenGrant, refreshTokenGrant } from './actions/code_grants.ts'
import { AISP_BASE, createConsent, deleteConsent, readConsent } from './actions/consents.ts'
import { par } from './actions/par.ts'
import { grantHandlers } from './actions/token.ts'
import { routeInstallers } from './app.ts'
import { tokenGrants } from './oauth/tokens.ts'
import { fapiHeaders } from './shared/fapi.ts'
import { noStore } from './shared/no_store.ts'

grantHandlers.set('authorization_code', authorizationCodeGrant)
grantHandlers.set('refresh_token', refreshTokenGrant)
tokenGrants.push(consentTokenGrant)

routeInstallers.push(router => {
  router.post('/par', noStore, par)
  router.get('/authorize', authorize)
  router.post('/authorize', authorize)
  router.get('/consent/:id', showConsent)
  router.post('/consent/:id/login', login)
  router.post('/consent/:id/decision', decide)

  const consents = `${AISP_BASE}/account-access-consents`
  router.post(consents, fapiHeaders, createConsent)
  router.get(`${consents}/:consentId`, fapiHeaders, readConsent)
  router.delete(`${consents}/:consentId`, fapiHeaders, deleteConsent)
  router.get(ACCOUNTS_PATHS.list, fapiHeaders, listAccounts)
  router.get(ACCOUNTS_PATHS.one, fapiHeaders, readAccount)
  router.get(ACCOUNTS_PATHS.balances, fapiHeaders, readBalances)
})
