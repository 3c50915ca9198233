/**
 * `npm run assertion -- --client-id <id> [--tpp alpha] [--aud <token endpoint>]`: prints a
 * private_key_jwt client assertion (RFC 7523) signed with the software's key, for curl.
 */
import { clientAssertion } from '../../../fixtures/builders/client_assertion.ts'
import { signerFromFile } from '../../../fixtures/builders/jose.ts'
import { auCli } from '../profiles/au_cdr/cli/commands.ts'
import { fail, parseArgs, tppFromArgs } from './args.ts'

// `--profile au-cdr`: the same command for a CDR data recipient.
await auCli('assertion')

const USAGE = `usage: npm run assertion -- --client-id <client_id> [--tpp alpha] [--aud <url>] [--claim k=v] [--drop k]
  --client-id  the client_id the bank returned at registration (iss and sub of the assertion)
  --tpp        the TPP whose software key signs it [alpha]
  --aud        the token endpoint [https://localhost:8443/token]`

const args = parseArgs(process.argv.slice(2), ['--client-id', '--tpp', '--aud'], USAGE)
const { tpp } = await tppFromArgs(args, USAGE)
const clientId = args.values.get('--client-id')?.[0]
if (!clientId) fail('--client-id is required', USAGE)
const aud = args.values.get('--aud')?.[0] ?? 'https://localhost:8443/token'
process.stdout.write(
  `${await clientAssertion(clientId, aud, signerFromFile(tpp.signing.keyPath, tpp.signing.kid, tpp.signing.alg), args.claims)}\n`,
)
