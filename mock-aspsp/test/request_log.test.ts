/**
 * `--log`: one line per request with the status, the error code of a refusal and the client, and
 * never a credential (access token, client assertion, registration JWT).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clientAssertion } from '../../fixtures/builders/client_assertion.ts'
import { startMock } from '../src/server.ts'
import { call, form, pki, signedRequest, softwareSigner } from './support.ts'

describe('--log', () => {
  it('names the error code and the client, and no token or JWT', async () => {
    const mock = await startMock({ port: 0, store: 'memory', pki, log: true })
    const lines: string[] = []
    const original = console.error
    console.error = (...args: unknown[]) => {
      lines.push(args.join(' '))
    }
    const secrets: string[] = []
    try {
      const request = await signedRequest()
      secrets.push(request)
      const reg = await call(mock, {
        method: 'POST',
        path: '/register',
        headers: { 'content-type': 'application/jose' },
        body: request,
      })
      const clientId = String(reg.json.client_id)
      const assertion = await clientAssertion(clientId, `${mock.url}/token`, softwareSigner(), { exp: '+2d' })
      secrets.push(assertion)
      const auth = {
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_id: clientId,
      }
      await call(mock, {
        method: 'POST',
        path: '/token',
        ...form({ grant_type: 'client_credentials', ...auth, client_assertion: assertion }),
      })
      const good = await clientAssertion(clientId, `${mock.url}/token`, softwareSigner())
      secrets.push(good)
      const token = await call(mock, {
        method: 'POST',
        path: '/token',
        ...form({ grant_type: 'client_credentials', ...auth, client_assertion: good }),
      })
      secrets.push(String(token.json.access_token))
      await call(mock, {
        path: `/register/${clientId}`,
        headers: { authorization: `Bearer ${token.json.access_token}` },
      })
      await call(mock, { path: '/open-banking/v3.1/aisp/accounts', headers: { authorization: 'Bearer nonsense' } })

      assert.match(lines[0] ?? '', new RegExp(`POST /register 201 client=${clientId} \\d+\\.\\dms$`))
      assert.match(lines[1] ?? '', new RegExp(`POST /token 400 invalid_client client\\?=${clientId} `))
      assert.match(lines[2] ?? '', new RegExp(`POST /token 200 client=${clientId} `))
      assert.match(lines[3] ?? '', new RegExp(`GET /register/${clientId} 200 client=${clientId} `))
      assert.match(lines[4] ?? '', / 401 invalid_token \d/)
      for (const line of lines)
        for (const secret of secrets) assert.ok(!line.includes(secret), `a credential in: ${line}`)
    } finally {
      console.error = original
      await mock.close()
    }
  })
})
