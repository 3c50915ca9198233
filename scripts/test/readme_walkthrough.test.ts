/** The README's curl walk-through, run verbatim (the block between the walkthrough markers) against a bank. */
import { after, before, describe, it } from 'node:test'
import { type RunningMock, startMock } from '../../mock-aspsp/src/server.ts'
import { assertDcrWalkthrough, readmeBlock, runBlock } from './readme_block.ts'

let mock: RunningMock
before(async () => {
  mock = await startMock({ port: 0, store: 'memory' })
})
after(() => mock.close())

describe('README: Try it with curl', () => {
  it('registers, gets a token, reads, updates and deletes, exactly as written', async () => {
    assertDcrWalkthrough(await runBlock(readmeBlock('walkthrough'), mock.url))
  })
})
