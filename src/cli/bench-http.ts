import { writeFileSync } from 'node:fs';
import type { BenchPreset } from '../config/bench-presets.js';
import { loadSettings } from '../config/store.js';
import { GPU_WATCH_INTERVAL_MS, GpuWatch } from '../bench/gpu-watch.js';
import { BenchSetupError, type GpuSide, type HttpBenchConfig, type HttpBenchResult, runHttpBench } from '../bench/http-bench.js';
import { GOODPUT_METRICS, type Goodput, LATENCY_METRICS, type LatencyMetric } from '../bench/http-metrics.js';
import { LiveStats } from '../bench/live.js';
import { type SimServer, startSimServer } from '../bench/sim-server.js';
import { openSource } from '../sampler/open.js';
import type { SnapshotSource } from '../sampler/source.js';
import { progressLine } from '../views/text/bench-progress.js';
import { renderHttpSummary } from '../views/text/http-summary.js';
import type { BenchHttpFlags } from './bench.js';
import { CliError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { parseRate } from './bench.js';
import { sourceOptions } from './options.js';

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
  return {
    baseUrl,
    endpoint,
    model: f.model ?? preset.model ?? null,
    apiKey: f.apiKey ?? env.OPENAI_API_KEY ?? null,
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

/** vLLM's file name: `http-10qps-concurrency32-llama-3.1-8b-20261201-120000.json`. */
export function defaultResultFilename(r: HttpBenchResult, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const dt = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const model = r.model_id.split('/').at(-1)!.replace(/[^A-Za-z0-9._-]/g, '_');
  return `http-${r.request_rate}qps${r.max_concurrency === null ? '' : `-concurrency${r.max_concurrency}`}-${model}-${dt}.json`;
}

/** The GPU side: the sampler at 10 Hz, or why there is none (the benchmark runs either way). */
async function openGpus(flags: BenchHttpFlags, env: NodeJS.ProcessEnv): Promise<{ side: GpuSide; source: SnapshotSource | null }> {
  const { settings } = loadSettings(env);
  let source: SnapshotSource | null = null;
  try {
    source = await openSource({ ...sourceOptions(flags, env, settings), intervalMs: GPU_WATCH_INTERVAL_MS });
    await source.start();
    return { side: { watch: new GpuWatch(source) }, source };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    source?.stop();
    return { side: { unavailable: (e as Error).message.replace(/\.$/, '') }, source: null };
  }
}

/** Progress on stderr: one line redrawn in place on a terminal, a plain line every few seconds elsewhere. */
function startProgress(live: LiveStats, stderr: NodeJS.WriteStream): () => void {
  const tty = stderr.isTTY === true;
  const draw = () => {
    const text = progressLine(live.progress());
    stderr.write(tty ? `\r\x1b[K${text.slice(0, (stderr.columns || 80) - 1)}` : `${text}\n`);
  };
  const timer = setInterval(draw, tty ? 250 : 2000);
  return () => {
    clearInterval(timer);
    if (tty) stderr.write('\r\x1b[K');
  };
}

export async function runBenchHttp(flags: BenchHttpFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const presets = loadSettings(env).settings['bench.presets'];
  if (flags.preset !== undefined && !Object.hasOwn(presets, flags.preset))
    throw new UsageError(`--preset: no preset named '${flags.preset}' (${Object.keys(presets).length ? `there are: ${Object.keys(presets).join(', ')}` : 'there are none: see gpumon config'})`);
  const preset = flags.preset === undefined ? {} : presets[flags.preset]!;
  // Check the flags before starting anything.
  httpBenchConfig(flags, preset, env, null);
  const sim: SimServer | null = flags.demo !== undefined && flags.demo !== false && !flags.baseUrl && !preset['base-url'] ? await startSimServer() : null;
  const config = httpBenchConfig(flags, preset, env, sim?.baseUrl ?? null);
  const { side, source } = await openGpus(flags, env);
  const live = new LiveStats(config.iterations, config.numPrompts, config.durationMs === null ? null : config.durationMs / 1000);
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write('\nbench http: stopping; summarizing what was measured (Ctrl-C again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  const stopProgress = startProgress(live, process.stderr);
  let result: HttpBenchResult;
  try {
    result = await runHttpBench(config, side, live, stop.signal);
  } catch (e) {
    if (e instanceof BenchSetupError) throw new CliError(e.message, EXIT.serverUnavailable);
    throw e;
  } finally {
    stopProgress();
    process.off('SIGINT', onSigint);
    source?.stop();
    await sim?.close();
  }
  process.stdout.write(renderHttpSummary(result, config.metrics.percentileMetrics, config.metrics.percentiles));
  if (flags.saveResult || flags.resultFilename) {
    const path = flags.resultFilename ?? defaultResultFilename(result);
    try {
      writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
    } catch (e) {
      throw new CliError(`cannot write the result to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.cannotWrite);
    }
    process.stderr.write(`bench http: result saved to ${path}\n`);
  }
  if (result.stopped_by === 'interrupted') return EXIT.interrupted;
  return result.completed === 0 ? EXIT.benchFailed : EXIT.ok;
}
