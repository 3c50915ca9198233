/**
 * The parent's handle on the load-generator process: forks `loadgen.ts` and sends it one job at a time.
 */
import { type ChildProcess, fork } from 'node:child_process'
import path from 'node:path'
import type { Job, JobResult } from './common.ts'
import { repoRoot } from './common.ts'

type Reply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: JobResult }
  | { type: 'failed'; id: number; error: string }

export class LoadGenerator {
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

  /** Forks the load generator and waits until it is ready. */
  static async start(): Promise<LoadGenerator> {
    const child = fork(path.join(repoRoot, 'bench/loadgen.ts'), [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', code => reject(new Error(`loadgen exited before ready (${code})`)))
    })
    return new LoadGenerator(child)
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
