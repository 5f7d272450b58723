import { describe, expect, it } from 'vitest';
import { arrivalGaps, gammaSample, seededRandom } from '../../src/bench/arrivals.js';
import { httpMetrics, meetsGoodput, peakConcurrency, peakOutputPerSecond, tpotMs } from '../../src/bench/http-metrics.js';
import { mean, stddev } from '../../src/model/stats.js';
import { outcome } from '../helpers/outcomes.js';

describe('per-request metrics', () => {
  // Request A: due 0, chunks at 100, 120, 150, end 150, 3 tokens. B: due 50, chunks 250, 260, end 300, 5 tokens (usage).
  const a = outcome(0, [100, 120, 150], 150);
  const b = outcome(50, [250, 260], 300, 5);
  const failed = outcome(10, [], 20, 0, true);

  it("TPOT is (E2EL - TTFT) / (tokens - 1), vLLM's definition", () => {
    expect(tpotMs(a)).toBe((150 - 100) / 2);
    expect(tpotMs(b)).toBe((250 - 200) / 4);
    expect(tpotMs(outcome(0, [10], 10))).toBeNull();
  });

  it('pools ITLs, takes numpy percentiles and population σ, and counts only successes', () => {
    const m = httpMetrics([a, b, failed], 2, 0, { percentileMetrics: ['ttft', 'tpot', 'itl', 'e2el'], percentiles: [50, 90], goodput: { ttft: 150 } });
    expect(m).toMatchObject({ completed: 2, failed: 1, cancelled: 0, total_input_tokens: 200, total_output_tokens: 8, request_throughput: 1, output_throughput: 4, total_token_throughput: 104 });
    // TTFTs 100 and 200.
    expect(m.mean_ttft_ms).toBe(150);
    expect(m.std_ttft_ms).toBe(50);
    expect(m.p90_ttft_ms).toBe(190);
    // ITLs 20, 30, 10: sorted 10 20 30; p90 = 20 + 0.8 x 10.
    expect(m.mean_itl_ms).toBe(20);
    expect(m.median_itl_ms).toBe(20);
    expect(m.p90_itl_ms).toBeCloseTo(28, 10);
    expect(m.std_itl_ms).toBeCloseTo(Math.sqrt(200 / 3), 10);
    // TPOTs 25 and 12.5; E2ELs 150 and 250.
    expect(m.mean_tpot_ms).toBe(18.75);
    expect(m.median_e2el_ms).toBe(200);
    // Only A meets TTFT <= 150 ms: 1 request in 2 s.
    expect(m.request_goodput).toBe(0.5);
    expect(m.errors_by_kind).toEqual({ http_status: 1 });
    expect(m.error_examples).toEqual({ http_status: 'HTTP 500: x' });
  });

  it('leaves out the sections not asked for, and says null when nothing was measured', () => {
    const m = httpMetrics([failed], 1, 0, { percentileMetrics: ['ttft'], percentiles: [99.9], goodput: null });
    expect(m['p99.9_ttft_ms']).toBeNull();
    expect(m.mean_ttft_ms).toBeNull();
    expect('mean_itl_ms' in m).toBe(false);
    expect('request_goodput' in m).toBe(false);
  });

  it('finds the peak concurrency and the busiest second of output', () => {
    // A 0-150 and the failed one 10-20 overlap, then A and B from 50: never three at once.
    expect(peakConcurrency([a, b, failed])).toBe(2);
    expect(peakConcurrency([a, b, outcome(60, [], 70, 0, true)])).toBe(3);
    expect(peakConcurrency([outcome(0, [1], 10), outcome(10, [11], 20)])).toBe(1);
    // Second 0 holds all chunks: A's 3 tokens and B's 5.
    expect(peakOutputPerSecond([a, b], 0)).toBe(8);
    expect(peakOutputPerSecond([a, outcome(900, [1100, 1200], 1200, 4)], 0)).toBe(4);
  });

  it('judges goodput per SLO, a 1-token request passing TPOT', () => {
    expect(meetsGoodput(a, { ttft: 100, tpot: 25, e2el: 150 })).toBe(true);
    expect(meetsGoodput(a, { tpot: 24 })).toBe(false);
    expect(meetsGoodput(outcome(0, [5], 5), { tpot: 1 })).toBe(true);
  });
});

describe('arrival times', () => {
  it('are all at once for an infinite rate', () => {
    const gap = arrivalGaps(Infinity, 1, 0);
    expect([gap(), gap()]).toEqual([0, 0]);
  });

  it('have mean 1/rate, and a spread of 1/sqrt(burstiness) of the mean (gamma)', () => {
    for (const burstiness of [1, 0.25, 4]) {
      const gap = arrivalGaps(10, burstiness, 42);
      const xs = Array.from({ length: 20000 }, gap);
      expect(mean(xs)!).toBeCloseTo(100, -1);
      expect(stddev(xs)! / mean(xs)!).toBeCloseTo(1 / Math.sqrt(burstiness), 1);
    }
  });

  it('repeat with the seed', () => {
    const r1 = seededRandom(7);
    const r2 = seededRandom(7);
    expect(gammaSample(2, 1, r1)).toBe(gammaSample(2, 1, r2));
  });
});
