/** Steps the auth-code tests share: a consent approved by the customer, its code, its tokens. */
import type { AispFlow, AuthorizationOptions, FlowClient, MockCustomer } from '../../fixtures/auth_code.ts'
import { control } from '../../fixtures/controls.ts'
import { ensureCode, ensureCodeTokens } from '../checks/auth_code.ts'

export interface ApprovalOptions extends AuthorizationOptions {
  permissions?: string[]
  accounts?: 'first' | 'all'
}

/** A new consent, authorised by the customer on the bank's pages: the request, the outcome, the code. */
export async function approvedCode(
  aisp: AispFlow,
  customer: MockCustomer,
  client: FlowClient,
  opts: ApprovalOptions = {},
) {
  const intentId = await aisp.consentId(client, opts.permissions)
  const sent = await aisp.requestObject(client, intentId, opts)
  const outcome = await customer.authorize(aisp.authorizationUrl(client, sent), 'approve', opts.accounts)
  const code = await ensureCode(outcome.params, sent.state)
  return { sent, outcome, code }
}

/** `control:` a valid authorization request of the client comes back with a code (the refusals' control). */
export function controlAuthorization(aisp: AispFlow, customer: MockCustomer, client: FlowClient) {
  return control('a valid authorization request of the client comes back with a code', () =>
    approvedCode(aisp, customer, client),
  )
}

/** `control:` a valid authorization of the client, its code redeemed: tokens (the code refusals' control). */
export function controlCodeTokens(aisp: AispFlow, customer: MockCustomer, client: FlowClient) {
  return control('a valid code of the client, redeemed as issued, gets tokens', () =>
    approvedTokens(aisp, customer, client),
  )
}

/** As `approvedCode`, then the code redeemed: the tokens too. */
export async function approvedTokens(
  aisp: AispFlow,
  customer: MockCustomer,
  client: FlowClient,
  opts: ApprovalOptions = {},
) {
  const approved = await approvedCode(aisp, customer, client, opts)
  const tokens = await ensureCodeTokens(await aisp.redeem(client, approved.sent, approved.code))
  return { ...approved, tokens }
}
