/** Steps the auth-code tests share: a consent approved by the customer, its code, its tokens. */
import type { AispFlow, AuthorizationOptions, FlowClient, MockCustomer } from '../../fixtures/auth_code.ts'
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
