/** The README's curl walk-through, run verbatim (the block between the walkthrough markers) against a bank. */
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
  mock = await startMock({ port: 0, store: 'memory' })
})
after(() => mock.close())

describe('README: Try it with curl', () => {
  it('registers, gets a token, reads, updates and deletes, exactly as written', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
    const block = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme)?.[1]
    assert.ok(block, 'README has the walkthrough block')
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
    assert.match(out, /"registration_endpoint":"https:\/\/localhost:\d+\/register"/)
    assert.match(out, /"client_id":"[0-9a-f-]{36}"/)
    assert.match(out, /"token_type":"Bearer"/)
    assert.match(out, /"redirect_uris":\["https:\/\/alpha\.tpp\.example\/callback2"\]/)
    assert.match(out, /DELETE 204/)
    assert.match(out, /"error":"invalid_token".* GET 401/)
  })
})
