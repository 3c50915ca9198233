/**
 * NEG-SSA (catalogue §2.4): a registration is refused when its software statement is missing,
 * malformed, untrusted, expired, incomplete, of an inactive organisation, or contradicted by the
 * request; the choices OB DCR leaves to the bank (SSA reuse, several clients per software) are
 * asserted as the target declares them — on POST /register, and again on PUT (NEG-MGMT-24).
 */
import { declareRegistrationCases } from './cases.ts'
import { SSA_CASES } from './ssa_cases.ts'

declareRegistrationCases('@ssa', SSA_CASES)
