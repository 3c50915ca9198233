#!/usr/bin/env node
// `npm run conformance [-- <playwright test args>]`: the conformance suite against the embedded
// mock bank (or the bank named by OB_TARGET), with every report written to reports/.
// Exit code = Playwright's: 0 only when no test failed.
//
// A shard of a run (`-- --shard=1/2`) also writes a blob report (reports/blob/), which
// `npm run conformance:merge` merges with the other shards' into one set of reports.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { clearStaleReports, playwright, reportLines } from './reports.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const reports = path.resolve(root, process.env.OB_REPORTS_DIR ?? 'reports')
const started = Date.now()
const args = process.argv.slice(2)

clearStaleReports(reports)
const env = { ...process.env }
if (args.some(a => /^--shard(=|$)/.test(a))) env.OB_BLOB_REPORT = '1'
// An earlier run's blob must not be merged as this one's.
if (env.OB_BLOB_REPORT !== '1') rmSync(path.join(reports, 'blob'), { recursive: true, force: true })

// The test PKI is generated on first use; doing it here keeps its output out of the test run.
const keys = spawnSync(process.execPath, [path.join(root, 'bin/ob_mock_bank.mjs'), 'keys'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env,
})
if (keys.status !== 0) {
  console.error('conformance: could not prepare the test PKI (npm run keys)')
  process.exit(keys.status ?? 1)
}

const run = spawnSync(process.execPath, playwright('test', ...args), { cwd: root, stdio: 'inherit', env })
const code = run.status ?? 1
console.log(reportLines('conformance', reports, code, started))
process.exit(code)
