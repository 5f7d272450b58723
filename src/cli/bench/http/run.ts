import { loadSettings } from '../../../config/settings-file.js';
import { GPU_WATCH_INTERVAL_MS, GpuWatch, openBenchGpus } from '../../../bench/gpu-watch.js';
import { BenchSetupError, type GpuSide, type HttpBenchResult, runHttpBench } from '../../../bench/http-bench.js';
import { LiveStats } from '../../../bench/live-stats.js';
import { type SimServer, startSimServer } from '../../../bench/sim-server.js';
import type { DemoName } from '../../../sampler/demo.js';
import type { SnapshotSource } from '../../../sampler/source.js';
import { progressLine } from '../../../views/text/bench-progress.js';
import { renderHttpSummary } from '../../../views/text/http-summary.js';
import type { BenchHttpFlags } from './flags.js';
import { checkWritable } from '../../shared/report-error.js';
import { CliError, EXIT, exitForSignal, STOP_SIGNALS, UsageError } from '../../../exit-status.js';
import { httpBenchConfig } from './config.js';
import { writeResult } from './result-file.js';
import { sourceOptions } from '../../shared/options.js';

const DEMO_GPU: DemoName = 'h100';

/** The GPU side: the sampler at 10 Hz, or why there is none (the benchmark runs either way). */
async function openGpus(flags: BenchHttpFlags, env: NodeJS.ProcessEnv): Promise<{ side: GpuSide; source: SnapshotSource | null }> {
  const { settings } = loadSettings(env);
  // --demo alone replays the one-GPU recording: idle first (the baseline), then under load, as one model server's GPU.
  const demo = flags.demo === true ? DEMO_GPU : flags.demo;
  const gpus = await openBenchGpus({ ...sourceOptions({ ...flags, demo }, env, settings), intervalMs: GPU_WATCH_INTERVAL_MS });
  if (gpus.source === null) return { side: { unavailable: gpus.unavailable }, source: null };
  return { side: { watch: new GpuWatch(gpus.source), intervalMs: GPU_WATCH_INTERVAL_MS }, source: gpus.source };
}

/** Progress on stderr: one line redrawn in place on a terminal, a plain line every second elsewhere. */
function startProgress(live: LiveStats, stderr: NodeJS.WriteStream): () => void {
  const tty = stderr.isTTY === true;
  const draw = () => {
    const text = progressLine(live.progress());
    stderr.write(tty ? `\r\x1b[K${text.slice(0, (stderr.columns || 80) - 1)}` : `${text}\n`);
  };
  const timer = setInterval(draw, tty ? 250 : 1000);
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
  if (flags.resultFilename) checkWritable('--result-filename', flags.resultFilename);
  const sim: SimServer | null = flags.demo !== undefined && flags.demo !== false && !flags.baseUrl && !preset['base-url'] ? await startSimServer() : null;
  const config = httpBenchConfig(flags, preset, env, sim?.baseUrl ?? null);
  const { side, source } = await openGpus(flags, env);
  const live = new LiveStats(config.iterations, config.numPrompts, config.durationMs === null ? null : config.durationMs / 1000);
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals = 'SIGINT';
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(exitForSignal(stoppedBy));
    stoppedBy = signal;
    process.stderr.write(`\nbench http: ${signal}: stopping; summarizing what was measured (Ctrl-C again to quit at once)\n`);
    stop.abort();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const stopProgress = startProgress(live, process.stderr);
  const startedAt = Date.now();
  let result: HttpBenchResult;
  try {
    result = await runHttpBench(config, side, live, stop.signal);
  } catch (e) {
    if (e instanceof BenchSetupError) throw new CliError(e.message, EXIT.serverUnavailable);
    throw e;
  } finally {
    stopProgress();
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    source?.stop();
    await sim?.close();
  }
  const endedAt = Date.now();
  process.stdout.write(renderHttpSummary(result, config.metrics.percentileMetrics, config.metrics.percentiles));
  let saved: string | null = null;
  try {
    if (flags.saveResult || flags.resultFilename) {
      saved = writeResult(result, flags.resultFilename);
      process.stderr.write(`bench http: result saved to ${saved}\n`);
    }
  } finally {
    // The run happened even when its file could not be written.
    const spans = await import('../history-span.js');
    await spans.recordBenchSpan(flags.historyDb, env, spans.benchSpan(spans.httpSpanLabel(result), startedAt, endedAt, spans.httpSpanEnd(result, stoppedBy), saved), process.stderr);
  }
  if (result.stopped_by === 'interrupted') return exitForSignal(stoppedBy);
  return result.completed === 0 ? EXIT.benchFailed : EXIT.ok;
}
