/**
 * The Postman collection of the DCR and AIS journeys, run by its CLI runner (newman, through
 * `npm run collection`) against a bank started as the README says (`--signing-helper
 * --auto-approve`), so that it cannot rot: every request and every assertion must pass.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type RunningMock, startMock } from '../../mock-aspsp/src/server.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const dir = mkdtempSync(path.join(tmpdir(), 'collection-'))
let mock: RunningMock
before(async () => {
  mock = await startMock({ port: 0, store: 'memory', autoApprove: true, signingHelper: true })
})
after(async () => {
  await mock.close()
  rmSync(dir, { recursive: true, force: true })
})

interface NewmanReport {
  run: {
    stats: Record<'requests' | 'assertions' | 'testScripts', { total: number; failed: number }>
    failures: { error: { message: string }; source?: { name?: string } }[]
  }
}

describe('the request collection (collections/, run by newman)', () => {
  it('walks the DCR and AIS journeys green', async () => {
    const report = path.join(dir, 'newman.json')
    // Asynchronous: the bank answers from this very process.
    const child = spawn('node', ['scripts/collection.mjs', '--reporters', 'json', '--reporter-json-export', report], {
      cwd: root,
      env: { ...process.env, BANK: mock.url },
    })
    let err = ''
    child.stderr.on('data', d => (err += d))
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    const { run } = JSON.parse(readFileSync(report, 'utf8')) as NewmanReport
    const failures = run.failures.map(f => `${f.source?.name}: ${f.error.message}`)
    assert.deepEqual(failures, [], err)
    assert.equal(code, 0, err)
    assert.equal(run.stats.requests.total, 21)
    assert.equal(run.stats.requests.failed, 0)
    assert.ok(run.stats.assertions.total >= 30, `${run.stats.assertions.total} assertions`)
    assert.equal(run.stats.assertions.failed, 0)
  })
})
