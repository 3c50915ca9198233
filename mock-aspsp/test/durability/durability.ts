/**
 * Durability of the SQLite store: the bank (a child process on an SQLite file) takes a burst of
 * concurrent registrations and is killed with SIGKILL partway; restarted on the same file, every
 * registration it acknowledged with 201 must be there, unchanged, and usable (a token, a GET).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { type AuthMethod, signRegistration } from '../../../fixtures/builders/registration.ts'
import { ensurePki, type Pki } from '../../../keys/pki.ts'
import { ChildBank } from '../support/child_bank.ts'
import { BankClient, freePort, type HttpResult } from '../support/http.ts'
import { JOSE, json, type Registered, Tpp } from '../support/tpp.ts'

export interface DurabilityOptions {
  registrations: number
  /** SIGKILL the bank once this many 201s have come back. */
  killAfter: number
  /** Client connections per TPP certificate (two TPPs). */
  connectionsPerTpp: number
  ports: [number, number]
  /** Keep the SQLite file and print where it is. */
  keep?: boolean
  /**
   * `memory` runs the same test on the in-memory store, which keeps nothing across a restart:
   * the control that shows the check does see lost registrations.
   */
  store?: 'sqlite' | 'memory'
  log?: (line: string) => void
}

export interface DurabilityReport {
  store: string
  registrationsSent: number
  killAfter: number
  /** 201 received (before or after the kill: a 201 that reached the client was acknowledged). */
  acknowledged: number
  /** Acknowledged and, after the restart, read back unchanged and usable. */
  retrievableAndWorking: number
  /** Acknowledged but missing, changed or unusable after the restart. */
  lost: number
  lostClientIds: string[]
  /** Answered with another status before the kill (should be none). */
  rejected: { status: number; body: string }[]
  /** No answer: the connection died with the bank. */
  inFlightUnknown: number
  /** Of those, registrations the store committed anyway (rows in the file beyond the acknowledged ones). */
  committedWithoutAcknowledgement: number | null
  rowsAfterRestart: number | null
  killedAtMs: number
  burstMs: number
  restartMs: number
  verifyMs: number
}

interface Sent {
  tpp: Tpp
  authMethod: AuthMethod
  jws: string
}

/** Runs at most `limit` of the tasks at once. */
async function pool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++] as T)
    }),
  )
}

function tppOf(pki: Pki, name: string, url: string): Tpp {
  const identity = pki.tpps[name]
  if (!identity) throw new Error(`the test PKI has no TPP ${name}`)
  return new Tpp(pki, identity, url)
}

export async function runDurability(options: DurabilityOptions): Promise<DurabilityReport> {
  const log = options.log ?? (() => {})
  const pki = await ensurePki()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ob-durability-'))
  const store = options.store === 'memory' ? 'memory' : path.join(dir, 'bank.sqlite')
  const port = await freePort(...options.ports)
  let bank = await ChildBank.start({ port, store })
  const tpps = { alpha: tppOf(pki, 'alpha', bank.url), beta: tppOf(pki, 'beta', bank.url) }
  // One connection pool per certificate, many sockets each: the burst really is concurrent.
  const burstClients = new Map<Tpp, BankClient>()
  for (const tpp of Object.values(tpps)) {
    const client = new BankClient(bank.url, pki, tpp.identity.transport)
    client.agent.maxSockets = options.connectionsPerTpp
    burstClients.set(tpp, client)
  }

  try {
    // Signed before the burst, so that the burst measures the bank and not our signing.
    const ssas = new Map<Tpp, string>()
    for (const tpp of Object.values(tpps)) ssas.set(tpp, await tpp.ssa())
    const sent: Sent[] = []
    for (let i = 0; i < options.registrations; i++) {
      const tpp = i % 2 === 0 ? tpps.alpha : tpps.beta
      const authMethod: AuthMethod = tpp === tpps.alpha ? 'private_key_jwt' : 'tls_client_auth'
      const claims = await tpp.registrationClaims(authMethod, {}, ssas.get(tpp))
      sent.push({ tpp, authMethod, jws: await signRegistration(claims, tpp.signer) })
    }
    log(`durability: ${sent.length} registrations signed; bank pid ${bank.pid} on ${store}`)

    const acknowledged: { sent: Sent; body: Record<string, unknown> }[] = []
    const rejected: { status: number; body: string }[] = []
    let inFlightUnknown = 0
    let killed = false
    let killedAtMs = 0
    const burstStart = performance.now()
    await Promise.all(
      sent.map(async s => {
        let res: HttpResult
        try {
          res = await (burstClients.get(s.tpp) as BankClient).request({
            method: 'POST',
            path: '/register',
            headers: JOSE,
            body: s.jws,
            timeoutMs: 60_000,
          })
        } catch {
          inFlightUnknown++
          return
        }
        if (res.status === 201) {
          acknowledged.push({ sent: s, body: json(res) })
          if (!killed && acknowledged.length >= options.killAfter) {
            killed = true
            killedAtMs = performance.now() - burstStart
            bank.kill('SIGKILL')
          }
        } else {
          rejected.push({ status: res.status, body: res.body.toString('utf8').slice(0, 300) })
        }
      }),
    )
    const burstMs = performance.now() - burstStart
    const exit = await bank.exited
    log(
      `durability: burst over in ${burstMs.toFixed(0)} ms; killed on the ${options.killAfter}th acknowledgement at ${killedAtMs.toFixed(0)} ms (exit ${exit.signal ?? exit.code}); ${acknowledged.length} acknowledged, ${inFlightUnknown} without an answer, ${rejected.length} rejected`,
    )
    if (!killed) throw new Error(`the bank acknowledged only ${acknowledged.length} registrations; it was never killed`)

    const restartStart = performance.now()
    bank = await ChildBank.start({ port, store })
    const restartMs = performance.now() - restartStart

    // Every acknowledged registration: a token by its registered method, then GET it back.
    const verifyStart = performance.now()
    const lostClientIds: string[] = []
    let working = 0
    await pool(acknowledged, 16, async ({ sent: s, body }) => {
      const reg: Registered = { clientId: String(body.client_id), authMethod: s.authMethod, body }
      try {
        const token = await s.tpp.token(reg)
        const res = await s.tpp.getRegistration(reg.clientId, token)
        if (res.status === 200 && JSON.stringify(json(res)) === JSON.stringify(body)) {
          working++
          return
        }
      } catch {
        // counted as lost below
      }
      lostClientIds.push(reg.clientId)
    })
    const verifyMs = performance.now() - verifyStart
    await bank.stop()

    let rowsAfterRestart: number | null = null
    if (store !== 'memory') {
      const db = new Database(store, { readonly: true })
      rowsAfterRestart = (db.prepare('SELECT count(*) AS n FROM clients').get() as { n: number }).n
      db.close()
    }

    return {
      store: store === 'memory' || options.keep ? store : '(temporary SQLite file, removed)',
      registrationsSent: sent.length,
      killAfter: options.killAfter,
      acknowledged: acknowledged.length,
      retrievableAndWorking: working,
      lost: lostClientIds.length,
      lostClientIds,
      rejected,
      inFlightUnknown,
      committedWithoutAcknowledgement:
        rowsAfterRestart === null ? null : rowsAfterRestart - (acknowledged.length - lostClientIds.length),
      rowsAfterRestart,
      killedAtMs: Math.round(killedAtMs),
      burstMs: Math.round(burstMs),
      restartMs: Math.round(restartMs),
      verifyMs: Math.round(verifyMs),
    }
  } finally {
    for (const c of burstClients.values()) c.close()
    for (const t of Object.values(tpps)) t.close()
    if (bank.alive) bank.kill('SIGKILL')
    if (!options.keep) rmSync(dir, { recursive: true, force: true })
  }
}
