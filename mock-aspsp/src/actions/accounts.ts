/**
 * The accounts API (OB Account and Transaction API v3.1): `GET /accounts`, `/accounts/{AccountId}`
 * and `/accounts/{AccountId}/balances`, for the accounts the customer chose on the consent page,
 * with an access token of the authorization code flow bound to the certificate presented
 * (RFC 8705 §3). Which fields appear follows the consent's permissions.
 */
import type { Context } from 'koa'
import { type Account, findCustomer } from '../banking/customers.ts'
import type { Bank } from '../config/bank.ts'
import { type Consent, consentProblem, getConsent } from '../models/consent.ts'
import { bearerToken } from '../shared/bearer.ts'
import { Forbidden, InsufficientScope } from '../shared/errors.ts'
import type { ConsentTokenExtra } from './code_grants.ts'
import { AISP_BASE } from './consents.ts'

interface Access {
  consent: Consent
  /** The accounts the token reaches. */
  accounts: Account[]
}

/** The consent behind the request's token and the accounts it reaches; 401 / 403 otherwise. */
function access(ctx: Context, permission: (p: Set<string>) => string | undefined): Access {
  const bank: Bank = ctx.bank
  const token = bearerToken(ctx, { checkBinding: !bank.deviations.has('skip-resource-cert-binding') })
  const extra = token.extra as ConsentTokenExtra | undefined
  if (!extra?.consentId) {
    throw new Forbidden(
      'the accounts API needs an access token of the authorization code flow; this one authorises no customer',
    )
  }
  if (!token.scope.split(' ').includes('accounts')) {
    throw new InsufficientScope(`the access token's scope "${token.scope}" lacks accounts`)
  }
  const consent = getConsent(bank.store, extra.consentId)
  const problem = consentProblem(consent, token.clientId)
  if (problem !== undefined || !consent) {
    throw new Forbidden(`the consent "${extra.consentId}" does not authorise access (${problem})`)
  }
  const missing = permission(new Set(consent.permissions))
  if (missing) throw new Forbidden(`the consent "${consent.consentId}" does not grant ${missing}`)
  const customer = findCustomer(bank.options.customerSeed, consent.customerId ?? extra.customerId)
  const chosen = new Set(consent.accountIds ?? [])
  const accounts = (customer?.accounts ?? []).filter(
    a => chosen.has(a.accountId) || bank.deviations.has('expose-unconsented-accounts'),
  )
  return { consent, accounts }
}

const accountsPermission = (p: Set<string>) =>
  p.has('ReadAccountsBasic') || p.has('ReadAccountsDetail') ? undefined : 'ReadAccountsBasic or ReadAccountsDetail'
const balancesPermission = (p: Set<string>) => (p.has('ReadBalances') ? undefined : 'ReadBalances')

/** The account of the path among those the token reaches; the same 403 whether it exists or not. */
function pathAccount(ctx: Context, a: Access): Account {
  const id = String(ctx.params.accountId)
  const account = a.accounts.find(x => x.accountId === id)
  if (!account) throw new Forbidden(`AccountId "${id}" is not among the accounts of consent "${a.consent.consentId}"`)
  return account
}

/** OBAccount6: with ReadAccountsDetail, the scheme identification too. */
function accountJson(account: Account, detail: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AccountId: account.accountId,
    Currency: 'GBP',
    AccountType: 'Personal',
    AccountSubType: account.accountSubType,
    Nickname: account.nickname,
    OpeningDate: `${account.openingDate}T00:00:00+00:00`,
  }
  if (detail) {
    out.Account = [
      {
        SchemeName: 'UK.OBIE.SortCodeAccountNumber',
        Identification: `${account.sortCode}${account.accountNumber}`,
        Name: account.name,
      },
    ]
  }
  return out
}

function balanceJson(account: Account): Record<string, unknown> {
  const b = account.balance
  return {
    AccountId: account.accountId,
    Amount: { Amount: b.amount, Currency: 'GBP' },
    CreditDebitIndicator: b.creditDebitIndicator,
    Type: b.type,
    DateTime: b.dateTime,
  }
}

function envelope(ctx: Context, data: Record<string, unknown>): Record<string, unknown> {
  return {
    Data: data,
    Links: { Self: `${ctx.bank.endpoints.issuer}${ctx.path}` },
    Meta: { TotalPages: 1 },
  }
}

/** `GET /accounts`. */
export async function listAccounts(ctx: Context): Promise<void> {
  const a = access(ctx, accountsPermission)
  const detail = a.consent.permissions.includes('ReadAccountsDetail')
  ctx.body = envelope(ctx, { Account: a.accounts.map(x => accountJson(x, detail)) })
}

/** `GET /accounts/{AccountId}`. */
export async function readAccount(ctx: Context): Promise<void> {
  const a = access(ctx, accountsPermission)
  const detail = a.consent.permissions.includes('ReadAccountsDetail')
  ctx.body = envelope(ctx, { Account: [accountJson(pathAccount(ctx, a), detail)] })
}

/** `GET /accounts/{AccountId}/balances`. */
export async function readBalances(ctx: Context): Promise<void> {
  const a = access(ctx, balancesPermission)
  ctx.body = envelope(ctx, { Balance: [balanceJson(pathAccount(ctx, a))] })
}

export const ACCOUNTS_PATHS = {
  list: `${AISP_BASE}/accounts`,
  one: `${AISP_BASE}/accounts/:accountId`,
  balances: `${AISP_BASE}/accounts/:accountId/balances`,
}
