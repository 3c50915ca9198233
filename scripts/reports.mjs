// What `npm run conformance` and `npm run conformance:merge` share: Playwright's command line, the
// outputs a run replaces, and the closing lines that say where the reports are.
import { existsSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

/** Playwright's CLI, found from this package (in the installed package, npx may not find it). */
const PLAYWRIGHT_CLI = createRequire(import.meta.url).resolve('@playwright/test/cli')

/**
 * `node [loader] <playwright cli>`: Playwright transpiles the TypeScript of the suite itself, except
 * under node_modules, where it never does; the installed package's suite runs under tsx's loader,
 * which Playwright's worker processes inherit.
 */
export function playwright(...args) {
  const installed = import.meta.dirname.includes(`${path.sep}node_modules${path.sep}`)
  const loader = installed ? ['--import', import.meta.resolve('tsx')] : []
  return [...loader, PLAYWRIGHT_CLI, ...args]
}

/**
 * Empties what a run writes but its reporters do not replace: Allure keeps whatever is in
 * allure-results (one run is one report), and the summary of an earlier run must not pass for this
 * one's if this one cannot start.
 */
export function clearStaleReports(reports) {
  for (const stale of ['allure-results', 'conformance.json', 'conformance.md']) {
    rmSync(path.join(reports, stale), { recursive: true, force: true })
  }
}

/** The closing lines: the verdict of the command and where each report is. */
export function reportLines(what, reports, code, started) {
  const rel = p => path.relative(process.cwd(), p) || '.'
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const lines = [
    '',
    `${what}: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds}s (exit code ${code}). Reports:`,
    `  summary      ${rel(path.join(reports, 'conformance.md'))}  (and conformance.json)`,
    `  HTML         ${rel(path.join(reports, 'html/index.html'))}  (npx playwright show-report ${rel(path.join(reports, 'html'))})`,
    `  JUnit        ${rel(path.join(reports, 'junit.xml'))}`,
    `  Allure       ${rel(path.join(reports, 'allure-results'))}  (npm run report builds ${rel(path.join(reports, 'allure-report'))})`,
  ]
  if (existsSync(path.join(reports, 'blob'))) {
    lines.push(
      `  blob         ${rel(path.join(reports, 'blob'))}  (npm run conformance:merge <report folders…> merges shards)`,
    )
  }
  if (!existsSync(path.join(reports, 'conformance.json')))
    lines.push('  (no summary was written: see the errors above)')
  return lines.join('\n')
}
