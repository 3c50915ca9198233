/**
 * The README's "From registration to an accounts response", run verbatim (the block between the
 * auth-code-walkthrough markers) against a bank started as the README says (`--auto-approve`).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type RunningMock, startMock } from '../../mock-aspsp/src/server.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
let mock: RunningMock
before(async () => {
  mock = await startMock({ port: 0, store: 'memory', autoApprove: true })
})
after(() => mock.close())

describe('README: From registration to an accounts response', () => {
  it('registers, consents, pushes, authorises, redeems, reads the accounts and refreshes, exactly as written', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
    const block =
      /<!-- auth-code-walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- auth-code-walkthrough:end -->/.exec(
        readme,
      )?.[1]
    assert.ok(block, 'README has the auth-code walkthrough block')
    // Asynchronous: the bank answers from this very process.
    const child = spawn('bash', ['-euo', 'pipefail', '-c', block], {
      cwd: root,
      env: { ...process.env, BANK: mock.url },
    })
    let out = ''
    let err = ''
    child.stdout.on('data', d => (out += d))
    child.stderr.on('data', d => (err += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    clearTimeout(timer)
    assert.equal(code, 0, `${out}\n${err}`)
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
