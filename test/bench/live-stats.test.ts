import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { LIVE_SAMPLE, LiveStats } from '../../src/bench/live-stats.js';
import type { RequestOutcome } from '../../src/bench/request.js';
import { outcome } from '../helpers/outcomes.js';

/** A successful request that ended at `end`, its first token `ttft` ms after it was due, with `tokens` tokens 10 ms apart. */
const ended = (end: number, ttft: number, tokens = 1) => {
  const first = end - 10 * (tokens - 1);
  return outcome(first - ttft, Array.from({ length: tokens }, (_, i) => first + 10 * i), end, tokens);
};
const cancelled = (end: number): RequestOutcome => ({ ...ended(end, 5), failure: { kind: 'cancelled', message: 'stopped', status: null } });

function started(): { live: LiveStats; t0: number } {
  const live = new LiveStats(1, null, null);
  const t0 = performance.now();
  live.beginIteration(1);
  return { live, t0 };
}

describe('LiveStats', () => {
  it('counts sent, in flight, completed and failed requests, and errors by kind; a cancelled one is not a failure', () => {
    const { live, t0 } = started();
    for (let i = 0; i < 4; i++) live.sent();
    live.finished(ended(t0 + 100, 20));
    live.finished(outcome(t0, [], t0 + 50, 0, true));
    live.finished(cancelled(t0 + 60));
    const p = live.progress(t0 + 200);
    expect([p.sent, p.inFlight, p.completed, p.failed]).toEqual([4, 1, 1, 1]);
    expect(p.errors).toEqual({ http_status: 1 });
    expect(p.lastError).toBe('HTTP 500: x');
    live.beginIteration(2);
    const q = live.progress();
    expect([q.iteration, q.sent, q.inFlight, q.completed, q.failed]).toEqual([2, 0, 0, 0, 0]);
  });

  it('gives the request and token rates over the last 10 s', () => {
    const { live, t0 } = started();
    // 10 requests a second of 5 tokens each for 12.5 s, then 2 s of nothing.
    for (let j = 0; j < 125; j++) live.finished(ended(t0 + 50 + 100 * j, 20, 5));
    const p = live.progress(t0 + 12_500);
    expect(p.requestsPerS).toBeCloseTo(10, 4);
    expect(p.outputTokensPerS).toBeCloseTo(50, 4);
    // Two quiet seconds later: 8 of the window's 10 s had requests.
    expect(live.progress(t0 + 14_500).requestsPerS).toBeCloseTo(75 / 9.5, 4);
    expect(live.progress(t0 + 300).requestsPerS).toBeNull(); // under half a second: no rate yet
  });

  it('takes the TTFT and ITL percentiles over the window only', () => {
    const { live, t0 } = started();
    for (let j = 0; j < 50; j++) live.finished(ended(t0 + 100 + j, 900, 2));
    for (let j = 0; j < 50; j++) live.finished(ended(t0 + 11_000 + j, 40 + j, 3));
    const p = live.progress(t0 + 12_000);
    // The 50 recent ones: TTFT 40..89 ms (numpy's linear percentiles); the old ones (900 ms) are out of the window.
    expect(p.ttftMs!.p50).toBeCloseTo(64.5, 6);
    expect(p.ttftMs!.p90).toBeCloseTo(84.1, 6);
    expect(p.ttftMs!.p99).toBeCloseTo(88.51, 6);
    expect(p.itlMs).toEqual({ p50: 10, p90: 10, p99: 10 });
    expect(live.progress(t0 + 30_000).ttftMs).toBeNull();
  });

  it('keeps percentiles to the latest requests however many finish, and still counts them all', () => {
    const { live, t0 } = started();
    for (let j = 0; j < 2 * LIVE_SAMPLE; j++) live.finished(ended(t0 + 1000 + j * 1e-3, 500));
    for (let j = 0; j < LIVE_SAMPLE; j++) live.finished(ended(t0 + 1500 + j * 1e-3, 50));
    const p = live.progress(t0 + 2000);
    expect(p.ttftMs).toEqual({ p50: 50, p90: 50, p99: 50 });
    expect(p.completed).toBe(3 * LIVE_SAMPLE);
    expect(p.requestsPerS).toBeCloseTo((3 * LIVE_SAMPLE) / 2, 1);
  });
});
