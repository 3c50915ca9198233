/**
 * Regression cases for what the fuzzer and the authorization matrix found in the mock bank:
 * each input once broke the contract (a 5xx, an answer that was not JSON, no answer, a hang).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import tls from 'node:tls'
import fc from 'fast-check'
import { clientAssertionClaims } from '../../fixtures/builders/client_assertion.ts'
import { ensurePki, type Pki, type TppIdentity } from '../../keys/pki.ts'
import { SPEC_PROFILES } from '../src/config/spec.ts'
import { type RunningMock, startMock } from '../src/server.ts'
import { signText } from './fuzz/jws.ts'
import { Deep } from './fuzz/values.ts'
import { ChildBank } from './support/child_bank.ts'
import { BankClient, freePort, type HttpResult, onFreePort, rawRequest } from './support/http.ts'
import { CLIENT_ASSERTION_TYPE, FORM, form, JOSE, json, type Registered, Tpp } from './support/tpp.ts'

let pki: Pki
let mock: RunningMock
let alpha: Tpp
let alphaReg: Registered

function identity(name: string): TppIdentity {
  const t = pki.tpps[name]
  if (!t) throw new Error(`no TPP ${name}`)
  return t
}

/** A raw TLS connection to the mock with a TPP's transport certificate. */
function connectAs(name: string): tls.TLSSocket {
  const url = new URL(mock.url)
  const transport = identity(name).transport
  return tls.connect({
    host: url.hostname,
    port: Number(url.port),
    servername: url.hostname,
    ca: readFileSync(pki.ca.certPath),
    cert: readFileSync(transport.certPath),
    key: readFileSync(transport.keyPath),
  })
}

/** A JSON error with a code, no-store, and the given status. */
function assertJsonError(res: HttpResult, status: number, error: string): void {
  assert.equal(res.status, status, res.body.toString('utf8'))
  assert.match(res.headers['content-type'] ?? '', /^application\/json/)
  assert.equal(json(res).error, error)
  assert.match(res.headers['cache-control'] ?? '', /no-store/)
}

const raw = (text: string) => rawRequest(mock.url, pki, identity('alpha').transport, Buffer.from(text, 'utf8'))

before(async () => {
  pki = await ensurePki()
  mock = await onFreePort(9300, 9319, port => startMock({ port, store: 'memory', pki, msw: false }))
  alpha = new Tpp(pki, identity('alpha'), mock.url, '3.3', `${mock.url}/directory/keystore`)
  alphaReg = await alpha.register('private_key_jwt')
})

after(async () => {
  alpha?.close()
  await mock?.close()
})

describe("requests Node's HTTP layer refuses are still answered with JSON errors", () => {
  test('a bare CR in a header value → 400 JSON', async () => {
    const res = await raw(
      'GET /register/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer a\rX-Injected: 1\r\n\r\n',
    )
    assertJsonError(res, 400, 'invalid_request')
  })

  test('an unknown method token → 400 JSON', async () => {
    assertJsonError(await raw('G ET /jwks HTTP/1.1\r\nHost: localhost\r\n\r\n'), 400, 'invalid_request')
  })

  test('headers over 16 KiB → 431 JSON; as a HEAD on a kept-alive connection → 431 without a body', async () => {
    const client = new BankClient(mock.url, pki, identity('alpha').transport)
    try {
      const big = { 'x-big': 'a'.repeat(20_000) }
      assertJsonError(await client.request({ method: 'GET', path: '/jwks', headers: big }), 431, 'invalid_request')
      // The same connection pool: a plain request first, then the HEAD right behind it.
      assert.equal((await client.request({ method: 'GET', path: '/jwks' })).status, 200)
      const head = await client.request({ method: 'HEAD', path: '/jwks', headers: big })
      assert.equal(head.status, 431)
      assert.equal(head.body.length, 0)
    } finally {
      client.close()
    }
  })

  test('Expect other than 100-continue → 417 JSON', async () => {
    const res = await alpha.client.request({ method: 'GET', path: '/jwks', headers: { expect: '200-ok' } })
    assertJsonError(res, 417, 'invalid_request')
  })

  test('Expect other than 100-continue with a body sent anyway: the body is read before the 417', async () => {
    // Fuzz seed 424242 (case 1252, under load): the 417 went out at the headers and the socket
    // closed while a 330 KB body was still coming, so the client saw EPIPE instead of an answer.
    // Here the body comes in two halves 300 ms apart: the answer must wait for the second, then
    // arrive whole, and the connection must end cleanly (FIN, not a reset).
    const half = Buffer.alloc(64 * 1024, 'x')
    const head = `POST /introspect HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nExpect: bytes=0-1\r\nContent-Length: ${2 * half.length}\r\n\r\n`
    const { answeredAt, secondHalfAt, text, error } = await new Promise<{
      answeredAt: number
      secondHalfAt: number
      text: string
      error?: string
    }>(resolve => {
      let answeredAt = 0
      let secondHalfAt = 0
      const chunks: Buffer[] = []
      const socket = connectAs('alpha')
      socket.on('secureConnect', () => {
        socket.write(head)
        socket.write(half)
        setTimeout(() => {
          secondHalfAt = performance.now()
          socket.write(half)
        }, 300)
      })
      socket.on('data', c => {
        answeredAt ||= performance.now()
        chunks.push(c)
      })
      const done = (error?: string) =>
        resolve({ answeredAt, secondHalfAt, text: Buffer.concat(chunks).toString('utf8'), error })
      socket.on('end', () => done())
      socket.on('error', e => done((e as NodeJS.ErrnoException).code ?? e.message))
      setTimeout(() => {
        socket.destroy()
        done('timeout')
      }, 5000).unref()
    })
    assert.equal(error, undefined, `connection error: ${error}`)
    assert.match(text, /^HTTP\/1\.1 417 /)
    assert.match(text, /"error":"invalid_request"/)
    assert.ok(secondHalfAt > 0 && answeredAt >= secondHalfAt, 'the 417 went out before the body was read')
  })

  test('a client that closes mid-body is not logged as a failure of the bank', async () => {
    // Fuzz seed 1127: "POST /register failed: Error: aborted" — a client going away was a 500.
    const logged: string[] = []
    const original = console.error
    console.error = (...args: unknown[]) => {
      logged.push(args.map(String).join(' '))
    }
    try {
      await new Promise<void>(resolve => {
        const socket = connectAs('alpha')
        socket.on('error', () => {})
        socket.on('secureConnect', () => {
          socket.write(
            'POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/jose\r\nContent-Length: 100000\r\n\r\n',
          )
          socket.write('x'.repeat(1000))
          setTimeout(() => {
            socket.destroy()
            resolve()
          }, 100)
        })
      })
      await new Promise(r => setTimeout(r, 300))
    } finally {
      console.error = original
    }
    assert.deepEqual(
      logged.filter(l => l.includes('failed:')),
      [],
    )
  })

  test('CONNECT → 405 JSON with Allow', async () => {
    const res = await raw('CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n')
    assertJsonError(res, 405, 'method_not_allowed')
    assert.ok(res.headers.allow)
  })
})

describe('deeply nested JSON in a JWS is refused, not a 500', () => {
  test('registration request with a 10,000-level iss → 400 invalid_client_metadata', async () => {
    const claims = { ...(await alpha.registrationClaims('private_key_jwt')), iss: new Deep(10_000, 'array') }
    const jws = signText(claims, alpha.signer, { alg: 'PS256', kid: alpha.signer.kid, typ: 'JWT' })
    const res = await alpha.client.request({ method: 'POST', path: '/register', headers: JOSE, body: jws })
    assertJsonError(res, 400, 'invalid_client_metadata')
    assert.match(String(json(res).error_description), /deeper than 32 levels/)
  })

  test('client assertion with a 10,000-level aud → 400 invalid_client', async () => {
    // aud is quoted with JSON.stringify in its error: that overflowed the stack.
    const claims = { ...clientAssertionClaims(alphaReg.clientId, `${mock.url}/token`), aud: new Deep(10_000, 'array') }
    const assertion = signText(claims, alpha.signer, { alg: 'PS256', kid: alpha.signer.kid, typ: 'JWT' })
    const res = await alpha.client.request({
      method: 'POST',
      path: '/token',
      headers: FORM,
      body: form({
        grant_type: 'client_credentials',
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: assertion,
      }),
    })
    assertJsonError(res, 400, 'invalid_client')
  })
})

test('a 200 KB body with Content-Length is read and answered 413, not cut off', async () => {
  const res = await alpha.client.request({
    method: 'POST',
    path: '/register',
    headers: JOSE,
    body: 'a'.repeat(200_000),
  })
  assertJsonError(res, 413, 'invalid_request')
})

test('PUT whose client_id is an object with a non-callable toString → 400, not 500', async () => {
  const claims = await alpha.registrationClaims('private_key_jwt', { client_id: { toString: 1, valueOf: 1 } })
  const jws = signText(claims, alpha.signer, { alg: 'PS256', kid: alpha.signer.kid, typ: 'JWT' })
  const res = await alpha.client.request({
    method: 'PUT',
    path: `/register/${alphaReg.clientId}`,
    headers: { ...JOSE, authorization: `Bearer ${await alpha.token(alphaReg)}` },
    body: jws,
  })
  assertJsonError(res, 400, 'invalid_request')
})

describe('spec 3.4 subject DN pattern (ReDoS)', () => {
  const openApiPattern = /^(?=.{1,512}$)[Cc][Nn]=[^,]+(?:,[^,\s]+=[^,]+)*$/
  const dnPattern = SPEC_PROFILES['3.4'].dnPattern as RegExp

  test('accepts exactly what the OpenAPI pattern accepts', () => {
    // Short strings over the characters that matter: the original cannot blow up on them.
    const dn = fc.string({
      unit: fc.constantFrom('C', 'N', 'c', 'n', '=', ',', ' ', '\t', 'a', '\\', '+', '\n'),
      maxLength: 14,
    })
    fc.assert(
      fc.property(
        fc.oneof(
          dn,
          dn.map(s => `CN=${s}`),
        ),
        s => dnPattern.test(s) === openApiPattern.test(s),
      ),
      { numRuns: 20_000, seed: 34 },
    )
  })

  test('a registration with "CN=a" + ",a=b=c" × 44 + "," is refused at once', { timeout: 60_000 }, async () => {
    // A child process: were the pattern to backtrack again, only the child would be stuck.
    const port = await freePort(9320, 9339)
    const bank = await ChildBank.start({ port, store: 'memory', args: ['--spec', '3.4'] })
    const tpp = new Tpp(pki, identity('beta'), bank.url, '3.4')
    try {
      const jws = await tpp.registrationJws('tls_client_auth', {
        tls_client_auth_subject_dn: `CN=a${',a=b=c'.repeat(44)},`,
      })
      const res = await tpp.client.request({
        method: 'POST',
        path: '/register',
        headers: JOSE,
        body: jws,
        timeoutMs: 5000,
      })
      assertJsonError(res, 400, 'invalid_client_metadata')
      assert.ok(res.ms < 1000, `answered in ${res.ms.toFixed(0)} ms`)
    } finally {
      tpp.close()
      bank.kill('SIGKILL')
      await bank.exited
    }
  })
})
