/** The bank's DCR profiles, by name (`--profile`). */
import { auCdr } from './au_cdr/index.ts'
import type { BankProfile, ProfileName } from './profile.ts'
import { ukOb } from './uk_ob/index.ts'

export const PROFILES: Readonly<Record<ProfileName, BankProfile>> = { 'uk-ob': ukOb, 'au-cdr': auCdr }

export function profileFor(name: ProfileName): BankProfile {
  return PROFILES[name]
}
