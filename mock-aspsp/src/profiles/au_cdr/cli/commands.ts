/**
 * The TPP developer CLIs with `--profile au-cdr` (`npm run ssa | request | assertion`): the same
 * commands for a data recipient of the test PKI (keys/README.md, "CDR"). The UK CLIs hand over to
 * `auCli()` when the profile is given.
 */
import { readFileSync } from 'node:fs'
import { cdrRegistrationClaims } from '../../../../../fixtures/builders/cdr_registration.ts'
import { mintCdrSsa } from '../../../../../fixtures/builders/cdr_ssa.ts'
import { clientAssertion } from '../../../../../fixtures/builders/client_assertion.ts'
import { signerFromFile, signJws } from '../../../../../fixtures/builders/jose.ts'
import { ensurePki } from '../../../../../keys/pki.ts'
import { fail, parseArgs } from '../../../cli/args.ts'

type Command = 'ssa' | 'request' | 'assertion'

const USAGE: Record<Command, string> = {
  ssa: `usage: npm run ssa -- --profile au-cdr [--tpp mercury] [--claim key=value ...] [--drop key] [--untrusted yes]
  --tpp        a data recipient of keys/generated (mercury, venus, mars, jupiter, rogue, expired, revokedcert)
  --claim      set an SSA claim (value parsed as JSON when it is JSON)
  --drop       remove an SSA claim
  --untrusted  sign with a key the CDR Register does NOT publish
Prints an SSA of the recipient's software product, signed PS256 as the mock CDR Register signs them.`,
  request: `usage: npm run request -- --profile au-cdr --aud <Data Holder issuer> [--tpp mercury] [--ssa <file or JWT>]
                          [--redirect-uri <uri> ...] [--claim key=value ...] [--drop key] [--alg PS256|ES256]
  --aud           the Data Holder's issuer (the request's aud) [https://localhost:8443]
  --ssa           the SSA to carry: a file, or the JWT itself [a fresh SSA signed with the Register's key]
  --redirect-uri  redirect URIs to register (repeatable) [the claim is left out: all the SSA's]
  --claim, --drop set or remove a request claim (exp=-1h style relative times work)
  --alg           sign with the recipient's PS256 or ES256 key [PS256]`,
  assertion: `usage: npm run assertion -- --profile au-cdr --aud <url> [--tpp mercury] [--client-id <id>] [--claim k=v]
  --aud        the token endpoint (the Data Holder's, or the Register's /idp/connect/token)
  --client-id  iss and sub [the recipient's software product id, its client_id at the Register]`,
}

const KNOWN: Record<Command, string[]> = {
  ssa: ['--profile', '--tpp', '--untrusted'],
  request: ['--profile', '--tpp', '--aud', '--ssa', '--redirect-uri', '--alg'],
  assertion: ['--profile', '--tpp', '--aud', '--client-id'],
}

async function output(command: Command, argv: string[]): Promise<string> {
  const usage = USAGE[command]
  const args = parseArgs(argv, KNOWN[command], usage)
  const one = (k: string) => args.values.get(k)?.[0]
  const pki = await ensurePki({ log: line => console.error(line) })
  const name = one('--tpp') ?? 'mercury'
  const recipient =
    pki.cdr.recipients[name] ??
    fail(`no recipient "${name}"; known: ${Object.keys(pki.cdr.recipients).join(', ')}`, usage)
  const { register } = pki.cdr
  const registerKey = one('--untrusted') ? register.untrusted : register.ssaSigning
  const mint = (claims = {}) =>
    mintCdrSsa(
      recipient,
      { issuer: register.issuer, signer: signerFromFile(registerKey.keyPath, registerKey.kid) },
      claims,
    )
  if (command === 'ssa') return mint(args.claims)
  if (command === 'assertion') {
    const aud = one('--aud') ?? fail('--aud is required', usage)
    const clientId = one('--client-id') ?? recipient.softwareProductId
    return clientAssertion(clientId, aud, signerFromFile(recipient.signing.keyPath, recipient.signing.kid), args.claims)
  }
  const ssa = await ssaFrom(one('--ssa'), mint)
  const claims = cdrRegistrationClaims({
    softwareId: recipient.softwareProductId,
    ssa,
    aud: one('--aud') ?? 'https://localhost:8443',
    redirectUris: args.values.get('--redirect-uri'),
    claims: args.claims,
  })
  const key = one('--alg') === 'ES256' ? recipient.signingEs256 : recipient.signing
  return signJws(claims, signerFromFile(key.keyPath, key.kid, key.alg))
}

/**
 * The SSA to carry: the Register's answer as it came (a JSON string), a bare JWT, a file holding
 * either, or a fresh one.
 */
async function ssaFrom(given: string | undefined, mint: () => Promise<string>): Promise<string> {
  if (given === undefined) return mint()
  const text = /^\s*["e]/.test(given) ? given : readFileSync(given, 'utf8')
  const trimmed = text.trim()
  return trimmed.startsWith('"') ? String(JSON.parse(trimmed)) : trimmed
}

/**
 * Runs `command` for the AU profile when the arguments say `--profile au-cdr`, and exits once its
 * output is written; returns without doing anything otherwise.
 */
export async function auCli(command: Command): Promise<void> {
  const argv = process.argv.slice(2)
  const at = argv.indexOf('--profile')
  const profile = at >= 0 ? argv[at + 1] : argv.find(a => a.startsWith('--profile='))?.slice('--profile='.length)
  if (profile === undefined || profile === 'uk-ob') return
  if (profile !== 'au-cdr') fail(`--profile must be uk-ob or au-cdr, got "${profile}"`, USAGE[command])
  const text = await output(command, argv)
  await new Promise<never>(() => process.stdout.write(`${text}\n`, () => process.exit(0)))
}
