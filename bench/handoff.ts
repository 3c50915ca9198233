/**
 * Diagnostic: what it costs the event loop to hand a PS256 signature to libuv's thread pool, on
 * this machine. The bank signs a JWT access token with node:crypto's asynchronous `sign`, whose
 * call returns as soon as the job is queued; when a pool thread is asleep, the call also wakes it.
 * This prices that call (wall time of `sign(…, callback)` on the event loop, the job's own
 * signature excluded) in two states:
 *
 * - busy: every pool thread is signing already (a burst of jobs back to back): the job is queued;
 * - asleep: the pool has been idle for `--idle-ms` (its threads wait on a condition variable): the
 *   job is queued and a thread is woken. In a virtual machine, waking a thread on another vCPU
 *   sends an inter-processor interrupt, which the hypervisor handles.
 *
 * Run it on an otherwise idle machine: the wall time of a call is the event loop's time only when
 * nothing preempts it.
 *
 * Usage: node --import tsx bench/handoff.ts [--n 400] [--idle-ms 2] [--rounds 3]
 */
import { constants, generateKeyPairSync, sign } from 'node:crypto'
import { median, parseArgs, quantile } from './common.ts'

const args = parseArgs(process.argv.slice(2))
const n = Number(args.get('n') ?? 400)
const idleMs = Number(args.get('idle-ms') ?? 2)
const rounds = Number(args.get('rounds') ?? 3)
if (!(n >= 10) || !(idleMs >= 1) || !(rounds >= 1)) throw new Error('handoff: --n ≥ 10, --idle-ms ≥ 1, --rounds ≥ 1')

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const options = { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
const input = Buffer.alloc(700, 'a')
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** Queues one signature; returns the wall time of the call in µs and the job's completion. */
function handOff(): { us: number; done: Promise<void> } {
  let resolve = () => {}
  const done = new Promise<void>(r => (resolve = r))
  const t0 = performance.now()
  sign('sha256', input, options, err => {
    if (err) throw err
    resolve()
  })
  return { us: (performance.now() - t0) * 1000, done }
}

/** Jobs queued back to back, in bursts of 32: the calls after the pool's first few find every thread busy. */
async function busy(): Promise<number[]> {
  const out: number[] = []
  const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
  while (out.length < n) {
    const jobs = Array.from({ length: 32 }, handOff)
    out.push(...jobs.slice(pool).map(j => j.us))
    await Promise.all(jobs.map(j => j.done))
  }
  return out.slice(0, n)
}

/** One job at a time, each after the pool has been idle for `idleMs`. */
async function asleep(): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    await sleep(idleMs)
    const job = handOff()
    out.push(job.us)
    await job.done
  }
  return out
}

const text = (us: number[]) => {
  const sorted = [...us].sort((a, b) => a - b)
  return `median ${median(us).toFixed(1)} µs, p90 ${quantile(sorted, 0.9).toFixed(1)} µs`
}
await busy() // warm-up: the pool's threads start, the code is compiled
for (let round = 1; round <= rounds; round++) {
  const b = await busy()
  const a = await asleep()
  console.log(`round ${round}: a pool thread busy: ${text(b)}; asleep (idle ${idleMs} ms): ${text(a)}`)
}
