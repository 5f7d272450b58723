/**
 * Summary statistics for benchmark results, shared by `bench http`,
 * `bench run` and `bench compare`. Pure functions; no NaN leaves here:
 * an empty input gives null.
 */

/**
 * The p-th percentile (0..100) of ascending `sorted`, by linear interpolation
 * between closest ranks: numpy's default, which vLLM's benchmark uses.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  return a + (sorted[hi]! - a) * (rank - lo);
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Standard deviation. `ddof` 0 is the population σ (numpy's default, vLLM's
 * `std_*_ms`); `ddof` 1 the sample σ (hyperfine's). Null when there are not
 * more than `ddof` values.
 */
export function stddev(values: readonly number[], ddof: 0 | 1 = 0): number | null {
  const m = mean(values);
  if (m === null || values.length <= ddof) return null;
  let sq = 0;
  for (const v of values) sq += (v - m) ** 2;
  return Math.sqrt(sq / (values.length - ddof));
}

export interface Summary {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  /** Population σ (ddof 0). */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Requested percentiles, keyed by the number as written ("99", "99.9"). */
  readonly percentiles: Readonly<Record<string, number>>;
}

/** Count, mean, median, σ, min, max and the given percentiles of `values`; null when empty. */
export function summarize(values: readonly number[], percentiles: readonly number[] = []): Summary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => percentileOfSorted(sorted, p)!;
  return {
    count: sorted.length,
    mean: mean(sorted)!,
    median: at(50),
    std: stddev(sorted)!,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    percentiles: Object.fromEntries(percentiles.map((p) => [String(p), at(p)])),
  };
}
