/**
 * The conformance suite: one Playwright project per target × spec version.
 *
 * With no `OB_TARGET`, the targets are embedded mock banks that Playwright's webServer starts
 * (`OB_MOCK_SPECS`, `OB_MOCK_PORT`); with `OB_TARGET=fixtures/targets/mybank.json`, the bank
 * described by that file. See README "Running against a bank" and fixtures/targets/README.md.
 */
import { defineConfig } from '@playwright/test'
import { BROWSER_SPECS, browserProject, requireChromiumIfAsked } from './fixtures/browser.ts'
import { allureEnvironment, conformanceReporters } from './fixtures/reporters/reporters.ts'
import type { ProjectInfo } from './fixtures/reporters/summary.ts'
import { AU_TESTS_DIR, runPlanOrExit } from './fixtures/targets/projects.ts'
import type { TargetRef } from './fixtures/targets/types.ts'

const plan = runPlanOrExit()
// The customer's part in a real Chromium: only the mock bank's pages can be played (and the
// sensitivity self-test's banks are judged on the API tests).
const browserProjects = plan.projects
  .filter(p => p.ref.kind === 'mock' && p.ref.profile !== 'au-cdr' && !p.selfTest && !p.apiOnly)
  .map(browserProject)
if (browserProjects.length) requireChromiumIfAsked()
const reports = process.env.OB_REPORTS_DIR ?? 'reports'
const ci = !!process.env.CI

const projects = [
  ...plan.projects.map(p => ({
    name: p.name,
    ...(p.grep ? { grep: new RegExp(p.grep) } : {}),
    ...(p.grepInvert ? { grepInvert: new RegExp(p.grepInvert) } : {}),
    // Tests declare their profile by where they live (tests/au, tagged @au-cdr): each project runs its own.
    ...(p.ref.profile === 'au-cdr'
      ? { testDir: AU_TESTS_DIR }
      : { testIgnore: [BROWSER_SPECS, `**/${AU_TESTS_DIR}/**`] }),
    use: { targetRef: p.ref },
    metadata: { target: p.summary },
  })),
  ...browserProjects,
]

export default defineConfig<object, { targetRef: TargetRef }>({
  testDir: 'tests',
  testMatch: '**/*.spec.ts',
  // Playwright's own per-test output, with the reports (the installed package's folder stays clean).
  outputDir: `${reports}/test-results`,
  // The sensitivity self-test runs a few tests against each of many mock banks (one project each):
  // keeping a file's tests in one worker saves worker starts, which cost more than those tests.
  fullyParallel: !process.env.OB_SENSITIVITY_PLAN,
  forbidOnly: ci,
  // A conformance verdict must not depend on luck: no retries.
  retries: 0,
  // Sized for 2 cores, shared with the mock bank (which verifies every signature): more workers
  // only queue behind it. OB_WORKERS for a bigger machine or a remote bank.
  workers: Number(process.env.OB_WORKERS ?? 2),
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: conformanceReporters({
    reports,
    environment: allureEnvironment(
      projects.map(p => ({ name: p.name ?? '', target: (p.metadata as Pick<ProjectInfo, 'target'>).target })),
    ),
    blob: process.env.OB_BLOB_REPORT === '1',
  }),
  projects,
  webServer: plan.mocks.map(m => ({
    command: m.command,
    // The mock speaks TLS only: readiness by port (a `url` check would need its certificate).
    port: m.port,
    reuseExistingServer: process.env.OB_REUSE_MOCK === '1',
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  })),
})
