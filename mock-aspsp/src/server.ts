/**
 * The HTTPS listener with mutual TLS, and `startMock()` — the library entry used by `main.ts`,
 * the unit tests and the benchmark.
 */
import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import https from 'node:https'
import { type AddressInfo, isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import { certificateCovers, ensurePki, type Pki } from '../../keys/pki.ts'
import { createApp } from './app.ts'
// Registers the authorization code flow's routes and grants with the app and the token endpoint.
import './auth_flow.ts'
import { type Bank, createBank } from './config/bank.ts'
import { type MockOptions, withDefaults } from './config/defaults.ts'
import { openStore } from './models/open_store.ts'
import { epoch, type Store } from './models/store.ts'
import { profileFor } from './profiles/index.ts'
import type { ListenerTls, ServerIdentity } from './profiles/profile.ts'
import { drainThen } from './shared/body.ts'
import { securityHeadersFor } from './shared/security_headers.ts'

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

/**
 * A JSON error written straight to the socket, for requests that never reach Koa: there is no
 * request object to answer through, but the answer keeps the shape of every other error.
 */
function rawJsonError(
  status: number,
  reason: string,
  error: string,
  description: string,
  options: { head?: boolean; headers?: Record<string, string> } = {},
): string {
  const body = JSON.stringify({ error, error_description: description })
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'Connection: close',
    '',
    // RFC 9110 §9.3.2: an answer to HEAD has no content, even an error.
    options.head ? '' : body,
  ].join('\r\n')
}

/**
 * The answer to a request Node's HTTP parser refused (bad request line, CR or LF in a header
 * value, headers over `maxHeaderSize`, a header timeout).
 */
function clientErrorResponse(err: NodeJS.ErrnoException, head: boolean, headers: Record<string, string>): string {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return rawJsonError(
      431,
      'Request Header Fields Too Large',
      'invalid_request',
      'the request headers exceed the size limit',
      { head, headers },
    )
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return rawJsonError(408, 'Request Timeout', 'invalid_request', 'the request was not received in time', {
      head,
      headers,
    })
  }
  return rawJsonError(400, 'Bad Request', 'invalid_request', 'the request is not valid HTTP/1.1', { head, headers })
}

/**
 * Whether the request being read on each connection is a HEAD, known before Node's parser has
 * finished its headers (a parse error leaves no request object to ask): the first bytes that
 * arrive once the previous request has been read completely. Public API only: the server's
 * `request` event gives each connection's current request, whose `complete` turns true once its
 * body has been read.
 */
function trackHeadRequests(server: https.Server): (socket: Duplex) => boolean {
  const head = new WeakMap<Duplex, boolean>()
  /** Connections whose current request has started but whose headers are not complete yet. */
  const inHeaders = new WeakSet<Duplex>()
  /** The request each connection is reading (its body may still be arriving). */
  const current = new WeakMap<Duplex, IncomingMessage>()
  server.on('secureConnection', (socket: Duplex) => {
    // Before the HTTP parser's own listener, which may fail on this very chunk.
    socket.prependListener('data', (chunk: Buffer) => {
      const req = current.get(socket)
      if ((req && !req.complete) || inHeaders.has(socket)) return
      inHeaders.add(socket)
      head.set(socket, chunk.subarray(0, 5).toString('latin1') === 'HEAD ')
    })
  })
  // Emitted by the parser as the headers complete, in order with the data.
  server.on('request', (req: IncomingMessage) => {
    inHeaders.delete(req.socket)
    current.set(req.socket, req)
  })
  return socket => head.get(socket) === true
}

/** Where the listener binds: `listen`, else `host` when it is an address or localhost, else loopback. */
export function listenAddress(options: Pick<MockOptions, 'host' | 'listen'>): string {
  if (options.listen) return options.listen
  return options.host === 'localhost' || isIP(options.host) ? options.host : '127.0.0.1'
}

/**
 * The server certificate and key: the operator's own files, or one from the test CA covering the
 * bank's host and the issuer's (the generated localhost certificate when that is enough).
 */
async function serverIdentity(options: MockOptions, tls: ListenerTls): Promise<ServerIdentity> {
  const names = [
    options.host,
    ...(options.issuer ? [new URL(options.issuer).hostname.replace(/^\[(.*)\]$/, '$1')] : []),
  ]
  if (options.serverCert && options.serverKey) {
    const own = {
      cert: readFileSync(options.serverCert),
      key: readFileSync(options.serverKey),
      certPath: options.serverCert,
    }
    if (!certificateCovers(own.cert, names)) {
      console.error(
        `mock-aspsp: warning: the server certificate ${options.serverCert} does not cover ${names.join(' and ')}: clients will refuse it`,
      )
    }
    return own
  }
  return tls.serverCertificate(names)
}

export interface RunningMock {
  url: string
  port: number
  /** The address the listener is bound to. */
  address: string
  /** The PEM file of the server certificate presented. */
  serverCertPath: string
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
  const pki = givenPki ?? (await ensurePki({ dir: options.keysDir, log: line => console.error(line) }))
  const store = storeInstance ?? openStore(options.store, options.sqliteSync)

  // The profile names the server certificate and the trusted CAs (with a CRL loaded OpenSSL
  // demands one for every issuing CA, so extra CAs come without it).
  const tls = profileFor(options.profile).listenerTls(pki, options)
  const ca = tls.caPaths.map(f => readFileSync(f))
  const crl = tls.crlPath ? readFileSync(tls.crlPath) : undefined
  const identity = await serverIdentity(options, tls)
  const server = https.createServer({
    key: identity.key,
    cert: identity.cert,
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
  // The `dead` anti-bank: every connection is accepted and closed before a byte is read.
  if (options.deviations.includes('dead')) server.prependListener('connection', socket => socket.destroy())
  // A bad handshake (plain HTTP, garbage) must not crash or hang anything.
  server.on('tlsClientError', (_err, socket) => socket.destroy())
  const isHead = trackHeadRequests(server)
  const security = securityHeadersFor(options)
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') socket.end(clientErrorResponse(err, isHead(socket), security))
    else socket.destroy()
  })

  // CONNECT: Node closes the connection without a word unless someone listens.
  server.on('connect', (_req, socket: Duplex) => {
    socket.end(
      rawJsonError(
        405,
        'Method Not Allowed',
        'method_not_allowed',
        'CONNECT is not supported: this server is not a proxy',
        { headers: { ...security, Allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS' } },
      ),
    )
  })

  // An Expect other than 100-continue: Node answers 417 itself, without a body, unless asked to.
  // The client may send its body anyway: it is read and dropped first (shared/body.ts), else the
  // close under a client still sending resets the connection and the 417 is never read.
  server.on('checkExpectation', (req, res) => {
    const body = JSON.stringify({
      error: 'invalid_request',
      error_description: 'the Expect header can only be 100-continue (RFC 9110 section 10.1.1)',
    })
    drainThen(req, options.maxBodyBytes, () => {
      res.writeHead(417, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        ...security,
        Connection: 'close',
      })
      res.end(body)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, listenAddress(options), () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const bank = createBank({ ...options, port }, pki, store)
  server.on('request', createApp(bank).callback())
  const stopProfile = bank.dcrProfile.start(bank)
  const sweeper = setInterval(() => store.sweep(epoch()), 60_000)
  sweeper.unref()

  return {
    url: bank.endpoints.issuer,
    port,
    address: listenAddress(options),
    serverCertPath: identity.certPath,
    bank,
    server,
    close: async () => {
      clearInterval(sweeper)
      stopProfile()
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      if (!storeInstance) store.close()
    },
  }
}
