/**
 * `npm run ssa -- --tpp <name> [--claim k=v ...] [--drop k] [--untrusted]`: prints an SSA issued by
 * the mock directory for a TPP of the test PKI (signed PS256 with the directory key, or with the
 * untrusted key for negative tests).
 */
import { signerFromFile } from '../../../fixtures/builders/jose.ts'
import { mintSsa } from '../../../fixtures/builders/ssa.ts'
import { auCli } from '../profiles/au_cdr/cli/commands.ts'
import { parseArgs, tppFromArgs } from './args.ts'

// `--profile au-cdr`: the same command for a CDR data recipient.
await auCli('ssa')

const USAGE = `usage: npm run ssa -- [--tpp alpha] [--claim key=value ...] [--drop key] [--untrusted yes]
  --tpp        a TPP of keys/generated (alpha, beta, gamma, revoked, rogue, expired)
  --claim      set an SSA claim (value parsed as JSON when it is JSON)
  --drop       remove an SSA claim
  --untrusted  sign with the directory key the bank does NOT trust`

const args = parseArgs(process.argv.slice(2), ['--tpp', '--untrusted'], USAGE)
const { pki, tpp } = await tppFromArgs(args, USAGE)
const key = args.values.has('--untrusted') ? pki.directory.untrusted : pki.directory.signing
process.stdout.write(
  `${await mintSsa(tpp, { issuer: pki.directory.issuer, signer: signerFromFile(key.keyPath, key.kid) }, args.claims)}\n`,
)
