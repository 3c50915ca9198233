/**
 * `npm run coverage:catalogue [-- --json] [-- --require-all] [-- <playwright test args>]`: which
 * catalogue id each test declares, without running a test (a declared id is not a covered one:
 * the conformance summary counts an id covered only when a test carrying it ran and passed), and
 * when AU tests are listed the 57 AU reference behaviours with the deviations that prove each. Playwright lists the tests
 * (`playwright test --list --reporter=json`: titles and the annotations of their details objects),
 * the table is built from those and `fixtures/catalogue/checks.ts`, and printed as Markdown (or JSON).
 *
 * Exit code 1 when a test names an id the catalogue does not hold, or (with --require-all) when an
 * applicable id is declared by no test; 2 when Playwright cannot list the tests.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildBehaviourCoverage, renderBehaviourCoverage } from '../fixtures/catalogue/cdr_behaviours.ts'
import { buildCoverage, type CoverageTest, renderCoverageMarkdown } from '../fixtures/catalogue/coverage.ts'
import { AU_TESTS_DIR } from '../fixtures/targets/projects.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

interface JsonSpec {
  title: string
  file: string
  tests: { annotations?: { type: string; description?: string }[] }[]
}
interface JsonSuite {
  /** The spec file (of a top-level suite). */
  file?: string
  specs?: JsonSpec[]
  suites?: JsonSuite[]
}
interface JsonReport {
  config: { rootDir: string }
  suites: JsonSuite[]
  errors?: { message?: string }[]
}

/** The tests Playwright would run, one entry per spec (its annotations merged over projects). */
export function listedTests(report: JsonReport, repoRoot = root): CoverageTest[] {
  const out: CoverageTest[] = []
  // A test's file is the spec file that declares it (its location may be a shared helper that calls test()).
  const visit = (s: JsonSuite, specFile: string | undefined) => {
    for (const spec of s.specs ?? []) {
      const annotations = spec.tests.flatMap(t => t.annotations ?? [])
      const file = path.relative(repoRoot, path.join(report.config.rootDir, specFile ?? spec.file))
      out.push({ title: spec.title, file, annotations })
    }
    for (const child of s.suites ?? []) visit(child, specFile)
  }
  for (const s of report.suites) visit(s, s.file)
  return out
}

function main(argv: string[]): number {
  const json = argv.includes('--json')
  const requireAll = argv.includes('--require-all')
  const passThrough = argv.filter(a => a !== '--json' && a !== '--require-all')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ob-coverage-'))
  const file = path.join(dir, 'list.json')
  try {
    const run = spawnSync('npx', ['playwright', 'test', '--list', '--reporter=json', ...passThrough], {
      cwd: root,
      env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: file },
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let report: JsonReport
    try {
      report = JSON.parse(readFileSync(file, 'utf8')) as JsonReport
    } catch {
      console.error(`coverage:catalogue: Playwright listed no tests (exit ${run.status}):\n${run.stderr}`)
      return 2
    }
    if (report.errors?.length) {
      console.error(`coverage:catalogue: Playwright reported errors:\n${report.errors.map(e => e.message).join('\n')}`)
      return 2
    }
    const tests = listedTests(report)
    const coverage = buildCoverage(tests, 'listing')
    // The AU tests' reference behaviours, with the deviations that prove each (when AU tests are listed).
    const auTests = tests.filter(t => t.file.startsWith(`${AU_TESTS_DIR}/`))
    const cdrBehaviours = auTests.length ? buildBehaviourCoverage(auTests) : undefined
    console.log(
      json
        ? JSON.stringify({ ...coverage, ...(cdrBehaviours ? { cdrBehaviours } : {}) }, null, 2)
        : [
            renderCoverageMarkdown(coverage, { heading: '# Catalogue coverage (declared)' }),
            ...(cdrBehaviours ? [renderBehaviourCoverage(cdrBehaviours, { listing: true })] : []),
          ].join('\n'),
    )
    if (coverage.unknownIds.length) return 1
    if (requireAll && coverage.totals.missing > 0) return 1
    return 0
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(main(process.argv.slice(2)))
}
