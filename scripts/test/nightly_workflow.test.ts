/**
 * The nightly workflow (.github/workflows/nightly.yml) cannot be run here, so it is checked for
 * what would break it on a hosted runner: it parses; every `npm run` script and `npx` command it
 * calls exists; every variable it sets is one the suite or the bank reads (or a target file names,
 * or the step's own script uses); the mock's run is sharded into as many shards as the matrix has
 * and merged from the artifacts the shards upload; a job that runs the browser project installs
 * Chromium first.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const WORKFLOW = path.join(root, '.github/workflows/nightly.yml')

interface Step {
  name?: string
  uses?: string
  run?: string
  env?: Record<string, string>
  with?: Record<string, unknown>
}
interface Job {
  'runs-on'?: string
  needs?: string | string[]
  env?: Record<string, string>
  strategy?: { matrix?: Record<string, unknown> }
  steps?: Step[]
}
interface Workflow {
  env?: Record<string, string>
  jobs: Record<string, Job>
}

const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Workflow
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>
  bin?: Record<string, string>
}

/** Source files of the suite, the bank and their scripts (not the tests of the project itself). */
function sources(): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) {
        if (!['node_modules', 'generated', 'dist', 'test', 'unit'].includes(e.name)) walk(p)
      } else if (/\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.test.ts')) out.push(p)
    }
  }
  for (const dir of ['fixtures', 'mock-aspsp/src', 'keys', 'scripts', 'bin', 'tests']) walk(path.join(root, dir))
  return [...out, ...['playwright.config.ts', 'merge.config.ts', 'allurerc.mjs'].map(f => path.join(root, f))]
}

/** Every environment variable the code reads: `process.env.X`, `env.X`, `env['X']`, the bank's `env: 'X'` flags. */
function variablesRead(): Set<string> {
  const names = new Set<string>()
  const patterns = [/\benv\.([A-Z][A-Z0-9_]*)\b/g, /\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g, /\benv: '([A-Z][A-Z0-9_]*)'/g]
  for (const file of sources()) {
    const text = readFileSync(file, 'utf8')
    for (const re of patterns) for (const m of text.matchAll(re)) names.add(m[1] as string)
  }
  return names
}

/** Variables a bank target file names in its `...Env` fields (its secrets). */
function variablesOfTargetFiles(): Set<string> {
  const names = new Set<string>()
  const collect = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) for (const x of v) collect(x, key)
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, k)
    else if (typeof v === 'string' && key.endsWith('Env')) names.add(v)
  }
  const dir = path.join(root, 'fixtures/targets')
  for (const f of readdirSync(dir).filter(f => f.endsWith('.json') && !f.endsWith('.schema.json'))) {
    collect(JSON.parse(readFileSync(path.join(dir, f), 'utf8')))
  }
  return names
}

const jobs = Object.entries(workflow.jobs)
const steps = jobs.flatMap(([, job]) => job.steps ?? [])
const runs = (job: Job) => (job.steps ?? []).map(s => s.run ?? '').join('\n')

describe('nightly workflow', () => {
  it('parses, and every job runs on a GitHub-hosted Ubuntu runner', () => {
    assert.ok(jobs.length > 0, 'the workflow has jobs')
    for (const [name, job] of jobs) assert.equal(job['runs-on'], 'ubuntu-latest', `job ${name}`)
  })

  it('calls only npm scripts that exist and npx commands that are installed', () => {
    const called = steps.flatMap(s =>
      [...(s.run ?? '').matchAll(/\bnpm run (?:-s )?([\w:-]+)/g)].map(m => m[1] as string),
    )
    assert.ok(called.length > 0, 'the workflow runs npm scripts')
    for (const script of called) assert.ok(pkg.scripts[script], `npm run ${script}: no such script in package.json`)
    for (const m of steps.flatMap(s => [...(s.run ?? '').matchAll(/\bnpx ([\w@/.-]+)/g)])) {
      const bin = m[1] as string
      assert.ok(
        existsSync(path.join(root, 'node_modules/.bin', bin)) || pkg.bin?.[bin],
        `npx ${bin}: not a command of this project's dependencies`,
      )
    }
  })

  it('sets only variables the suite or the bank reads, a target file names, or its own step uses', () => {
    const read = variablesRead()
    const secrets = variablesOfTargetFiles()
    assert.ok(read.has('OB_MOCK_SPECS') && read.has('OB_TARGET'), 'the code scan finds the suite’s variables')
    const set: [string, string][] = [
      ...Object.keys(workflow.env ?? {}).map(v => [v, 'workflow'] as [string, string]),
      ...jobs.flatMap(([name, job]) => Object.keys(job.env ?? {}).map(v => [v, `job ${name}`] as [string, string])),
    ]
    for (const [name, value] of set) {
      assert.ok(read.has(name) || secrets.has(name), `${value} sets ${name}, which nothing reads`)
    }
    for (const s of steps) {
      for (const v of Object.keys(s.env ?? {})) {
        const usedByStep = new RegExp(`\\$\\{?${v}\\b`).test(s.run ?? '')
        assert.ok(read.has(v) || usedByStep, `step "${s.name ?? s.run}" sets ${v}, which nothing reads`)
      }
    }
  })

  it('shards the mock run into as many shards as its matrix has, and merges what the shards upload', () => {
    const sharded = jobs.filter(([, job]) => /npm run conformance -- --shard=/.test(runs(job)))
    assert.equal(sharded.length, 1, 'one job runs the mock suite in shards')
    const [shardJobName, shardJob] = sharded[0] as [string, Job]
    const matrix = shardJob.strategy?.matrix?.shard as number[]
    const total = Number(/--shard=\$\{\{ matrix\.shard \}\}\/(\d+)/.exec(runs(shardJob))?.[1])
    assert.deepEqual(
      matrix,
      Array.from({ length: total }, (_, i) => i + 1),
      'matrix.shard is 1…n of --shard=i/n',
    )
    assert.equal(shardJob.env?.OB_MOCK_SPECS, 'all', 'the shards run every spec version')

    const upload = shardJob.steps?.find(s => s.uses?.startsWith('actions/upload-artifact'))
    assert.equal(upload?.with?.path, 'reports/', 'each shard uploads its report folder (with its blob report)')
    const merging = jobs.filter(([, job]) => /npm run conformance:merge\b/.test(runs(job)))
    assert.equal(merging.length, 1, 'one job merges the shards')
    const [, mergeJob] = merging[0] as [string, Job]
    assert.deepEqual([mergeJob.needs].flat(), [shardJobName], 'the merge waits for the shards')
    const download = mergeJob.steps?.find(s => s.uses?.startsWith('actions/download-artifact'))
    const pattern = String(download?.with?.pattern ?? '').replace('*', '')
    assert.ok(String(upload?.with?.name).startsWith(pattern), 'the merge downloads the shards’ artifacts')
    const merge = /npm run conformance:merge -- .*?(\S+)\s*$/m.exec(runs(mergeJob))?.[1] ?? ''
    assert.equal(merge, `${download?.with?.path}/${pattern}*`, 'the merge reads the downloaded report folders')
  })

  it('installs Chromium in every job that runs the browser project (the mock suite)', () => {
    for (const [name, job] of jobs) {
      const suite = /npm run conformance(?!:)/.test(runs(job))
      const bankOnly = job.env?.OB_TARGET !== undefined
      if (!suite || bankOnly) continue
      assert.match(runs(job), /npx playwright install --with-deps chromium/, `job ${name} installs Chromium`)
      assert.equal(job.env?.OB_REQUIRE_BROWSER, '1', `job ${name} must not skip the browser tests`)
    }
  })
})
