import { metricSum, type PromScrape } from './prometheus.js';

/**
 * What an inference server's /metrics says during a run: the gauges we show
 * (requests running and waiting, KV-cache use) and the counters we diff
 * (prefix-cache hits and queries, preemptions). vLLM's names, with the older
 * `gpu_cache_usage_perc`; a server without them (SGLang, TGI) shows N/A.
 */
export interface ServerMetricsPoint {
  readonly running: number | null;
  readonly waiting: number | null;
  /** 0..100. */
  readonly kvCachePercent: number | null;
  readonly prefixCacheHits: number | null;
  readonly prefixCacheQueries: number | null;
  readonly preemptions: number | null;
}

const first = (scrape: PromScrape, names: readonly string[]) => {
  for (const n of names) {
    const v = metricSum(scrape, n);
    if (v !== null) return v;
  }
  return null;
};

export function serverMetricsPoint(scrape: PromScrape): ServerMetricsPoint {
  const kv = first(scrape, ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc']);
  return {
    running: first(scrape, ['vllm:num_requests_running']),
    waiting: first(scrape, ['vllm:num_requests_waiting']),
    kvCachePercent: kv === null ? null : kv * 100,
    prefixCacheHits: first(scrape, ['vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total']),
    prefixCacheQueries: first(scrape, ['vllm:prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries_total']),
    preemptions: first(scrape, ['vllm:num_preemptions_total']),
  };
}

/** The `server_metrics` object of a result file. */
export interface ServerMetricsResult {
  readonly url: string;
  readonly scrapes: number;
  readonly failed_scrapes: number;
  /** Why scrapes failed (the last reason), or null. */
  readonly error: string | null;
  readonly mean_running: number | null;
  readonly max_running: number | null;
  readonly mean_waiting: number | null;
  readonly max_waiting: number | null;
  readonly mean_kv_cache_percent: number | null;
  readonly max_kv_cache_percent: number | null;
  /** Hits / queries over the run (counter differences), %. */
  readonly prefix_cache_hit_percent: number | null;
  readonly preemptions: number | null;
}

const known = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);
const meanOf = (xs: readonly (number | null)[]) => {
  const k = known(xs);
  return k.length ? k.reduce((a, b) => a + b, 0) / k.length : null;
};
const maxOf = (xs: readonly (number | null)[]) => {
  const k = known(xs);
  return k.length ? Math.max(...k) : null;
};
/** A counter's increase between its first and last reading. */
const increase = (xs: readonly (number | null)[]) => {
  const k = known(xs);
  return k.length >= 2 ? k[k.length - 1]! - k[0]! : null;
};

/** Summarizes the points scraped during a run (pure). */
export function serverMetricsResult(url: string, points: readonly ServerMetricsPoint[], failed: number, error: string | null): ServerMetricsResult {
  const hits = increase(points.map((p) => p.prefixCacheHits));
  const queries = increase(points.map((p) => p.prefixCacheQueries));
  return {
    url,
    scrapes: points.length,
    failed_scrapes: failed,
    error,
    mean_running: meanOf(points.map((p) => p.running)),
    max_running: maxOf(points.map((p) => p.running)),
    mean_waiting: meanOf(points.map((p) => p.waiting)),
    max_waiting: maxOf(points.map((p) => p.waiting)),
    mean_kv_cache_percent: meanOf(points.map((p) => p.kvCachePercent)),
    max_kv_cache_percent: maxOf(points.map((p) => p.kvCachePercent)),
    prefix_cache_hit_percent: hits !== null && queries ? (100 * hits) / queries : null,
    preemptions: increase(points.map((p) => p.preemptions)),
  };
}
