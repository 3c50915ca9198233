/** Argument parsing shared by the TPP developer CLIs (`npm run ssa | request | assertion`). */

import type { Claims } from '../../../fixtures/builders/jose.ts'
import { ensurePki, findTpp, type Pki, type SoftwareIdentity } from '../../../keys/pki.ts'

export interface CliArgs {
  values: Map<string, string[]>
  claims: Claims
}

/** `--name value`, `--name=value`, repeatable; `--claim k=v` (v parsed as JSON when it is JSON); `--drop k`. */
export function parseArgs(argv: string[], known: string[], usage: string): CliArgs {
  const values = new Map<string, string[]>()
  const claims: Claims = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--help' || arg === '-h') {
      console.log(usage)
      process.exit(0)
    }
    const eq = arg.indexOf('=')
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg
    const next = () => (eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i])
    if (name === '--claim') {
      const kv = next() ?? ''
      const at = kv.indexOf('=')
      if (at < 1) fail(`--claim needs key=value, got "${kv}"`, usage)
      const key = kv.slice(0, at)
      const raw = kv.slice(at + 1)
      try {
        claims[key] = JSON.parse(raw)
      } catch {
        claims[key] = raw
      }
    } else if (name === '--drop') {
      const key = next()
      if (!key) fail('--drop needs a claim name', usage)
      claims[key as string] = undefined
    } else if (known.includes(name)) {
      const v = next()
      if (v === undefined) fail(`${name} needs a value`, usage)
      values.set(name, [...(values.get(name) ?? []), v as string])
    } else {
      fail(`unknown option "${arg}"`, usage)
    }
  }
  return { values, claims }
}

export function fail(message: string, usage: string): never {
  console.error(`error: ${message}\n\n${usage}`)
  process.exit(2)
}

/** The PKI (generated on first use) and the TPP named by --tpp (default alpha): the test PKI's or one brought (npm run tpp -- add). */
export async function tppFromArgs(args: CliArgs, usage: string): Promise<{ pki: Pki; tpp: SoftwareIdentity }> {
  const pki = await ensurePki({ log: line => console.error(line) })
  const name = args.values.get('--tpp')?.[0] ?? 'alpha'
  const tpp = findTpp(pki, name)
  if (!tpp) {
    const known = [...Object.keys(pki.tpps), ...Object.keys(pki.byo)].join(', ')
    fail(`no TPP "${name}"; known: ${known} (add your own with npm run tpp -- add ${name} ...)`, usage)
  }
  return { pki, tpp }
}
