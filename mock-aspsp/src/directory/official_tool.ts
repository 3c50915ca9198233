/**
 * The configuration file of the official UK DCR conformance tool (OpenBankingUK/conformance-dcr
 * v1.3.1, `dcr -config-path config.json`) for a TPP of this bank's directory, and the bank flags
 * under which every one of its scenarios passes for one client authentication method.
 *
 * What the tool does that matters here (read from its source): it registers with ONE software
 * statement for every scenario; it picks `tls_client_auth` whenever discovery offers it, else
 * `private_key_jwt`; its client assertions live 30 minutes and carry no `kid`; it writes
 * `tls_client_auth_subject_dn` with Go's `pkix.Name`, which leaves out attributes Go has no
 * field for, organizationIdentifier among them.
 */
import { readFileSync } from 'node:fs'
import { signerFromFile } from '../../../fixtures/builders/jose.ts'
import { mintSsa } from '../../../fixtures/builders/ssa.ts'
import type { Pki, SoftwareIdentity } from '../../../keys/pki.ts'

/** The spec versions the tool runs (`spec_version`: its DCR32 and DCR33 manifests). */
export const OFFICIAL_TOOL_SPECS = ['3.2', '3.3'] as const
export type OfficialToolSpec = (typeof OFFICIAL_TOOL_SPECS)[number]
export type OfficialToolAuth = 'private_key_jwt' | 'tls_client_auth'

/** The tool's config file, member for member (JSON names of its Config struct). */
export interface OfficialToolConfig {
  spec_version: OfficialToolSpec
  wellknown_endpoint: string
  ssa: string
  kid: string
  aud: string
  redirect_uris: string[]
  issuer: string
  private_key: string
  transport_root_cas: string[]
  transport_cert: string
  transport_key: string
  get_implemented: boolean
  put_implemented: boolean
  delete_implemented: boolean
  environment: string
  brand: string
}

export interface OfficialToolSetup {
  config: OfficialToolConfig
  /** `npm start -- <these>`: the bank under which every scenario passes for `auth`. */
  bankFlags: string[]
  /** What the tool will not manage with this identity, in words. */
  warnings: string[]
}

/**
 * The tool's config for `tpp` against the bank at `bankUrl` (its issuer), and the bank's flags:
 * only `auth` offered (the tool takes tls_client_auth whenever it may), the spec version the tool
 * runs, and for private_key_jwt `--try-keys-without-kid` (its assertions carry no kid; their 30
 * minutes are within the default `--max-assertion-lifetime`).
 */
export async function officialToolSetup(
  pki: Pki,
  tpp: SoftwareIdentity,
  opts: { auth: OfficialToolAuth; spec: OfficialToolSpec; bankUrl: string },
): Promise<OfficialToolSetup> {
  const warnings: string[] = []
  if (tpp.signing.alg !== 'PS256') {
    throw new Error(
      `the tool signs with an RSA key only (it parses private_key as RSA); TPP "${tpp.name}" signs ${tpp.signing.alg}`,
    )
  }
  if (opts.auth === 'tls_client_auth' && tpp.certificateProfile === 'OBWAC') {
    warnings.push(
      `the tool writes tls_client_auth_subject_dn with Go's pkix.Name, which drops organizationIdentifier: TPP "${tpp.name}" has an OBWAC certificate, so the DN it registers is not its certificate's and tls_client_auth will be refused. Use --auth private_key_jwt, or a TPP with an OBTransport certificate (alpha).`,
    )
  }
  const { directory } = pki
  const ssa = await mintSsa(tpp, {
    issuer: directory.issuer,
    signer: signerFromFile(directory.signing.keyPath, directory.signing.kid, directory.signing.alg),
  })
  const url = new URL(opts.bankUrl)
  const bankFlags = [`--auth-methods ${opts.auth}`, `--spec ${opts.spec}`]
  if (opts.auth === 'private_key_jwt') bankFlags.push('--try-keys-without-kid')
  if (url.hostname !== 'localhost') bankFlags.push(`--host ${url.hostname}`)
  if (url.port && url.port !== '8443') bankFlags.push(`--port ${url.port}`)
  const pem = (file: string) => readFileSync(file, 'utf8')
  return {
    config: {
      spec_version: opts.spec,
      wellknown_endpoint: `${opts.bankUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`,
      ssa,
      kid: tpp.signing.kid,
      aud: pki.aspsp.orgId,
      redirect_uris: [tpp.redirectUris[0] as string],
      issuer: tpp.softwareId,
      private_key: pem(tpp.signing.keyPath),
      // The tool's trust anchors for the bank's server certificate (the test CA issues it).
      transport_root_cas: [pem(pki.ca.certPath)],
      transport_cert: pem(tpp.transport.certPath),
      transport_key: pem(tpp.transport.keyPath),
      get_implemented: true,
      put_implemented: true,
      delete_implemented: true,
      environment: 'sandbox',
      brand: 'OB DCR conformance mock bank',
    },
    bankFlags,
    warnings,
  }
}
