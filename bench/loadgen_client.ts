/**
 * The parent's handle on the load-generator process: forks `loadgen.ts` and sends it one job at a time.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process'
import path from 'node:path'
import type { Job, JobResult } from './common.ts'
import { repoRoot } from './common.ts'

type Reply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: JobResult }
  | { type: 'failed'; id: number; error: string }

/**
 * Puts every thread of a process under SCHED_BATCH (`chrt`, util-linux); threads it starts later
 * inherit the policy. Returns why not, or undefined when done.
 */
export function schedBatch(pid: number): string | undefined {
  try {
    execFileSync('chrt', ['--all-tasks', '--batch', '--pid', '0', String(pid)], { stdio: 'pipe' })
    return undefined
  } catch (e) {
    const err = e as Error & { stderr?: Buffer }
    return (err.stderr?.toString().trim() || err.message).split('\n')[0]
  }
}

export class LoadGenerator {
  /**
   * How the process is scheduled: 'batch' (SCHED_BATCH), or why it runs under the normal policy.
   * Under SCHED_BATCH, a load generator woken by an answer waits for a free core or the end of the
   * running thread's time slice; under the normal policy it can preempt the server that just
   * answered, on the core where that server runs.
   */
  policy: 'batch' | { normal: string } = { normal: 'not asked for' }
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void }>()

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Reply) => {
      if (m.type === 'ready') return
      const w = this.waiting.get(m.id)
      if (!w) return
      this.waiting.delete(m.id)
      if (m.type === 'result') w.resolve(m.result)
      else w.reject(new Error(`loadgen: ${m.error}`))
    })
    child.on('exit', code => {
      for (const w of this.waiting.values()) w.reject(new Error(`loadgen exited (${code})`))
      this.waiting.clear()
    })
  }

  /** Forks the load generator, under SCHED_BATCH when `batch` (see `policy`), and waits until it is ready. */
  static async start(options: { batch?: boolean } = {}): Promise<LoadGenerator> {
    const child = fork(path.join(repoRoot, 'bench/loadgen.ts'), [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', code => reject(new Error(`loadgen exited before ready (${code})`)))
    })
    const generator = new LoadGenerator(child)
    if (options.batch) {
      const problem = schedBatch(child.pid as number)
      generator.policy = problem ? { normal: `chrt failed: ${problem}` } : 'batch'
    }
    return generator
  }

  /** The load generator's process id. */
  get pid(): number {
    return this.child.pid as number
  }

  run(job: Job): Promise<JobResult> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.child.send({ type: 'job', id, job })
    })
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise(r => this.child.once('exit', r))
    this.child.send({ type: 'exit' })
    await exited
  }
}
