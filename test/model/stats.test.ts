import { describe, expect, it } from 'vitest';
import { mean, percentileOfSorted, stddev, summarize } from '../../src/model/stats.js';

describe('stats', () => {
  it('interpolates percentiles between ranks as numpy does', () => {
    // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 90, 99, 100]) = 1, 1.75, 2.5, 3.7, 3.97, 4
    const s = [1, 2, 3, 4];
    expect(percentileOfSorted(s, 0)).toBe(1);
    expect(percentileOfSorted(s, 25)).toBeCloseTo(1.75, 12);
    expect(percentileOfSorted(s, 50)).toBeCloseTo(2.5, 12);
    expect(percentileOfSorted(s, 90)).toBeCloseTo(3.7, 12);
    expect(percentileOfSorted(s, 99)).toBeCloseTo(3.97, 12);
    expect(percentileOfSorted(s, 100)).toBe(4);
    expect(percentileOfSorted([7], 99)).toBe(7);
    expect(percentileOfSorted([], 50)).toBeNull();
  });

  it('gives the population and the sample standard deviation', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, population σ 2, sample σ sqrt(32/7)
    const v = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(v)).toBe(5);
    expect(stddev(v)).toBe(2);
    expect(stddev(v, 1)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(stddev([3], 1)).toBeNull();
    expect(mean([])).toBeNull();
  });

  it('summarizes unsorted values without changing them', () => {
    const v = [30, 10, 20, 40];
    const s = summarize(v, [50, 99]);
    expect(v).toEqual([30, 10, 20, 40]);
    expect(s).toEqual({
      count: 4,
      mean: 25,
      median: 25,
      std: Math.sqrt(125),
      min: 10,
      max: 40,
      percentiles: { '50': 25, '99': expect.closeTo(39.7, 12) },
    });
    expect(summarize([])).toBeNull();
  });
});
