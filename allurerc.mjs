// Allure 3 configuration for `npm run report` (reads reports/allure-results, written by
// allure-playwright during `npm run conformance`).
// History: every generation appends this run to reports/allure-history.jsonl, so trends and
// flaky/regressed markers span runs; CI keeps that file between nightly runs.
const reports = process.env.OB_REPORTS_DIR ?? 'reports'

export default {
  name: 'OB DCR conformance',
  output: `${reports}/allure-report`,
  historyPath: `${reports}/allure-history.jsonl`,
  historyLimit: 50,
  plugins: {
    awesome: {
      options: {
        reportName: 'OB DCR conformance',
        singleFile: false,
        reportLanguage: 'en',
        groupBy: ['parentSuite', 'suite', 'subSuite'],
      },
    },
  },
}
