import type { HttpBenchResult } from '../../bench/http-bench.js';
import { type LatencyMetric, percentileKey } from '../../bench/http-metrics.js';
import type { ServerMetricsResult } from '../../bench/server-metrics.js';
import { fmtFixed, NA } from '../format.js';
import { renderGpuSection } from './gpu-section.js';
import { summaryRow as row, summaryRule as rule } from './summary-rows.js';

/** vLLM's section titles. */
const TITLES: Record<LatencyMetric, string> = {
  ttft: 'Time to First Token',
  tpot: 'Time per Output Token (excl. 1st token)',
  itl: 'Inter-token Latency',
  e2el: 'End-to-end Latency',
};

const num = (r: HttpBenchResult, key: string, digits = 2): string => {
  const v = r[key];
  return typeof v === 'number' ? fmtFixed(v, digits) : NA;
};

function serverSection(s: ServerMetricsResult): string[] {
  const pair = (a: number | null, b: number | null, d: number) => `${fmtFixed(a, d)} / ${fmtFixed(b, d)}`;
  const lines = [rule('Server metrics', '-'), row('Scrapes (failed)', `${s.scrapes} (${s.failed_scrapes})`)];
  if (s.error) lines.push(row('Last scrape error', s.error));
  lines.push(
    row('Mean / max requests running', pair(s.mean_running, s.max_running, 1)),
    row('Mean / max requests waiting', pair(s.mean_waiting, s.max_waiting, 1)),
    row('Mean / max KV cache usage (%)', pair(s.mean_kv_cache_percent, s.max_kv_cache_percent, 1)),
    row('Prefix cache hit rate (%)', fmtFixed(s.prefix_cache_hit_percent, 1)),
    row('Preemptions', fmtFixed(s.preemptions, 0)),
  );
  return lines;
}

/** The summary printed after `gpumon bench http`, laid out like vLLM's `bench serve`, with the GPU section under it. */
export function renderHttpSummary(r: HttpBenchResult, metrics: readonly LatencyMetric[], percentiles: readonly number[]): string {
  const estimated = (flag: string) => (r[flag] === true ? ' (estimated)' : '');
  const title = r.stopped_by === 'interrupted' ? 'Serving Benchmark Result (interrupted: partial)' : 'Serving Benchmark Result';
  const lines = [rule(title, '=')];
  lines.push(row('Successful requests', String(r.completed)));
  lines.push(row('Failed requests', String(r.failed)));
  if (typeof r.cancelled === 'number' && r.cancelled > 0) lines.push(row('Cancelled requests (stopped)', String(r.cancelled)));
  if (r.max_concurrency !== null) lines.push(row('Maximum request concurrency', String(r.max_concurrency)));
  lines.push(row('Request rate configured (RPS)', r.request_rate === 'inf' ? 'inf' : fmtFixed(r.request_rate, 2)));
  lines.push(row('Benchmark duration (s)', num(r, 'duration')));
  lines.push(row('Total input tokens', `${String(r.total_input_tokens)}${estimated('input_tokens_estimated')}`));
  lines.push(row('Total generated tokens', `${String(r.total_output_tokens)}${estimated('output_tokens_estimated')}`));
  lines.push(row('Request throughput (req/s)', num(r, 'request_throughput')));
  if ('request_goodput' in r) lines.push(row('Request goodput (req/s)', num(r, 'request_goodput')));
  lines.push(row('Output token throughput (tok/s)', num(r, 'output_throughput')));
  lines.push(row('Peak output token throughput (tok/s)', num(r, 'max_output_tokens_per_s')));
  lines.push(row('Peak concurrent requests', num(r, 'max_concurrent_requests', 0)));
  lines.push(row('Total Token throughput (tok/s)', num(r, 'total_token_throughput')));
  for (const m of metrics) {
    const name = m.toUpperCase();
    lines.push(rule(TITLES[m], '-'));
    lines.push(row(`Mean ${name} (ms)`, num(r, `mean_${m}_ms`)));
    lines.push(row(`Median ${name} (ms)`, num(r, `median_${m}_ms`)));
    for (const p of percentiles) lines.push(row(`P${p} ${name} (ms)`, num(r, percentileKey(p, m))));
  }
  const errors = Object.entries((r.errors_by_kind as Record<string, number>) ?? {});
  if (errors.length) {
    lines.push(rule('Errors', '-'));
    const examples = (r.error_examples as Record<string, string> | undefined) ?? {};
    for (const [kind, n] of errors) lines.push(row(kind.replace(/_/g, ' '), `${n}${examples[kind] ? `  (${examples[kind]})` : ''}`));
  }
  if (r.across_iterations) {
    lines.push(rule(`Across ${r.iterations?.length ?? 0} iterations`, '-'));
    lines.push(`${''.padEnd(40)}mean ± σ [min, max]`);
    for (const [k, s] of Object.entries(r.across_iterations))
      lines.push(row(k, `${fmtFixed(s.mean, 2)} ± ${fmtFixed(s.std, 2)} [${fmtFixed(s.min, 2)}, ${fmtFixed(s.max, 2)}]`));
  }
  if (r.server_metrics) lines.push(...serverSection(r.server_metrics));
  lines.push(rule('', '='));
  const gpu = r.gpu_unavailable ? `${rule('GPU', '-')}\nGPU not measured: ${r.gpu_unavailable}\n` : renderGpuSection(r.gpu, { perToken: true });
  return `${lines.join('\n')}\n${gpu}`;
}
