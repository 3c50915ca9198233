/**
 * `npm run -s request-object -- --client-id <id> --intent <ConsentId> [...]`: prints, as shell
 * assignments for `eval`, a signed request object (PS256, PKCE S256, openbanking_intent_id), its
 * code verifier, state and nonce, and the /authorize URL that carries it by value.
 */
import {
  pkcePair,
  type ResponseType,
  requestObjectClaims,
  signRequestObject,
} from '../../../fixtures/builders/authorization.ts'
import { signerFromFile } from '../../../fixtures/builders/jose.ts'
import { fail, parseArgs, tppFromArgs } from './args.ts'

const USAGE = `usage: npm run -s request-object -- --client-id <client_id> --intent <ConsentId> [--tpp alpha]
                          [--issuer https://localhost:8443] [--redirect-uri <uri>]
                          [--response-type "code id_token"|code] [--claim key=value ...] [--drop key]
  --client-id      the client_id the bank returned at registration
  --intent         the ConsentId of the account-access consent (openbanking_intent_id)
  --tpp            the TPP whose software key signs it [alpha]
  --issuer         the bank's issuer: the request object's aud [https://localhost:8443]
  --redirect-uri   one of the client's registered redirect URIs [the TPP's first]
  --response-type  code id_token (fragment) or code (query) [code id_token]
  --claim, --drop  set or remove a claim (exp=-5m style relative times work)
Prints REQUEST_OBJECT, CODE_VERIFIER, STATE, NONCE and AUTHORIZE_URL as shell assignments.`

const args = parseArgs(
  process.argv.slice(2),
  ['--client-id', '--intent', '--tpp', '--issuer', '--redirect-uri', '--response-type'],
  USAGE,
)
const { tpp } = await tppFromArgs(args, USAGE)
const one = (k: string) => args.values.get(k)?.[0]
const clientId = one('--client-id') ?? fail('--client-id is required', USAGE)
const intentId = one('--intent') ?? fail('--intent is required', USAGE)
const issuer = (one('--issuer') ?? 'https://localhost:8443').replace(/\/+$/, '')
const responseType = (one('--response-type') ?? 'code id_token') as ResponseType
if (responseType !== 'code' && responseType !== 'code id_token')
  fail('--response-type must be code or "code id_token"', USAGE)
const pkce = pkcePair()
const claims = requestObjectClaims({
  clientId,
  issuer,
  redirectUri: one('--redirect-uri') ?? (tpp.redirectUris[0] as string),
  intentId,
  codeChallenge: pkce.challenge,
  responseType,
  claims: args.claims,
})
const jws = await signRequestObject(claims, signerFromFile(tpp.signing.keyPath, tpp.signing.kid, tpp.signing.alg))
const url = `${issuer}/authorize?${new URLSearchParams({ client_id: clientId, request: jws })}`
/** Single quotes keep every value literal in sh, bash and zsh. */
const quote = (v: unknown) => `'${String(v ?? '').replaceAll("'", "'\\''")}'`
process.stdout.write(
  [
    `REQUEST_OBJECT=${quote(jws)}`,
    `CODE_VERIFIER=${quote(pkce.verifier)}`,
    `STATE=${quote(claims.state)}`,
    `NONCE=${quote(claims.nonce)}`,
    `AUTHORIZE_URL=${quote(url)}`,
    '',
  ].join('\n'),
)
