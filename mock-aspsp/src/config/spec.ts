/**
 * What changes between UK OB DCR spec versions 3.1–3.4 (data dictionaries and OpenAPI files in
 * shared/specs/obie). Rules read the profile; they never compare version strings themselves.
 */
import type { SpecVersion } from './defaults.ts'

export interface SpecProfile {
  version: SpecVersion
  /** Name of the subject-DN metadata: 3.1 `tls_client_auth_dn`, later `tls_client_auth_subject_dn`. */
  dnClaim: 'tls_client_auth_dn' | 'tls_client_auth_subject_dn'
  /** 3.1 OpenAPI: scope is an array of strings; 3.2+: a space-separated string (≤ 256). */
  scopeIsArray: boolean
  /** Longest DN: 128 characters until 3.3, 512 in 3.4. */
  dnMaxLength: number
  /** 3.4 OpenAPI pattern for the subject DN (starts with CN=). */
  dnPattern: RegExp | undefined
  applicationTypes: readonly string[]
  /** grant_types enum of the version's OpenAPI. */
  grantTypes: readonly string[]
  /** CIBA registration metadata exists from 3.3. */
  ciba: boolean
  /** The media type the version's Swagger names for the request (both are accepted). */
  mediaType: 'application/jwt' | 'application/jose'
}

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba'
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const BASE_GRANTS = ['client_credentials', 'authorization_code', 'refresh_token'] as const

export const SPEC_PROFILES: Record<SpecVersion, SpecProfile> = {
  '3.1': {
    version: '3.1',
    dnClaim: 'tls_client_auth_dn',
    scopeIsArray: true,
    dnMaxLength: 128,
    dnPattern: undefined,
    applicationTypes: ['web', 'mobile'],
    grantTypes: BASE_GRANTS,
    ciba: false,
    mediaType: 'application/jwt',
  },
  '3.2': {
    version: '3.2',
    dnClaim: 'tls_client_auth_subject_dn',
    scopeIsArray: false,
    dnMaxLength: 128,
    dnPattern: undefined,
    applicationTypes: ['web', 'mobile'],
    grantTypes: BASE_GRANTS,
    ciba: false,
    mediaType: 'application/jose',
  },
  '3.3': {
    version: '3.3',
    dnClaim: 'tls_client_auth_subject_dn',
    scopeIsArray: false,
    dnMaxLength: 128,
    dnPattern: undefined,
    applicationTypes: ['web', 'mobile'],
    grantTypes: [...BASE_GRANTS, CIBA_GRANT],
    ciba: true,
    mediaType: 'application/jose',
  },
  '3.4': {
    version: '3.4',
    dnClaim: 'tls_client_auth_subject_dn',
    scopeIsArray: false,
    dnMaxLength: 512,
    // The OpenAPI pattern is ^(?=.{1,512}$)[Cc][Nn]=[^,]+(?:,[^,\s]+=[^,]+)*$ ; as written it
    // backtracks exponentially on a failing DN such as "CN=a" + ",a=b=c" × 44 + "," (a 270-byte
    // claim held the event loop past the fuzzer's 10 s limit). This form accepts exactly the same
    // strings: in each ",name=value" the name is cut at its first "=" after the first character
    // (which "=" the original picks never changes the outcome), so there is one way to match.
    dnPattern: /^(?=.{1,512}$)[Cc][Nn]=[^,]+(?:,[^,\s][^,\s=]*=[^,]+)*$/,
    applicationTypes: ['web', 'native'],
    grantTypes: [...BASE_GRANTS, CIBA_GRANT, JWT_BEARER_GRANT],
    ciba: true,
    mediaType: 'application/jose',
  },
}

export { CIBA_GRANT, JWT_BEARER_GRANT }
