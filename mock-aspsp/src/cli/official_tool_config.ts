/**
 * `npm run -s official-tool-config -- --tpp alpha [--auth private_key_jwt|tls_client_auth] [--spec 3.2|3.3]`:
 * writes the JSON config of the official UK DCR conformance tool (OpenBankingUK/conformance-dcr
 * v1.3.1) for a TPP of the mock directory, PEMs inline, and prints the bank flags under which
 * every scenario passes for that auth method (see directory/official_tool.ts).
 */
import { writeFileSync } from 'node:fs'
import {
  OFFICIAL_TOOL_SPECS,
  type OfficialToolAuth,
  type OfficialToolSpec,
  officialToolSetup,
} from '../directory/official_tool.ts'
import { fail, parseArgs, tppFromArgs } from './args.ts'

const USAGE = `usage: npm run -s official-tool-config -- [--tpp alpha] [--auth private_key_jwt|tls_client_auth]
                                       [--spec 3.2|3.3] [--bank https://localhost:8443] [--out config.json]
  --tpp   a TPP of keys/generated or your own (npm run tpp -- add) [alpha]
  --auth  the client authentication method the tool is to use [private_key_jwt]
  --spec  the tool's spec_version [3.3]
  --bank  the bank's issuer URL [https://localhost:8443]
  --out   write the config to this file [standard output]
The bank flags that make every scenario pass are printed on standard error.`

const args = parseArgs(process.argv.slice(2), ['--tpp', '--auth', '--spec', '--bank', '--out'], USAGE)
const one = (k: string) => args.values.get(k)?.[0]
const auth = (one('--auth') ?? 'private_key_jwt') as OfficialToolAuth
if (auth !== 'private_key_jwt' && auth !== 'tls_client_auth')
  fail('--auth must be private_key_jwt or tls_client_auth', USAGE)
const spec = (one('--spec') ?? '3.3') as OfficialToolSpec
if (!OFFICIAL_TOOL_SPECS.includes(spec))
  fail(`--spec must be one of ${OFFICIAL_TOOL_SPECS.join(', ')} (the tool's)`, USAGE)
const { pki, tpp } = await tppFromArgs(args, USAGE)
let setup: Awaited<ReturnType<typeof officialToolSetup>>
try {
  setup = await officialToolSetup(pki, tpp, { auth, spec, bankUrl: one('--bank') ?? 'https://localhost:8443' })
} catch (e) {
  fail((e as Error).message, USAGE)
}
const json = `${JSON.stringify(setup.config, null, 2)}\n`
const out = one('--out')
if (out) writeFileSync(out, json, { mode: 0o600 })
else process.stdout.write(json)
const lines = [
  `official-tool-config: ${out ? `wrote ${out}` : 'config above'} for TPP "${tpp.name}", ${auth}, spec ${spec}`,
  'Start the bank with:',
  `  npm start -- ${setup.bankFlags.join(' ')}`,
  `Then run the tool: dcr -config-path ${out ?? 'config.json'}`,
  ...setup.warnings.map(w => `warning: ${w}`),
]
console.error(lines.join('\n'))
