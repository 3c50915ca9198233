/** The heap guard collects past its ceiling and lets the ceiling follow the live heap. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { collectIfAbove } from '../src/shared/heap_guard.ts'

describe('collectIfAbove', () => {
  it('does nothing under the ceiling', () => {
    let collections = 0
    assert.equal(
      collectIfAbove(
        100,
        100,
        () => 80,
        () => collections++,
      ),
      100,
    )
    assert.equal(collections, 0)
  })
  it('collects past the ceiling; the ceiling returns to the floor when little is live', () => {
    let heap = 150
    let collections = 0
    const next = collectIfAbove(
      100,
      100,
      () => heap,
      () => {
        collections++
        heap = 30
      },
    )
    assert.equal(collections, 1)
    assert.equal(next, 100)
  })
  it('raises the ceiling to twice the live heap when the bank holds more (no collection loop)', () => {
    let heap = 300
    const next = collectIfAbove(
      100,
      100,
      () => heap,
      () => {
        heap = 250
      },
    )
    assert.equal(next, 500)
  })
})
