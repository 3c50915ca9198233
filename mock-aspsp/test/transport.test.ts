/**
 * The transport rules on the wire: which client certificates the bank refuses (untrusted issuer,
 * expired, revoked, wrong extended key usage), its TLS policy (versions and cipher suites), and
 * the deviation that switches each rule off — and only that rule.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import tls from 'node:tls'
import type { TppIdentity } from '../../keys/pki.ts'
import type { DeviationName } from '../src/profiles/uk_ob/deviations/index.ts'
import { type RunningMock, startMock, tlsPolicy } from '../src/server.ts'
import { alpha, call, ccToken, ccTokenRequest, form, pki, register, signedRequest } from './support.ts'

const jose = { 'content-type': 'application/jose' }

function identity(name: string): TppIdentity {
  const t = pki.tpps[name]
  if (!t) throw new Error(`the test PKI has no TPP "${name}"`)
  return t
}

/** alpha, presenting a certificate of its own subject for serverAuth only (no clientAuth EKU). */
const alphaWithServerCert = { ...alpha, transport: alpha.serverEku ?? pki.server } as TppIdentity

async function withMock<T>(deviations: DeviationName[], fn: (mock: RunningMock) => Promise<T>): Promise<T> {
  const mock = await startMock({ port: 0, store: 'memory', pki, deviations })
  try {
    return await fn(mock)
  } finally {
    await mock.close()
  }
}

/** POST /register by the certificate's own software (so that only the certificate can be wrong). */
async function registerAs(mock: RunningMock, tpp: TppIdentity) {
  return call(mock, { method: 'POST', path: '/register', tpp, headers: jose, body: await signedRequest({ tpp }) })
}

/** A client_credentials request by alpha's private_key_jwt client over another certificate. */
const tokenOver = (mock: RunningMock, clientId: string, tpp: TppIdentity) => ccTokenRequest(mock, clientId, alpha, tpp)

const CERT_CASES: { name: string; tpp: () => TppIdentity; deviation: DeviationName; message: RegExp }[] = [
  {
    name: 'a self-signed certificate',
    tpp: () => identity('rogue'),
    deviation: 'accept-untrusted-client-cert',
    message: /self-signed/,
  },
  {
    name: 'an expired certificate',
    tpp: () => identity('expired'),
    deviation: 'accept-expired-client-cert',
    message: /expired/,
  },
  {
    name: 'a revoked certificate',
    tpp: () => identity('revokedcert'),
    deviation: 'skip-client-cert-revocation',
    message: /revoked/,
  },
]

describe('client certificates: each refusal and its deviation', () => {
  for (const c of CERT_CASES) {
    it(`POST /register refuses ${c.name}; ${c.deviation} accepts it`, async () => {
      await withMock([], async mock => {
        const res = await registerAs(mock, c.tpp())
        assert.equal(res.status, 400, res.text)
        assert.equal(res.json.error, 'invalid_request')
        assert.match(String(res.json.error_description), c.message)
      })
      await withMock([c.deviation], async mock => {
        const res = await registerAs(mock, c.tpp())
        assert.equal(res.status, 201, res.text)
      })
    })
    it(`the token endpoint refuses ${c.name}; ${c.deviation} issues a token over it`, async () => {
      await withMock([], async mock => {
        const res = await tokenOver(mock, await register(mock), c.tpp())
        assert.equal(res.status, 400, res.text)
        assert.equal(res.json.error, 'invalid_request')
      })
      await withMock([c.deviation], async mock => {
        // The certificate's own software's client (whose registration the deviation lets through):
        // only the certificate's trust is at stake, not whose it is.
        const holder = c.tpp()
        const res = await ccTokenRequest(mock, await register(mock, { tpp: holder }), holder)
        assert.equal(res.status, 200, res.text)
      })
    })
  }
  it('a server certificate (no clientAuth EKU) gets no token; skip-client-eku-check issues one', async () => {
    await withMock([], async mock => {
      const res = await tokenOver(mock, await register(mock), alphaWithServerCert)
      assert.equal(res.status, 400, res.text)
      const reg = await call(mock, {
        method: 'POST',
        path: '/register',
        tpp: alphaWithServerCert,
        headers: jose,
        body: await signedRequest(),
      })
      assert.equal(reg.status, 400, reg.text)
      assert.match(String(reg.json.error_description), /not valid for TLS client authentication/)
    })
    await withMock(['skip-client-eku-check'], async mock => {
      const res = await tokenOver(mock, await register(mock), alphaWithServerCert)
      assert.equal(res.status, 200, res.text)
    })
  })
  it('each certificate deviation forgives only its own problem', async () => {
    await withMock(['accept-expired-client-cert'], async mock => {
      for (const name of ['rogue', 'revokedcert']) {
        assert.equal((await registerAs(mock, identity(name))).status, 400, name)
      }
      assert.equal((await tokenOver(mock, await register(mock), alphaWithServerCert)).status, 400)
      // A token bound to the expired certificate is usable over it, not over its transport2.
      const expired = identity('expired')
      const id = await register(mock, { tpp: expired })
      const token = String((await ccTokenRequest(mock, id, expired)).json.access_token)
      const get = (cert?: 'transport2') =>
        call(mock, { path: `/register/${id}`, tpp: expired, cert, headers: { authorization: `Bearer ${token}` } })
      assert.equal((await get()).status, 200)
      assert.equal((await get('transport2')).status, 401)
      assert.ok(await ccToken(mock, id, expired))
    })
  })
})

describe("extra CAs (--extra-ca, TPPs' own identities) and revocation", () => {
  it('with an extra CA the TLS layer loads no CRL, and a revoked certificate is still refused on the request', async () => {
    const mock = await startMock({ port: 0, store: 'memory', pki, extraCas: [pki.ca.certPath] })
    try {
      const res = await registerAs(mock, identity('revokedcert'))
      assert.equal(res.status, 400, res.text)
      assert.match(String(res.json.error_description), /revoked/)
      // control: a valid certificate of the same CA registers
      assert.equal((await registerAs(mock, alpha)).status, 201)
    } finally {
      await mock.close()
    }
  })
})

describe('certificate profiles: OBTransport (CN = software id) and OBWAC (CN = org id, organizationIdentifier)', () => {
  const delta = identity('delta')
  it('the test PKI gives delta an OBWAC-style certificate and alpha an OBTransport one', () => {
    assert.equal(delta.certificateProfile, 'OBWAC')
    assert.match(
      delta.transport.subjectDn,
      new RegExp(`^CN=${delta.orgId},organizationIdentifier=PSDGB-OB-${delta.orgId},`),
    )
    assert.equal(alpha.certificateProfile, 'OBTransport')
  })
  it("an OBWAC certificate registers its organisation's software and authenticates both auth methods", async () => {
    await withMock([], async mock => {
      const pkjwt = await register(mock, { tpp: delta })
      assert.ok(await ccToken(mock, pkjwt, delta))
      const tls = await register(mock, { tpp: delta, auth: 'tls_client_auth' })
      const res = await call(mock, {
        method: 'POST',
        path: '/token',
        tpp: delta,
        ...form({ grant_type: 'client_credentials', client_id: tls }),
      })
      assert.equal(res.status, 200, res.text)
      // The directory issues delta's SSA over its OBWAC certificate too.
      const ssa = await call(mock, {
        path: `/directory/organisation/${delta.orgId}/software-statement/${delta.softwareId}/software-statement-assertion`,
        tpp: delta,
      })
      assert.equal(ssa.status, 200, ssa.text)
    })
  })
  it("each profile is matched against the SSA: neither certificate registers the other TPP's software", async () => {
    await withMock([], async mock => {
      const crossed = async (tpp: TppIdentity, over: TppIdentity) =>
        call(mock, { method: 'POST', path: '/register', tpp: over, headers: jose, body: await signedRequest({ tpp }) })
      const obwacForAlpha = await crossed(alpha, delta)
      assert.equal(obwacForAlpha.status, 400, obwacForAlpha.text)
      assert.equal(obwacForAlpha.json.error, 'unapproved_software_statement')
      assert.match(String(obwacForAlpha.json.error_description), /OBWAC: .*is not a certificate of organisation/)
      const transportForDelta = await crossed(delta, alpha)
      assert.equal(transportForDelta.status, 400, transportForDelta.text)
      assert.match(String(transportForDelta.json.error_description), /OBTransport: .*is not a certificate of software/)
    })
    await withMock(['skip-transport-software-match'], async mock => {
      const res = await call(mock, {
        method: 'POST',
        path: '/register',
        tpp: delta,
        headers: jose,
        body: await signedRequest({ tpp: alpha }),
      })
      assert.equal(res.status, 201, res.text)
    })
  })
})

type Handshake = { ok: true; protocol: string | null; cipher: string } | { ok: false; message: string }

function handshake(mock: RunningMock, options: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise(resolve => {
    const socket = tls.connect({
      host: 'localhost',
      port: mock.port,
      rejectUnauthorized: false,
      cert: readFileSync(alpha.transport.certPath),
      key: readFileSync(alpha.transport.keyPath),
      ...options,
    })
    socket.setTimeout(5000, () => socket.destroy(new Error('timed out')))
    socket.once('secureConnect', () => {
      resolve({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name })
      socket.end()
    })
    socket.once('error', e => resolve({ ok: false, message: e.message }))
  })
}

const TLS10 = { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const
const TLS11 = { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const
const CBC12 = { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256' } as const
const GCM12 = { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } as const

describe('TLS policy (FAPI 1 Advanced §8.5)', () => {
  it('tlsPolicy: TLS 1.2 minimum and FAPI suites; each deviation widens one thing', () => {
    const suites = (d: DeviationName[]) => tlsPolicy(d).ciphers.split(':')
    assert.equal(tlsPolicy([]).minVersion, 'TLSv1.2')
    assert.ok(
      suites([]).every(s => s.includes('GCM') || s.includes('CHACHA20')),
      tlsPolicy([]).ciphers,
    )
    assert.ok(suites(['allow-non-fapi-cipher']).includes('ECDHE-RSA-AES128-SHA256'))
    assert.equal(tlsPolicy(['allow-non-fapi-cipher']).minVersion, 'TLSv1.2')
    assert.equal(tlsPolicy(['allow-legacy-tls']).minVersion, 'TLSv1')
    assert.ok(!suites(['allow-legacy-tls']).includes('ECDHE-RSA-AES128-SHA256'))
  })
  it('refuses TLS 1.0, 1.1 and a non-FAPI TLS 1.2 suite; accepts a FAPI TLS 1.2 suite and TLS 1.3', async () => {
    await withMock([], async mock => {
      assert.equal((await handshake(mock, TLS10)).ok, false)
      assert.equal((await handshake(mock, TLS11)).ok, false)
      assert.equal((await handshake(mock, CBC12)).ok, false)
      assert.deepEqual(await handshake(mock, GCM12), {
        ok: true,
        protocol: 'TLSv1.2',
        cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
      })
      assert.equal(((await handshake(mock, {})) as { protocol: string }).protocol, 'TLSv1.3')
    })
  })
  it('allow-legacy-tls accepts TLS 1.0 and 1.1 but still no non-FAPI TLS 1.2 suite', async () => {
    await withMock(['allow-legacy-tls'], async mock => {
      assert.equal((await handshake(mock, TLS10)).ok, true)
      assert.equal((await handshake(mock, TLS11)).ok, true)
      assert.equal((await handshake(mock, CBC12)).ok, false)
    })
  })
  it('allow-non-fapi-cipher accepts ECDHE-RSA-AES128-SHA256 but still no TLS 1.0', async () => {
    await withMock(['allow-non-fapi-cipher'], async mock => {
      assert.equal((await handshake(mock, CBC12)).ok, true)
      assert.equal((await handshake(mock, TLS10)).ok, false)
    })
  })
})
