/**
 * Proof that the suite is not tied to the default target: starts a second, separately configured
 * mock bank (OB DCR 3.1, GET and PUT switched off, another port), describes it in a target file
 * exactly as a bank's tester would (secrets in environment variables), runs the whole suite
 * against it, and checks that the suite adapted: it passes, skips what is off with the reason,
 * and checks the 3.1 shapes.
 *
 * Run by `npm test` (step "independence"): node --import tsx --test scripts/target_independence.ts
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { signerFromFile } from '../fixtures/builders/jose.ts'
import { mintSsa } from '../fixtures/builders/ssa.ts'
import type { ConformanceSummary } from '../fixtures/reporters/summary.ts'
import { ensurePki, type Pki } from '../keys/pki.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const port = Number(process.env.OB_INDEPENDENCE_PORT ?? 8643)
const outDir = path.join(root, 'reports', 'independence')

let mock: ChildProcess | undefined
let mockLog = ''
let pki: Pki

/** Resolves once something accepts TCP connections on the port, or rejects after `ms`. */
async function waitForPort(p: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    const open = await new Promise<boolean>(resolve => {
      const socket = net.connect(p, 'localhost')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (mock?.exitCode !== null && mock?.exitCode !== undefined) throw new Error(`the mock exited:\n${mockLog}`)
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${p} after ${ms} ms:\n${mockLog}`)
    await new Promise(r => setTimeout(r, 100))
  }
}

before(async () => {
  pki = await ensurePki()
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  mock = spawn(
    process.execPath,
    ['scripts/start.cjs', '--port', String(port), '--store', 'memory', '--spec', '3.1', '--disable', 'get,put'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  mock.stdout?.on('data', d => {
    mockLog += d
  })
  mock.stderr?.on('data', d => {
    mockLog += d
  })
  await waitForPort(port, 60_000)
})

after(() => {
  mock?.kill('SIGTERM')
})

test('the suite adapts to a 3.1 bank without GET and PUT, described by a target file', async () => {
  const alpha = pki.tpps.alpha
  const beta = pki.tpps.beta
  assert.ok(alpha && beta, 'the test PKI has TPPs alpha and beta')
  const directory = {
    issuer: pki.directory.issuer,
    signer: signerFromFile(pki.directory.signing.keyPath, pki.directory.signing.kid),
  }

  // As a bank's tester would: SSAs and private keys in environment variables, named by the file.
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    OB_TARGET: path.join(outDir, 'second-mock.json'),
    OB_REPORTS_DIR: outDir,
    IND_ALPHA_SSA: await mintSsa(alpha, directory),
    IND_ALPHA_SIGNING_KEY: alpha.signing.keyPath,
    IND_ALPHA_TRANSPORT_KEY: readFileSync(alpha.transport.keyPath, 'utf8'),
    IND_BETA_SSAS: [await mintSsa(beta, directory), await mintSsa(beta, directory)].join('\n'),
    IND_BETA_SIGNING_KEY: beta.signing.keyPath,
    IND_BETA_TRANSPORT_KEY: beta.transport.keyPath,
  }
  const tpp = (t: typeof alpha, name: string, ssa: object) => ({
    softwareId: t.softwareId,
    orgId: t.orgId,
    roles: t.roles,
    redirectUris: t.redirectUris,
    ...ssa,
    signing: { kid: t.signing.kid, alg: 'PS256', keyEnv: `IND_${name}_SIGNING_KEY` },
    transport: { certPath: t.transport.certPath, keyEnv: `IND_${name}_TRANSPORT_KEY` },
  })
  writeFileSync(
    env.OB_TARGET as string,
    JSON.stringify(
      {
        $schema: '../../fixtures/targets/target.schema.json',
        name: 'second-mock',
        discoveryUrl: `https://localhost:${port}/.well-known/openid-configuration`,
        specVersion: '3.1',
        aud: pki.aspsp.orgId,
        operations: { get: false, put: false, delete: true },
        authMethods: ['private_key_jwt', 'tls_client_auth'],
        redirectUris: alpha.redirectUris,
        ignoreHttpsErrors: true,
        tpp: tpp(alpha, 'ALPHA', { ssaEnv: 'IND_ALPHA_SSA' }),
        secondTpp: tpp(beta, 'BETA', { ssasEnv: ['IND_BETA_SSAS'] }),
      },
      null,
      2,
    ),
  )

  const run = spawnSync('npx', ['playwright', 'test', '--output', path.join(outDir, 'test-results')], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const output = `${run.stdout}\n${run.stderr}`
  assert.equal(run.status, 0, `the suite failed against the second mock:\n${output.slice(-6000)}`)

  const summary = JSON.parse(readFileSync(path.join(outDir, 'conformance.json'), 'utf8')) as ConformanceSummary
  const project = summary.projects[0]
  assert.equal(summary.projects.length, 1)
  assert.equal(project?.name, 'second-mock@3.1')
  assert.equal(project?.target?.specVersion, '3.1')
  assert.deepEqual(project?.target?.operations, { get: false, put: false, delete: true })

  // Nothing failed, and every skip is for something this target lacks, with its reason: a
  // switched-off operation, no directory key to mint SSAs, no refused-on-purpose certificate, no
  // CA to issue a certificate that expires (transportIssuer), a
  // rule of another spec version, or an authorization-code test, which plays the customer on the
  // embedded mock's pages only.
  assert.equal(summary.totals.failed, 0)
  const all = summary.tests.filter(t => t.outcome === 'skipped')
  const playsCustomer = (reason: string | undefined) => /plays the customer on the mock bank/.test(reason ?? '')
  const skipped = all.filter(t => !playsCustomer(t.skipReason))
  const lacks = [
    /second-mock does not implement (GET|PUT) \/register\/\{ClientId\}/,
    /second-mock gives no directory key to mint SSAs/,
    /second-mock provides no [\w-]+ client certificate/,
    /second-mock gives the suite no CA it trusts for transport certificates/,
    /OB DCR 3\.4 only|OB DCR 3\.1 sends scope as an array/,
  ]
  for (const t of skipped) {
    assert.ok(
      lacks.some(re => re.test(t.skipReason ?? '')),
      `${t.id}: unexpected skip reason ${JSON.stringify(t.skipReason)}`,
    )
  }
  const skippedIds = new Set(skipped.map(t => t.id))
  for (const id of ['DCR-005', 'DCR-008', 'DCR-009', 'POS-REG-11', 'POS-REG-12', 'POS-REG-13']) {
    assert.ok(skippedIds.has(id), `${id} should be skipped (it needs GET or PUT)`)
  }
  // Exactly the tests that need something this target lacks are skipped (each declares it with a
  // `requires` annotation: GET, PUT, a directory key, a refused-on-purpose certificate), besides
  // the few rules of another spec version; every test that needs GET or PUT is skipped.
  const needsOff = (t: (typeof summary.tests)[number]) =>
    t.requires.includes('operation:get') || t.requires.includes('operation:put')
  const lacking = (t: (typeof summary.tests)[number]) =>
    needsOff(t) ||
    t.requires.some(r => r === 'ssa:mint' || r.startsWith('cert:')) ||
    /OB DCR 3\.4 only|OB DCR 3\.1 sends scope as an array/.test(t.skipReason ?? '')
  assert.deepEqual(
    skipped.filter(t => !lacking(t)).map(t => t.id),
    [],
    'only tests that need what the target lacks are skipped',
  )
  assert.deepEqual(
    summary.tests.filter(t => needsOff(t) && t.outcome !== 'skipped').map(t => t.id),
    [],
    'every test that needs GET or PUT is skipped',
  )
  // ... and the operations switched off are refused with 405 after the token check.
  assert.equal(summary.tests.find(t => t.id === 'NEG-MGMT-22')?.outcome, 'passed', 'NEG-MGMT-22 passes')
  const passed = summary.tests.filter(t => t.outcome === 'passed')
  assert.ok(passed.length >= 30, `only ${passed.length} tests passed`)
  // GET after DELETE and GET with an empty token must still be refused 401 when GET is off.
  for (const id of ['DCR-007', 'DCR-010']) {
    assert.equal(
      summary.tests.filter(t => t.id === id && t.outcome === 'passed').length,
      2,
      `${id} passes for both methods`,
    )
  }

  // The 3.1 shapes were checked, and passed.
  const checks = summary.tests.flatMap(t => t.checks)
  const byRef = (ref: string) => checks.filter(c => c.ref === ref)
  assert.ok(byRef('OBDCR-3.1-scope').length > 0 && byRef('OBDCR-3.1-scope').every(c => c.ok), '3.1 scope array checked')
  assert.ok(
    byRef('OBDCR-3.1-tls_client_auth_dn').some(c => c.ok && c.title.includes('carries tls_client_auth_dn')),
    '3.1 tls_client_auth_dn checked',
  )
  assert.ok(
    byRef('OBDCR-3.1-OBClientRegistration1').length > 0 && byRef('OBDCR-3.1-OBClientRegistration1').every(c => c.ok),
    '3.1 response schema checked',
  )
  assert.equal(checks.filter(c => c.ref?.startsWith('OBDCR-3.3')).length, 0, 'no 3.3 check ran against the 3.1 bank')
})
