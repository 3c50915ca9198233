#!/usr/bin/env node
// `npx ob-mock-bank [options]`: the mock bank, with the options of `npm start` (`--help` lists them).
// `npx ob-mock-bank <tool> [options]`: a TPP developer tool — ssa, request, assertion,
// request-object, customers, tpp, official-tool-config (the `npm run` scripts of the same names)
// or keys (`npm run keys`).
//
// Everything it writes stays in the working directory: the test PKI in ./keys/generated
// (`--keys-dir <dir>` or OB_KEYS_DIR to move it), your own TPP identities in ./keys/byo
// (OB_BYO_DIR), the SQLite store at the `--store` path (relative paths from the working
// directory). Never inside node_modules.
import path from 'node:path'
import { ENTRIES, runBundle } from '../scripts/start.mjs'

const TOOLS = Object.keys(ENTRIES).filter(name => name !== 'main')
const argv = process.argv.slice(2)

// --keys-dir is an option of the bank and of every tool: one environment variable carries it to both.
const at = argv.findIndex(a => a === '--keys-dir' || a.startsWith('--keys-dir='))
if (at >= 0) {
  const inline = argv[at].startsWith('--keys-dir=')
  const dir = inline ? argv[at].slice('--keys-dir='.length) : argv[at + 1]
  if (!dir) {
    console.error('ob-mock-bank: --keys-dir needs a folder')
    process.exit(2)
  }
  argv.splice(at, inline ? 1 : 2)
  process.env.OB_KEYS_DIR = dir
}
process.env.OB_KEYS_DIR = path.resolve(process.env.OB_KEYS_DIR || 'keys/generated')
process.env.OB_BYO_DIR = path.resolve(process.env.OB_BYO_DIR || 'keys/byo')

const tool = TOOLS.includes(argv[0]) ? argv.shift() : 'main'
if (tool === 'main' && (argv.includes('--help') || argv.includes('-h'))) {
  console.log(
    [
      'ob-mock-bank [options]            the mock bank (options below; `npm start` in a checkout)',
      `ob-mock-bank <tool> [--help]      a TPP developer tool: ${TOOLS.join(', ')}`,
      `  --keys-dir <dir>                folder of the test PKI [${path.relative(process.cwd(), process.env.OB_KEYS_DIR)}]`,
      '',
    ].join('\n'),
  )
}
await runBundle(tool, argv)
