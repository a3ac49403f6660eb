// Statistics for benchmark samples: pure functions, unit-tested in
// spec/bench/harness.spec.ts. Noisy machines make single figures meaningless,
// so every figure is a set of per-round samples summarised as min/median/max,
// and drivers are compared by the ratio of their medians (robust to one
// disturbed round, unlike the mean).

export interface Summary {
  /** Samples that were finite numbers (NaN/Infinity are dropped, not averaged in). */
  n: number
  min: number
  median: number
  max: number
}

/** Median of the finite values; NaN when there are none. Even counts average the two middle values. */
export function median (values: readonly number[]): number {
  const sorted = finiteSorted(values)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function summarize (values: readonly number[]): Summary {
  const sorted = finiteSorted(values)
  if (sorted.length === 0) return { n: 0, min: Number.NaN, median: Number.NaN, max: Number.NaN }
  return { n: sorted.length, min: sorted[0], median: median(sorted), max: sorted[sorted.length - 1] }
}

/**
 * a / b, or null when either is not a finite number or b is 0 (a ratio
 * against nothing is "no figure", not Infinity).
 */
export function ratio (a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null
  return a / b
}

/** Ratio of medians of two sample sets (ours / official). */
export function ratioOfMedians (ours: readonly number[], theirs: readonly number[]): number | null {
  return ratio(median(ours), median(theirs))
}

/** Events per second from a count and a duration in ms; NaN for a non-positive duration. */
export function perSecond (count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? count / (elapsedMs / 1000) : Number.NaN
}

/** Cost per `per` operations (e.g. CPU µs per 10 000 ops); NaN when no operation completed. */
export function perOps (total: number, ops: number, per: number): number {
  return ops > 0 ? (total / ops) * per : Number.NaN
}

function finiteSorted (values: readonly number[]): number[] {
  // `+ 0` folds -0 into 0: the sort treats them as equal, so without it the
  // summary would depend on the order of the samples.
  return values.filter((v) => Number.isFinite(v)).map((v) => v + 0).sort((a, b) => a - b)
}
