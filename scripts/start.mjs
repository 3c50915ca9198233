#!/usr/bin/env node
// `npm start [-- options]`: the mock bank, compiled once into one ES module and run by plain Node.
//
// Running the TypeScript through a loader (tsx) costs a second V8 isolate for the loader's thread
// and its compile cache, for nothing the bank needs at run time: measured here, the idle bank's
// resident memory is 135 MB under tsx and 104 MB from the bundle. esbuild (already installed with
// tsx) bundles mock-aspsp/src in ~0.3 s, so this builds
// mock-aspsp/dist/main.js when a source file is newer than it, then runs it in this process:
// one process, signals reach the bank directly. npm packages stay external (resolved from
// node_modules at run time). Stack traces point into the bundle; run with
// NODE_OPTIONS=--enable-source-maps to map them back to mock-aspsp/src.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const src = path.join(root, 'mock-aspsp/src')
const outfile = path.join(root, 'mock-aspsp/dist/main.js')
// The bundle also takes in the PKI helpers under keys/ and the JOSE builders under fixtures/.
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

/**
 * Bundles `entry` into `outfile` when that is missing or older than any of `inputs`; safe when
 * several processes race (each writes beside the target, then renames over it).
 */
export async function compile(entry, outfile, inputs) {
  const built = existsSync(outfile) ? statSync(outfile).mtimeMs : 0
  if (built > Math.max(...inputs.map(newestMtime))) return outfile
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'external',
    outfile,
    write: false,
    logLevel: 'silent',
  })
  mkdirSync(path.dirname(outfile), { recursive: true })
  const tag = `${process.pid}.${Date.now()}`
  for (const f of result.outputFiles) {
    writeFileSync(`${f.path}.${tag}`, f.contents)
    renameSync(`${f.path}.${tag}`, f.path)
  }
  return outfile
}

/** mock-aspsp/dist/main.js, rebuilt when a source is newer. */
export function buildMock() {
  return compile(path.join(src, 'main.ts'), outfile, inputs)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let file
  try {
    file = await buildMock()
  } catch (e) {
    console.error(`mock-aspsp: could not compile mock-aspsp/src (${e.message})`)
    process.exit(1)
  }
  await import(pathToFileURL(file).href)
}
