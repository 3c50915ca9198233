/**
 * Consents decided without the consent page: `--auto-approve` as the first customer with all
 * their accounts, or as a named customer with named accounts; `--auto-deny`; and, without either,
 * answers that say the consent waits for the customer and how to approve headlessly.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import { responseParams } from '../../fixtures/builders/authorization.ts'
import { customersFor, parseAutoApproval, resolveAutoApproval } from '../src/banking/customers.ts'
import { parseCli } from '../src/cli.ts'
import { DEFAULTS } from '../src/config/defaults.ts'
import type { RunningMock } from '../src/server.ts'
import { Browser, call, describeBank, locationOf, type TppDriver } from './flow_helpers.ts'
import { alpha } from './support.ts'

const ACCOUNTS = '/open-banking/v3.1/aisp/accounts'
const CONSENTS = '/open-banking/v3.1/aisp/account-access-consents'
const customers = customersFor(DEFAULTS.customerSeed)
const second = customers[1]!

const bank = describeBank

/** Consent, request object, /authorize: the bank's answer to the customer's browser. */
async function authorize(ctx: { mock: RunningMock; tpp: TppDriver }) {
  const client = await ctx.tpp.register(alpha, { authMethod: 'tls_client_auth' })
  const intent = await ctx.tpp.consent(client)
  const ro = await ctx.tpp.requestObject(client, intent)
  const answer = await new Browser(ctx.mock).open(ctx.tpp.authorizeUrl(client, ro.jws))
  return { client, intent, ro, answer }
}

/** The AccountIds an authorization response's code reaches. */
async function sharedAccounts(ctx: { mock: RunningMock; tpp: TppDriver }, run: Awaited<ReturnType<typeof authorize>>) {
  const params = responseParams(locationOf(run.answer))
  const tokens = await ctx.tpp.token(run.client, {
    grant_type: 'authorization_code',
    code: String(params.code),
    redirect_uri: alpha.redirectUris[0] as string,
    code_verifier: run.ro.verifier,
  })
  assert.equal(tokens.status, 200, tokens.text)
  const list = await call(ctx.mock, ACCOUNTS, {
    as: alpha,
    headers: { authorization: `Bearer ${tokens.json.access_token}` },
  })
  return ((list.json.Data as { Account: { AccountId: string }[] }).Account ?? []).map(a => a.AccountId)
}

describe('--auto-approve=<customer>:<AccountId>', () => {
  const chosen = second.accounts[1]!.accountId
  const ctx = bank({ autoApprove: { customer: second.username, accounts: [chosen] } })
  test('approves as the named customer, sharing only the named account', async () => {
    const run = await authorize(ctx)
    assert.equal(run.answer.status, 303, run.answer.text)
    assert.deepEqual(await sharedAccounts(ctx, run), [chosen])
  })
})

describe('--auto-approve (no value)', () => {
  const ctx = bank({ autoApprove: true })
  test('approves as the first customer with all their accounts', async () => {
    const run = await authorize(ctx)
    assert.deepEqual(
      await sharedAccounts(ctx, run),
      customers[0]!.accounts.map(a => a.accountId),
    )
  })
})

describe('--auto-deny', () => {
  const ctx = bank({ autoDeny: true })
  test('sends access_denied to the client and rejects the consent', async () => {
    const run = await authorize(ctx)
    const params = responseParams(locationOf(run.answer))
    assert.equal(params.error, 'access_denied')
    assert.equal(params.state, run.ro.claims.state)
    const consent = await call(ctx.mock, `${CONSENTS}/${run.intent}`, {
      as: alpha,
      headers: { authorization: `Bearer ${await ctx.tpp.ccToken(run.client)}` },
    })
    assert.equal((consent.json.Data as Record<string, unknown>).Status, 'Rejected')
  })
})

describe('without a headless choice', () => {
  const ctx = bank({})
  test('the redirect to the consent page and the token endpoint say the consent waits and how to approve headlessly', async () => {
    const run = await authorize(ctx)
    assert.equal(run.answer.status, 303)
    assert.match(locationOf(run.answer), /^\/consent\//)
    assert.match(
      run.answer.text,
      /waits for the customer at https:\/\/localhost:\d+\/consent\/.*--auto-approve .*npm run customers/,
    )
    // What the README's curl walk-through sends when there is no code in the redirect.
    const tokens = await ctx.tpp.token(run.client, {
      grant_type: 'authorization_code',
      code: 'null',
      redirect_uri: alpha.redirectUris[0] as string,
      code_verifier: run.ro.verifier,
    })
    assert.equal(tokens.status, 400)
    assert.equal(tokens.json.error, 'invalid_grant')
    assert.match(String(tokens.json.error_description), /consent waits for the customer .*--auto-approve/)
  })
})

describe('the options and the customers command', () => {
  test('--auto-approve[=<customer>[:<AccountId>,...]] and --auto-deny parse and are checked at start', () => {
    assert.equal(parseCli(['--auto-approve'], {}).autoApprove, true)
    assert.deepEqual(parseCli([`--auto-approve=${second.username}`], {}).autoApprove, { customer: second.username })
    const id = second.accounts[0]!.accountId
    assert.deepEqual(parseCli([], { OB_MOCK_AUTO_APPROVE: `${second.customerId}:${id}` }).autoApprove, {
      customer: second.customerId,
      accounts: [id],
    })
    assert.equal(parseCli([], { OB_MOCK_AUTO_APPROVE: '1' }).autoApprove, true)
    assert.equal(parseCli(['--auto-deny'], {}).autoDeny, true)
    assert.throws(() => parseCli(['--auto-approve', '--auto-deny'], {}), /exclude each other/)
    assert.throws(() => parseCli(['--auto-approve=nobody'], {}), /no customer "nobody" .*npm run customers/)
    assert.throws(
      () => parseCli([`--auto-approve=${second.username}:${customers[0]!.accounts[0]!.accountId}`], {}),
      /is not an AccountId of/,
    )
    assert.deepEqual(parseAutoApproval(`${second.username}:all`), { customer: second.username })
    assert.equal(
      resolveAutoApproval(DEFAULTS.customerSeed, { customer: second.username.toUpperCase() }).customer,
      second,
    )
  })
  test('npm run customers lists every customer and account, and the --auto-approve line', async () => {
    const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', 'mock-aspsp/src/cli/customers.ts'])
    for (const c of customers) {
      assert.ok(stdout.includes(c.username), c.username)
      for (const a of c.accounts) assert.ok(stdout.includes(a.accountId), a.accountId)
    }
    assert.match(stdout, new RegExp(`--auto-approve=${customers[0]!.username}:`))
    const json = JSON.parse(
      (
        await promisify(execFile)('node', [
          '--import',
          'tsx',
          'mock-aspsp/src/cli/customers.ts',
          '--seed',
          '7',
          '--json',
        ])
      ).stdout,
    )
    assert.deepEqual(json, JSON.parse(JSON.stringify(customersFor(7))))
  })
})
