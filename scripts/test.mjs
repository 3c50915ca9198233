#!/usr/bin/env node
// `npm test`: the project's own checks, in order, stopping at the first failure.
// Each step prints its own output; the last line is the runner's summary.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

/** Every `*.test.ts` under the given folders (node 20's --test has no glob support). */
function testFiles(...dirs) {
  const out = []
  const walk = dir => {
    if (!existsSync(dir)) return
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory() && e.name !== 'node_modules') walk(p)
      else if (e.name.endsWith('.test.ts')) out.push(path.relative(root, p))
    }
  }
  for (const d of dirs) walk(path.join(root, d))
  return out.sort()
}

const steps = [
  // The browser tests must run here, not be skipped: stop at once when there is no Chromium
  // (and OB_REQUIRE_BROWSER=1 below makes the suite itself refuse to skip them).
  ['browser', ['node', '--import', 'tsx', 'fixtures/browser.ts']],
  ['keys', ['npx', 'tsx', 'keys/generate.ts']],
  ['typecheck', ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', ['npx', 'biome', 'check', '.']],
  [
    'unit',
    [
      'node',
      '--import',
      'tsx',
      '--test',
      // Two files at a time: most of a file's time is starting Node and tsx, and a bank or a child
      // process waits on the other core (the default is one less than the cores: one here).
      '--test-concurrency=2',
      '--test-reporter=spec',
      ...testFiles('keys', 'mock-aspsp', 'fixtures', 'scripts', 'bench'),
    ],
  ],
]
if (existsSync(path.join(root, 'playwright.config.ts'))) {
  // The suite against the embedded mock (all reports written), then against a second,
  // differently configured mock described by a target file (target independence).
  steps.push(['conformance', ['node', 'scripts/conformance.mjs']])
  steps.push([
    'independence',
    ['node', '--import', 'tsx', '--test', '--test-reporter=spec', 'scripts/target_independence.ts'],
  ])
  // A run split into two shards and merged (npm run conformance:merge) equals the same run unsplit.
  steps.push(['shards', ['node', '--import', 'tsx', '--test', '--test-reporter=spec', 'scripts/shard_merge.ts']])
  // The packed package, installed offline into an empty folder: its bank, the README walkthrough, its suite.
  steps.push(['package', ['node', '--import', 'tsx', '--test', '--test-reporter=spec', 'scripts/packaged.ts']])
  // Testing the tests: a bank per named deviation of the mock, each caught by the check of its
  // rule; anti-banks that refuse everything of one operation pass no test resting on it; every
  // catalogue id proven by a deviation.
  steps.push(['sensitivity', ['node', '--import', 'tsx', 'scripts/sensitivity.ts']])
}

// `node scripts/test.mjs unit lint` runs only the steps named (`npm run test:unit`).
const only = process.argv.slice(2)
const unknown = only.filter(n => !steps.some(([name]) => name === n))
if (unknown.length) {
  console.error(`unknown step ${unknown.join(', ')}: one of ${steps.map(([name]) => name).join(', ')}`)
  process.exit(2)
}
const chosen = only.length ? steps.filter(([name]) => only.includes(name)) : steps

const results = []
for (const [name, cmd] of chosen) {
  const started = Date.now()
  console.log(`\n▶ ${name}: ${cmd.join(' ')}`)
  const r = spawnSync(cmd[0], cmd.slice(1), {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, OB_REQUIRE_BROWSER: '1' },
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  results.push({ name, ok: r.status === 0, seconds })
  if (r.status !== 0) break
}
console.log('\nnpm test summary:')
for (const r of results) console.log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.name.padEnd(12)} ${r.seconds}s`)
const failed = results.filter(r => !r.ok)
if (failed.length || results.length < chosen.length) {
  console.log(`npm test: FAILED at ${failed[0]?.name ?? 'an unknown step'}`)
  process.exit(1)
}
console.log(`npm test: all ${results.length} steps passed`)
