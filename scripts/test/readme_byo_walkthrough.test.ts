/**
 * The README's "Bring your own TPP identity", run verbatim: openssl makes a CA, an OBWAC-style
 * transport certificate and a signing key, `npm run tpp -- add` brings them into the mock
 * directory, and, with the bank (re)started as the README says (`--auto-approve`), the identity
 * registers, gets tokens by both auth methods and walks the AIS journey to the accounts.
 * Its files and the identity go to a temporary folder (BYO, OB_BYO_DIR), not into the checkout.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ensurePki } from '../../keys/pki.ts'
import { type RunningMock, startMock } from '../../mock-aspsp/src/server.ts'
import { readmeBlock, runBlock } from './readme_block.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'byo-readme-'))
let mock: RunningMock | undefined
before(() => {
  process.env.BYO = path.join(dir, 'my-tpp')
  process.env.OB_BYO_DIR = path.join(dir, 'byo')
})
after(async () => {
  await mock?.close()
  delete process.env.BYO
  delete process.env.OB_BYO_DIR
  rmSync(dir, { recursive: true, force: true })
})

describe('README: Bring your own TPP identity', () => {
  it('an identity made with openssl registers, gets tokens by both methods and reads the accounts, exactly as written', async () => {
    const added = await runBlock(readmeBlock('byo-setup'), 'https://localhost:8443')
    assert.match(
      added,
      /added "mytpp" .*\n.*organisation {2}0015800001MyTpp1\n.*software {6}MyTppApp01\n.*certificate {3}OBWAC: /,
    )

    const pki = await ensurePki()
    assert.equal(pki.byo.mytpp?.certificateProfile, 'OBWAC')
    assert.equal(pki.byoCas.length, 1)
    mock = await startMock({ port: 0, store: 'memory', pki, autoApprove: true })

    const out = await runBlock(readmeBlock('byo-walkthrough'), mock.url)
    const [pkjwtToken, accounts] = out
      .trim()
      .split('\n')
      .map(l => JSON.parse(l)) as [Record<string, unknown>, { Data: { Account: Array<{ AccountId: string }> } }]
    assert.equal(pkjwtToken.token_type, 'Bearer', out)
    assert.equal(typeof pkjwtToken.access_token, 'string')
    assert.ok(accounts.Data.Account.length >= 2, out)
    // Both clients (private_key_jwt, tls_client_auth) are of mytpp's software.
    assert.equal(mock.bank.store.countClientsOfSoftware('MyTppApp01'), 2)
  })
})
