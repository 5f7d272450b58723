import { mean, percentileOfSorted, stddev } from './stats.js';

/**
 * Statistics of `bench run`: hyperfine's, so its numbers and warnings read
 * the same. Pure functions over seconds.
 */

/** A modified Z-score above this marks an outlier: hyperfine's 1.4826 × 10 (MAD to σ, times ten σ). */
export const OUTLIER_THRESHOLD = 1.4826 * 10;

const median = (xs: readonly number[]): number => percentileOfSorted([...xs].sort((a, b) => a - b), 50)!;

/**
 * Modified Z-scores, (x - median) / MAD, where MAD is the median absolute
 * deviation (Iglewicz and Hoaglin; hyperfine's form, without the 0.6745
 * factor). A MAD of 0 is taken as the smallest double, as hyperfine does, so
 * that any value off the median of identical values scores huge.
 */
export function modifiedZScores(xs: readonly number[]): number[] {
  if (xs.length === 0) return [];
  const m = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - m))) || Number.EPSILON;
  return xs.map((x) => (x - m) / mad);
}

/** What the timing runs suggest, in hyperfine's order: a slow first run, or else outliers anywhere. */
export type RunWarning = 'slow_first_run' | 'outliers';

export function runWarnings(times: readonly number[]): RunWarning[] {
  const scores = modifiedZScores(times);
  if ((scores[0] ?? 0) > OUTLIER_THRESHOLD) return ['slow_first_run'];
  return scores.some((s) => Math.abs(s) > OUTLIER_THRESHOLD) ? ['outliers'] : [];
}

/** One timing run of the command. */
export interface RunTiming {
  /** Wall time, s. */
  readonly time: number;
  /** CPU time of the command's process tree (what the parent reaps), s; null without /proc. */
  readonly user: number | null;
  readonly system: number | null;
  /** null when it was killed by a signal (then `signal` says which). */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Ended by gpumon after the per-run time limit. */
  readonly timedOut: boolean;
}

/** hyperfine's summary of a set of runs (its --export-json keys, in seconds). */
export interface RunSetStats {
  readonly mean: number;
  /** Sample σ (n - 1), as hyperfine; null for one run. */
  readonly stddev: number | null;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Mean user and system time per run; null when not measured. */
  readonly user: number | null;
  readonly system: number | null;
}

const meanOfKnown = (xs: readonly (number | null)[]): number | null => mean(xs.filter((x): x is number => x !== null));

export function runSetStats(runs: readonly RunTiming[]): RunSetStats | null {
  if (runs.length === 0) return null;
  const times = runs.map((r) => r.time);
  return {
    mean: mean(times)!,
    stddev: stddev(times, 1),
    median: median(times),
    min: Math.min(...times),
    max: Math.max(...times),
    user: meanOfKnown(runs.map((r) => r.user)),
    system: meanOfKnown(runs.map((r) => r.system)),
  };
}

/** How many timing runs: exactly `-r N`, or hyperfine's rule from the first run's time (`-m`, `-M`, `--min-benchmarking-time`). */
export type RunCount = { readonly exact: number } | { readonly min: number; readonly max: number | null; readonly minSeconds: number };

/**
 * hyperfine's count: enough runs to fill `minSeconds` at the first run's
 * pace, at least `min`, at most `max`. The first run is one of them.
 */
export function timingRunCount(count: RunCount, firstRunSeconds: number): number {
  if ('exact' in count) return count.exact;
  const inTime = firstRunSeconds > 0 ? Math.floor(count.minSeconds / firstRunSeconds) : count.min;
  const atLeast = Math.max(inTime, count.min);
  return count.max === null ? atLeast : Math.min(atLeast, count.max);
}
