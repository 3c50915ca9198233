/**
 * Named deviations: each breaks exactly one rule of the strict mock, the way real banks have been
 * seen to. They exist to test the tests: the sensitivity self-test (scripts/sensitivity.ts) runs
 * the tests named in `caughtBy` against a mock with the deviation and counts it caught only when
 * such a test, having passed against the conformant mock in the same run, fails at a check whose
 * spec reference is one of `refs` (OB DCR, RFCs as cited).
 *
 * The anti-banks (area `anti-bank`) break everything of one operation at once: they prove that
 * no test passes whose verdict depends on that operation (`passesNone`).
 *
 * Switch one on with `--deviation <name>` (repeatable) or `OB_MOCK_DEVIATIONS=a,b`.
 *
 * One file per area, named after it (the area column of DEVIATIONS.md): `request_jwt.ts`, `ssa.ts`,
 * `metadata.ts`, `management.ts`, `token.ts`, `auth_code.ts`, `transport.ts`, `error_format.ts`,
 * `discovery.ts`, `anti_banks.ts`; each names the rule files, suite specs and unit tests of its area.
 * This module assembles them into the registry.
 */
import type { ProfileDeviation } from '../../profile.ts'
import { ANTI_BANKS } from './anti_banks.ts'
import { AUTH_CODE_DEVIATIONS } from './auth_code.ts'
import { DISCOVERY_DEVIATIONS } from './discovery.ts'
import { ERROR_FORMAT_DEVIATIONS } from './error_format.ts'
import { MANAGEMENT_DEVIATIONS } from './management.ts'
import { METADATA_DEVIATIONS } from './metadata.ts'
import { REQUEST_JWT_DEVIATIONS } from './request_jwt.ts'
import { SSA_DEVIATIONS } from './ssa.ts'
import { TOKEN_DEVIATIONS } from './token.ts'
import { TRANSPORT_DEVIATIONS } from './transport.ts'

/** A deviation of the UK profile: the fields every profile's deviation has, in one of the UK areas (one file each here). */
export interface Deviation extends ProfileDeviation {
  /** The area of the rule, for the report. */
  area:
    | 'request-jwt'
    | 'ssa'
    | 'metadata'
    | 'management'
    | 'token'
    | 'transport'
    | 'error-format'
    | 'auth-code'
    | 'discovery'
    | 'anti-bank'
}

const BY_AREA = {
  ...REQUEST_JWT_DEVIATIONS,
  ...SSA_DEVIATIONS,
  ...METADATA_DEVIATIONS,
  ...MANAGEMENT_DEVIATIONS,
  ...TOKEN_DEVIATIONS,
  ...AUTH_CODE_DEVIATIONS,
  ...TRANSPORT_DEVIATIONS,
  ...ERROR_FORMAT_DEVIATIONS,
  ...DISCOVERY_DEVIATIONS,
}

/**
 * The deviations the security review added (catalogue §2.10), each in its area's file: the registry
 * lists them after all the others, in the order they were found, as it always has (DEVIATIONS.md,
 * proven_by.json and the sensitivity run follow the registry's order).
 */
const FOUND_BY_REVIEW = [
  'register-any-subject-dn',
  'accept-assertion-over-foreign-cert',
  'ignore-assertion-crit',
  'skip-mtls-at-auxiliary-endpoints',
  'consume-refresh-before-validation',
  'accept-future-ssa-nbf',
  'accept-unbounded-request-lifetime',
  'redeem-grant-over-foreign-cert',
  'skip-bound-cert-trust',
] as const satisfies readonly (keyof typeof BY_AREA)[]

/** `all` with the keys of `last` moved to its end, in that order. */
function listedLast<T extends object>(all: T, last: readonly (keyof T)[]): T {
  const rest = Object.entries(all).filter(([name]) => !last.includes(name as keyof T))
  return Object.fromEntries([...rest, ...last.map(name => [name, all[name]])]) as T
}

/** The UK registry: the areas in the order of the report, the security review's, then the anti-banks. */
export const DEVIATIONS = { ...listedLast(BY_AREA, FOUND_BY_REVIEW), ...ANTI_BANKS }

/**
 * Catalogue ids whose rule cannot be broken in the mock, with the reason (the sensitivity report's
 * catalogue table shows it in place of the deviations that prove the id).
 */
export const UNBREAKABLE: Readonly<Record<string, string>> = {
  'NEG-TOK-06':
    "the one audience the test requires is the one the target file names, and every token request of the suite (the test's own precondition among them) signs its assertion for it: a bank that refused it would leave the test inconclusive, never failed. The other audiences it tries are reported as warnings, by design.",
}

export type DeviationName = keyof typeof DEVIATIONS

/** A deviation's entry, typed as the interface (the registry itself keeps its literal types). */
export const deviation = (name: DeviationName): Deviation => DEVIATIONS[name]

export function isDeviationName(name: string): name is DeviationName {
  return Object.hasOwn(DEVIATIONS, name)
}
