/** The README's AU CDR curl walk-through, run verbatim against a Data Holder with the mock CDR Register. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type RunningMock, startMock } from '../../mock-aspsp/src/server.ts'
import { readmeBlock, runBlock } from './readme_block.ts'

let mock: RunningMock
before(async () => {
  mock = await startMock({ port: 0, store: 'memory', profile: 'au-cdr' })
})
after(() => mock.close())

describe("README: Australia's Consumer Data Right walk-through", () => {
  it('gets an SSA from the Register, registers, gets a token, reads, updates and deletes, exactly as written', async () => {
    const out = await runBlock(readmeBlock('au-walkthrough'), mock.url)
    assert.match(out, /"client_id":"[0-9a-f-]{36}"/)
    assert.match(out, /"software_roles":"data-recipient-software-product"/)
    assert.match(out, /"token_type":"Bearer","expires_in":300,"scope":"cdr:registration"/)
    assert.match(out, /"redirect_uris":\["https:\/\/mercury\.adr\.example\/callback2"\]/)
    assert.match(out, /DELETE 204/)
    assert.match(out, /"error":"invalid_token".* GET 401/)
  })
})
