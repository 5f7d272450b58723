import { summarize } from '../model/stats.js';
import type { FailureKind, RequestOutcome } from './request.js';

/**
 * The statistics of an HTTP benchmark, defined as vLLM's `bench serve`
 * defines them (and keyed by its names, so its tools read our files):
 * - TTFT: due time -> first chunk with text;
 * - TPOT: (E2EL - TTFT) / (output tokens - 1), per request with 2+ tokens;
 * - ITL: every gap between chunks with text, all requests pooled;
 * - E2EL: due time -> the end of the response.
 * Only successful requests count. Pure.
 */
export const LATENCY_METRICS = ['ttft', 'tpot', 'itl', 'e2el'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];
/** Goodput SLOs vLLM accepts (ms). */
export const GOODPUT_METRICS = ['ttft', 'tpot', 'e2el'] as const;
export type Goodput = Partial<Record<(typeof GOODPUT_METRICS)[number], number>>;

export interface MetricOptions {
  readonly percentileMetrics: readonly LatencyMetric[];
  readonly percentiles: readonly number[];
  readonly goodput: Goodput | null;
}

export function tpotMs(o: RequestOutcome): number | null {
  return o.ttftMs !== null && o.outputTokens > 1 ? (o.e2elMs - o.ttftMs) / (o.outputTokens - 1) : null;
}

/** vLLM's key for a percentile: p99, p99.9. */
export const percentileKey = (p: number, metric: LatencyMetric) => `p${String(p)}_${metric}_ms`;

const succeeded = (outcomes: readonly RequestOutcome[]) => outcomes.filter((o) => o.failure === null);

export function latencyValues(ok: readonly RequestOutcome[], metric: LatencyMetric): number[] {
  if (metric === 'ttft') return ok.map((o) => o.ttftMs).filter((v): v is number => v !== null);
  if (metric === 'tpot') return ok.map(tpotMs).filter((v): v is number => v !== null);
  if (metric === 'itl') return ok.flatMap((o) => o.itlsMs);
  return ok.map((o) => o.e2elMs);
}

/**
 * Most requests in flight at once (from each request's send to its end): the
 * sends and the ends sorted apart and merged, an end at the same moment as a
 * send counted first. Typed arrays, not an array of pairs: a long run has
 * millions of requests.
 */
export function peakConcurrency(outcomes: readonly RequestOutcome[]): number {
  const sends = Float64Array.from(outcomes, (o) => o.sentAt).sort();
  const ends = Float64Array.from(outcomes, (o) => o.endAt).sort();
  let inFlight = 0;
  let peak = 0;
  let e = 0;
  for (const sent of sends) {
    for (; e < ends.length && ends[e]! <= sent; e++) inFlight--;
    peak = Math.max(peak, ++inFlight);
  }
  return peak;
}

/** The most output tokens in any one-second bucket from `startedAt` (each chunk carries its request's tokens / chunks). */
export function peakOutputPerSecond(outcomes: readonly RequestOutcome[], startedAt: number): number {
  const buckets = new Map<number, number>();
  for (const o of succeeded(outcomes)) {
    const perChunk = o.chunkTimes.length ? o.outputTokens / o.chunkTimes.length : 0;
    for (const t of o.chunkTimes) {
      const b = Math.floor((t - startedAt) / 1000);
      buckets.set(b, (buckets.get(b) ?? 0) + perChunk);
    }
  }
  return Math.max(0, ...buckets.values());
}

export function meetsGoodput(o: RequestOutcome, slo: Goodput): boolean {
  const values = { ttft: o.ttftMs, tpot: tpotMs(o), e2el: o.e2elMs };
  return Object.entries(slo).every(([k, limit]) => {
    const v = values[k as keyof Goodput];
    return v === null || v <= limit!;
  });
}

/** vLLM's result keys (and a few of ours); null where nothing was measured. */
export type HttpMetrics = Record<string, number | boolean | null | Record<string, number> | Record<string, string>>;

export function httpMetrics(outcomes: readonly RequestOutcome[], durationS: number, startedAt: number, opts: MetricOptions): HttpMetrics {
  const ok = succeeded(outcomes);
  const cancelled = outcomes.filter((o) => o.failure?.kind === 'cancelled').length;
  const inputTokens = ok.reduce((a, o) => a + o.inputTokens, 0);
  const outputTokens = ok.reduce((a, o) => a + o.outputTokens, 0);
  const per = (n: number) => (durationS > 0 ? n / durationS : null);
  const errors: Partial<Record<FailureKind, number>> = {};
  const examples: Partial<Record<FailureKind, string>> = {};
  for (const o of outcomes) {
    if (!o.failure || o.failure.kind === 'cancelled') continue;
    errors[o.failure.kind] = (errors[o.failure.kind] ?? 0) + 1;
    examples[o.failure.kind] ??= o.failure.message;
  }
  const m: HttpMetrics = {
    completed: ok.length,
    failed: outcomes.length - ok.length - cancelled,
    cancelled,
    duration: durationS,
    total_input_tokens: inputTokens,
    total_output_tokens: outputTokens,
    input_tokens_estimated: ok.some((o) => o.inputTokensEstimated),
    output_tokens_estimated: ok.some((o) => o.outputTokensEstimated),
    request_throughput: per(ok.length),
    output_throughput: per(outputTokens),
    total_token_throughput: per(inputTokens + outputTokens),
    max_output_tokens_per_s: peakOutputPerSecond(outcomes, startedAt),
    max_concurrent_requests: peakConcurrency(outcomes),
    errors_by_kind: errors as Record<string, number>,
    /** The first message of each kind, e.g. "HTTP 503: overloaded". */
    error_examples: examples as Record<string, string>,
  };
  if (opts.goodput) m.request_goodput = per(ok.filter((o) => meetsGoodput(o, opts.goodput!)).length);
  for (const metric of opts.percentileMetrics) {
    const s = summarize(latencyValues(ok, metric), opts.percentiles);
    m[`mean_${metric}_ms`] = s?.mean ?? null;
    m[`median_${metric}_ms`] = s?.median ?? null;
    m[`std_${metric}_ms`] = s?.std ?? null;
    for (const p of opts.percentiles) m[percentileKey(p, metric)] = s?.percentiles[String(p)] ?? null;
  }
  return m;
}
