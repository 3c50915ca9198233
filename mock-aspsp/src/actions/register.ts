/**
 * `POST /register` (OB DCR, RFC 7591): a signed registration request carrying an SSA, over mutual
 * TLS. The same validation serves `PUT /register/{ClientId}` (`validateRegistration`).
 */
import { randomUUID } from 'node:crypto'
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import type { DecodedJws, Json } from '../crypto/jose.ts'
import { type ClientRecord, epoch } from '../models/store.ts'
import {
  checkTransportCertMatchesSoftware,
  REQUEST_ONLY_CLAIMS,
  registeredMetadata,
} from '../profiles/uk_ob/rules/metadata.ts'
import {
  checkIssIsSoftwareId,
  checkRequestClaims,
  checkRequestHeader,
  checkRequestJtiUnused,
  checkRequestMediaType,
  checkRequestSignature,
} from '../profiles/uk_ob/rules/request.ts'
import {
  checkSsaClaims,
  checkSsaSignature,
  checkSsaUnused,
  parseSoftwareStatement,
} from '../profiles/uk_ob/rules/ssa.ts'
import { readBody } from '../shared/body.ts'
import { InvalidClientMetadata, InvalidRequest } from '../shared/errors.ts'
import { type ClientCert, requestCert, requireClientCert } from '../shared/mtls.ts'
import { parseRequestJws } from '../shared/signed_inputs.ts'

/** RFC 7592 §2.2: a client may not send server-managed values in an update. */
const SERVER_MANAGED = [
  'registration_access_token',
  'registration_client_uri',
  'client_secret_expires_at',
  'client_id_issued_at',
]

export interface ValidatedRegistration {
  /** The registered metadata, SSA claims flattened, ready to be stored (without client_id). */
  registration: Json
  softwareId: string
  orgId: string
  /** The software statement as sent (absent only under the accept-missing-ssa deviation). */
  softwareStatement: DecodedJws | undefined
  /** Records the request's jti (a replay throws): call in the store transaction that stores the client. */
  useJti: () => void
  /** `JSON.stringify(registration)`, when it could be put together from a cached part (POST). */
  registrationJson?: string
}

/**
 * SSA claims are returned flattened as top-level members (OB DCR data dictionary), except JWT
 * claims and the members the registration already has: the metadata, and `software_statement`
 * when the registration carries one (`withStatement`).
 */
function flattenSsa(ssa: Json, metadata: Json, withStatement: boolean): Json {
  const out: Json = {}
  for (const [k, v] of Object.entries(ssa)) {
    if ((REQUEST_ONLY_CLAIMS as readonly string[]).includes(k) || k in metadata) continue
    if (withStatement && k === 'software_statement') continue
    out[k] = v
  }
  return out
}

/**
 * The software statement's share of a registration, worked out once per statement and set of
 * metadata names (OB SSAs are reused for many registrations): its flattened claims, and the JSON of
 * `software_statement` and those claims — most of the ~5 KB a registration serialises to.
 * `json` is absent when a name is an array index (JSON.stringify would order it first).
 */
interface SsaShare {
  flat: Json
  json?: string
}
const ssaShares = new WeakMap<DecodedJws, Map<string, SsaShare>>()
const INDEX_NAME = /^(0|[1-9]\d*)$/

function ssaShare(ssaJws: DecodedJws, metadata: Json): SsaShare {
  const names = Object.keys(metadata)
  const key = names.join(',')
  let byNames = ssaShares.get(ssaJws)
  if (!byNames) {
    byNames = new Map()
    ssaShares.set(ssaJws, byNames)
  }
  let share = byNames.get(key)
  if (!share) {
    const flat = flattenSsa(ssaJws.payload, metadata, true)
    const flatJson = JSON.stringify(flat)
    const plain = [...names, ...Object.keys(flat)].every(n => !INDEX_NAME.test(n))
    share = {
      flat: Object.freeze(flat),
      ...(plain
        ? {
            json: `"software_statement":${JSON.stringify(ssaJws.raw)}${flatJson === '{}' ? '}' : `,${flatJson.slice(1)}`}`,
          }
        : {}),
    }
    // A handful of metadata name sets per statement at most; the bound only guards against abuse.
    if (byNames.size >= 16) byNames.clear()
    byNames.set(key, share)
  }
  return share
}

/** Every check of a registration request, in the order that gives the most useful error first. */
export async function validateRegistration(
  ctx: Context,
  cert: ClientCert | null,
  existing?: ClientRecord,
): Promise<ValidatedRegistration> {
  const bank: Bank = ctx.bank
  const now = epoch()
  checkRequestMediaType(bank, ctx.get('content-type'))
  const request = parseRequestJws(await readBody(ctx, bank.options.maxBodyBytes), bank)
  checkRequestHeader(bank, request.header)
  const claims = request.payload
  checkRequestClaims(bank, claims, now)

  if (existing) {
    if (!bank.deviations.has('put-accepts-server-managed-fields')) {
      for (const name of SERVER_MANAGED) {
        if (claims[name] !== undefined) {
          throw new InvalidRequest(`${name} must not be sent in an update (RFC 7592 §2.2)`)
        }
      }
    }
    if (!bank.deviations.has('put-ignores-client-credentials')) {
      if (claims.client_id !== undefined && claims.client_id !== existing.clientId) {
        throw new InvalidRequest(
          `client_id ${JSON.stringify(claims.client_id)} does not match the client being updated`,
        )
      }
      // RFC 7592 §2.2: a client_secret in the body "MUST match"; this bank issues none, so none can.
      if (claims.client_secret !== undefined) {
        throw new InvalidRequest('client_secret does not match: this bank issues no client secrets (RFC 7592 §2.2)')
      }
    }
  }

  const ssaJws = parseSoftwareStatement(bank, claims)
  // Only under the accept-missing-ssa deviation: the SSA claims are taken from the body itself.
  const ssa = ssaJws ? ssaJws.payload : claims
  if (ssaJws) {
    await checkSsaSignature(bank, ssaJws)
    checkSsaClaims(bank, ssa, now)
  }
  checkIssIsSoftwareId(bank, claims, ssa)
  checkTransportCertMatchesSoftware(bank, cert, ssa)
  if (typeof ssa.software_jwks_endpoint === 'string') await checkRequestSignature(bank, request, ssa)

  const metadata =
    existing && bank.deviations.has('put-skips-validation')
      ? registeredMetadata(
          { ...bank, deviations: bank.deviations.with('skip-redirect-subset-check') },
          claims,
          ssa,
          cert,
        )
      : registeredMetadata(bank, claims, ssa, cert)
  const softwareId = String(ssa.software_id)
  if (existing && existing.softwareId !== softwareId) {
    throw new InvalidClientMetadata(
      `software_id "${softwareId}" differs from the registered "${existing.softwareId}"; a client cannot move to another software`,
    )
  }
  const statement =
    typeof claims.software_statement === 'string'
      ? bank.deviations.has('modify-software-statement')
        ? reencode(claims.software_statement)
        : claims.software_statement
      : undefined
  // A registration (POST) of a statement as sent: its share of the registration comes from the cache.
  const share =
    !existing && ssaJws && statement === ssaJws.raw && !('software_statement' in metadata)
      ? ssaShare(ssaJws, metadata)
      : undefined
  const statementMember = statement === undefined ? undefined : { software_statement: statement }
  // Built by one Object.assign onto an empty object. Built as a spread copy of the metadata and
  // then given its ~40 SSA members, 3 KB of every registration reached V8's old generation (seen
  // with --trace-gc-nvp on the registration benchmark, c=16) and a full collection ran every 0.4 s,
  // its pauses in the p99; built this way, 0.3 KB and one every ~5 s.
  const registration: Json = Object.assign(
    {},
    metadata,
    statementMember,
    share ? share.flat : flattenSsa(ssa, metadata, statementMember !== undefined),
  )
  // RFC 7592 §2.2: a PUT replaces the registration ("Omitted fields MUST be treated as null");
  // the deviation keeps the old value of every member the body leaves out.
  if (existing && bank.deviations.has('put-keeps-omitted-metadata')) {
    for (const [k, v] of Object.entries(existing.registration)) if (claims[k] === undefined) registration[k] = v
  }
  const echo = bank.deviations.has('echo-request-claims')
  if (echo) {
    for (const k of REQUEST_ONLY_CLAIMS) if (claims[k] !== undefined) registration[k] = claims[k]
  }
  const metadataJson = share?.json !== undefined && !echo ? JSON.stringify(metadata) : undefined
  return {
    registration,
    softwareId,
    orgId: String(ssa.org_id ?? ''),
    softwareStatement: ssaJws,
    useJti: () => checkRequestJtiUnused(bank, claims, now),
    ...(metadataJson !== undefined
      ? {
          registrationJson: metadataJson === '{}' ? `{${share?.json}` : `${metadataJson.slice(0, -1)},${share?.json}`,
        }
      : {}),
  }
}

/** Same claims, different bytes: what a bank that re-serialises the SSA sends back. */
export function reencode(jws: string): string {
  const [h, p, s] = jws.split('.')
  const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8'))
  return `${h}.${Buffer.from(JSON.stringify(payload, null, 1)).toString('base64url')}.${s}`
}

/** The registration response body (RFC 7591 §3.2.1). */
export function registrationResponse(client: ClientRecord): Json {
  return { client_id: client.clientId, client_id_issued_at: client.issuedAt, ...client.registration }
}

export async function register(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  if (bank.deviations.has('refuse-every-registration'))
    throw new InvalidClientMetadata('refused: this bank runs the refuse-every-registration deviation')
  const cert = bank.deviations.has('no-client-cert-on-register')
    ? requestCert(ctx)
    : requireClientCert(ctx, why => new InvalidRequest(why))
  const validated = await validateRegistration(ctx, cert)
  const { registration, softwareId, orgId, softwareStatement, useJti } = validated
  const now = epoch()
  const clientId = randomUUID()
  // RFC 7592 §3 (together or not at all) and RFC 7591 §3.2.1 (a secret comes with its expiry), broken.
  let changed = false
  if (bank.deviations.has('management-uri-without-token')) {
    registration.registration_client_uri = `${bank.endpoints.registration}/${clientId}`
    changed = true
  }
  if (bank.deviations.has('client-secret-without-expiry')) {
    registration.client_secret = randomUUID()
    changed = true
  }
  // Serialised once, for the store and for the answer (a registration is ~5 KB with its SSA); the
  // JSON worked out during validation holds only while nothing was added to the registration since.
  const registrationJson = (!changed && validated.registrationJson) || JSON.stringify(registration)
  const client: ClientRecord = {
    clientId,
    softwareId,
    orgId,
    issuedAt: now,
    updatedAt: now,
    registration,
    registrationJson,
  }
  // One commit: the jti, the one-client-per-software check, the single-use SSA (where the bank
  // asks for it) and the client, grouped with the other writes of this turn. Acknowledged only
  // after the store has committed it (SQLite: in the WAL file).
  await bank.store.batch(() => {
    useJti()
    const oneClient =
      !bank.options.multipleClientsPerSoftware || bank.deviations.has('refuse-second-client-of-software')
    if (oneClient && bank.store.countClientsOfSoftware(softwareId) > 0) {
      throw new InvalidClientMetadata(
        `software_id "${softwareId}" already has a client at this bank; this bank allows one client per software statement`,
      )
    }
    if (softwareStatement) checkSsaUnused(bank, softwareStatement, now)
    bank.store.insertClient(client)
  })
  ctx.state.clientId = client.clientId
  ctx.status = bank.deviations.has('register-answers-200') ? 200 : 201
  ctx.type = 'application/json'
  // registrationResponse(client), spelt out: client_id and client_id_issued_at, then the registration.
  ctx.body = `{"client_id":${JSON.stringify(client.clientId)},"client_id_issued_at":${now},${registrationJson.slice(1)}`
}
