/**
 * NEG-JWT (catalogue §2.3): the signed registration request is refused when its media type, its
 * JWS form, its signature, its JOSE header or its claims are wrong — on POST /register, and the
 * same table again on PUT /register/{ClientId} (NEG-MGMT-24).
 */
import { declareRegistrationCases } from './cases.ts'
import { REQUEST_JWT_CASES } from './request_jwt_cases.ts'

declareRegistrationCases('@jwt', REQUEST_JWT_CASES)
