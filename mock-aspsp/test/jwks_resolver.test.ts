/**
 * The software JWKS fetch (security review item 4): only the directory's keystore and the
 * configured hosts, https only, no redirects, one timeout, the body streamed with a cap; every
 * refusal names its cause (host, TLS verification, status, size, time).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { JwksResolver } from '../src/crypto/jwks_resolver.ts'
import { alpha, pki } from './support.ts'

const HOST = 'jwks.tpp.example'
const jwks = { keys: [alpha.signing.publicJwk] }
const requested: string[] = []

const server = setupServer(
  http.all('https://*/*', ({ request }) => {
    requested.push(new URL(request.url).host)
    return undefined
  }),
  http.get(`https://${HOST}/ok.jwks`, () => HttpResponse.json(jwks)),
  http.get(`https://${HOST}/redirect.jwks`, () =>
    HttpResponse.text('', { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } }),
  ),
  http.get(`https://${HOST}/down.jwks`, () => HttpResponse.text('oops', { status: 503 })),
  http.get(`https://${HOST}/slow.jwks`, async () => {
    await delay(2_000)
    return HttpResponse.json(jwks)
  }),
  http.get(`https://${HOST}/huge.jwks`, () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Ten mebibytes at most: the bank must stop long before.
        if (sent >= 10 * 1024 * 1024) return controller.close()
        sent += chunk.byteLength
        controller.enqueue(chunk)
      },
    })
    return new HttpResponse(body, { headers: { 'content-type': 'application/json' } })
  }),
)

/** A resolver allowed to fetch from `HOST` (and `extra`), with a short timeout. */
const resolver = (extra: string[] = []) =>
  new JwksResolver(0, () => undefined, { allowedHosts: new Set([HOST, ...extra]), timeoutMs: 300 })

before(() => server.listen({ onUnhandledRequest: 'bypass' }))
after(() => server.close())

describe('JwksResolver: what it fetches', () => {
  it('reads a JWKS from an allowed host', async () => {
    assert.equal((await resolver().get(`https://${HOST}/ok.jwks`)).size, 1)
  })
  it('refuses a host that is not allowed without sending anything, naming the option', async () => {
    requested.length = 0
    await assert.rejects(
      resolver().get('https://evil.example/ok.jwks'),
      /evil\.example is not a host the bank reads software JWKS from \(allowed: jwks\.tpp\.example; option jwksAllowedHosts, --jwks-host\)/,
    )
    assert.deepEqual(requested, [])
  })
  it('refuses http', async () => {
    await assert.rejects(resolver().get(`http://${HOST}/ok.jwks`), /is not an https URL/)
  })
})

describe('JwksResolver: each failure names its cause', () => {
  it('a redirect is not followed', async () => {
    await assert.rejects(
      resolver().get(`https://${HOST}/redirect.jwks`),
      /answered HTTP 302 \(a redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data\): redirects are not followed/,
    )
  })
  it('an error status', async () => {
    await assert.rejects(resolver().get(`https://${HOST}/down.jwks`), /answered HTTP 503/)
  })
  it('a body past 256 KiB is cut off while it streams', async () => {
    // Refused at the cap while streaming (the ten mebibytes on offer would take the timeout otherwise).
    await assert.rejects(resolver().get(`https://${HOST}/huge.jwks`), /sent more than 262144 bytes/)
  })
  it('a slow answer times out', async () => {
    await assert.rejects(resolver().get(`https://${HOST}/slow.jwks`), /timed out after 300 ms/)
  })
  it("a server certificate that does not verify: TLS verification, with the OpenSSL code; the bank's trusted CAs make it verify", async () => {
    // The test CA is not in Node's trust store: exactly what a TPP's self-made keystore would be.
    const tls = https.createServer(
      { key: readFileSync(pki.server.keyPath), cert: readFileSync(pki.server.certPath) },
      (_req, res) => res.end(JSON.stringify(jwks)),
    )
    await new Promise<void>(resolve => tls.listen(0, 'localhost', resolve))
    const port = (tls.address() as AddressInfo).port
    try {
      await assert.rejects(
        resolver([`localhost:${port}`]).get(`https://localhost:${port}/x.jwks`),
        /TLS verification of the server failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)/,
      )
      // The CAs the bank trusts for mutual TLS (the test CA, --extra-ca, keys/byo/) are trusted
      // for keystores too: a TPP's own keystore under its own CA is read without NODE_EXTRA_CA_CERTS.
      const trusting = new JwksResolver(0, () => undefined, {
        allowedHosts: new Set([`localhost:${port}`]),
        timeoutMs: 2_000,
        trustedCas: [readFileSync(pki.ca.certPath)],
      })
      assert.equal((await trusting.get(`https://localhost:${port}/x.jwks`)).size, 1)
    } finally {
      tls.close()
      tls.closeAllConnections()
    }
  })
})
