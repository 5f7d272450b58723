import { describe, expect, it } from 'vitest';
import { modifiedZScores, OUTLIER_THRESHOLD, runSetStats, runWarnings, type RunTiming, timingRunCount } from '../../src/model/run-stats.js';
import { relativeSpeeds } from '../../src/model/relative-speed.js';

const run = (time: number, user: number | null = 0, system: number | null = 0): RunTiming => ({ time, user, system, exitCode: 0, signal: null, timedOut: false });

describe('modified Z-scores (hyperfine outlier detection)', () => {
  it('is (x - median) / MAD', () => {
    // median 3; absolute deviations 2 1 0 1 97 -> MAD 1.
    expect(modifiedZScores([1, 2, 3, 4, 100])).toEqual([-2, -1, 0, 1, 97]);
    // median 0.1; deviations 0.3 0.1 0.1 3.9 -> MAD 0.2; the last scores 3.9 / 0.2 = 19.5.
    const s = modifiedZScores([-0.2, 0, 0.2, 4]);
    expect(s[3]).toBeCloseTo(19.5, 9);
    expect(s[0]).toBeCloseTo(-1.5, 9);
  });

  it('uses hyperfine threshold 1.4826 x 10: a score of 14 is not an outlier, 15 is', () => {
    expect(OUTLIER_THRESHOLD).toBeCloseTo(14.826, 9);
    expect(runWarnings([0, 1, 2, 3, 16])).toEqual([]); // median 2, MAD 1: score 14
    expect(runWarnings([0, 1, 2, 3, 17])).toEqual(['outliers']); // score 15
    expect(runWarnings([-0.2, 0, 0.2])).toEqual([]); // scores -1 0 1
    expect(runWarnings([50])).toEqual([]);
    expect(runWarnings([1000, 0])).toEqual([]); // two runs: scores +-1
  });

  it('says the first run was slow rather than "outliers" when it is the one', () => {
    // median 1.0; deviations 9 0 0.1 0.1 0 -> MAD 0.1: the first scores 90.
    expect(runWarnings([10, 1, 1.1, 0.9, 1.0])).toEqual(['slow_first_run']);
    // A fast first run is an outlier, not a cache hint.
    // median 10; deviations 9.9 0 0.5 0.5 0 -> MAD 0.5: the first scores -19.8.
    expect(runWarnings([0.1, 10, 10.5, 9.5, 10])).toEqual(['outliers']);
  });

  it('treats a MAD of 0 as the smallest double: one value off identical ones is an outlier', () => {
    expect(runWarnings([1, 1, 1, 1, 1.001])).toEqual(['outliers']);
    expect(runWarnings([1, 1, 1, 1])).toEqual([]);
  });
});

describe('run set statistics', () => {
  it('mean, sample sigma, median, min, max, mean user and system time', () => {
    const s = runSetStats([run(1, 0.1, 0.02), run(2, 0.3, 0.04), run(3, 0.2, 0), run(4, 0.2, 0.06)])!;
    expect(s.mean).toBe(2.5);
    // Squared deviations 2.25 0.25 0.25 2.25 = 5, over n - 1 = 3.
    expect(s.stddev).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(s.median).toBe(2.5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(4);
    expect(s.user).toBeCloseTo(0.2, 12);
    expect(s.system).toBeCloseTo(0.03, 12);
  });

  it('has no sigma for one run, and no CPU time where none was measured', () => {
    const s = runSetStats([run(0.5, null, null)])!;
    expect(s.stddev).toBeNull();
    expect(s.user).toBeNull();
    expect(runSetStats([])).toBeNull();
  });
});

describe("hyperfine's run count", () => {
  it('-r is exact; else enough runs to fill the minimum time at the first run\'s pace, at least -m, at most -M', () => {
    expect(timingRunCount({ exact: 7 }, 100)).toBe(7);
    expect(timingRunCount({ min: 10, max: null, minSeconds: 3 }, 0.1)).toBe(30);
    expect(timingRunCount({ min: 10, max: null, minSeconds: 3 }, 1)).toBe(10);
    expect(timingRunCount({ min: 10, max: 20, minSeconds: 3 }, 0.01)).toBe(20);
    expect(timingRunCount({ min: 2, max: null, minSeconds: 3 }, 0)).toBe(2); // a 0 s first run says nothing of the pace
  });
});

describe("hyperfine's relative speed", () => {
  it('is each mean over the reference mean, with σ by error propagation; the reference has no σ', () => {
    // hyperfine 1.15's own figures (fixtures/hyperfine-1.15/params.*): 1.72 ± 0.01.
    const s = relativeSpeeds(
      [
        { mean: 0.0135042504, stddev: 0.000051411758482860435 },
        { mean: 0.0232044268, stddev: 0.00006165623781256823 },
      ],
      0,
    )!;
    expect(s[0]).toEqual({ ratio: 1, ratioStddev: null, isReference: true });
    expect(s[1]!.ratio.toFixed(2)).toBe('1.72');
    expect(s[1]!.ratioStddev!.toFixed(2)).toBe('0.01');
    expect(relativeSpeeds([{ mean: 1, stddev: null }, { mean: 2, stddev: 0.1 }], 0)![1]!.ratioStddev).toBeNull();
    expect(relativeSpeeds([{ mean: 0, stddev: 0 }, { mean: 2, stddev: 0.1 }], 1)).toBeNull();
  });
});
