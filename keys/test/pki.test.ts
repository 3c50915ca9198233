import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const work = mkdtempSync(path.join(tmpdir(), 'pki-test-'))
after(() => rmSync(work, { recursive: true, force: true }))

function runEnsure(dir: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise(resolve => {
    const p = spawn('npx', ['tsx', 'keys/generate.ts', ...args], {
      cwd: root,
      env: { ...process.env, OB_KEYS_DIR: dir },
    })
    let out = ''
    p.stdout.on('data', d => (out += d))
    p.stderr.on('data', d => (out += d))
    p.on('close', code => resolve({ code, out }))
  })
}

describe('test PKI generator', () => {
  const dir = path.join(work, 'concurrent')

  it('four processes asking at once produce exactly one consistent PKI', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => runEnsure(dir)))
    for (const r of runs) assert.equal(r.code, 0, r.out)
    const generated = runs.filter(r => r.out.includes('generating test PKI')).length
    assert.equal(generated, 1, 'exactly one process generates, the others wait and read')
    const created = new Set(runs.map(r => /created (\S+)\)/.exec(r.out)?.[1]))
    assert.equal(created.size, 1, 'all four read the same manifest')
  })

  it('certificates chain to the CA and transport certificates carry clientAuth', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'))
    const ca = new X509Certificate(readFileSync(path.join(dir, manifest.ca.certPath)))
    const alpha = new X509Certificate(readFileSync(path.join(dir, manifest.tpps.alpha.transport.certPath)))
    assert.ok(alpha.verify(ca.publicKey), 'alpha transport certificate is signed by the CA')
    assert.ok(alpha.checkIssued(ca))
    assert.deepEqual(alpha.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'extended key usage is clientAuth only')
    assert.match(alpha.subject, new RegExp(`CN=${manifest.tpps.alpha.softwareId}`))
    assert.match(alpha.subject, new RegExp(`OU=${manifest.tpps.alpha.orgId}`))
    assert.match(manifest.tpps.alpha.orgId, /^[0-9A-Za-z]{18}$/)
    assert.match(manifest.tpps.alpha.softwareId, /^[0-9A-Za-z]{22}$/)
    const rogue = new X509Certificate(readFileSync(path.join(dir, manifest.tpps.rogue.transport.certPath)))
    assert.equal(rogue.checkIssued(ca), false, 'rogue certificate is self-signed')
    const expired = new X509Certificate(readFileSync(path.join(dir, manifest.tpps.expired.transport.certPath)))
    assert.ok(Date.parse(expired.validTo) < Date.now(), 'expired certificate has expired')
    assert.ok(expired.checkIssued(ca), 'expired certificate is CA-issued')
    const server = new X509Certificate(readFileSync(path.join(dir, manifest.server.certPath)))
    assert.ok(server.checkHost('localhost') && server.checkIP('127.0.0.1'))
  })

  it('openssl verifies the chain', () => {
    const out = execFileSync(
      'openssl',
      ['verify', '-CAfile', 'ca/ca.pem', 'server/server.pem', 'tpps/alpha/transport.pem'],
      {
        cwd: dir,
      },
    ).toString()
    assert.match(out, /server\.pem: OK/)
    assert.match(out, /transport\.pem: OK/)
  })

  it('a second run reuses the PKI; --force replaces it atomically', async () => {
    const before = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).createdAt
    const again = await runEnsure(dir)
    assert.equal(again.code, 0)
    assert.doesNotMatch(again.out, /generating/)
    const forced = await runEnsure(dir, '--force')
    assert.equal(forced.code, 0, forced.out)
    const after = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).createdAt
    assert.notEqual(after, before)
  })
})
