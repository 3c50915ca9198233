/**
 * The README's "From registration to an accounts response", run verbatim (the block between the
 * auth-code-walkthrough markers) against a bank started as the README says (`--auto-approve`).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type RunningMock, startMock } from '../../mock-aspsp/src/server.ts'
import { readmeBlock, runBlock } from './readme_block.ts'

let mock: RunningMock
before(async () => {
  mock = await startMock({ port: 0, store: 'memory', autoApprove: true })
})
after(() => mock.close())

describe('README: From registration to an accounts response', () => {
  it('registers, consents, pushes, authorises, redeems, reads the accounts and refreshes, exactly as written', async () => {
    const out = await runBlock(readmeBlock('auth-code-walkthrough'), mock.url)
    const lines = out.trim().split('\n')
    assert.equal(lines.length, 4, out)
    const [accounts, balances, refreshed, reused] = lines.map(l => JSON.parse(l)) as [
      { Data: { Account: Array<{ AccountId: string }> } },
      { Data: { Balance: Array<{ AccountId: string }> } },
      Record<string, unknown>,
      Record<string, unknown>,
    ]
    const list = accounts.Data.Account
    assert.ok(list.length >= 2, 'auto-approve shares every account of the first customer')
    assert.equal(balances.Data.Balance[0]?.AccountId, list[0]?.AccountId)
    assert.equal(refreshed.token_type, 'Bearer')
    assert.equal(typeof refreshed.refresh_token, 'string')
    assert.equal(reused.error, 'invalid_grant')
  })
})
