/** Error descriptions in RFC 6749's printable ASCII, and what discovery says the bank enforces. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { discoveryDocument } from '../src/actions/discovery.ts'
import { sanitizeDescription } from '../src/shared/errors.ts'
import { testBank } from './support.ts'

describe('sanitizeDescription (RFC 6749 §5.2; security review item 14)', () => {
  it('writes § as "section" and common punctuation in ASCII; anything else outside %x20-7E is "?"', () => {
    assert.equal(sanitizeDescription('RFC 7592 §2.2 and § 3'), 'RFC 7592 section 2.2 and section 3')
    assert.equal(sanitizeDescription('a → b … c — d ≤ e'), 'a -> b ... c - d <= e')
    assert.equal(sanitizeDescription('Zürich'), 'Z?rich')
    assert.match(sanitizeDescription('x § y'), /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/)
  })
})

describe('discovery advertises what the bank enforces (security review item 15)', () => {
  it('require_signed_request_object is true; require_pushed_authorization_requests says PAR is optional', () => {
    const doc = discoveryDocument(testBank())
    assert.equal(doc.require_signed_request_object, true)
    assert.equal(doc.require_pushed_authorization_requests, false)
  })
})
