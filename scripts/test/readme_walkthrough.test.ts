/** The README's curl walk-through, run verbatim (the block between the walkthrough markers) against a bank. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type RunningMock, startMock } from '../../mock-aspsp/src/server.ts'
import { readmeBlock, runBlock } from './readme_block.ts'

let mock: RunningMock
before(async () => {
  mock = await startMock({ port: 0, store: 'memory' })
})
after(() => mock.close())

describe('README: Try it with curl', () => {
  it('registers, gets a token, reads, updates and deletes, exactly as written', async () => {
    const out = await runBlock(readmeBlock('walkthrough'), mock.url)
    assert.match(out, /"registration_endpoint":"https:\/\/localhost:\d+\/register"/)
    assert.match(out, /"client_id":"[0-9a-f-]{36}"/)
    assert.match(out, /"token_type":"Bearer"/)
    assert.match(out, /"redirect_uris":\["https:\/\/alpha\.tpp\.example\/callback2"\]/)
    assert.match(out, /DELETE 204/)
    assert.match(out, /"error":"invalid_token".* GET 401/)
  })
})
