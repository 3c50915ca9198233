/**
 * `npm run fuzz [-- --runs N --time S --seed N|random --path P]`: the full fuzz run of the mock
 * bank (default 25,000 cases, at most 9 minutes), every endpoint over mutual TLS. Writes
 * reports/fuzz.json; exits 1 on any failure, printing the seed and path that reproduce it.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { describeReport, runFuzz } from '../mock-aspsp/test/fuzz/fuzzer.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '25000' },
    time: { type: 'string', default: '540' },
    seed: { type: 'string', default: '424242' },
    path: { type: 'string' },
    'rss-margin': { type: 'string', default: '64' },
    out: { type: 'string', default: 'reports/fuzz.json' },
  },
})

const seed = values.seed === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const report = await runFuzz({
  seed,
  numRuns: Number(values.runs),
  timeLimitMs: Number(values.time) * 1000,
  ports: [9240, 9259],
  rssMarginMb: Number(values['rss-margin']),
  ...(values.path ? { path: values.path } : {}),
  log: line => console.log(line),
})
mkdirSync(path.dirname(values.out), { recursive: true })
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`)
console.log(describeReport(report))
console.log(`fuzz: report written to ${values.out}`)
process.exit(report.problems.length ? 1 : 0)
