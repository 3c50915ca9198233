/**
 * NEG-META (catalogue §2.5): a registration is refused when its client metadata break the OB DCR
 * data dictionary of the target's version, RFC 7591, RFC 8705 or FAPI; where the catalogue leaves
 * the answer to the bank ("profile"), a refusal or a correct default passes and the report says
 * which — on POST /register, and again on PUT /register/{ClientId} (NEG-MGMT-24).
 */
import { declareRegistrationCases } from './cases.ts'
import { METADATA_CASES } from './metadata_cases.ts'

declareRegistrationCases('@metadata', METADATA_CASES)
