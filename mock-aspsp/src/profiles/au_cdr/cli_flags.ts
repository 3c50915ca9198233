/** The command-line flags of the AU CDR profile's options (documented in `defaults.ts` beside them). */
import { type Flag, int, oneOf } from '../../cli.ts'

export const CDR_FLAGS: Flag[] = [
  {
    flag: '--cdr-duplicate-error',
    env: 'OB_MOCK_CDR_DUPLICATE_ERROR',
    help: 'au-cdr: error code of a second registration of a software_id',
    takesValue: true,
    apply: (o, v) =>
      (o.cdr.duplicateError = oneOf('--cdr-duplicate-error', v, [
        'invalid_client_metadata',
        'invalid_software_statement',
      ] as const)),
    shows: o => o.cdr.duplicateError,
  },
  {
    flag: '--cdr-unknown-signer-error',
    env: 'OB_MOCK_CDR_UNKNOWN_SIGNER_ERROR',
    help: 'au-cdr: error code of an SSA signed by a key the Register does not publish',
    takesValue: true,
    apply: (o, v) =>
      (o.cdr.unknownSignerError = oneOf('--cdr-unknown-signer-error', v, [
        'invalid_software_statement',
        'unapproved_software_statement',
      ] as const)),
    shows: o => o.cdr.unknownSignerError,
  },
  {
    flag: '--cdr-jarm-alg-default',
    env: 'OB_MOCK_CDR_JARM_ALG_DEFAULT',
    help: 'au-cdr: register PS256 when authorization_signed_response_alg is omitted (else refused)',
    takesValue: false,
    apply: o => (o.cdr.jarmSigningAlgDefault = true),
    shows: o => String(o.cdr.jarmSigningAlgDefault),
  },
  {
    flag: '--cdr-id-token-encryption',
    env: 'OB_MOCK_CDR_ID_TOKEN_ENCRYPTION',
    help: 'au-cdr: id_token_encrypted_response_* with response type code: refuse or ignore',
    takesValue: true,
    apply: (o, v) =>
      (o.cdr.idTokenEncryptionWithCode = oneOf('--cdr-id-token-encryption', v, ['refuse', 'ignore'] as const)),
    shows: o => o.cdr.idTokenEncryptionWithCode,
  },
  {
    flag: '--cdr-redirect-same-host',
    env: 'OB_MOCK_CDR_REDIRECT_SAME_HOST',
    help: "au-cdr: refuse an SSA whose redirect_uris are on different hosts (WSO2's rule)",
    takesValue: false,
    apply: o => (o.cdr.ssaRedirectsSameHost = true),
    shows: o => String(o.cdr.ssaRedirectsSameHost),
  },
  {
    flag: '--cdr-redirect-https-only',
    env: 'OB_MOCK_CDR_REDIRECT_HTTPS_ONLY',
    help: "au-cdr: refuse an SSA with a non-https redirect URI (WSO2's rule)",
    takesValue: false,
    apply: o => (o.cdr.ssaRedirectsHttpsOnly = true),
    shows: o => String(o.cdr.ssaRedirectsHttpsOnly),
  },
  {
    flag: '--cdr-no-jarm-encryption',
    env: 'OB_MOCK_CDR_NO_JARM_ENCRYPTION',
    help: 'au-cdr: do not offer JARM response encryption',
    takesValue: false,
    apply: o => (o.cdr.jarmEncryption = false),
    shows: o => String(!o.cdr.jarmEncryption),
  },
  {
    flag: '--cdr-ssa-ttl',
    env: 'OB_MOCK_CDR_SSA_TTL',
    help: 'au-cdr: lifetime of the SSAs the mock Register issues, seconds',
    takesValue: true,
    apply: (o, v) => (o.cdr.ssaTtl = int('--cdr-ssa-ttl', v)),
    shows: o => String(o.cdr.ssaTtl),
  },
  {
    flag: '--cdr-register-token-ttl',
    env: 'OB_MOCK_CDR_REGISTER_TOKEN_TTL',
    help: "au-cdr: lifetime of the mock Register's access tokens, seconds",
    takesValue: true,
    apply: (o, v) => (o.cdr.registerTokenTtl = int('--cdr-register-token-ttl', v)),
    shows: o => String(o.cdr.registerTokenTtl),
  },
]
