/**
 * Adversarial values for the fuzzer: hostile strings (unicode, NUL, RTL, path traversal, CRLF,
 * injection payloads, huge), JSON of every type, objects that break naive string conversion, and
 * nesting deep enough to overflow a recursive serialiser. `Deep` and `Huge` are markers that
 * `jsonText` writes without recursion, so the fuzzer itself never overflows.
 */
import fc from 'fast-check'

/** A value nested `depth` levels deep (`[[[...]]]` or `{"a":{"a":...}}`), written lazily. */
export class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
  ) {}
  toString(): string {
    return `Deep(${this.kind} × ${this.depth})`
  }
}

/** A string of `unit` repeated `count` times, written lazily. */
export class Huge {
  constructor(
    readonly unit: string,
    readonly count: number,
  ) {}
  get value(): string {
    return this.unit.repeat(this.count)
  }
  toString(): string {
    return `Huge(${JSON.stringify(this.unit)} × ${this.count})`
  }
}

/** Marks a member to delete. */
export const REMOVE = Symbol('remove')

/** JSON text of a value that may hold `Deep` and `Huge` markers; never recurses into a `Deep`. */
export function jsonText(value: unknown): string {
  if (value instanceof Deep) {
    return value.kind === 'array'
      ? `${'['.repeat(value.depth)}${']'.repeat(value.depth)}`
      : `${'{"a":'.repeat(value.depth)}null${'}'.repeat(value.depth)}`
  }
  if (value instanceof Huge) return JSON.stringify(value.value)
  if (Array.isArray(value)) return `[${value.map(v => jsonText(v)).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== REMOVE && v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null'
  // Only recipes (never the wire) hold REMOVE; show it in reproducers.
  if (value === REMOVE) return '"<remove>"'
  return JSON.stringify(value) ?? 'null'
}

/** Short, printable description of a value for reproducers. */
export function brief(value: unknown, max = 120): string {
  let s: string
  try {
    s = value instanceof Deep || value instanceof Huge ? String(value) : jsonText(value)
  } catch {
    s = String(value)
  }
  return s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s
}

/** Strings that have broken parsers, loggers, path handling and header writers elsewhere. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202eevil\u202c',
  '\u200b',
  '\ufeff',
  '\ud83d\ude00',
  '👩‍👩‍👧‍👦',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  'ﷺ',
  '𝕿𝖊𝖘𝖙',
  'ÅÍÎÏ˝ÓÔÒÚÆ☃',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '/dev/zero',
  '%00',
  '%',
  '%zz',
  '\r\nX-Injected: 1',
  '\n',
  '\\',
  '"',
  "'; DROP TABLE clients; --",
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection payload, meant literally
  '${jndi:ldap://127.0.0.1:1/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'NaN',
  'null',
  'undefined',
  'true',
  '-1',
  '1e309',
  'https://127.0.0.1:1/jwks',
  'https://localhost:1/../../etc/passwd',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/plain,a',
] as const

/** Keys that collide with Object.prototype or have meaning to naive merging code. */
export const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '',
] as const

export const hugeString = fc
  .tuple(
    fc.constantFrom('a', 'é', '😀', '\u0000', '\u202e', '%', '.', ' '),
    fc.oneof(fc.integer({ min: 1000, max: 20_000 }), fc.integer({ min: 60_000, max: 140_000 })),
  )
  .map(([unit, count]) => new Huge(unit, count))

export const deepValue = fc
  .tuple(
    fc.oneof(fc.integer({ min: 2, max: 64 }), fc.integer({ min: 500, max: 12_000 })),
    fc.constantFrom('array' as const, 'object' as const),
  )
  .map(([depth, kind]) => new Deep(depth, kind))

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
)

/** Objects whose members shadow the conversions naive code calls (`String(x)`, `${x}`, `x.length`). */
export const poisonObject = fc.constantFrom<Record<string, unknown>>(
  { toString: 1, valueOf: 1 },
  { toString: 'x' },
  { toJSON: 1 },
  { length: -1 },
  { length: 2 ** 53 },
  JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>,
  { constructor: { prototype: { polluted: true } } },
  // biome-ignore lint/suspicious/noThenProperty: a thenable-looking claim is one of the poisons
  { then: 1 },
  {},
)

/** Any JSON-ish value, small or hostile. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deepValue },
  { weight: 2, arbitrary: poisonObject },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom(0, -1, 2 ** 53, -(2 ** 53), 1e308, -1e308, 1.5, Number.MAX_SAFE_INTEGER + 2),
      fc.boolean(),
      fc.constant(null),
    ),
  },
  { weight: 2, arbitrary: fc.array(nastyString, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(poisonObject, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
)

/** Base64url-ish strings and raw garbage for JWS segments and tokens. */
export const garbageToken = fc.oneof(
  fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
    maxLength: 200,
  }),
  fc.string({ unit: fc.constantFrom(...'ABCxyz019+/=.-_ %'), maxLength: 80 }),
  nastyString,
  hugeString.map(h => h.value),
)

/** Header values Node's client will send (no CR, LF, NUL or characters above U+00FF). */
export const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')
