/**
 * The HTTPS listener with mutual TLS, and `startMock()` — the library entry used by `main.ts`,
 * the unit tests and the benchmark.
 */
import { readFileSync } from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { ensurePki, type Pki } from '../../keys/pki.ts'
import { createApp } from './app.ts'
import { startKeystoreInterception } from './directory/msw.ts'
import { type Bank, createBank } from './helpers/bank.ts'
import { type MockOptions, withDefaults } from './helpers/defaults.ts'
import { openStore } from './models/open_store.ts'
import { epoch, type Store } from './models/store.ts'

/** TLS 1.2 suites allowed by FAPI 1 Advanced §8.5 (TLS 1.3 suites are all allowed). */
const FAPI_TLS12_CIPHERS = [
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
]
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']

/**
 * The listener's TLS policy: TLS 1.2 with the FAPI suites, or TLS 1.3 (FAPI 1 Advanced §8.5,
 * RFC 9325). Two deviations weaken it the way real gateways have been seen to.
 */
export function tlsPolicy(deviations: readonly string[]): { minVersion: 'TLSv1' | 'TLSv1.2'; ciphers: string } {
  const suites = [...FAPI_TLS12_CIPHERS, ...TLS13_SUITES]
  // A TLS 1.2 CBC suite outside the FAPI list.
  if (deviations.includes('allow-non-fapi-cipher')) suites.push('ECDHE-RSA-AES128-SHA256')
  if (deviations.includes('allow-legacy-tls')) {
    // OpenSSL 3 refuses TLS 1.0 and 1.1 above security level 0; their suites are SHA-1 CBC ones.
    return { minVersion: 'TLSv1', ciphers: [...suites, 'ECDHE-RSA-AES128-SHA', '@SECLEVEL=0'].join(':') }
  }
  return { minVersion: 'TLSv1.2', ciphers: suites.join(':') }
}

export interface RunningMock {
  url: string
  port: number
  bank: Bank
  server: https.Server
  close(): Promise<void>
}

export interface StartOptions extends Partial<MockOptions> {
  pki?: Pki
  store?: string
  /** An already open store (tests share one between two banks). */
  storeInstance?: Store
}

export async function startMock(input: StartOptions = {}): Promise<RunningMock> {
  const { pki: givenPki, storeInstance, ...partial } = input
  const options = withDefaults(partial)
  const pki = givenPki ?? (await ensurePki({ log: line => console.error(line) }))
  const store = storeInstance ?? openStore(options.store, options.sqliteSync)

  const ca = [readFileSync(pki.ca.certPath), ...options.extraCas.map(f => readFileSync(f))]
  // With a CRL loaded OpenSSL demands one for every issuing CA, so extra CAs come without it.
  const crl = options.extraCas.length === 0 ? readFileSync(pki.ca.crlPath) : undefined
  const server = https.createServer({
    key: readFileSync(pki.server.keyPath),
    cert: readFileSync(pki.server.certPath),
    ca,
    ...(crl ? { crl } : {}),
    requestCert: true,
    // The handshake completes without a valid certificate so that each endpoint can answer with
    // a JSON error; endpoints that need one check `socket.authorized` (shared/mtls.ts).
    rejectUnauthorized: false,
    ...tlsPolicy(options.deviations),
    honorCipherOrder: true,
    keepAliveTimeout: 30_000,
    headersTimeout: 20_000,
    requestTimeout: 30_000,
    maxHeaderSize: 16 * 1024,
  })
  // A bad handshake (plain HTTP, garbage) must not crash or hang anything.
  server.on('tlsClientError', (_err, socket) => socket.destroy())
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const bank = createBank({ ...options, port }, pki, store)
  server.on('request', createApp(bank).callback())
  const stopMsw = options.msw ? startKeystoreInterception(bank.directory) : () => {}
  const sweeper = setInterval(() => store.sweep(epoch()), 60_000)
  sweeper.unref()

  return {
    url: bank.endpoints.issuer,
    port,
    bank,
    server,
    close: async () => {
      clearInterval(sweeper)
      stopMsw()
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      if (!storeInstance) store.close()
    },
  }
}
