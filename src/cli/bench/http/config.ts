import type { BenchPreset } from '../../../config/bench-presets.js';
import type { HttpBenchConfig } from '../../../bench/http-bench.js';
import { GOODPUT_METRICS, type Goodput, LATENCY_METRICS, type LatencyMetric } from '../../../bench/http-metrics.js';
import { type BenchHttpFlags, parseRate } from './flags.js';
import { UsageError } from '../../../exit-status.js';

/** How `bench http` flags, a preset and the defaults become one run's setup (shared by the command and the monitor's panel). */

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8000';

function parseList<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.find((i) => !(allowed as readonly string[]).includes(i));
  if (bad !== undefined || !items.length) throw new UsageError(`${flag}: '${bad ?? text}' is not one of ${allowed.join(', ')}`);
  return items as T[];
}

function parsePercentiles(text: string): number[] {
  const ps = text.split(',').map((s) => s.trim());
  const bad = ps.find((p) => !/^\d+(\.\d+)?$/.test(p) || Number(p) > 100);
  if (bad !== undefined) throw new UsageError(`--metric-percentiles: '${bad}' is not a percentile from 0 to 100`);
  return ps.map(Number);
}

/** vLLM's `--goodput ttft:500 tpot:50`. */
function parseGoodput(items: readonly string[] | undefined): Goodput | null {
  if (!items?.length) return null;
  const slo: Record<string, number> = {};
  for (const item of items) {
    const m = /^([a-z0-9]+):(\d+(?:\.\d+)?)$/.exec(item.trim());
    if (!m || !(GOODPUT_METRICS as readonly string[]).includes(m[1]!))
      throw new UsageError(`--goodput: '${item}' is not METRIC:MS with a metric of ${GOODPUT_METRICS.join(', ')} (e.g. ttft:500)`);
    slo[m[1]!] = Number(m[2]);
  }
  return slo;
}

/** The run's setup: flags over the preset over the defaults (and the simulated server's URL with --demo). */
export function httpBenchConfig(f: BenchHttpFlags, preset: BenchPreset, env: NodeJS.ProcessEnv, demoUrl: string | null): HttpBenchConfig {
  const baseUrl = f.baseUrl ?? preset['base-url'] ?? demoUrl ?? DEFAULT_BASE_URL;
  try {
    if (!/^https?:$/.test(new URL(baseUrl).protocol)) throw new Error();
  } catch {
    throw new UsageError(`--base-url: '${baseUrl}' is not an http:// or https:// URL`);
  }
  const endpoint = f.endpoint ?? preset.endpoint ?? '/v1/completions';
  if (!endpoint.startsWith('/')) throw new UsageError(`--endpoint: '${endpoint}' is not a path such as /v1/completions`);
  const presetRate = preset['request-rate'];
  const durationMs = f.duration ?? (preset.duration === undefined ? null : preset.duration * 1000);
  const numPrompts = f.numPrompts ?? preset['num-prompts'] ?? (durationMs === null ? (demoUrl ? 200 : 1000) : null);
  const percentileMetrics: LatencyMetric[] = parseList('--percentile-metrics', f.percentileMetrics, LATENCY_METRICS);
  const apiKey = f.apiKey ?? env.OPENAI_API_KEY ?? null;
  // It goes into a header line as it is: a space, line break or other control character would break the request.
  if (apiKey !== null && !/^[\x21-\x7e]*$/.test(apiKey))
    throw new UsageError(`${f.apiKey === undefined ? '$OPENAI_API_KEY' : '--api-key'}: a key has only printable ASCII characters, without spaces`);
  return {
    baseUrl,
    endpoint,
    model: f.model ?? preset.model ?? null,
    apiKey: apiKey || null,
    numPrompts,
    durationMs,
    requestRate: f.requestRate ?? (presetRate === undefined ? (demoUrl ? 10 : Infinity) : parseRate(String(presetRate))),
    burstiness: f.burstiness,
    maxConcurrency: f.maxConcurrency ?? preset['max-concurrency'] ?? null,
    numWarmups: f.numWarmups,
    inputLen: f.randomInputLen ?? preset['random-input-len'] ?? 1024,
    outputLen: f.randomOutputLen ?? preset['random-output-len'] ?? 128,
    ignoreEos: f.ignoreEos === true,
    seed: f.seed,
    iterations: f.iterations,
    idleTimeoutMs: f.idleTimeout,
    idleBaselineMs: f.idleBaseline,
    serverMetricsUrl: f.serverMetrics ?? preset['server-metrics'] ?? (demoUrl && f.baseUrl === undefined ? `${demoUrl}/metrics` : null),
    metrics: { percentileMetrics, percentiles: parsePercentiles(f.metricPercentiles), goodput: parseGoodput(f.goodput) },
    detailed: f.saveDetailed === true,
  };
}
