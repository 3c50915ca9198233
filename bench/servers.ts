/**
 * Starting, preparing and stopping the two servers of the benchmark: our bank (mock-aspsp with a
 * SQLite store) and the peer (oidc-provider, `peer.ts`). Each runs as its own node process so its
 * resident memory can be read from /proc; each gets its clients registered once, outside any
 * timed window, and exposes the recipe of every scenario.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Agent } from 'undici'
import { CLIENT_ASSERTION_TYPE, clientAssertion } from '../fixtures/builders/client_assertion.ts'
import { signerFromFile } from '../fixtures/builders/jose.ts'
import { registrationClaims, signRegistration } from '../fixtures/builders/registration.ts'
import { mintSsa } from '../fixtures/builders/ssa.ts'
import type { Pki, TppIdentity } from '../keys/pki.ts'
import { compile } from '../scripts/start.mjs'
import { call, procMemory, type Recipe, repoRoot, type ServerKind, sleep, type TokenFormat } from './common.ts'
import { PEER_SCOPES } from './peer.ts'

export type ScenarioId = 'register' | 'token-pkjwt' | 'token-tls' | 'get-register'

export const SCENARIOS: Record<ScenarioId, { title: string; expectStatus: number; signed: boolean }> = {
  register: { title: 'registration', expectStatus: 201, signed: true },
  'token-pkjwt': { title: 'token, private_key_jwt', expectStatus: 200, signed: true },
  'token-tls': { title: 'token, tls_client_auth', expectStatus: 200, signed: false },
  'get-register': { title: 'GET /register/:id', expectStatus: 200, signed: false },
}

/** A started server with its clients registered. */
export interface Target {
  kind: ServerKind
  format: TokenFormat
  /** Where requests go (the loopback address; the TLS name is `localhost`). */
  origin: string
  pid: number
  recipes: Record<ScenarioId, Recipe>
  /** What the registration scenario sends, in words (for the report). */
  registrationNote: string
  memory: () => { rssMb: number; hwmMb: number } | null
  /** The last 8,000 characters the process printed (diagnosis, e.g. with `--trace-gc`). */
  output: () => string
  /** Stops the process and returns its last memory figures. */
  stop: () => Promise<{ rssMb: number; hwmMb: number } | null>
}

interface Proc {
  child: ChildProcess
  output: () => string
}

/** The two client-credentials recipes, the same for both servers: alpha's clients, scope accounts. */
function tokenRecipes(tokenEndpoint: string, pkjwtClientId: string, tlsClientId: string) {
  return {
    'token-pkjwt': {
      kind: 'token-pkjwt',
      path: pathOf(tokenEndpoint),
      tpp: 'alpha',
      clientId: pkjwtClientId,
      aud: tokenEndpoint,
      scope: 'accounts',
    },
    'token-tls': { kind: 'token-tls', path: pathOf(tokenEndpoint), clientId: tlsClientId, scope: 'accounts' },
  } satisfies Record<string, Recipe>
}

/** How a server process is launched, beyond its own arguments. */
export interface Launch {
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[]
  /** A command the node process runs under (e.g. `valgrind --tool=callgrind ...`, `taskset -c 1`). */
  wrapper?: string[]
  /** How long to wait for the server to answer its discovery document (default 60 s). */
  readyTimeoutMs?: number
  /** How many characters of the process's output to keep (default 8,000). */
  keepOutput?: number
  /** Sees every chunk of the process's output as it comes (e.g. to count `--trace-gc-nvp` lines). */
  onOutput?: (text: string) => void
}

/** Starts `node <file> ...args` in its own process (with tsx for a .ts file), output kept for diagnosis. */
function startNode(file: string, args: string[], launch: Launch = {}): Proc {
  // Plain .mjs entries (our bank's `npm start`, which compiles it first) need no TypeScript loader.
  const loader = file.endsWith('.ts') ? ['--import', 'tsx'] : []
  const [command, ...wrapperArgs] = [...(launch.wrapper ?? []), process.execPath]
  const child = spawn(command as string, [...wrapperArgs, ...(launch.nodeArgs ?? []), ...loader, file, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  })
  let out = ''
  const keep = (b: Buffer) => {
    const text = b.toString()
    launch.onOutput?.(text)
    out = (out + text).slice(-(launch.keepOutput ?? 8000))
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return { child, output: () => out }
}

/** Waits until the server answers its discovery document over mutual TLS. */
async function waitReady(proc: Proc, agent: Agent, origin: string, name: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited (${proc.child.exitCode}):\n${proc.output()}`)
    try {
      const res = await call(agent, `${origin}/.well-known/openid-configuration`)
      if (res.status === 200) return res.json<Record<string, unknown>>()
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become ready in ${timeoutMs} ms:\n${proc.output()}`)
    await sleep(100)
  }
}

async function stopProc(proc: Proc): Promise<{ rssMb: number; hwmMb: number } | null> {
  const pid = proc.child.pid
  const mem = pid === undefined ? null : procMemory(pid)
  if (proc.child.exitCode === null) {
    const exited = new Promise(r => proc.child.once('exit', r))
    proc.child.kill('SIGTERM')
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  return mem
}

const pathOf = (url: string) => new URL(url).pathname

const publicJwk = (tpp: TppIdentity) => {
  const { kty, n, e, kid, alg, use } = tpp.signing.publicJwk as Record<string, string>
  return { kty, n, e, kid, alg, use }
}

/** The JSON metadata the peer's registration scenario sends: the OB request's claims, as RFC 7591 JSON with a `jwks`. */
export function peerRegistrationBody(tpp: TppIdentity): Record<string, unknown> {
  return {
    redirect_uris: [tpp.redirectUris[0]],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'PS256',
    grant_types: ['authorization_code', 'client_credentials'],
    response_types: ['code id_token'],
    scope: ['openid', ...PEER_SCOPES.slice(0, 2)].join(' '),
    application_type: 'web',
    id_token_signed_response_alg: 'PS256',
    request_object_signing_alg: 'PS256',
    tls_client_certificate_bound_access_tokens: true,
    jwks: { keys: [publicJwk(tpp)] },
  }
}

/** Starts the peer and registers its two clients (RFC 7591 JSON). */
export async function startPeer(
  pki: Pki,
  agent: Agent,
  port: number,
  format: TokenFormat,
  launch: Launch = {},
): Promise<Target> {
  const origin = `https://127.0.0.1:${port}`
  // The peer's harness is TypeScript: bundled like our bank, so neither server carries a TypeScript loader.
  const entry = await compile(path.join(repoRoot, 'bench/peer.ts'), path.join(repoRoot, 'bench/dist/peer.mjs'), [
    path.join(repoRoot, 'bench'),
    path.join(repoRoot, 'keys'),
  ])
  const proc = startNode(entry, ['--port', String(port), '--token-format', format], launch)
  const discovery = await waitReady(proc, agent, origin, 'peer', launch.readyTimeoutMs)
  const tpp = pki.tpps.alpha as TppIdentity
  const tokenEndpoint = String(discovery.token_endpoint)
  const registrationEndpoint = String(discovery.registration_endpoint)
  const common = {
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: PEER_SCOPES.slice(0, 2).join(' '),
    tls_client_certificate_bound_access_tokens: true,
  }
  const register = async (body: Record<string, unknown>) => {
    const res = await call(agent, registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (res.status !== 201) throw new Error(`peer registration failed: ${res.status} ${res.text}`)
    return res.json<{ client_id: string; registration_access_token: string; registration_client_uri: string }>()
  }
  const pkjwt = await register({
    ...common,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'PS256',
    jwks: { keys: [publicJwk(tpp)] },
  })
  const tls = await register({
    ...common,
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: tpp.transport.subjectDn,
  })
  return {
    kind: 'peer',
    format,
    origin,
    pid: proc.child.pid as number,
    registrationNote: 'RFC 7591 JSON metadata with a jwks (no signature, no SSA)',
    recipes: {
      register: { kind: 'register-json', path: pathOf(registrationEndpoint), body: peerRegistrationBody(tpp) },
      ...tokenRecipes(tokenEndpoint, pkjwt.client_id, tls.client_id),
      'get-register': {
        kind: 'get',
        path: pathOf(pkjwt.registration_client_uri),
        bearer: pkjwt.registration_access_token,
      },
    },
    memory: () => procMemory(proc.child.pid as number),
    output: proc.output,
    stop: () => stopProc(proc),
  }
}

/** How our bank is started; flags per the mock's CLI. */
export interface OursOptions extends Launch {
  port: number
  format: TokenFormat
  /** SQLite file; a temporary one when omitted. */
  store?: string
}

/** Starts our bank with a SQLite store and registers its two clients (signed OB requests with an SSA). */
export async function startOurs(pki: Pki, agent: Agent, options: OursOptions): Promise<Target> {
  const { port, format } = options
  const origin = `https://127.0.0.1:${port}`
  const tmp = options.store ? undefined : mkdtempSync(path.join(tmpdir(), 'bench-ours-'))
  const store = options.store ?? path.join(tmp as string, 'bank.db')
  // What `npm start` runs: the bank compiled into one module, on plain Node.
  const main = 'scripts/start.cjs'
  if (!existsSync(path.join(repoRoot, main))) throw new Error(`ours: ${main} is not on this branch yet`)
  const proc = startNode(
    main,
    ['--port', String(port), '--host', '127.0.0.1', '--store', store, '--token-format', format],
    options,
  )
  const discovery = await waitReady(proc, agent, origin, 'ours', options.readyTimeoutMs)
  const tpp = pki.tpps.alpha as TppIdentity
  const tokenEndpoint = String(discovery.token_endpoint)
  const registrationEndpoint = String(discovery.registration_endpoint)
  const directory = {
    issuer: pki.directory.issuer,
    signer: signerFromFile(pki.directory.signing.keyPath, pki.directory.signing.kid),
  }
  const ssa = await mintSsa(tpp, directory)
  const tppSigner = signerFromFile(tpp.signing.keyPath, tpp.signing.kid)
  const register = async (authMethod: 'private_key_jwt' | 'tls_client_auth') => {
    const body = await signRegistration(
      registrationClaims({ tpp, ssa, aud: pki.aspsp.orgId, specVersion: '3.3', authMethod }),
      tppSigner,
    )
    const res = await call(agent, registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body,
    })
    if (res.status !== 201) throw new Error(`ours: registration failed: ${res.status} ${res.text}`)
    return res.json<{ client_id: string }>()
  }
  const pkjwt = await register('private_key_jwt')
  const tls = await register('tls_client_auth')
  const token = await call(agent, tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'accounts',
      client_id: pkjwt.client_id,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await clientAssertion(pkjwt.client_id, tokenEndpoint, tppSigner),
    }).toString(),
  })
  if (token.status !== 200) throw new Error(`ours: token failed: ${token.status} ${token.text}`)
  const bearer = token.json<{ access_token: string }>().access_token
  return {
    kind: 'ours',
    format,
    origin,
    pid: proc.child.pid as number,
    registrationNote: 'OB DCR compact JWS (PS256) carrying an SSA (PS256): two signature verifications',
    recipes: {
      register: { kind: 'register-ob', path: pathOf(registrationEndpoint), tpp: 'alpha', ssa, aud: pki.aspsp.orgId },
      ...tokenRecipes(tokenEndpoint, pkjwt.client_id, tls.client_id),
      'get-register': { kind: 'get', path: `${pathOf(registrationEndpoint)}/${pkjwt.client_id}`, bearer },
    },
    memory: () => procMemory(proc.child.pid as number),
    output: proc.output,
    stop: async () => {
      const mem = await stopProc(proc)
      if (tmp) rmSync(tmp, { recursive: true, force: true })
      return mem
    },
  }
}

/** Starts the bare HTTPS server of `floor.ts` (no OAuth at all: the transport floor). */
export async function startFloor(agent: Agent, port: number) {
  const origin = `https://127.0.0.1:${port}`
  const proc = startNode('bench/floor.ts', ['--port', String(port)])
  await waitReady(proc, agent, origin, 'floor')
  const recipe: Recipe = { kind: 'token-tls', path: '/token', clientId: 'floor', scope: 'accounts' }
  return { origin, pid: proc.child.pid as number, recipe, stop: () => stopProc(proc) }
}
