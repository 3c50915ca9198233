/**
 * OB Account and Transaction API permissions (`OBExternalPermissions1Code`, v3.1) with the words
 * the consent page uses for each, and the consent request's permission rules.
 */
import { ObApiError } from '../shared/errors.ts'

/** Every permission code of v3.1, with what the customer is told it shares. */
export const PERMISSIONS: Record<string, string> = {
  ReadAccountsBasic: 'Your account names, types and currencies',
  ReadAccountsDetail: 'Your account names, types, currencies, sort codes and account numbers',
  ReadBalances: 'Your account balances',
  ReadBeneficiariesBasic: 'The people and businesses you have set up to pay',
  ReadBeneficiariesDetail: 'The people and businesses you have set up to pay, with their account details',
  ReadDirectDebits: 'Your Direct Debits',
  ReadOffers: 'Offers the bank has made to you',
  ReadPAN: 'Your full card numbers',
  ReadParty: 'The names and contact details of the account holders',
  ReadPartyPSU: 'Your own name and contact details',
  ReadProducts: 'The products your accounts are',
  ReadScheduledPaymentsBasic: 'Your scheduled payments',
  ReadScheduledPaymentsDetail: 'Your scheduled payments, with the payee account details',
  ReadStandingOrdersBasic: 'Your standing orders',
  ReadStandingOrdersDetail: 'Your standing orders, with the payee account details',
  ReadStatementsBasic: 'Your statements',
  ReadStatementsDetail: 'Your statements, with their amounts',
  ReadTransactionsBasic: 'Your transactions, without payee details',
  ReadTransactionsCredits: 'Money coming into your accounts',
  ReadTransactionsDebits: 'Money going out of your accounts',
  ReadTransactionsDetail: 'Your transactions, with payee details',
}

const TRANSACTION_KINDS = ['ReadTransactionsBasic', 'ReadTransactionsDetail']
const TRANSACTION_DIRECTIONS = ['ReadTransactionsCredits', 'ReadTransactionsDebits']

/**
 * The consent request's `Data.Permissions`: a non-empty list of known codes, each once; a
 * transactions permission comes with a direction and the other way round (OB Account and
 * Transaction API profile, "Permissions").
 */
export function checkPermissions(value: unknown): string[] {
  const path = 'Data.Permissions'
  if (!Array.isArray(value) || value.length === 0) {
    throw new ObApiError(400, 'UK.OBIE.Field.Missing', `${path} must be a non-empty array of permission codes`, path)
  }
  const seen = new Set<string>()
  for (const p of value) {
    if (typeof p !== 'string' || !Object.hasOwn(PERMISSIONS, p)) {
      throw new ObApiError(
        400,
        'UK.OBIE.Field.Invalid',
        `${path} value ${JSON.stringify(p)} is not a permission code`,
        path,
      )
    }
    if (seen.has(p)) throw new ObApiError(400, 'UK.OBIE.Field.Invalid', `${path} lists "${p}" twice`, path)
    seen.add(p)
  }
  const kind = TRANSACTION_KINDS.some(p => seen.has(p))
  const direction = TRANSACTION_DIRECTIONS.some(p => seen.has(p))
  if (kind !== direction) {
    throw new ObApiError(
      400,
      'UK.OBIE.Field.Invalid',
      kind
        ? `${path} with ReadTransactionsBasic or ReadTransactionsDetail needs ReadTransactionsCredits or ReadTransactionsDebits`
        : `${path} with ReadTransactionsCredits or ReadTransactionsDebits needs ReadTransactionsBasic or ReadTransactionsDetail`,
      path,
    )
  }
  return [...seen]
}
