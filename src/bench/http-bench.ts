import { mean, stddev } from '../model/stats.js';
import type { IdleBaseline } from './gpu-watch.js';
import { type GpuWatch, GPU_WATCH_INTERVAL_MS } from './gpu-watch.js';
import { type GpuResult, gpuResult } from './gpu-result.js';
import { httpMetrics, type HttpMetrics, type MetricOptions, percentileKey } from './http-metrics.js';
import { LiveStats } from './live-stats.js';
import { type LoadPlan, type LoadRun, runLoad, type StopReason } from './load.js';
import { randomPrompt } from './prompts.js';
import { Http1Client } from './http1-client.js';
import type { RequestOutcome, RequestSpec } from './request.js';
import { getText } from './get.js';
import { MetricsScraper } from './scraper.js';
import type { ServerMetricsResult } from './server-metrics.js';

/** Everything one `bench http` run needs, flags resolved: the load plan (`seed` is the first iteration's) and the rest. */
export interface HttpBenchConfig extends LoadPlan {
  readonly baseUrl: string;
  readonly endpoint: string;
  /** null: the first model GET /v1/models lists. */
  readonly model: string | null;
  readonly apiKey: string | null;
  readonly numWarmups: number;
  readonly inputLen: number;
  readonly outputLen: number;
  readonly ignoreEos: boolean;
  readonly iterations: number;
  readonly idleTimeoutMs: number;
  readonly idleBaselineMs: number;
  readonly serverMetricsUrl: string | null;
  readonly metrics: MetricOptions;
  readonly detailed: boolean;
}

/** Why the GPU side is empty, when it is. */
export type GpuSide = { readonly watch: GpuWatch; readonly intervalMs: number } | { readonly unavailable: string };

/** The result file: vLLM's keys where they share a meaning, and ours. */
export type HttpBenchResult = Readonly<Record<string, unknown>> & {
  readonly kind: 'http';
  readonly date: string;
  readonly backend: 'openai';
  readonly base_url: string;
  readonly endpoint: string;
  readonly model_id: string;
  readonly num_prompts: number | null;
  readonly request_rate: number | 'inf';
  readonly burstiness: number;
  readonly max_concurrency: number | null;
  readonly random_input_len: number;
  readonly random_output_len: number;
  readonly duration_limit_s: number | null;
  readonly stopped_by: StopReason;
  readonly gpu: GpuResult;
  readonly gpu_unavailable: string | null;
  readonly server_metrics: ServerMetricsResult | null;
  readonly iterations?: readonly HttpMetrics[];
  readonly across_iterations?: Readonly<Record<string, { mean: number; std: number | null; min: number; max: number }>>;
};

/** A failure before any request went out (no model, server down). */
export class BenchSetupError extends Error {}

/** The model to ask for: the flag, else the first one the server lists. */
export async function resolveModel(c: Pick<HttpBenchConfig, 'baseUrl' | 'model' | 'apiKey'>): Promise<string> {
  if (c.model) return c.model;
  const url = new URL('/v1/models', c.baseUrl);
  let listed: unknown;
  try {
    const text = await getText(url.href, 10_000, c.apiKey);
    try {
      listed = JSON.parse(text);
    } catch {
      throw new Error('the answer is not JSON');
    }
  } catch (e) {
    throw new BenchSetupError(`cannot list the models at ${url.href}: ${(e as Error).message} (is the server up? or give --model)`);
  }
  const id = (listed as { data?: { id?: unknown }[] })?.data?.[0]?.id;
  if (typeof id !== 'string') throw new BenchSetupError(`${url.href} lists no model; give --model`);
  return id;
}

/**
 * The request body for each prompt. The JSON is built once around a marker
 * and split there, so a request costs only its prompt's JSON string: at tens
 * of thousands of requests a second, stringifying the whole object each time
 * showed in the profile.
 */
function requestBodies(c: HttpBenchConfig, model: string): (prompt: string) => string {
  const marker = '\u0000prompt\u0000';
  const chat = c.endpoint.includes('chat');
  const body: Record<string, unknown> = {
    model,
    ...(chat ? { messages: [{ role: 'user', content: marker }] } : { prompt: marker }),
    max_tokens: c.outputLen,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (c.ignoreEos) body.ignore_eos = true;
  const json = JSON.stringify(body);
  const quoted = JSON.stringify(marker);
  const at = json.indexOf(quoted);
  const head = json.slice(0, at);
  const tail = json.slice(at + quoted.length);
  return (prompt) => head + JSON.stringify(prompt) + tail;
}

/** Across iterations: mean, sample σ, min and max of the headline numbers. */
function acrossIterations(runs: readonly HttpMetrics[], c: HttpBenchConfig) {
  const keys = ['duration', 'request_throughput', 'output_throughput', 'total_token_throughput'];
  for (const m of c.metrics.percentileMetrics) keys.push(`mean_${m}_ms`, `median_${m}_ms`, ...c.metrics.percentiles.map((p) => percentileKey(p, m)));
  const out: Record<string, { mean: number; std: number | null; min: number; max: number }> = {};
  for (const k of keys) {
    const xs = runs.map((r) => r[k]).filter((v): v is number => typeof v === 'number');
    if (xs.length) out[k] = { mean: mean(xs)!, std: stddev(xs, 1), min: Math.min(...xs), max: Math.max(...xs) };
  }
  return out;
}

function detailedArrays(outcomes: readonly RequestOutcome[]) {
  return {
    ttfts: outcomes.map((o) => (o.ttftMs === null ? null : o.ttftMs / 1000)),
    itls: outcomes.map((o) => o.itlsMs.map((v) => v / 1000)),
    input_lens: outcomes.map((o) => o.inputTokens),
    output_lens: outcomes.map((o) => o.outputTokens),
    errors: outcomes.map((o) => o.failure?.message ?? ''),
  };
}

/**
 * One `bench http`: the model, the GPUs' idle baseline, warm-ups, then the
 * measured iterations with the GPUs and the server's /metrics read alongside.
 * `signal` stops it early; what was measured is kept and summarized. Progress
 * goes to `live`, which views render; this never draws.
 */
export async function runHttpBench(c: HttpBenchConfig, gpu: GpuSide, live: LiveStats, signal: AbortSignal): Promise<HttpBenchResult> {
  const url = new URL(c.endpoint, c.baseUrl);
  const client = new Http1Client(url, c.maxConcurrency);
  try {
    const model = await resolveModel(c);
    live.set({ model, phase: 'baseline' });
    const watch = 'watch' in gpu ? gpu.watch : null;
    const baselines: IdleBaseline[] = watch && c.idleBaselineMs > 0 ? await watch.idleBaseline(c.idleBaselineMs, signal) : [];
    const body = requestBodies(c, model);
    const spec = (i: number, seedBase: number): RequestSpec => ({
      url,
      body: body(randomPrompt(c.inputLen, seedBase + i)),
      apiKey: c.apiKey,
      idleTimeoutMs: c.idleTimeoutMs,
      promptTokensEstimate: c.inputLen,
    });
    const hooks = { signal, onSent: () => live.sent(), onOutcome: (o: RequestOutcome) => live.finished(o) };
    if (c.numWarmups > 0 && !signal.aborted) {
      live.set({ phase: 'warmup' });
      const plan = { numPrompts: c.numWarmups, durationMs: null, requestRate: Infinity, burstiness: 1, maxConcurrency: c.maxConcurrency, seed: c.seed };
      await runLoad(plan, client, (i) => spec(i, 1e9), hooks);
    }

    const scraper = c.serverMetricsUrl ? new MetricsScraper(c.serverMetricsUrl) : null;
    const scraperTick = scraper ? setInterval(() => ((live.server = scraper.latest()), (live.serverError = scraper.failing())), 500) : undefined;
    scraper?.start();
    watch?.begin();
    const runs: LoadRun[] = [];
    for (let it = 1; it <= c.iterations && !signal.aborted; it++) {
      live.beginIteration(it);
      runs.push(await runLoad({ ...c, seed: c.seed + it - 1 }, client, (i) => spec(i, (it - 1) * 1e6), hooks));
    }
    const gpuSummaries = watch?.end() ?? [];
    clearInterval(scraperTick);
    const server = scraper?.stop() ?? null;

    const perRun = runs.map((r) => httpMetrics(r.outcomes, (r.endedAt - r.startedAt) / 1000, r.startedAt, c.metrics));
    const all = runs.flatMap((r) => r.outcomes);
    const totalS = runs.reduce((a, r) => a + (r.endedAt - r.startedAt) / 1000, 0);
    const pooled = httpMetrics(all, totalS, runs[0]?.startedAt ?? 0, c.metrics);
    // Peaks are per iteration: buckets from different iterations do not add up.
    for (const k of ['max_output_tokens_per_s', 'max_concurrent_requests'])
      pooled[k] = Math.max(0, ...perRun.map((m) => m[k] as number));
    const outputTokens = pooled.total_output_tokens as number;
    const unavailable = 'unavailable' in gpu ? gpu.unavailable : null;
    const gpuObject = gpuResult(gpuSummaries, baselines, { sampleIntervalMs: 'watch' in gpu ? gpu.intervalMs : GPU_WATCH_INTERVAL_MS, outputTokens });
    const stoppedBy = signal.aborted ? 'interrupted' : (runs.at(-1)?.stoppedBy ?? 'interrupted');
    const result: HttpBenchResult = {
      kind: 'http',
      date: new Date().toISOString(),
      backend: 'openai',
      base_url: c.baseUrl,
      endpoint: c.endpoint,
      model_id: model,
      num_prompts: c.numPrompts,
      request_rate: Number.isFinite(c.requestRate) ? c.requestRate : 'inf',
      burstiness: c.burstiness,
      max_concurrency: c.maxConcurrency,
      random_input_len: c.inputLen,
      random_output_len: c.outputLen,
      duration_limit_s: c.durationMs === null ? null : c.durationMs / 1000,
      stopped_by: stoppedBy,
      ...pooled,
      gpu: unavailable ? { ...gpuObject, note: `not measured: ${unavailable}` } : gpuObject,
      gpu_unavailable: unavailable,
      server_metrics: server,
      ...(c.iterations > 1 ? { iterations: perRun, across_iterations: acrossIterations(perRun, c) } : {}),
      ...(c.detailed ? detailedArrays(all) : {}),
    };
    live.set({ phase: stoppedBy === 'interrupted' ? 'interrupted' : 'finished' });
    return result;
  } finally {
    client.close();
  }
}

