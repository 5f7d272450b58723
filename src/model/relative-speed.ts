/**
 * hyperfine's relative speed: each command's mean over the reference's (the
 * `--reference`, else the fastest), with the ratio's σ from both σs by error
 * propagation. Pure.
 */

export interface MeanTime {
  readonly mean: number;
  /** null for a single run. */
  readonly stddev: number | null;
}

export interface RelativeSpeed {
  /** mean / reference mean: 1 for the reference, above 1 for slower commands. */
  readonly ratio: number;
  /** null for the reference, or where a σ is unknown. */
  readonly ratioStddev: number | null;
  readonly isReference: boolean;
}

export function fastestIndex(results: readonly MeanTime[]): number {
  return results.reduce((best, r, i) => (r.mean < results[best]!.mean ? i : best), 0);
}

/** One entry per result, in their order; null when some mean is 0 (no ratio to speak of). */
export function relativeSpeeds(results: readonly MeanTime[], referenceIndex: number): RelativeSpeed[] | null {
  const ref = results[referenceIndex];
  if (!ref || results.some((r) => r.mean <= 0)) return null;
  return results.map((r, i) => {
    const ratio = r.mean / ref.mean;
    const isReference = i === referenceIndex;
    const ratioStddev = isReference || r.stddev === null || ref.stddev === null ? null : ratio * Math.hypot(r.stddev / r.mean, ref.stddev / ref.mean);
    return { ratio, ratioStddev, isReference };
  });
}
