/**
 * NEG-TLS (catalogue §2.2): mutual TLS on the registration, management and token endpoints, and
 * the TLS policy of the bank's hosts.
 *
 * A refused TLS handshake is a valid refusal wherever the catalogue allows one (NEG-TLS-01…08);
 * the report records which way the target refused (`rejected-by=TLS alert unknown ca` or
 * `rejected-by=HTTP 400 invalid_request`). NEG-TLS-05…07 list HTTP 400 in the catalogue (their
 * sources test gateways that forward the certificate); a bank that refuses such a certificate
 * at the handshake refuses it all the same, so both are accepted there too.
 *
 * The refused certificates (self-signed, expired, revoked, server-only) come from the target
 * (`refusedCerts`): the mock's test PKI has them, a bank target has none and those tests are
 * skipped with the reason.
 *
 * Every refusal has its positive control on the same origin: the same request over the main TPP's
 * valid certificate succeeds. A refused handshake counts only with an alert refusing the
 * certificate and after a control handshake to that origin with a valid certificate completed
 * (`handshakeControl`); a reset or hang-up without an alert is no answer: inconclusive.
 */
import type { APIRequestContext } from '@playwright/test'
import type { AuthMethod } from '../../fixtures/builders/registration.ts'
import { DcrClient, registrationContentType } from '../../fixtures/clients/dcr_client.ts'
import { type Exchange, send } from '../../fixtures/clients/exchange.ts'
import type { TlsIdentity } from '../../fixtures/clients/tls.ts'
import {
  control,
  controlManagement,
  controlRegistration,
  precondition,
  registerOk,
  tokenOk,
} from '../../fixtures/controls.ts'
import { requires } from '../../fixtures/targets/capabilities.ts'
import type { RefusedCert, Target, TppProfile } from '../../fixtures/targets/types.ts'
import { expect, test } from '../../fixtures/test.ts'
import type { Tpp } from '../../fixtures/tpp.ts'
import { recordAnswer, warn } from '../checks/annotations.ts'
import { checkRegistrationRefusal } from '../checks/errors.ts'
import { ensureStatus } from '../checks/http.ts'
import {
  checkHandshakeAccepted,
  checkHandshakeRefused,
  checkTransportRefusalBody,
  ensureRefusedAtTlsOrHttp,
  probeHandshake,
} from '../checks/tls.ts'
import { checkClientUnchanged } from '../checks/unchanged.ts'

const spec = (description: string) => ({ type: 'spec', description })

/** Statuses a bank may use for a refused client certificate (catalogue: 400/401; CDR 403). */
const CERT_REFUSAL = [400, 401, 403] as const

/** The TPP presenting a refused certificate (present whenever the test `requires` it). */
function refusedTpp(target: Target, cert: RefusedCert): TppProfile {
  const t = target.refusedCerts[cert]
  if (!t) throw new Error(`the target has no ${cert} certificate (declare requires('cert:${cert}'))`)
  return t
}

/**
 * A client of the main TPP, registered over its own certificate, with a token for it: the
 * precondition of a management refusal, or (`as: control`) the control of a refused registration
 * and token request.
 */
async function registeredClientOf(tpp: Tpp, target: Target, as: typeof control = precondition) {
  const authMethod = target.authMethods[0] ?? 'private_key_jwt'
  const { clientId } = await as(`a registration of ${tpp.name} over its own certificate is accepted`, () =>
    registerOk(tpp, { authMethod }),
  )
  const token = await as(`the client gets an access token over ${tpp.name}'s certificate`, () =>
    tokenOk(tpp, clientId, authMethod),
  )
  return { clientId, authMethod, token }
}

/** The client as the bank has it now, read over the TPP's own certificate (undefined without GET). */
async function readClient(tpp: Tpp, target: Target, clientId: string, token: string) {
  if (!target.operations.get) return undefined
  const ex = await tpp.dcr.get(clientId, token)
  await ensureStatus(ex, 200, 'RFC7592-2.1')
  return ex
}

/** `control:` the client as the bank has it, read over the TPP's own certificate (undefined without GET). */
async function readClientControl(
  tpp: Tpp,
  target: Target,
  client: { clientId: string; authMethod: AuthMethod; token: string },
) {
  if (!target.operations.get) return undefined
  return controlManagement(tpp, 'get', client, {
    bearer: client.token,
    title: `GET /register/{ClientId} over ${tpp.name}'s own certificate answers 200`,
  })
}

/**
 * RFC 7592 §2.3: a refused management call leaves the client registered — read back over the
 * TPP's own certificate (or, without GET, still issued a token).
 */
async function checkStillRegistered(
  tpp: Tpp,
  target: Target,
  client: { clientId: string; authMethod: AuthMethod },
  before: Exchange | undefined,
) {
  await test.step('the client is still registered, unchanged [RFC7592-2.3]', async () => {
    const token = await tpp.accessToken(client.clientId, client.authMethod)
    const after = await readClient(tpp, target, client.clientId, token)
    if (before && after) await checkClientUnchanged(before, after)
  })
}

test.describe('NEG-TLS mutual TLS', { tag: ['@negative', '@tls', '@dcr'] }, () => {
  test('NEG-TLS-01 refuses a registration sent without a client certificate', {
    annotation: [spec('OBDCR-Authentication'), spec('RFC8705-2'), spec('RFC7591-3.2.2')],
  }, async ({ tpp, tppFor, target, handshakeControl }) => {
    await controlRegistration(tpp, {}, `the same registration over ${tpp.name}'s certificate is accepted: 201`)
    const bare = await tppFor(target.tpp, 'none')
    const { exchange } = await bare.register()
    await ensureRefusedAtTlsOrHttp(exchange, [400, 401, 403], 'OBDCR-Authentication', handshakeControl)
    await checkTransportRefusalBody(exchange, 'RFC7591-3.2.2')
  })

  test('NEG-TLS-02 refuses a registration over a self-signed client certificate', {
    annotation: [spec('RFC8705-2'), spec('OBDCR-Authentication'), requires('cert:self-signed')],
  }, async ({ tpp, tppFor, target, handshakeControl }) => {
    await controlRegistration(tpp, {}, `a registration over ${tpp.name}'s trusted certificate is accepted: 201`)
    // The certificate's own software, SSA and key: only the certificate is wrong.
    const rogue = refusedTpp(target, 'self-signed')
    const { exchange } = await (await tppFor(rogue)).register()
    await ensureRefusedAtTlsOrHttp(exchange, CERT_REFUSAL, 'RFC8705-2', handshakeControl)
    await checkTransportRefusalBody(exchange, 'RFC7591-3.2.2')
  })

  for (const [identity, label, capability] of [
    ['none', 'without a client certificate', undefined],
    ['self-signed', 'over a self-signed client certificate', 'cert:self-signed'],
  ] as const) {
    test(`NEG-TLS-03 refuses GET and DELETE of a client ${label}, which stays registered`, {
      tag: '@management',
      annotation: [
        spec('RFC7592-2.1'),
        spec('RFC7592-2.3'),
        spec('OBDCR-Authentication'),
        ...(capability ? [requires(capability)] : []),
      ],
    }, async ({ tpp, tppFor, target, handshakeControl }) => {
      test.skip(!target.operations.get && !target.operations.delete, `${target.name} offers neither GET nor DELETE`)
      const client = await registeredClientOf(tpp, target)
      const { clientId, token } = client
      const before = await readClientControl(tpp, target, client)
      const tls: TlsIdentity = identity === 'none' ? 'none' : refusedTpp(target, identity)
      const other = await tppFor(target.tpp, tls)
      if (target.operations.get) {
        const get = await other.dcr.get(clientId, token)
        await ensureRefusedAtTlsOrHttp(get, CERT_REFUSAL, 'RFC7592-2.1', handshakeControl)
        await checkTransportRefusalBody(get, 'RFC7592-2.1')
      }
      if (target.operations.delete) {
        const del = await other.dcr.delete(clientId, token)
        await ensureRefusedAtTlsOrHttp(del, CERT_REFUSAL, 'RFC7592-2.3', handshakeControl)
        await checkTransportRefusalBody(del, 'RFC7592-2.3')
      }
      await checkStillRegistered(tpp, target, client, before)
      if (target.operations.delete) {
        await controlManagement(tpp, 'delete', client, {
          title: `DELETE /register/{ClientId} over ${tpp.name}'s own certificate answers 204`,
        })
      }
    })

    test(`NEG-TLS-04 refuses a PUT ${label}, which leaves the client unchanged`, {
      tag: '@management',
      annotation: [
        spec('RFC7592-2.2'),
        spec('OBDCR-Authentication'),
        requires('operation:put'),
        ...(capability ? [requires(capability)] : []),
      ],
    }, async ({ tpp, tppFor, target, handshakeControl }) => {
      const client = await registeredClientOf(tpp, target)
      const { clientId, authMethod, token } = client
      const before = await readClientControl(tpp, target, client)
      // A valid update that would change the redirect URI, were it accepted.
      const uris = tpp.profile.redirectUris
      const changed = { authMethod, redirectUris: [uris[1] ?? (uris[0] as string)] }
      const update = await tpp.registrationRequest(changed)
      const tls: TlsIdentity = identity === 'none' ? 'none' : refusedTpp(target, identity)
      const put = await (await tppFor(target.tpp, tls)).dcr.update(clientId, token, update.jws)
      await ensureRefusedAtTlsOrHttp(put, CERT_REFUSAL, 'RFC7592-2.2', handshakeControl)
      await checkTransportRefusalBody(put, 'RFC7592-2.2')
      await checkStillRegistered(tpp, target, client, before)
      await controlManagement(tpp, 'put', client, {
        jws: (await tpp.registrationRequest(changed)).jws,
        title: `the same update over ${tpp.name}'s own certificate answers 200`,
      })
    })
  }

  for (const [cert, id, what, ref] of [
    ['expired', 'NEG-TLS-05', 'an expired', 'RFC5280-6.1.3'],
    ['server-eku', 'NEG-TLS-06', 'a server (serverAuth only)', 'RFC5280-4.2.1.12'],
    ['revoked', 'NEG-TLS-07', 'a revoked', 'RFC5280-6.3'],
  ] as const) {
    test(`${id} refuses ${what} client certificate at registration, token and management endpoints`, {
      tag: ['@token', '@management'],
      annotation: [spec(ref), spec('RFC8705-2'), spec('FAPI1-ADV-8.5'), requires(`cert:${cert}`)],
    }, async ({ tpp, tppFor, target, handshakeControl }) => {
      const holder = refusedTpp(target, cert)
      // The controls: the main TPP registers, gets a token and reads its client over its own certificate.
      const client = await registeredClientOf(tpp, target, control)
      const { clientId, authMethod, token } = client
      await readClientControl(tpp, target, client)
      await test.step('POST /register', async () => {
        const { exchange } = await (await tppFor(holder)).register()
        await ensureRefusedAtTlsOrHttp(exchange, CERT_REFUSAL, ref, handshakeControl)
        await checkTransportRefusalBody(exchange, 'RFC7591-3.2.2')
      })
      // The main TPP's client, its credentials, presented over the refused certificate.
      const over = await tppFor(target.tpp, holder)
      await test.step('POST /token (client_credentials)', async () => {
        const ex = await over.tokens.clientCredentials(clientId, authMethod)
        await ensureRefusedAtTlsOrHttp(ex, CERT_REFUSAL, ref, handshakeControl)
      })
      if (target.operations.get) {
        await test.step('GET /register/{ClientId}', async () => {
          const ex = await over.dcr.get(clientId, token)
          await ensureRefusedAtTlsOrHttp(ex, CERT_REFUSAL, ref, handshakeControl)
          await checkTransportRefusalBody(ex, 'RFC7592-2.1')
        })
      }
    })
  }

  test('NEG-TLS-08 refuses a registration sent to the registration endpoint without mutual TLS', {
    annotation: [spec('RFC8705-5'), spec('OBDCR-Authentication'), spec('BR-DCR-5.1-5')],
  }, async ({ discovery, target, tlsContext, tpp, exchangeLog, handshakeControl }) => {
    await controlRegistration(tpp, {}, `a registration over mutual TLS (${tpp.name}'s certificate) is accepted: 201`)
    // The registration_endpoint as published (not its mTLS alias), no certificate offered.
    const plainUrl = String(discovery.config.registration_endpoint)
    if (plainUrl === discovery.endpoints.registration) {
      test.info().annotations.push({
        type: 'note',
        description: 'registration_endpoint has no separate mTLS alias: the plain endpoint is the mTLS one',
      })
    }
    const request = await tpp.registrationRequest()
    const plain = new DcrClient(await tlsContext('none'), plainUrl, target.specVersion, exchangeLog)
    const ex = await plain.register(request.jws)
    await ensureRefusedAtTlsOrHttp(ex, [400, 401, 403, 404, 405], 'RFC8705-5', handshakeControl)
    await checkTransportRefusalBody(ex, 'RFC7591-3.2.2')
    await test.step('the same request over plain http:// is not registered [RFC8705-5]', async () => {
      const ctx: APIRequestContext = await tlsContext('none')
      const http = await sendPlainHttp(ctx, plainUrl.replace(/^https:/, 'http:'), request.jws, target, exchangeLog)
      recordAnswer('plain-http', http.outcome)
      expect.soft(http.registered, `plain http answered ${http.outcome}`).toBe(false)
    })
  })

  test('NEG-TLS-09 refuses a registration whose transport certificate belongs to another software', {
    annotation: [spec('OBDCR-tls_client_auth_subject_dn'), spec('BR-DCR-7.1-13'), requires('tpp:second')],
  }, async ({ tpp, tppFor, target, schemas }) => {
    await controlRegistration(tpp, {}, `the same registration over ${tpp.name}'s own certificate is accepted: 201`)
    // The main TPP's SSA and signed request, over the second TPP's (valid, trusted) certificate.
    const crossed = await tppFor(target.tpp, target.secondTpp as TppProfile)
    const { exchange } = await crossed.register()
    await ensureStatus(exchange, 400, 'RFC7591-3.2.2')
    await checkRegistrationRefusal(
      exchange,
      ['invalid_client_metadata', 'unapproved_software_statement'],
      schemas.registrationError,
    )
  })

  test('NEG-TLS-10 allows only TLS 1.2 with FAPI cipher suites, or TLS 1.3, on the registration and token hosts', {
    annotation: [spec('FAPI1-ADV-8.5'), spec('RFC9325-4'), spec('RFC8996')],
  }, async ({ discovery, target }) => {
    const origins = [
      ...new Set([discovery.endpoints.registration, discovery.endpoints.token].map(u => new URL(u).origin)),
    ]
    // Some banks demand a client certificate at the handshake: offer the TPP's.
    const client = { cert: target.tpp.transport.cert, key: target.tpp.transport.key }
    // OpenSSL 3 offers TLS 1.0/1.1 only at security level 0.
    const legacy = { ciphers: 'DEFAULT:@SECLEVEL=0', ...client }
    for (const origin of origins) {
      // The positive control: the host completes a handshake with the client's defaults.
      const best = await control(`${origin} completes a TLS handshake with the client's defaults`, async () => {
        const h = await probeHandshake(origin, client)
        if (!h.ok) throw new Error(`${origin}: ${h.message}`)
        return h
      })
      await checkHandshakeRefused(origin, 'TLS 1.0', { ...legacy, minVersion: 'TLSv1', maxVersion: 'TLSv1' }, 'RFC8996')
      await checkHandshakeRefused(
        origin,
        'TLS 1.1',
        { ...legacy, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' },
        'RFC8996',
      )
      for (const cipher of ['ECDHE-RSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA', 'AES128-GCM-SHA256']) {
        await checkHandshakeRefused(
          origin,
          `TLS 1.2 with ${cipher} (not a FAPI suite)`,
          { ...client, maxVersion: 'TLSv1.2', ciphers: cipher },
          'FAPI1-ADV-8.5',
        )
      }
      // What FAPI allows must be accepted.
      await checkHandshakeAccepted(
        origin,
        'TLS 1.2 with a FAPI suite',
        {
          ...client,
          maxVersion: 'TLSv1.2',
          ciphers:
            'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384',
        },
        'FAPI1-ADV-8.5',
      )
      if (best.ok && best.protocol !== 'TLSv1.3')
        warn(`${origin} negotiates ${best.protocol}, not TLS 1.3 (RFC 9325 §4.1: SHOULD)`)
    }
  })
})

/**
 * `POST` over plain HTTP. A target that does not listen, drops the connection, redirects or
 * refuses has not registered anything; only a 2xx would have.
 */
async function sendPlainHttp(
  ctx: APIRequestContext,
  url: string,
  jws: string,
  target: Target,
  listener: (ex: Exchange) => void,
): Promise<{ registered: boolean; outcome: string }> {
  try {
    const ex = await send(
      ctx,
      {
        method: 'POST',
        url,
        label: 'POST /register (plain http)',
        headers: { 'content-type': registrationContentType(target.specVersion) },
        data: jws,
      },
      listener,
    )
    if (ex.kind === 'tls-failure') return { registered: false, outcome: `connection dropped (${ex.message})` }
    return { registered: ex.status >= 200 && ex.status < 300, outcome: `HTTP ${ex.status}` }
  } catch (e) {
    // Nothing listening for plain HTTP (ECONNREFUSED) is a refusal too.
    return { registered: false, outcome: (e as Error).message.split('\n')[0] ?? 'error' }
  }
}
