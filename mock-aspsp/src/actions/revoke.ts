/**
 * `POST /revoke` (RFC 7009), client-authenticated; revokes only the client's own tokens, answers
 * 200 for any. A refresh token takes the access tokens of its grant with it (§2.1: "SHOULD also
 * invalidate all access tokens based on the same authorization grant"); an access token goes alone.
 */
import type { Context } from 'koa'
import type { Bank } from '../config/bank.ts'
import { findToken, tokenGrants } from '../oauth/tokens.ts'
import { readForm } from '../shared/body.ts'
import { authenticateClient } from '../shared/client_auth.ts'
import { InvalidRequest } from '../shared/errors.ts'

export async function revoke(ctx: Context): Promise<void> {
  const bank: Bank = ctx.bank
  const params = await readForm(ctx, bank.options.maxBodyBytes, 'revocation')
  const { client } = await authenticateClient(ctx, params, bank.endpoints.revocation)
  if (!params.token) throw new InvalidRequest('token is required (RFC 7009 §2.1)')
  const record = findToken(bank, params.token)
  // RFC 7009 §2.1: only the client's own tokens are revoked; §2.2: the answer is 200 whether the
  // token was unknown, already invalid or another client's, so that it tells nothing about it.
  if (record && record.clientId === client.clientId) {
    bank.store.revokeToken(record.hash, record)
    if (record.kind === 'refresh') for (const grant of tokenGrants) grant.revokeWithRefreshToken(bank, record)
  }
  ctx.status = 200
  ctx.body = ''
}
