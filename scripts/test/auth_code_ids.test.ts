/** The auth-code tests, their ids and the deviations that name them agree with one another. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { AUTH_CODE_CHECKS, AUTH_CODE_IDS } from '../../fixtures/catalogue/auth_code_checks.ts'
import { CATALOGUE_IDS } from '../../fixtures/catalogue/checks.ts'
import { DEVIATIONS } from '../../mock-aspsp/src/profiles/uk_ob/deviations/index.ts'

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tests/auth-code')

/** The ids that start the titles of `test('<ID> ...'` calls in tests/auth-code. */
function titleIds(): string[] {
  const ids: string[] = []
  for (const f of readdirSync(dir).filter(n => n.endsWith('.spec.ts'))) {
    const text = readFileSync(path.join(dir, f), 'utf8')
    for (const m of text.matchAll(/\btest\(\s*['"`]((?:POS|NEG)-[A-Z]+-\d+) /g)) ids.push(m[1] as string)
  }
  return ids
}

describe('auth-code ids', () => {
  const ids = titleIds()
  it('every test carries a catalogue id or an auth-code id, each once', () => {
    assert.ok(ids.length >= 19, `${ids.length} tests found`)
    for (const id of ids) assert.ok(AUTH_CODE_IDS.has(id) || CATALOGUE_IDS.has(id), `${id} is in no catalogue`)
    assert.equal(new Set(ids).size, ids.length, `an id is used twice: ${ids.join(', ')}`)
  })
  it('every auth-code id has its test', () => {
    for (const c of AUTH_CODE_CHECKS) assert.ok(ids.includes(c.id), `${c.id} has no test`)
  })
  it('every auth-code deviation is guarded by tests that exist', () => {
    const own = Object.entries(DEVIATIONS).filter(([, d]) => d.area === 'auth-code')
    assert.ok(own.length >= 12)
    for (const [name, d] of own) {
      for (const id of d.caughtBy) assert.ok(ids.includes(id), `${name}: no test ${id} in tests/auth-code`)
    }
  })
})
