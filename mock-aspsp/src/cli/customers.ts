/**
 * `npm run -s customers -- [--seed <n>] [--json]`: the mock bank's test customers and their
 * accounts for a customer seed (the bank's `--customer-seed`), and how to approve a consent as one
 * of them without the consent page (`npm start -- --auto-approve=<customer>:<AccountId>,...`).
 */
import { CUSTOMER_PASSWORD, customersFor, maskedAccount } from '../banking/customers.ts'
import { DEFAULTS } from '../config/defaults.ts'
import { fail, parseArgs } from './args.ts'

const USAGE = `usage: npm run -s customers -- [--seed <n>] [--json]
  --seed  the bank's --customer-seed [${DEFAULTS.customerSeed}]
  --json  print them as JSON`

const argv = process.argv.slice(2)
const asJson = argv.includes('--json')
const args = parseArgs(
  argv.filter(a => a !== '--json'),
  ['--seed'],
  USAGE,
)
const rawSeed = args.values.get('--seed')?.[0] ?? String(DEFAULTS.customerSeed)
const seed = Number(rawSeed)
if (!Number.isInteger(seed) || seed < 0) fail(`--seed must be a non-negative integer, got "${rawSeed}"`, USAGE)
const customers = customersFor(seed)
if (asJson) {
  process.stdout.write(`${JSON.stringify(customers, null, 2)}\n`)
} else {
  const lines = [`Test customers of customer seed ${seed} (everyone's password: ${CUSTOMER_PASSWORD})`, '']
  for (const c of customers) {
    lines.push(`${c.username}  ${c.name}  (${c.customerId})`)
    for (const a of c.accounts) {
      const sign = a.balance.creditDebitIndicator === 'Debit' ? '-' : ''
      lines.push(
        `  ${a.accountId}  ${a.accountSubType.padEnd(14)} ${a.nickname.padEnd(14)} ${maskedAccount(a)}  ${sign}£${a.balance.amount}`,
      )
    }
    lines.push('')
  }
  const first = customers[0]
  if (first) {
    lines.push(
      'Approve consents without the consent page, as one customer with some of their accounts:',
      `  npm start -- --auto-approve=${first.username}:${first.accounts[0]?.accountId ?? ''}`,
      'or with all their accounts (--auto-approve alone: the first customer), or refuse them all: --auto-deny',
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}
