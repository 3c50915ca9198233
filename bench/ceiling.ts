/**
 * The machine's ceiling: PS256 (RSA-2048, SHA-256, PSS salt 32) signatures and verifications per
 * second on one core, with jose (WebCrypto underneath) and with node:crypto directly, and the CPU
 * time each operation took: that is what prices the crypto of a request in the benchmark's floor
 * (a CPU time per operation moves less than a rate when other work shares the core).
 *
 * `run.ts` starts this file pinned to one CPU (`taskset -c 0`), so jose's WebCrypto work, which runs on
 * libuv's thread pool, shares that core with the main thread: the figures are one core's worth.
 * Usage: `node --import tsx bench/ceiling.ts [--ms 1000] [--json]`
 */
import { constants, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { CompactSign, compactVerify } from 'jose'
import { ensurePki } from '../keys/pki.ts'
import { parseArgs } from './common.ts'

/** Operations per second of wall time, and the CPU time each took (steadier when the machine is shared). */
export interface Rate {
  perSec: number
  cpuUs: number
}

export interface CeilingResult {
  cpu: string
  pinned: boolean
  ms: number
  jose: { signPerSec: number; verifyPerSec: number; inFlight: number; signCpuUs: number; verifyCpuUs: number }
  nodeCrypto: { signPerSec: number; verifyPerSec: number; signCpuUs: number; verifyCpuUs: number }
}

const round1 = (x: number) => Math.round(x * 10) / 10
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }

const cpuMicros = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since)
  return c.user + c.system
}

/** Runs `fn` repeatedly for `ms` (after a short warm-up): operations per second and CPU µs each. */
function rateSync(ms: number, fn: () => void): Rate {
  const warm = performance.now() + Math.min(200, ms / 4)
  while (performance.now() < warm) fn()
  let n = 0
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  const end = start + ms
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) fn()
    n += 16
  }
  return { perSec: n / ((performance.now() - start) / 1000), cpuUs: cpuMicros(cpu0) / n }
}

/** The same for an async operation, keeping `inFlight` operations outstanding (CPU of every thread). */
async function rateAsync(ms: number, inFlight: number, fn: () => Promise<unknown>): Promise<Rate> {
  const loop = async (until: number, count: { n: number }) => {
    while (performance.now() < until) {
      await fn()
      count.n++
    }
  }
  const warm = { n: 0 }
  await Promise.all(Array.from({ length: inFlight }, () => loop(performance.now() + Math.min(200, ms / 4), warm)))
  const count = { n: 0 }
  const cpu0 = process.cpuUsage()
  const start = performance.now()
  await Promise.all(Array.from({ length: inFlight }, () => loop(start + ms, count)))
  return { perSec: count.n / ((performance.now() - start) / 1000), cpuUs: cpuMicros(cpu0) / count.n }
}

/** Measures the ceiling with the given key (a PKCS#8 PEM file). */
export async function measureCeiling(keyPath: string, ms = 1000, inFlight = 4): Promise<CeilingResult> {
  const privateKey: KeyObject = createPrivateKey(readFileSync(keyPath))
  const publicKey = createPublicKey(privateKey)
  const header = Buffer.from(JSON.stringify({ alg: 'PS256', kid: 'ceiling', typ: 'JWT' })).toString('base64url')
  const payload = Buffer.from(
    JSON.stringify({ iss: 'ceiling', sub: 'ceiling', aud: 'https://localhost/token', jti: 'x'.repeat(36), exp: 2e9 }),
  ).toString('base64url')
  const input = Buffer.from(`${header}.${payload}`)
  const signature = sign('sha256', input, { key: privateKey, ...PSS })
  const bytes = new TextEncoder().encode(payload)
  const jws = await new CompactSign(bytes).setProtectedHeader({ alg: 'PS256' }).sign(privateKey)

  const nodeSign = rateSync(ms, () => sign('sha256', input, { key: privateKey, ...PSS }))
  const nodeVerify = rateSync(ms, () => {
    if (!verify('sha256', input, { key: publicKey, ...PSS }, signature)) throw new Error('ceiling: verify failed')
  })
  const joseSign = await rateAsync(ms, inFlight, () =>
    new CompactSign(bytes).setProtectedHeader({ alg: 'PS256' }).sign(privateKey),
  )
  const joseVerify = await rateAsync(ms, inFlight, () => compactVerify(jws, publicKey, { algorithms: ['PS256'] }))
  const cpus = await import('node:os').then(os => os.cpus())
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    pinned: process.env.BENCH_PINNED === '1',
    ms,
    jose: {
      signPerSec: Math.round(joseSign.perSec),
      verifyPerSec: Math.round(joseVerify.perSec),
      inFlight,
      signCpuUs: round1(joseSign.cpuUs),
      verifyCpuUs: round1(joseVerify.cpuUs),
    },
    nodeCrypto: {
      signPerSec: Math.round(nodeSign.perSec),
      verifyPerSec: Math.round(nodeVerify.perSec),
      signCpuUs: round1(nodeSign.cpuUs),
      verifyCpuUs: round1(nodeVerify.cpuUs),
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs(process.argv.slice(2))
  const pki = await ensurePki()
  const tpp = pki.tpps.alpha
  if (!tpp) throw new Error('ceiling: no TPP alpha')
  const result = await measureCeiling(tpp.signing.keyPath, Number(args.get('ms') ?? 1000))
  if (args.has('json')) process.stdout.write(`${JSON.stringify(result)}\n`)
  else console.log(result)
}
