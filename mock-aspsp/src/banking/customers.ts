/**
 * The bank's fake customers, their accounts and balances: generated with faker from a fixed seed
 * (`customerSeed` in config/defaults.ts), so the same seed gives the same people and numbers on every
 * run. They sign in on the consent page with their username and the shared test password.
 */
// The en_GB instance only: the package root would load every locale (~30 MB of resident memory).
import { faker } from '@faker-js/faker/locale/en_GB'
import type { AutoApproval } from '../config/defaults.ts'

/** Every fake customer's password: this is a test bank. */
export const CUSTOMER_PASSWORD = 'open-banking'

/** How many customers a bank has. */
const CUSTOMER_COUNT = 4
/** Dates are generated relative to this instant, not to the clock, so they repeat too. */
const REFERENCE_DATE = '2025-01-06T09:00:00.000Z'

export interface Balance {
  amount: string
  creditDebitIndicator: 'Credit' | 'Debit'
  type: 'InterimAvailable'
  dateTime: string
}

export interface Account {
  accountId: string
  accountSubType: 'CurrentAccount' | 'Savings'
  nickname: string
  openingDate: string
  /** UK sort code, 6 digits. */
  sortCode: string
  /** UK account number, 8 digits. */
  accountNumber: string
  /** The account holder's name, as on the account. */
  name: string
  balance: Balance
}

export interface Customer {
  customerId: string
  username: string
  name: string
  accounts: Account[]
}

const cache = new Map<number, readonly Customer[]>()

/** The customers of a bank with this seed (generated once per seed). */
export function customersFor(seed: number): readonly Customer[] {
  let list = cache.get(seed)
  if (!list) {
    list = generate(seed)
    cache.set(seed, list)
  }
  return list
}

export function findCustomer(seed: number, customerId: string): Customer | undefined {
  return customersFor(seed).find(c => c.customerId === customerId)
}

/** The customer with this username (case-insensitive), if the password is right. */
export function signIn(seed: number, username: string, password: string): Customer | undefined {
  const wanted = username.trim().toLowerCase()
  const customer = customersFor(seed).find(c => c.username === wanted)
  return customer && password === CUSTOMER_PASSWORD ? customer : undefined
}

function generate(seed: number): Customer[] {
  // Seeded right before a synchronous run: the same customers every time.
  faker.seed(seed)
  faker.setDefaultRefDate(REFERENCE_DATE)
  const usernames = new Set<string>()
  const customers: Customer[] = []
  for (let i = 1; i <= CUSTOMER_COUNT; i++) {
    const firstName = faker.person.firstName()
    const lastName = faker.person.lastName()
    let username = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '')
    while (usernames.has(username)) username = `${username}${i}`
    usernames.add(username)
    const name = `${firstName} ${lastName}`
    const accounts: Account[] = []
    const count = faker.number.int({ min: 2, max: 3 })
    for (let a = 0; a < count; a++) {
      const savings = a > 0 && faker.datatype.boolean()
      const amount = faker.number.float({ min: savings ? 100 : -400, max: savings ? 40_000 : 6_000, fractionDigits: 2 })
      accounts.push({
        accountId: faker.string.uuid(),
        accountSubType: savings ? 'Savings' : 'CurrentAccount',
        nickname: savings
          ? faker.helpers.arrayElement(['Rainy day', 'Holiday fund', 'House deposit', 'Easy saver'])
          : faker.helpers.arrayElement(['Bills', 'Everyday', 'Main account', 'Joint account']),
        openingDate: faker.date.past({ years: 12 }).toISOString().slice(0, 10),
        sortCode: faker.string.numeric(6),
        accountNumber: faker.string.numeric(8),
        name,
        balance: {
          amount: Math.abs(amount).toFixed(2),
          creditDebitIndicator: amount < 0 ? 'Debit' : 'Credit',
          type: 'InterimAvailable',
          dateTime: `${faker.date.recent({ days: 2 }).toISOString().slice(0, 19)}+00:00`,
        },
      })
    }
    customers.push({ customerId: `customer-${i}`, username, name, accounts })
  }
  return customers
}

/** `12-34-56 ····5678`: how the consent page shows an account without printing the whole number. */
export function maskedAccount(account: Account): string {
  const s = account.sortCode
  return `${s.slice(0, 2)}-${s.slice(2, 4)}-${s.slice(4)} ····${account.accountNumber.slice(-4)}`
}

/**
 * The value of `--auto-approve`: `true` (also `1`, `yes`, empty) for the first customer with all
 * accounts, else `<customer>[:<AccountId>,...]` (`:all` or no list shares every account).
 */
export function parseAutoApproval(value: string): true | AutoApproval {
  const v = value.trim()
  if (v === '' || /^(true|1|yes)$/i.test(v)) return true
  const at = v.indexOf(':')
  const customer = (at < 0 ? v : v.slice(0, at)).trim()
  if (customer === '') throw new Error(`--auto-approve needs <customer>[:<AccountId>,...], got "${value}"`)
  const list =
    at < 0
      ? []
      : v
          .slice(at + 1)
          .split(',')
          .map(a => a.trim())
          .filter(Boolean)
  return list.length === 0 || (list.length === 1 && list[0] === 'all') ? { customer } : { customer, accounts: list }
}

/**
 * Who approves headlessly and with which accounts, checked against the customers of `seed`:
 * throws an Error naming the unknown customer or account and the command that lists them.
 */
export function resolveAutoApproval(
  seed: number,
  approval: true | AutoApproval,
): { customer: Customer; accountIds: string[] } {
  const customers = customersFor(seed)
  const customer =
    approval === true
      ? customers[0]
      : customers.find(c => c.customerId === approval.customer || c.username === approval.customer.toLowerCase())
  if (!customer) {
    const known = customers.map(c => c.username).join(', ')
    throw new Error(
      `--auto-approve: no customer "${approval === true ? '' : approval.customer}" with customer seed ${seed} (customers: ${known}; npm run customers lists them with their accounts)`,
    )
  }
  const own = customer.accounts.map(a => a.accountId)
  const wanted = approval === true ? undefined : approval.accounts
  const foreign = wanted?.filter(a => !own.includes(a)) ?? []
  if (foreign.length > 0) {
    throw new Error(
      `--auto-approve: ${foreign.map(a => `"${a}"`).join(', ')} is not an AccountId of ${customer.username} (theirs: ${own.join(', ')})`,
    )
  }
  return { customer, accountIds: wanted ?? own }
}
