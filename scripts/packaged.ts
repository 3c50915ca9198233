/**
 * Proof that the package works without this repository, as a TPP team would use it: `npm pack`,
 * then in an empty folder `npm install ./ob-dcr-conformance-<version>.tgz` OFFLINE (`--offline`:
 * every dependency from npm's cache, and inside a network namespace of its own when `unshare` can
 * make one); `npx ob-mock-bank` starts the installed bank, the README's DCR walkthrough runs against
 * it from that folder, the README's AU walk-through runs against `npx ob-mock-bank --profile au-cdr`,
 * and `npx ob-dcr-conformance` runs part of the suite against its embedded mocks. Keys, store and reports must land in the folder, never inside node_modules.
 *
 * npm needs the metadata of every package the folder's dependency tree resolves to. When its cache
 * lacks some (a machine whose cache only ever saw `npm ci`), the test fills it once from the
 * registry (`--prefer-offline`, outside any namespace) and then installs offline as above.
 *
 * Run by `npm test` (step "package"): node --import tsx --test scripts/packaged.ts
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ConformanceSummary } from '../fixtures/reporters/summary.ts'
import { assertAuWalkthrough, assertDcrWalkthrough, readmeBlock, runBlock } from './test/readme_block.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ob-package-'))
const app = path.join(tmp, 'tryout')
const installed = path.join(app, 'node_modules', 'ob-dcr-conformance')
/** Part of the suite for the installed command: the official tool's scenarios and one browser test. */
const SUITE_GREP = 'DCR-0|POS-AUTH-01'

/**
 * The environment of a TPP's shell: none of this repository's settings, nor the `npm_*` variables
 * of an enclosing `npm run` (`npm run -s` would silence every npm command below).
 */
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !['OB_KEYS_DIR', 'OB_REPORTS_DIR', 'OB_TARGET'].includes(k) && !k.toLowerCase().startsWith('npm_'),
  ),
)
const sh = (cmd: string, args: string[], cwd: string) =>
  spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
const text = (r: ReturnType<typeof sh>) => `${r.stdout}\n${r.stderr}`
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1)

/** `unshare -n` works here (root on Linux): the offline install then has no network at all. */
const isolated = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0

let tarball: { filename: string; size: number; entryCount: number }
let installLog = ''
/** The banks started by the tests, stopped at the end. */
const banks: ChildProcess[] = []

/**
 * `npm install --offline` of the tarball. Without install scripts: better-sqlite3's would compile
 * SQLite for a minute or more (node-gyp's work, not this package's); the bank must then say how
 * to build it, and runs on its memory store.
 */
function install(): ReturnType<typeof sh> {
  const args = ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', `../${tarball.filename}`]
  return isolated ? sh('unshare', ['-n', 'npm', ...args], app) : sh('npm', args, app)
}

/** Starts `npx ob-mock-bank ...args` in the folder and resolves with its URL once it listens. */
function startBank(args: string[]): Promise<string> {
  // The command npx runs, started directly: one process to stop at the end.
  const bank = spawn(path.join(app, 'node_modules/.bin/ob-mock-bank'), args, {
    cwd: app,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  banks.push(bank)
  let bankLog = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bank did not start in 60 s:\n${bankLog}`)), 60_000)
    const onData = (d: Buffer) => {
      bankLog += d
      const url = /listening on (https:\/\/\S+)/.exec(bankLog)?.[1]
      if (url) {
        clearTimeout(timer)
        resolve(url)
      }
    }
    bank.stdout?.on('data', onData)
    bank.stderr?.on('data', onData)
    bank.on('exit', code => {
      clearTimeout(timer)
      reject(new Error(`the bank exited (${code}):\n${bankLog}`))
    })
  })
}

before(() => {
  const packed = sh('npm', ['pack', '--json', '--pack-destination', tmp], root)
  assert.equal(packed.status, 0, text(packed))
  tarball = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))).at(0)
  mkdirSync(app)
  // What `npm init -y` writes, less the noise.
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: 'tryout', version: '1.0.0', private: true })}\n`,
  )

  const started = Date.now()
  let r = install()
  if (r.status !== 0 && /ENOTCACHED|only-if-cached/.test(text(r))) {
    // The cache lacks metadata or tarballs of this tree: fetch them once, in a scratch folder.
    const scratch = path.join(tmp, 'cache-fill')
    mkdirSync(scratch)
    copyFileSync(path.join(app, 'package.json'), path.join(scratch, 'package.json'))
    const fill = sh(
      'npm',
      ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', `../${tarball.filename}`],
      scratch,
    )
    assert.equal(fill.status, 0, `npm's cache lacks packages and the registry cannot fill it:\n${text(fill)}`)
    installLog += `cache filled from the registry in ${seconds(started)} s\n`
    r = install()
  }
  assert.equal(r.status, 0, text(r))
  installLog += `offline install${isolated ? ' (network namespace)' : ''} in ${seconds(started)} s`
})

after(async () => {
  for (const bank of banks.filter(b => b.exitCode === null)) {
    const exited = new Promise(resolve => bank.once('exit', resolve))
    bank.kill('SIGTERM')
    await exited
  }
  rmSync(tmp, { recursive: true, force: true })
})

test('the package installs offline into an empty folder, with its two commands and the bank built', t => {
  t.diagnostic(`${tarball.filename}: ${tarball.size} bytes, ${tarball.entryCount} files; ${installLog}`)
  for (const bin of ['ob-mock-bank', 'ob-dcr-conformance']) {
    assert.ok(existsSync(path.join(app, 'node_modules', '.bin', bin)), `npx ${bin} is installed`)
  }
  assert.ok(existsSync(path.join(installed, 'mock-aspsp', 'dist', 'main.js')), 'the bank comes built')
  assert.ok(!existsSync(path.join(installed, 'mock-aspsp', 'src')), 'the bank comes without its sources')
})

test('npx ob-mock-bank: the bank, keys in the folder; the README walkthrough runs against it', async t => {
  const sqliteBuilt = existsSync(path.join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))
  if (!sqliteBuilt) {
    // Without its native module, the default (SQLite) store must say how to build it, or what else to use.
    const r = sh('npx', ['ob-mock-bank', '--port', '0'], app)
    assert.equal(r.status, 1, text(r))
    assert.match(text(r), /--store mock-aspsp\/data\/bank\.sqlite: .*`npm rebuild better-sqlite3`.*--store memory/)
  }
  const started = Date.now()
  const url = await startBank(['--port', '0', ...(sqliteBuilt ? [] : ['--store', 'memory'])])
  t.diagnostic(`bank listening on ${url} after ${seconds(started)} s (store: ${sqliteBuilt ? 'SQLite' : 'memory'})`)
  assert.ok(existsSync(path.join(app, 'keys/generated/manifest.json')), 'the test PKI is in ./keys/generated')
  if (sqliteBuilt) assert.ok(existsSync(path.join(app, 'mock-aspsp/data/bank.sqlite')), 'the store is in the folder')
  assert.ok(!existsSync(path.join(installed, 'keys', 'generated')), 'no keys inside node_modules')

  const walked = Date.now()
  assertDcrWalkthrough(await runBlock(readmeBlock('walkthrough'), url, app))
  t.diagnostic(`README walkthrough passed in ${seconds(walked)} s`)
})

test("npx ob-mock-bank --profile au-cdr: a CDR Data Holder and Register; the README's AU walk-through runs against it", async t => {
  const started = Date.now()
  // The memory store: the SQLite one of the test above is the UK bank's.
  const url = await startBank(['--profile', 'au-cdr', '--port', '0', '--store', 'memory'])
  t.diagnostic(`Data Holder listening on ${url} after ${seconds(started)} s`)
  assert.ok(existsSync(path.join(app, 'keys/generated/cdr')), 'the CDR part of the test PKI is in ./keys/generated')
  const walked = Date.now()
  assertAuWalkthrough(await runBlock(readmeBlock('au-walkthrough'), url, app))
  t.diagnostic(`README AU walk-through passed in ${seconds(walked)} s`)
})

test('npx ob-dcr-conformance: the suite against its embedded mock, reports in ./reports', t => {
  const started = Date.now()
  const r = sh('npx', ['ob-dcr-conformance', '--grep', SUITE_GREP], app)
  assert.equal(r.status, 0, text(r))
  const summary = JSON.parse(readFileSync(path.join(app, 'reports/conformance.json'), 'utf8')) as ConformanceSummary
  t.diagnostic(`${/^Conformance: .*$/m.exec(r.stdout)?.[0]} in ${seconds(started)} s`)
  assert.ok(summary.totals.tests >= 10 && summary.totals.failed === 0, JSON.stringify(summary.totals))
  const browser = summary.tests.find(x => x.id === 'POS-AUTH-01')
  // Without a Chromium the browser test is skipped with the reason, unless it is required (npm test).
  const allowed = process.env.OB_REQUIRE_BROWSER === '1' ? ['passed'] : ['passed', 'skipped']
  assert.ok(browser && allowed.includes(browser.outcome), `POS-AUTH-01 ${browser?.outcome}: ${browser?.skipReason}`)
  for (const report of ['html/index.html', 'junit.xml', 'allure-results']) {
    assert.ok(existsSync(path.join(app, 'reports', report)), `reports/${report}`)
  }
  for (const stray of ['reports', 'test-results', 'keys/generated']) {
    assert.ok(!existsSync(path.join(installed, stray)), `nothing written to node_modules/ob-dcr-conformance/${stray}`)
  }
})
