/** `npm start` options (flags and environment) and a clean shutdown on SIGTERM. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, it } from 'node:test'
import { parseCli, usage } from '../src/cli.ts'

describe('parseCli', () => {
  it('reads flags, inline values, repeatable options and environment variables', () => {
    const o = parseCli(
      [
        '--port',
        '9443',
        '--spec=3.1',
        '--disable',
        'get,put',
        '--deviation',
        'accept-expired-request',
        '--no-msw',
        '--store',
        'memory',
      ],
      { OB_MOCK_TOKEN_FORMAT: 'jwt', OB_MOCK_DEVIATIONS: 'unbound-tokens' },
    )
    assert.equal(o.port, 9443)
    assert.equal(o.specVersion, '3.1')
    assert.deepEqual(o.operations, { get: false, put: false, delete: true })
    assert.deepEqual(o.deviations, ['unbound-tokens', 'accept-expired-request'])
    assert.equal(o.msw, false)
    assert.equal(o.accessTokenFormat, 'jwt')
  })
  it('says what is wrong with a bad option', () => {
    assert.throws(() => parseCli(['--spec', '4.0'], {}), /--spec must be one of 3.1, 3.2, 3.3, 3.4, got "4.0"/)
    assert.throws(() => parseCli(['--deviation', 'nope'], {}), /unknown deviation "nope"/)
    assert.throws(() => parseCli(['--frobnicate'], {}), /unknown option "--frobnicate"/)
    assert.throws(() => parseCli(['--port'], {}), /--port needs a value/)
    assert.throws(() => parseCli(['--port', '-1'], {}), /non-negative integer/)
  })
  it('usage lists every option with its environment variable and default', () => {
    const text = usage()
    for (const s of ['--port <value>', 'OB_MOCK_PORT', '[8443]', '--deviation <value>', '--store <value>'])
      assert.ok(text.includes(s), s)
  })
})

describe('npm start', () => {
  it('prints the discovery URL and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      // main.ts itself, under tsx's loader: the tsx CLI relays SIGTERM and kills its child (exit 143)
      // when the child does not acknowledge within 30 ms, which a loaded CI machine can miss.
      ['--import', 'tsx', 'mock-aspsp/src/main.ts', '--port', '0', '--store', 'memory'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no discovery URL printed: ${out}`)), 30_000)
      child.stdout.on('data', d => {
        out += d
        if (out.includes('/.well-known/openid-configuration')) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    assert.match(out, /discovery\s+https:\/\/localhost:\d+\/\.well-known\/openid-configuration/)
    const code = await new Promise<number | null>(resolve => {
      child.on('exit', c => resolve(c))
      child.kill('SIGTERM')
    })
    assert.equal(code, 0)
  })
})
