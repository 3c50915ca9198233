/**
 * ID tokens (OIDC Core §2, §3.3.2.11) signed PS256 with the bank's key, and the hashes the flow
 * needs: PKCE S256 (RFC 7636 §4.2) and the left-half hashes `c_hash` / `s_hash` (OIDC Core
 * §3.3.2.11, FAPI 1 Advanced §5.2.2.1 item 5).
 */
import { createHash } from 'node:crypto'
import { SignJWT } from 'jose'
import type { Bank } from '../config/bank.ts'
import { epoch } from '../models/store.ts'

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url')

/** OIDC Core §3.3.2.11: base64url of the left half of the SHA-256 of the ASCII value (PS256 → SHA-256). */
export function leftHalfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}

/** The Open Banking ACR for a customer who passed strong customer authentication. */
export const ACR_SCA = 'urn:openbanking:psd2:sca'

export interface IdTokenInput {
  clientId: string
  intentId: string
  authTime: number
  nonce?: string
  /** Present in the front channel of `code id_token` (c_hash, s_hash). */
  code?: string
  state?: string
}

/**
 * An ID token for a consent: `sub` and `openbanking_intent_id` are the ConsentId (the OB
 * Security Profile's choice, which keeps the customer's identity out of the TPP's hands).
 */
export function signIdToken(bank: Bank, input: IdTokenInput): Promise<string> {
  const now = epoch()
  const claims: Record<string, unknown> = {
    auth_time: input.authTime,
    acr: ACR_SCA,
    openbanking_intent_id: input.intentId,
  }
  if (input.nonce !== undefined) claims.nonce = input.nonce
  if (input.code !== undefined) claims.c_hash = leftHalfHash(input.code)
  if (input.state !== undefined) claims.s_hash = leftHalfHash(input.state)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'PS256', kid: bank.signing.kid, typ: 'JWT' })
    .setIssuer(bank.endpoints.issuer)
    .setSubject(input.intentId)
    .setAudience(input.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + bank.options.accessTokenTtl)
    .sign(bank.signing.key)
}
