/**
 * `npm run request -- --tpp <name> [...]`: prints a signed registration request (compact JWS)
 * carrying a fresh SSA, ready for `curl --data-binary` to POST /register or PUT /register/{id}.
 */
import { readFileSync } from 'node:fs'
import { signerFromFile } from '../../../fixtures/builders/jose.ts'
import {
  type AuthMethod,
  registrationClaims,
  type SpecVersion,
  signRegistration,
} from '../../../fixtures/builders/registration.ts'
import { mintSsa } from '../../../fixtures/builders/ssa.ts'
import type { TppIdentity } from '../../../keys/pki.ts'
import { auCli } from '../profiles/au_cdr/cli/commands.ts'
import { fail, parseArgs, tppFromArgs } from './args.ts'

// `--profile au-cdr`: the same command for a CDR data recipient.
await auCli('request')

const USAGE = `usage: npm run request -- [--tpp alpha] [--auth private_key_jwt|tls_client_auth] [--spec 3.3]
                          [--aud <org id or issuer>] [--redirect-uri <uri> ...] [--ssa <file>]
                          [--claim key=value ...] [--drop key] [--alg PS256|ES256]
  --tpp           a TPP of keys/generated (alpha, beta, gamma, delta, ...) or your own (npm run tpp -- add)
  --auth          token_endpoint_auth_method to register [private_key_jwt]
  --spec          OB DCR version whose shapes to use (scope array, DN claim name) [3.3]
  --aud           the bank's directory org id [the mock bank's org id]
  --redirect-uri  redirect URIs to register (repeatable) [the first of the SSA]
  --ssa           a file holding the SSA to carry [a fresh SSA from the mock directory]
  --claim, --drop set or remove a request claim (exp=-1h style relative times work)
  --alg           sign with the PS256 key or the ES256 key of the software [the signing key's]`

const args = parseArgs(
  process.argv.slice(2),
  ['--tpp', '--auth', '--spec', '--aud', '--redirect-uri', '--ssa', '--alg'],
  USAGE,
)
const { pki, tpp } = await tppFromArgs(args, USAGE)
const one = (k: string) => args.values.get(k)?.[0]
const authMethod = (one('--auth') ?? 'private_key_jwt') as AuthMethod
if (!['private_key_jwt', 'tls_client_auth'].includes(authMethod))
  fail(`--auth must be private_key_jwt or tls_client_auth`, USAGE)
const specVersion = (one('--spec') ?? '3.3') as SpecVersion
if (!['3.1', '3.2', '3.3', '3.4'].includes(specVersion)) fail('--spec must be 3.1, 3.2, 3.3 or 3.4', USAGE)
const ssaFile = one('--ssa')
const ssa = ssaFile
  ? readFileSync(ssaFile, 'utf8').trim()
  : await mintSsa(tpp, {
      issuer: pki.directory.issuer,
      signer: signerFromFile(pki.directory.signing.keyPath, pki.directory.signing.kid),
    })
const claims = registrationClaims({
  tpp,
  ssa,
  aud: one('--aud') ?? pki.aspsp.orgId,
  specVersion,
  authMethod,
  redirectUris: args.values.get('--redirect-uri'),
  claims: args.claims,
})
const es256 = 'signingEs256' in tpp ? (tpp as TppIdentity).signingEs256 : undefined
if (one('--alg') === 'ES256' && !es256 && tpp.signing.alg !== 'ES256') fail(`TPP "${tpp.name}" has no ES256 key`, USAGE)
const key = one('--alg') === 'ES256' ? (es256 ?? tpp.signing) : tpp.signing
process.stdout.write(`${await signRegistration(claims, signerFromFile(key.keyPath, key.kid, key.alg))}\n`)
