/**
 * The TPP developer CLIs with `--profile au-cdr` (`npm run ssa | request | assertion`, README "AU
 * CDR"): what they print verifies with the keys the mock CDR Register and the Data Holder trust,
 * carries the recipient's claims, and a bad option is named.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { decodeJwt, importJWK, type JWTPayload, jwtVerify } from 'jose'
import type { SigningKey } from '../../keys/pki.ts'
import { pki } from './support.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const mercury = pki.cdr.recipients.mercury
if (!mercury) throw new Error('the test PKI has no CDR recipient mercury')

/** `tsx mock-aspsp/src/cli/<command>.ts ...args`: its exit code, standard output and error. */
function cli(command: 'ssa' | 'request' | 'assertion', ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `mock-aspsp/src/cli/${command}.ts`, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, OB_KEYS_DIR: pki.dir },
  })
  return { status: r.status, out: r.stdout.trim(), err: r.stderr }
}

/** The claims of `jwt` once verified with the public half of `key`. */
async function verifiedWith(jwt: string, key: SigningKey): Promise<JWTPayload> {
  const { payload } = await jwtVerify(jwt, await importJWK(key.publicJwk, key.alg))
  return payload
}

describe('the AU CLIs (--profile au-cdr)', () => {
  it('ssa: signed with the Register key, the recipient software product, iss cdr-register, 10 minutes', async () => {
    const r = cli('ssa', '--profile', 'au-cdr', '--tpp', 'mercury', '--claim', 'scope=openid')
    assert.equal(r.status, 0, r.err)
    const ssa = await verifiedWith(r.out, pki.cdr.register.ssaSigning)
    assert.equal(ssa.iss, 'cdr-register')
    assert.equal(ssa.software_id, mercury.softwareProductId)
    assert.equal(ssa.org_id, mercury.brandId)
    assert.equal(ssa.software_roles, 'data-recipient-software-product')
    assert.deepEqual(ssa.redirect_uris, mercury.redirectUris)
    assert.equal(ssa.scope, 'openid', '--claim sets a claim')
    assert.equal((ssa.exp ?? 0) - (ssa.iat ?? 0), 600)
  })

  it('ssa --untrusted: signed with a key the Register does not publish', async () => {
    const r = cli('ssa', '--profile', 'au-cdr', '--tpp', 'mercury', '--untrusted', 'yes')
    assert.equal(r.status, 0, r.err)
    await assert.rejects(verifiedWith(r.out, pki.cdr.register.ssaSigning), /signature verification failed/)
    await verifiedWith(r.out, pki.cdr.register.untrusted)
  })

  it("request: signed with the recipient's key, iss the software product, aud the issuer, carrying the SSA given", async () => {
    const ssa = cli('ssa', '--profile', 'au-cdr', '--tpp', 'mercury').out
    const r = cli(
      'request',
      '--profile',
      'au-cdr',
      '--tpp',
      'mercury',
      '--aud',
      'https://dh.example',
      '--ssa',
      JSON.stringify(ssa),
      '--redirect-uri',
      'https://mercury.adr.example/callback2',
    )
    assert.equal(r.status, 0, r.err)
    const request = await verifiedWith(r.out, mercury.signing)
    assert.equal(request.iss, mercury.softwareProductId)
    assert.equal(request.aud, 'https://dh.example')
    assert.equal(request.software_statement, ssa, "the Register's JSON string answer is unwrapped")
    assert.deepEqual(request.redirect_uris, ['https://mercury.adr.example/callback2'])
    assert.equal(request.token_endpoint_auth_method, 'private_key_jwt')
  })

  it('assertion: iss and sub the software product id (its client_id at the Register) unless --client-id', async () => {
    const r = cli('assertion', '--profile', 'au-cdr', '--tpp', 'venus', '--aud', 'https://dh.example/token')
    assert.equal(r.status, 0, r.err)
    const venus = pki.cdr.recipients.venus
    assert.ok(venus)
    const claims = await verifiedWith(r.out, venus.signing)
    assert.equal(claims.iss, venus.softwareProductId)
    assert.equal(claims.sub, venus.softwareProductId)
    assert.equal(claims.aud, 'https://dh.example/token')
    const own = cli('assertion', '--profile', 'au-cdr', '--client-id', 'c-1', '--aud', 'https://dh.example/token')
    assert.equal(decodeJwt(own.out).sub, 'c-1')
  })

  it('names what is wrong: an unknown recipient, a missing --aud, an unknown profile', () => {
    const unknown = cli('ssa', '--profile', 'au-cdr', '--tpp', 'pluto')
    assert.notEqual(unknown.status, 0)
    assert.match(unknown.err, /no recipient "pluto"; known: mercury, venus/)
    const noAud = cli('assertion', '--profile', 'au-cdr', '--tpp', 'mercury')
    assert.notEqual(noAud.status, 0)
    assert.match(noAud.err, /--aud is required/)
    const nz = cli('ssa', '--profile', 'nz')
    assert.notEqual(nz.status, 0)
    assert.match(nz.err, /--profile must be uk-ob or au-cdr, got "nz"/)
  })
})
