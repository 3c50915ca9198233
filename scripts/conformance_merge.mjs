#!/usr/bin/env node
// `npm run conformance:merge [-- --out <dir>] <report folder>…`: one set of reports from the shards
// of a run. Each shard (`npm run conformance -- --shard=i/n`, its own OB_REPORTS_DIR, on this
// machine or another) left a blob report in <its report folder>/blob/; Playwright's merge-reports
// replays them all through the run's own reporters (merge.config.ts), so the merged
// conformance.json/.md, HTML, JUnit and Allure results are those of one run over every shard.
// Output: --out, else OB_REPORTS_DIR, else reports/. Exit code 0 only when no test failed.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { clearStaleReports, playwright, reportLines } from './reports.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const started = Date.now()
const USAGE = 'usage: npm run conformance:merge -- [--out <dir>] <report folder> [<report folder>…]'

const args = process.argv.slice(2)
let outArg
const sources = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--help' || args[i] === '-h') {
    console.log(USAGE)
    process.exit(0)
  } else if (args[i] === '--out') outArg = args[++i]
  else if (args[i].startsWith('--out=')) outArg = args[i].slice('--out='.length)
  else sources.push(path.resolve(args[i]))
}
if (sources.length === 0 || (outArg !== undefined && !outArg)) {
  console.error(`conformance:merge: name the report folders of the shards\n${USAGE}`)
  process.exit(2)
}
const out = path.resolve(outArg ?? process.env.OB_REPORTS_DIR ?? path.join(root, 'reports'))

// Every shard's blob report, under a name that keeps two shards' files apart.
const staging = mkdtempSync(path.join(os.tmpdir(), 'ob-merge-'))
const projects = new Map()
try {
  for (const [i, dir] of sources.entries()) {
    const blobDir = path.join(dir, 'blob')
    const zips = existsSync(blobDir) ? readdirSync(blobDir).filter(f => f.endsWith('.zip')) : []
    if (zips.length === 0) {
      console.error(
        `conformance:merge: no blob report in ${blobDir}: run each shard with \`npm run conformance -- --shard=i/n\` (or OB_BLOB_REPORT=1) and its own OB_REPORTS_DIR`,
      )
      process.exit(2)
    }
    for (const zip of zips) copyFileSync(path.join(blobDir, zip), path.join(staging, `${i + 1}-${zip}`))
    // The projects' targets, for Allure's environment table (read before the output is cleared).
    const summary = path.join(dir, 'conformance.json')
    if (existsSync(summary)) {
      for (const p of JSON.parse(readFileSync(summary, 'utf8')).projects ?? []) {
        if (!projects.has(p.name)) projects.set(p.name, { name: p.name, target: p.target })
      }
    }
  }

  clearStaleReports(out)
  const merge = spawnSync(
    process.execPath,
    playwright('merge-reports', '--config', path.join(root, 'merge.config.ts'), staging),
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, OB_REPORTS_DIR: out, OB_MERGE_PROJECTS: JSON.stringify([...projects.values()]) },
    },
  )
  let code = merge.status ?? 1
  if (code === 0) {
    const summary = path.join(out, 'conformance.json')
    const merged = existsSync(summary) ? JSON.parse(readFileSync(summary, 'utf8')) : undefined
    code = merged && merged.status === 'passed' && merged.totals.failed === 0 ? 0 : 1
  }
  console.log(reportLines('conformance:merge', out, code, started))
  process.exitCode = code
} finally {
  rmSync(staging, { recursive: true, force: true })
}
