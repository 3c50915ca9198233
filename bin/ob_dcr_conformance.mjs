#!/usr/bin/env node
// `npx ob-dcr-conformance [--target bank.json[,other.json]] [playwright test args]`: the
// conformance suite against the embedded mock bank, or against the banks described by target files
// (fixtures/targets/README.md), with every report in ./reports (`npm run conformance` in a checkout).
// `npx ob-dcr-conformance merge <report folders…>`: one report from the shards of a run
// (`npm run conformance:merge`).
//
// Paths are taken from the working directory: target files, OB_REPORTS_DIR (default ./reports) and
// the test PKI (./keys/generated, or OB_KEYS_DIR) and your own TPP identities (./keys/byo, or
// OB_BYO_DIR), which the mock bank and the suite share.
import path from 'node:path'

const argv = process.argv.slice(2)
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(
    [
      'ob-dcr-conformance [--target <file>[,<file>…]] [playwright test options]',
      '    the suite against the embedded mock bank, or the banks the target files describe',
      '    (e.g. --grep NEG-SSA, --shard=1/2, --project mock@3.3); reports in ./reports',
      'ob-dcr-conformance merge [--out <dir>] <report folder>…',
      '    one report from the blob reports of several shards',
      '',
      'Environment: OB_TARGET, OB_MOCK_SPECS (3.1,…|all), OB_MOCK_PROFILES (uk-ob,au-cdr), OB_REPORTS_DIR, OB_KEYS_DIR, OB_CHROMIUM, OB_WORKERS',
    ].join('\n'),
  )
  process.exit(0)
}

const fromHere = list =>
  list
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
    .map(f => path.resolve(f))
    .join(',')

const at = argv.findIndex(a => a === '--target' || a.startsWith('--target='))
if (at >= 0) {
  const inline = argv[at].startsWith('--target=')
  process.env.OB_TARGET = inline ? argv[at].slice('--target='.length) : (argv[at + 1] ?? '')
  argv.splice(at, inline ? 1 : 2)
}
if (process.env.OB_TARGET) process.env.OB_TARGET = fromHere(process.env.OB_TARGET)
process.env.OB_REPORTS_DIR = path.resolve(process.env.OB_REPORTS_DIR || 'reports')
process.env.OB_KEYS_DIR = path.resolve(process.env.OB_KEYS_DIR || 'keys/generated')
process.env.OB_BYO_DIR = path.resolve(process.env.OB_BYO_DIR || 'keys/byo')

const merge = argv[0] === 'merge'
if (merge) argv.shift()
const script = merge ? '../scripts/conformance_merge.mjs' : '../scripts/conformance.mjs'
process.argv = [process.argv[0], script, ...argv]
await import(script)
