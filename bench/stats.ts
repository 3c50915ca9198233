/**
 * The statistics that let a benchmark on a shared machine decide: a 95 % confidence interval for
 * a ratio measured in paired rounds, and the verdict of a target against it.
 *
 * Each round measures ours and the peer back to back, so whatever else the machine was doing
 * slowed both sides of the pair alike; the per-round ratios are what varies less. Ratios are
 * averaged on the log scale (a 2× and a 0.5× round cancel out), with Student's t for the few
 * rounds there are: the interval is exp(mean ± t(0.975, n−1) · sd / √n) of the log ratios.
 */

/** Student's t, two-sided 95 % (the 0.975 quantile), for 1 to 30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
]

/** The 0.975 quantile of Student's t with `df` degrees of freedom (beyond 30: interpolated in 1/df towards 1.960). */
export function t975(df: number): number {
  if (!(df >= 1)) return Number.POSITIVE_INFINITY
  if (df <= 30) return T975[Math.floor(df) - 1] as number
  // 30 → 2.042, ∞ → 1.960, linear in 1/df (exact to the third decimal at 40, 60, 120).
  return 1.96 + (2.042 - 1.96) * (30 / df)
}

/** A ratio with its 95 % confidence interval. */
export interface Interval {
  /** Rounds it rests on. */
  n: number
  /** The geometric mean of the per-round ratios. */
  estimate: number
  lo: number
  hi: number
  /** The interval's half-width relative to the estimate: 0.05 means ±5 %. Infinity below two rounds. */
  halfWidth: number
}

/** The 95 % interval of the geometric mean of positive ratios (one per round). */
export function ratioInterval(ratios: readonly number[]): Interval | undefined {
  const logs = ratios.filter(r => Number.isFinite(r) && r > 0).map(Math.log)
  const n = logs.length
  if (n === 0) return undefined
  const mean = logs.reduce((a, b) => a + b, 0) / n
  if (n === 1) {
    const e = Math.exp(mean)
    return { n, estimate: e, lo: 0, hi: Number.POSITIVE_INFINITY, halfWidth: Number.POSITIVE_INFINITY }
  }
  const variance = logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)
  const h = t975(n - 1) * Math.sqrt(variance / n)
  return { n, estimate: Math.exp(mean), lo: Math.exp(mean - h), hi: Math.exp(mean + h), halfWidth: Math.exp(h) - 1 }
}

/** The per-round ratios of two paired series (same round index), `top / bottom`. */
export function pairedRatios(
  top: ReadonlyMap<number, number>,
  bottom: ReadonlyMap<number, number>,
): { round: number; ratio: number }[] {
  const out: { round: number; ratio: number }[] = []
  for (const [round, t] of top) {
    const b = bottom.get(round)
    if (b !== undefined && b > 0 && t > 0) out.push({ round, ratio: t / b })
  }
  return out.sort((a, b) => a.round - b.round)
}

export type Verdict = 'pass' | 'miss' | 'undecided' | 'n/a'

/**
 * A target "at least `min`" judged on an interval: pass when the whole interval is at or above
 * it, miss when the whole interval is below, undecided when the interval straddles it.
 */
export function verdictAtLeast(interval: Interval | undefined, min: number): Verdict {
  if (!interval) return 'n/a'
  if (interval.lo >= min) return 'pass'
  if (interval.hi < min) return 'miss'
  return 'undecided'
}

/** A target "at most `max`", likewise. */
export function verdictAtMost(interval: Interval | undefined, max: number): Verdict {
  if (!interval) return 'n/a'
  if (interval.hi <= max) return 'pass'
  if (interval.lo > max) return 'miss'
  return 'undecided'
}

/** Whether an interval is as narrow as asked (e.g. 0.05 for ±5 %). */
export const narrowEnough = (interval: Interval | undefined, precision: number) =>
  interval !== undefined && interval.halfWidth <= precision
