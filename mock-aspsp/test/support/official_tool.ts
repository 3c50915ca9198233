/**
 * The official UK DCR conformance tool's scenarios (OpenBankingUK/conformance-dcr v1.3.1,
 * DCR-001…DCR-011), replayed from its config file alone the way the tool sends them, so that a
 * test can measure what the README claims about running the tool against this bank:
 *
 * - one software statement (the config's `ssa`) for every registration;
 * - registration requests signed PS256 with the config's `kid`, living an hour, `scope`
 *   `accounts openid`, `response_types` = discovery's, `request_object_signing_alg` = discovery's
 *   first, and for tls_client_auth the subject DN as Go's `pkix.Name` writes it;
 * - tls_client_auth when discovery offers it, else private_key_jwt with 30-minute client
 *   assertions WITHOUT `kid`; client-credentials requests with an empty `scope`;
 * - PUT with `application/jwt`; a made-up bearer token for "invalid credentials".
 *
 * The code is this project's; only the behaviour is the tool's.
 */
import 'reflect-metadata'
import { createPrivateKey, randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as x509 from '@peculiar/x509'
import { type Claims, signJws } from '../../../fixtures/builders/jose.ts'
import { escapeDnValue } from '../../../keys/pki.ts'
import type { OfficialToolConfig } from '../../src/directory/official_tool.ts'
import { type CallResult, httpsCall } from '../support.ts'

/** The OIDs Go's pkix.Name has a field for, in the order `ToRDNSequence` writes them, with the names `String()` prints. */
const GO_NAME_FIELDS: [oid: string, label: string][] = [
  ['2.5.4.6', 'C'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.7', 'L'],
  ['2.5.4.9', 'STREET'],
  ['2.5.4.17', 'POSTALCODE'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.3', 'CN'],
  ['2.5.4.5', 'SERIALNUMBER'],
]
const PECULIAR_LABELS: Record<string, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
}

/**
 * The subject DN as the tool registers it: Go's `cert.Subject.ToRDNSequence().String()`, which
 * keeps only the attributes `pkix.Name` has fields for (an OBWAC certificate's
 * organizationIdentifier is dropped) and prints them most significant last (RFC 2253).
 */
export function goSubjectDn(certPem: string): string {
  const values = new Map<string, string[]>()
  for (const rdn of new x509.X509Certificate(certPem).subjectName.toJSON()) {
    for (const [type, list] of Object.entries(rdn)) {
      const oid = PECULIAR_LABELS[type] ?? type
      values.set(oid, [...(values.get(oid) ?? []), ...list])
    }
  }
  const rdns: string[] = []
  for (const [oid, label] of GO_NAME_FIELDS)
    for (const v of values.get(oid) ?? []) rdns.push(`${label}=${escapeDnValue(v)}`)
  return rdns.reverse().join(',')
}

export interface ScenarioResult {
  id: string
  ok: boolean
  /** The first step that did not get the answer the tool expects. */
  failure?: string
}

interface Discovery {
  registration_endpoint?: string
  token_endpoint: string
  token_endpoint_auth_methods_supported: string[]
  request_object_signing_alg_values_supported: string[]
  response_types_supported: string[]
}

class StepFailed extends Error {}

/** Runs DCR-001…DCR-011 (no DCR-006) as the tool does; every scenario's outcome. */
export async function runOfficialTool(cfg: OfficialToolConfig): Promise<ScenarioResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'official-tool-'))
  const file = (name: string, content: string) => {
    const p = path.join(dir, name)
    writeFileSync(p, content)
    return p
  }
  const ca = file('roots.pem', cfg.transport_root_cas.join('\n'))
  const cert = {
    certPath: file('transport.pem', cfg.transport_cert),
    keyPath: file('transport.key', cfg.transport_key),
  }
  const signer = { key: createPrivateKey(cfg.private_key), kid: cfg.kid, alg: 'PS256' }

  const send = (url: string, method: string, headers: Record<string, string> = {}, body?: string, mtls = true) => {
    const u = new URL(url)
    return httpsCall({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method,
      ca,
      cert: mtls ? cert : undefined,
      headers,
      body,
    })
  }
  const expect = (res: CallResult, status: number, step: string) => {
    if (res.status !== status)
      throw new StepFailed(`${step}: expected ${status}, got ${res.status} ${res.text.slice(0, 400)}`)
    return res
  }

  const discovery = JSON.parse((await send(cfg.wellknown_endpoint, 'GET', {}, undefined, false)).text) as Discovery
  const auth = discovery.token_endpoint_auth_methods_supported.includes('tls_client_auth')
    ? 'tls_client_auth'
    : 'private_key_jwt'
  const registration = discovery.registration_endpoint ?? ''

  /**
   * The tool's signed registration claims; `over` is what a negative test case changes. Its one
   * signing method signs the JWT and names token_endpoint_auth_signing_alg and
   * id_token_signed_response_alg (DCR-004 switches it to RS256).
   */
  const claims = (over: Claims = {}, alg = 'PS256') => {
    const now = Math.floor(Date.now() / 1000)
    const c: Claims = {
      aud: cfg.aud,
      exp: now + 3600,
      jti: randomUUID(),
      iat: now,
      iss: cfg.issuer,
      token_endpoint_auth_signing_alg: alg,
      grant_types: ['authorization_code', 'client_credentials'],
      subject_type: 'public',
      application_type: 'web',
      redirect_uris: cfg.redirect_uris,
      token_endpoint_auth_method: auth,
      software_statement: cfg.ssa,
      scope: 'accounts openid',
      request_object_signing_alg: discovery.request_object_signing_alg_values_supported[0],
      id_token_signed_response_alg: alg,
      response_types: discovery.response_types_supported,
      ...(auth === 'tls_client_auth' ? { tls_client_auth_subject_dn: goSubjectDn(cfg.transport_cert) } : {}),
      ...over,
    }
    return signJws(c, { ...signer, alg })
  }
  const register = async (over: Claims = {}, alg = 'PS256') =>
    send(
      registration,
      'POST',
      { 'content-type': 'application/jose', accept: 'application/json' },
      await claims(over, alg),
    )
  const registered = async () => String(expect(await register(), 201, 'Register software client').json.client_id)
  const token = async (clientId: string) => {
    // Its latest client sends an empty scope (older builds asked for openid).
    const form: Record<string, string> = { grant_type: 'client_credentials', scope: '' }
    if (auth === 'tls_client_auth') form.client_id = clientId
    else {
      const now = Math.floor(Date.now() / 1000)
      const assertion = {
        iss: clientId,
        sub: clientId,
        aud: discovery.token_endpoint,
        iat: now,
        exp: now + 1800,
        jti: randomUUID(),
      }
      form.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
      // jwt-go writes only alg and typ: no kid.
      form.client_assertion = await signJws(assertion, signer, { kid: undefined })
    }
    const res = await send(
      discovery.token_endpoint,
      'POST',
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams(form).toString(),
    )
    return String(expect(res, 200, 'Retrieve client credentials grant').json.access_token)
  }
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` })
  const get = (id: string, t: string) => send(`${registration}/${id}`, 'GET', bearer(t))
  const del = async (id: string, t: string) => {
    const res = await send(`${registration}/${id}`, 'DELETE', bearer(t))
    if (res.status !== 204 && res.status !== 200)
      throw new StepFailed(`Delete software client: got ${res.status} ${res.text}`)
  }
  const put = async (id: string, t: string) =>
    send(
      `${registration}/${id}`,
      'PUT',
      { ...bearer(t), 'content-type': 'application/jwt', accept: 'application/json' },
      await claims(),
    )

  const scenarios: [string, () => Promise<void>][] = [
    [
      'DCR-001',
      async () => {
        if (!/^https:\/\//.test(registration)) throw new StepFailed(`Validate Registration URL: ${registration}`)
      },
    ],
    [
      'DCR-002',
      async () => {
        const id = await registered()
        await del(id, await token(id))
      },
    ],
    [
      'DCR-003',
      async () => {
        const id = await registered()
        const t = await token(id)
        await del(id, t)
        expect(await get(id, t), 401, 'Retrieve delete software client should fail')
      },
    ],
    [
      'DCR-004',
      async () => {
        const now = Math.floor(Date.now() / 1000)
        const cases: [string, Claims, string?][] = [
          ['expired claims', { exp: now - 3600 }],
          ['invalid issuer', { iss: 'foo.is/invalid' }],
          ['invalid issuer too short', { iss: '' }],
          ['invalid issuer too long', { iss: '123456789012345678901234567890' }],
          ['token endpoint auth method RS256', {}, 'RS256'],
        ]
        for (const [name, over, alg] of cases) {
          expect(await register(over, alg), 400, `Register software client fails on ${name}`)
        }
      },
    ],
    [
      'DCR-005',
      async () => {
        const id = await registered()
        const t = await token(id)
        expect(await get(id, t), 200, 'Retrieve software client')
        await del(id, t)
      },
    ],
    [
      'DCR-007',
      async () => {
        const id = await registered()
        expect(await get(id, 'foo-bar-invalid-token'), 401, 'Retrieve software client with invalid credentials grant')
        await del(id, await token(id))
      },
    ],
    [
      'DCR-008',
      async () => {
        const id = await registered()
        const t = await token(id)
        expect(await put(id, t), 200, 'Update an existing software client')
        await del(id, t)
      },
    ],
    [
      'DCR-009',
      async () => {
        const id = await registered()
        const t = await token(id)
        await del(id, t)
        expect(await put(id, t), 401, 'Update a deleted software client')
      },
    ],
    [
      'DCR-010',
      async () => {
        const id = await registered()
        const t = await token(id)
        await del(id, t)
        expect(await get(id, t), 401, 'Retrieve a deleted software client')
      },
    ],
    [
      'DCR-011',
      async () => {
        expect(
          await register({ response_types: ['id_token', 'token'] }),
          400,
          'Register software client with invalid response_types',
        )
      },
    ],
  ]
  const results: ScenarioResult[] = []
  for (const [id, run] of scenarios) {
    try {
      await run()
      results.push({ id, ok: true })
    } catch (e) {
      if (!(e instanceof StepFailed)) throw e
      results.push({ id, ok: false, failure: e.message })
    }
  }
  return results
}
