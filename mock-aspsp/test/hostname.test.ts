/**
 * The bank under any host name: `--host` (or the host of `--issuer`) gets a server certificate
 * from the test CA that covers it, and the issuer follows; `--server-cert/--server-key` serve the
 * operator's own. Checked with curl as a TPP would: `--resolve` maps the name to the listener.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { parseCli } from '../src/cli.ts'
import { listenAddress, type RunningMock, startMock } from '../src/server.ts'
import { pki } from './support.ts'

const run = promisify(execFile)

/** curl as a TPP runs it: trusting only the test CA, the name resolved to the loopback listener. */
async function curl(name: string, port: number, path: string, ca = pki.ca.certPath) {
  const { stdout } = await run('curl', [
    '-sS',
    '--resolve',
    `${name}:${port}:127.0.0.1`,
    '--cacert',
    ca,
    `https://${name}:${port}${path}`,
  ])
  return JSON.parse(stdout) as Record<string, unknown>
}

describe('--host bank.example.test', () => {
  let mock: RunningMock
  before(async () => {
    mock = await startMock({ port: 0, store: 'memory', pki, host: 'bank.example.test' })
  })
  after(() => mock.close())

  it('answers on https://bank.example.test:PORT with a certificate of the test CA for that name; the issuer follows', async () => {
    const url = `https://bank.example.test:${mock.port}`
    assert.equal(mock.url, url)
    assert.equal(mock.address, '127.0.0.1')
    const discovery = await curl('bank.example.test', mock.port, '/.well-known/openid-configuration')
    assert.equal(discovery.issuer, url)
    assert.equal(discovery.token_endpoint, `${url}/token`)
    const rfc8414 = await curl('bank.example.test', mock.port, '/.well-known/oauth-authorization-server')
    assert.equal(rfc8414.issuer, url)
    const cert = new X509Certificate(readFileSync(mock.serverCertPath))
    assert.ok(cert.checkHost('bank.example.test'), cert.subjectAltName)
    assert.ok(cert.checkHost('localhost'), 'localhost still works')
    assert.ok(cert.verify(new X509Certificate(readFileSync(pki.ca.certPath)).publicKey))
  })
  it('a name the certificate does not cover is refused by curl (the control for the test above)', async () => {
    await assert.rejects(
      curl('other.example.test', mock.port, '/.well-known/openid-configuration'),
      /no alternative certificate subject name matches|SSL: certificate subject name/,
    )
  })
})

describe('--issuer with another host, and --server-cert', () => {
  it('covers the issuer host too', async () => {
    const mock = await startMock({ port: 0, store: 'memory', pki, issuer: 'https://mybank.test:9646' })
    try {
      assert.equal(mock.url, 'https://mybank.test:9646')
      assert.equal(mock.address, 'localhost')
      const discovery = await curl('mybank.test', mock.port, '/.well-known/openid-configuration')
      assert.equal(discovery.issuer, 'https://mybank.test:9646')
    } finally {
      await mock.close()
    }
  })
  it("serves the operator's own certificate and key", async () => {
    const first = await startMock({ port: 0, store: 'memory', pki, host: 'bank.example.test' })
    const own = first.serverCertPath
    await first.close()
    const mock = await startMock({
      port: 0,
      store: 'memory',
      pki,
      host: 'bank.example.test',
      serverCert: own,
      serverKey: own.replace(/\.pem$/, '.key'),
    })
    try {
      assert.equal(mock.serverCertPath, own)
      assert.ok(Array.isArray((await curl('bank.example.test', mock.port, '/jwks')).keys))
    } finally {
      await mock.close()
    }
  })
  it('parses --listen, --server-cert and --server-key; the pair goes together', () => {
    const o = parseCli(['--host', 'bank.example.test', '--listen', '0.0.0.0'], {})
    assert.equal(listenAddress(o), '0.0.0.0')
    assert.equal(listenAddress(parseCli(['--host', 'bank.example.test'], {})), '127.0.0.1')
    assert.equal(listenAddress(parseCli(['--host', '::1'], {})), '::1')
    assert.throws(() => parseCli(['--server-cert', 'a.pem'], {}), /--server-cert and --server-key go together/)
  })
})
