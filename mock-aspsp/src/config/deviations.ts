/**
 * The deviations a bank instance runs with (`--deviation`, `OB_MOCK_DEVIATIONS`), checked against
 * its profile's registry (`profiles/uk_ob/deviations/`, `profiles/au_cdr/deviations.ts`).
 */

/** The switched-on deviations of one bank; `has()` is the only question rules ask. */
export class Deviations<N extends string = string> {
  private readonly on: ReadonlySet<N>
  constructor(
    names: readonly string[],
    private readonly known: Readonly<Record<string, unknown>>,
  ) {
    for (const n of names) {
      if (!Object.hasOwn(known, n)) {
        throw new Error(`unknown deviation "${n}"; known: ${Object.keys(known).join(', ')}`)
      }
    }
    this.on = new Set(names as N[])
  }
  has(name: N): boolean {
    return this.on.has(name)
  }
  get list(): N[] {
    return [...this.on]
  }
  /** The same deviations plus one (a deviation that implies another, e.g. PUT skipping a POST rule). */
  with(name: N): Deviations<N> {
    return new Deviations<N>([...this.on, name], this.known)
  }
}
