#!/usr/bin/env node
// `npm start [-- options]` (scripts/start.cjs calls `main`): the mock bank, compiled once into
// one ES module and run by plain Node.
//
// Running the TypeScript through a loader (tsx) costs a second V8 isolate for the loader's thread
// and its compile cache, for nothing the bank needs at run time: measured here, the idle bank's
// resident memory is 135 MB under tsx and 104 MB from the bundle. esbuild (already installed with
// tsx) bundles mock-aspsp/src in ~0.3 s, so this builds
// mock-aspsp/dist/main.js when a source file is newer than it, then runs it in this process:
// one process, signals reach the bank directly. The bank's bundle takes in its npm packages too
// (but better-sqlite3, a native addon): resolving and loading ~40 packages from node_modules was
// half of a bank's start, measured here 0.58 CPU s from the bundle with the packages external and
// 0.27 s with them inside (resident 103 MB and 89 MB), and the sensitivity self-test starts a
// bank per deviation. The tools' bundles keep their packages external (resolved from node_modules
// at run time). Stack traces point into the bundle; run with NODE_OPTIONS=--enable-source-maps to
// map them back to mock-aspsp/src.
//
// The TPP developer tools (`ob-mock-bank ssa|request|assertion|request-object|keys|customers|tpp|...`) are bundled
// beside it the same way, so the installed package (`npm pack`, which builds them all) runs on plain
// Node without TypeScript sources or a loader.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const src = path.join(root, 'mock-aspsp/src')
const dist = path.join(root, 'mock-aspsp/dist')

/** Every bundle: its name in mock-aspsp/dist and its TypeScript entry. `main` is the bank. */
export const ENTRIES = {
  main: 'mock-aspsp/src/main.ts',
  keys: 'keys/generate.ts',
  ssa: 'mock-aspsp/src/cli/ssa.ts',
  request: 'mock-aspsp/src/cli/request.ts',
  assertion: 'mock-aspsp/src/cli/assertion.ts',
  'request-object': 'mock-aspsp/src/cli/request_object.ts',
  customers: 'mock-aspsp/src/cli/customers.ts',
  tpp: 'mock-aspsp/src/cli/tpp.ts',
  'official-tool-config': 'mock-aspsp/src/cli/official_tool_config.ts',
}

/** The bundles that take in their npm packages (see above). */
const SELF_CONTAINED = new Set(['main'])

// The bundles also take in the PKI helpers under keys/ and the JOSE builders under fixtures/.
const inputs = [
  src,
  path.join(root, 'keys'),
  path.join(root, 'fixtures'),
  path.join(root, 'package-lock.json'),
  fileURLToPath(import.meta.url),
]

function newestMtime(p) {
  if (!existsSync(p)) return 0
  const st = statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const e of readdirSync(p, { withFileTypes: true })) {
    if (e.name === 'generated' || e.name === 'dist' || e.name === 'node_modules' || e.name.startsWith('.')) continue
    if (e.isDirectory() || e.name.endsWith('.ts')) newest = Math.max(newest, newestMtime(path.join(p, e.name)))
  }
  return newest
}

/** esbuild options for a bundle that takes in its npm packages: CommonJS ones get a `require`. */
const selfContained = {
  external: ['better-sqlite3'],
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
}

/**
 * Bundles each `{ entry, outfile, selfContained? }` when an outfile is missing or older than any of
 * `inputs`; safe when several processes race (each writes beside the target, then renames over it).
 */
async function bundle(builds, inputs) {
  const oldest = Math.min(...builds.map(b => (existsSync(b.outfile) ? statSync(b.outfile).mtimeMs : 0)))
  if (oldest > Math.max(...inputs.map(newestMtime))) return
  const { build } = await import('esbuild')
  const outdir = path.dirname(builds[0].outfile)
  const runs = [builds.filter(b => !b.selfContained), builds.filter(b => b.selfContained)].filter(g => g.length)
  const results = await Promise.all(
    runs.map(group =>
      build({
        entryPoints: group.map(b => ({ in: b.entry, out: path.relative(outdir, b.outfile).replace(/\.m?js$/, '') })),
        outExtension: { '.js': path.extname(group[0].outfile) },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        ...(group[0].selfContained ? selfContained : { packages: 'external' }),
        sourcemap: 'external',
        outdir,
        write: false,
        logLevel: 'silent',
      }),
    ),
  )
  mkdirSync(outdir, { recursive: true })
  const tag = `${process.pid}.${Date.now()}`
  for (const f of results.flatMap(r => r.outputFiles)) {
    writeFileSync(`${f.path}.${tag}`, f.contents)
    renameSync(`${f.path}.${tag}`, f.path)
  }
}

/** Bundles `entry` into `outfile` when that is missing or older than any of `inputs`. */
export async function compile(entry, outfile, inputs) {
  await bundle([{ entry, outfile }], inputs)
  return outfile
}

/**
 * The bundle of `name` (one of ENTRIES), every bundle rebuilt first when a source is newer. In the
 * installed package there are no sources: the bundles that `npm pack` built are used as they are.
 */
export async function buildMock(name = 'main') {
  const outfile = path.join(dist, `${name}.js`)
  if (!existsSync(src)) return outfile
  await bundle(
    Object.entries(ENTRIES).map(([n, entry]) => ({
      entry: path.join(root, entry),
      outfile: path.join(dist, `${n}.js`),
      selfContained: SELF_CONTAINED.has(n),
    })),
    inputs,
  )
  return outfile
}

/** Builds the bundle of `name` and runs it in this process, with `argv` as its arguments. */
export async function runBundle(name, argv) {
  let file
  try {
    file = await buildMock(name)
  } catch (e) {
    console.error(`mock-aspsp: could not compile mock-aspsp/src (${e.message})`)
    process.exit(1)
  }
  process.argv = [process.argv[0], file, ...argv]
  await import(pathToFileURL(file).href)
}

/** `npm start`'s work (scripts/start.cjs): `--build` (npm pack's prepack) builds every bundle and runs nothing; anything else runs the bank with `argv`. */
export async function main(argv) {
  if (argv[0] === '--build') await buildMock()
  else await runBundle('main', argv)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main(process.argv.slice(2))
