/**
 * The mock bank as a child process (`mock-aspsp/src/main.ts`), for tests that must see it crash,
 * hang or be killed: its exit, its stderr, its resident memory.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

export interface ChildBankOptions {
  port: number
  /** `memory` or an SQLite path. */
  store: string
  args?: string[]
  /** Extra `--import` modules loaded before the bank (e.g. the fuzz network guard). */
  imports?: string[]
  /** How long to wait for "listening", in ms. */
  startTimeoutMs?: number
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export class ChildBank {
  readonly url: string
  private stderrText = ''
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>
  private exitInfo: Exit | undefined

  private constructor(
    readonly proc: ChildProcess,
    port: number,
  ) {
    this.url = `https://localhost:${port}`
    proc.stderr?.setEncoding('utf8')
    proc.stderr?.on('data', (s: string) => {
      // Keep the tail only: a long fuzz run must not grow the parent's memory.
      this.stderrText = (this.stderrText + s).slice(-200_000)
    })
    this.exited = new Promise(resolve => {
      proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal }
        resolve(this.exitInfo)
      })
    })
  }

  static async start(options: ChildBankOptions): Promise<ChildBank> {
    const args = [
      '--import',
      'tsx',
      ...(options.imports ?? []).flatMap(m => ['--import', m]),
      path.join(root, 'mock-aspsp/src/main.ts'),
      '--port',
      String(options.port),
      '--store',
      options.store,
      ...(options.args ?? []),
    ]
    const proc = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env })
    const bank = new ChildBank(proc, options.port)
    // A test process that dies must not leave a bank listening behind it.
    const reap = () => proc.kill('SIGKILL')
    process.once('exit', reap)
    bank.exited.then(() => process.off('exit', reap))
    const timeout = options.startTimeoutMs ?? 30_000
    await new Promise<void>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => {
        proc.kill('SIGKILL')
        reject(new Error(`the bank did not start within ${timeout} ms: ${out} ${bank.stderr}`))
      }, timeout)
      proc.stdout?.setEncoding('utf8')
      proc.stdout?.on('data', (s: string) => {
        if (out.length < 10_000) out += s
        if (out.includes('listening on')) {
          clearTimeout(timer)
          resolve()
        }
      })
      bank.exited.then(e => {
        clearTimeout(timer)
        reject(new Error(`the bank exited before listening (${e.code ?? e.signal}): ${bank.stderr}`))
      })
    })
    return bank
  }

  get pid(): number {
    return this.proc.pid as number
  }

  get stderr(): string {
    return this.stderrText
  }

  get alive(): boolean {
    return this.exitInfo === undefined
  }

  get exit(): Exit | undefined {
    return this.exitInfo
  }

  /** Resident set size in bytes (Linux /proc). */
  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8')
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status)
    if (!m) throw new Error('VmRSS not found')
    return Number(m[1]) * 1024
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.proc.kill(signal)
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<Exit> {
    if (!this.alive) return this.exitInfo as Exit
    this.proc.kill('SIGTERM')
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs)
    const e = await this.exited
    clearTimeout(timer)
    return e
  }
}
