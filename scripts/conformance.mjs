#!/usr/bin/env node
// `npm run conformance [-- <playwright test args>]`: the conformance suite against the embedded
// mock bank (or the bank named by OB_TARGET), with every report written to reports/.
// Exit code = Playwright's: 0 only when no test failed.
import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const reports = path.resolve(root, process.env.OB_REPORTS_DIR ?? 'reports')
const started = Date.now()

// Allure keeps whatever is in allure-results: start from an empty folder so one run is one report.
// The summary of an earlier run must not pass for this one's if this one cannot start.
for (const stale of ['allure-results', 'conformance.json', 'conformance.md']) {
  rmSync(path.join(reports, stale), { recursive: true, force: true })
}

// The test PKI is generated on first use; doing it here keeps its output out of the test run.
const keys = spawnSync('node', ['--import', 'tsx', 'keys/generate.ts'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
})
if (keys.status !== 0) {
  console.error('conformance: could not prepare the test PKI (npm run keys)')
  process.exit(keys.status ?? 1)
}

const args = process.argv.slice(2)
const run = spawnSync('npx', ['playwright', 'test', ...args], { cwd: root, stdio: 'inherit', env: process.env })
const code = run.status ?? 1

const rel = p => path.relative(process.cwd(), p) || '.'
const seconds = ((Date.now() - started) / 1000).toFixed(1)
const lines = [
  '',
  `conformance: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds}s (exit code ${code}). Reports:`,
  `  summary      ${rel(path.join(reports, 'conformance.md'))}  (and conformance.json)`,
  `  HTML         ${rel(path.join(reports, 'html/index.html'))}  (npx playwright show-report ${rel(path.join(reports, 'html'))})`,
  `  JUnit        ${rel(path.join(reports, 'junit.xml'))}`,
  `  Allure       ${rel(path.join(reports, 'allure-results'))}  (npm run report builds ${rel(path.join(reports, 'allure-report'))})`,
]
if (!existsSync(path.join(reports, 'conformance.json'))) lines.push('  (no summary was written: see the errors above)')
console.log(lines.join('\n'))
process.exit(code)
