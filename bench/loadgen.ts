/**
 * The load generator: a separate process (forked by `run.ts`) that runs one job at a time, sent over
 * IPC. For each job it builds every request body first — signing each client assertion and each
 * registration request with a fresh `jti` — then opens `concurrency` keep-alive mutual-TLS
 * connections, and only then starts the clock: `concurrency` loops send requests until the count
 * or the time runs out. It answers with the counts, the rate and the latency quantiles.
 */
import { readFileSync } from 'node:fs'
import { Pool } from 'undici'
import { CLIENT_ASSERTION_TYPE, clientAssertion } from '../fixtures/builders/client_assertion.ts'
import { signerFromFile } from '../fixtures/builders/jose.ts'
import { registrationClaims, signRegistration } from '../fixtures/builders/registration.ts'
import { loadPki, type Pki } from '../keys/pki.ts'
import {
  clientTls,
  type Job,
  type JobResult,
  procCpuMs,
  quantile,
  type Recipe,
  type TlsFiles,
  waitQuiet,
} from './common.ts'

interface Prepared {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  /** One body per request (signed bodies), or one shared body. */
  bodies: string[] | string | undefined
}

/** Runs `make(i)` for i < n with at most `width` promises outstanding (signing runs on libuv's pool). */
async function buildAll(n: number, width: number, make: (i: number) => Promise<string>): Promise<string[]> {
  const out = new Array<string>(n)
  let next = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      out[i] = await make(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker))
  return out
}

/** Builds the request(s) of a recipe: everything that costs CPU happens here, before the clock starts. */
export async function prepare(pki: Pki, recipe: Recipe, count: number): Promise<Prepared> {
  const tppOf = (name: string) => {
    const t = pki.tpps[name]
    if (!t) throw new Error(`loadgen: no TPP ${name}`)
    return t
  }
  switch (recipe.kind) {
    case 'register-ob': {
      const tpp = tppOf(recipe.tpp)
      const signer = signerFromFile(tpp.signing.keyPath, tpp.signing.kid, 'PS256')
      const bodies = await buildAll(count, 8, () =>
        signRegistration(
          registrationClaims({
            tpp,
            ssa: recipe.ssa,
            aud: recipe.aud,
            specVersion: '3.3',
            authMethod: 'private_key_jwt',
          }),
          signer,
        ),
      )
      return { method: 'POST', path: recipe.path, headers: { 'content-type': 'application/jose' }, bodies }
    }
    case 'register-json':
      return {
        method: 'POST',
        path: recipe.path,
        headers: { 'content-type': 'application/json' },
        bodies: JSON.stringify(recipe.body),
      }
    case 'token-pkjwt': {
      const tpp = tppOf(recipe.tpp)
      const signer = signerFromFile(tpp.signing.keyPath, tpp.signing.kid, 'PS256')
      const bodies = await buildAll(count, 8, async () =>
        new URLSearchParams({
          grant_type: 'client_credentials',
          scope: recipe.scope,
          client_id: recipe.clientId,
          client_assertion_type: CLIENT_ASSERTION_TYPE,
          // Long enough to outlive the preparation of the largest batch and its timed window.
          client_assertion: await clientAssertion(recipe.clientId, recipe.aud, signer, { exp: '+5m' }),
          ...recipe.extra,
        }).toString(),
      )
      return {
        method: 'POST',
        path: recipe.path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        bodies,
      }
    }
    case 'token-tls':
      return {
        method: 'POST',
        path: recipe.path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        bodies: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: recipe.scope,
          client_id: recipe.clientId,
          ...recipe.extra,
        }).toString(),
      }
    case 'get':
      return {
        method: 'GET',
        path: recipe.path,
        headers: { authorization: `Bearer ${recipe.bearer}` },
        bodies: undefined,
      }
  }
}

/**
 * Runs one job and returns its result. `beforeClock` runs once every connection is open, just
 * before the timed window (the instruction counter zeroes the server's counts there).
 */
export async function runJob(
  pki: Pki,
  tls: TlsFiles,
  job: Job,
  hooks: { beforeClock?: () => Promise<void> } = {},
): Promise<JobResult> {
  const prepStart = performance.now()
  const prepared = await prepare(pki, job.recipe, job.maxRequests)
  const prepareMs = performance.now() - prepStart

  const pool = new Pool(job.origin, {
    connections: job.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    connect: {
      cert: readFileSync(tls.certPath),
      key: readFileSync(tls.keyPath),
      ca: readFileSync(tls.caPath),
      servername: 'localhost',
    },
  })
  try {
    // Open every connection (TLS handshake with the client certificate) before the clock starts.
    await Promise.all(
      Array.from({ length: job.concurrency }, async () => {
        const r = await pool.request({ method: 'GET', path: '/.well-known/openid-configuration' })
        await r.body.dump()
      }),
    )

    const quietMs = job.quiet ? await waitQuiet(job.quiet.pids, job.quiet.maxMs) : undefined
    await hooks.beforeClock?.()
    const latencies = new Float64Array(job.maxRequests)
    const errorKinds: Record<string, number> = {}
    let firstError: string | undefined
    let issued = 0
    let completed = 0
    let errors = 0
    const cpu0 = process.cpuUsage()
    const server0 = job.serverPid === undefined ? null : procCpuMs(job.serverPid)
    const start = performance.now()
    const deadline = start + job.durationMs
    const { method, path, headers, bodies } = prepared

    const loop = async () => {
      while (issued < job.maxRequests && performance.now() < deadline) {
        const i = issued++
        const body = Array.isArray(bodies) ? bodies[i] : bodies
        const t0 = performance.now()
        try {
          const res = await pool.request({ method, path, headers, body })
          const text = await res.body.text()
          latencies[completed++] = performance.now() - t0
          if (res.statusCode !== job.expectStatus) {
            errors++
            errorKinds[String(res.statusCode)] = (errorKinds[String(res.statusCode)] ?? 0) + 1
            firstError ??= `${res.statusCode} ${text.slice(0, 300)}`
          }
        } catch (e) {
          latencies[completed++] = performance.now() - t0
          errors++
          const code = `net:${(e as NodeJS.ErrnoException).code ?? (e as Error).name}`
          errorKinds[code] = (errorKinds[code] ?? 0) + 1
          firstError ??= `${code} ${(e as Error).message}`
        }
      }
    }
    await Promise.all(Array.from({ length: job.concurrency }, loop))
    const elapsedMs = performance.now() - start
    const cpu = process.cpuUsage(cpu0)
    const server1 = job.serverPid === undefined ? null : procCpuMs(job.serverPid)
    const sorted = latencies.subarray(0, completed).sort()
    return {
      completed,
      errors,
      errorKinds,
      ...(firstError === undefined ? {} : { firstError }),
      elapsedMs,
      rps: (completed - errors) / (elapsedMs / 1000),
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      prepareMs,
      ...(quietMs === undefined ? {} : { quietMs }),
      loadgenCpuMs: (cpu.user + cpu.system) / 1000,
      ...(server0 !== null && server1 !== null ? { serverCpuMs: server1 - server0 } : {}),
    }
  } finally {
    await pool.close()
  }
}

/** Messages from the parent: a job to run, or `exit`. */
type Message = { type: 'job'; id: number; job: Job } | { type: 'exit' }

if (import.meta.url === `file://${process.argv[1]}` && process.send) {
  const pki = loadPki()
  const tls = clientTls(pki)
  process.on('message', async (m: Message) => {
    if (m.type === 'exit') process.exit(0)
    try {
      const result = await runJob(pki, tls, m.job)
      process.send?.({ type: 'result', id: m.id, result })
    } catch (e) {
      process.send?.({ type: 'failed', id: m.id, error: (e as Error).stack ?? String(e) })
    }
  })
  process.send({ type: 'ready' })
}
