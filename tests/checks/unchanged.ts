/**
 * Checks that a refusal changed nothing (RFC 7592 §2.2: a refused update leaves the client as it
 * was; RFC 7592 §2.3: a refused delete leaves it registered).
 */
import { expect, test } from '@playwright/test'
import type { Exchange } from '../../fixtures/clients/exchange.ts'
import { bodyOf } from './registration.ts'

/** Members that may legitimately differ between two reads of the same client (RFC 7592 §3: the RAT may rotate). */
const VOLATILE = new Set(['registration_access_token', 'client_secret', 'client_secret_expires_at'])

const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : typeof v === 'object' && v !== null
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v

/** RFC 7592 §2.2: the client read after a refused update is the client read before it, member by member. */
export async function checkClientUnchanged(before: Exchange, after: Exchange, ref = 'RFC7592-2.2') {
  await test.step(
    `the client read after the refusal equals the client read before it [${ref}]`,
    async () => {
      const a = bodyOf(before)
      const b = bodyOf(after)
      const members = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(m => !VOLATILE.has(m)).sort()
      const changed = members.filter(m => JSON.stringify(canonical(a[m])) !== JSON.stringify(canonical(b[m])))
      expect
        .soft(
          changed,
          `changed by the refused request: ${changed.map(m => `${m} ${JSON.stringify(a[m])} → ${JSON.stringify(b[m])}`).join('; ')}`,
        )
        .toEqual([])
    },
    { box: true },
  )
}
