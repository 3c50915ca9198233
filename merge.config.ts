/**
 * `npm run conformance:merge`: the reporters of playwright.config.ts, replayed by
 * `playwright merge-reports` over the blob reports of a run's shards, so the merged reports are
 * those of one run. `testDir` is the run's, so the shards' file paths resolve as they did there.
 */
import { defineConfig } from '@playwright/test'
import { allureEnvironment, conformanceReporters } from './fixtures/reporters/reporters.ts'
import type { ProjectInfo } from './fixtures/reporters/summary.ts'

// The shards' projects and targets, read from their summaries by scripts/conformance_merge.mjs.
const projects = JSON.parse(process.env.OB_MERGE_PROJECTS || '[]') as ProjectInfo[]

export default defineConfig({
  testDir: 'tests',
  reporter: conformanceReporters({
    reports: process.env.OB_REPORTS_DIR ?? 'reports',
    environment: allureEnvironment(projects),
    blob: false,
  }),
})
