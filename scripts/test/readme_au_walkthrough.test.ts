/** The README's AU CDR curl walk-through, run verbatim against a Data Holder with the mock CDR Register. */
import { after, before, describe, it } from 'node:test'
import { type RunningMock, startMock } from '../../mock-aspsp/src/server.ts'
import { assertAuWalkthrough, readmeBlock, runBlock } from './readme_block.ts'

let mock: RunningMock
before(async () => {
  mock = await startMock({ port: 0, store: 'memory', profile: 'au-cdr' })
})
after(() => mock.close())

describe("README: Australia's Consumer Data Right walk-through", () => {
  it('gets an SSA from the Register, registers, gets a token, reads, updates and deletes, exactly as written', async () => {
    assertAuWalkthrough(await runBlock(readmeBlock('au-walkthrough'), mock.url))
  })
})
