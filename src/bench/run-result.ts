import { mergeRunSummaries } from '../model/run-merge.js';
import { type RunWarning, runSetStats, runWarnings } from '../model/run-stats.js';
import { totalEnergyJ } from '../model/run-window.js';
import { mean } from '../model/stats.js';
import { VERSION } from '../version.js';
import type { CommandBenchOutcome, CommandRun, Stop } from './command-bench.js';
import { type GpuResult, gpuResult } from './gpu-result.js';

/** One timing run in the result file. */
export interface RunResultRun {
  /** Wall time, s. */
  readonly time: number;
  readonly exit_code: number | null;
  readonly signal: string | null;
  /** Ended after --run-timeout. */
  readonly timed_out: boolean;
  readonly user: number | null;
  readonly system: number | null;
  /** All GPUs together, J. */
  readonly gpu_energy_j: number | null;
  /** Mean over the GPUs of each one's average utilization during the run, %. */
  readonly gpu_avg_utilization_percent: number | null;
  /** The highest memory used on any one GPU during the run (by anything on it), MiB. */
  readonly gpu_peak_memory_used_mib: number | null;
  /** The most GPU memory the command's own process tree held at once, MiB. */
  readonly process_tree_peak_gpu_memory_mib: number | null;
}

/** hyperfine's --export-json `results[]` entry, with the GPU side added. */
export interface RunResultEntry {
  readonly command: string;
  readonly mean: number;
  readonly stddev: number | null;
  readonly median: number;
  readonly user: number | null;
  readonly system: number | null;
  readonly min: number;
  readonly max: number;
  readonly times: readonly number[];
  readonly exit_codes: readonly (number | null)[];
  readonly runs: readonly RunResultRun[];
  /** Over all timing runs together (not what ran between them). */
  readonly gpu: GpuResult | null;
  readonly warnings: readonly RunWarning[];
}

export type StoppedJson =
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'failed'; readonly what: 'command' | 'prepare'; readonly run: string; readonly exit_code: number | null; readonly signal: string | null; readonly timed_out: boolean };

const stoppedJson = (s: Stop): StoppedJson =>
  s.kind === 'interrupted' ? s : { kind: 'failed', what: s.what, run: s.run, exit_code: s.exitCode, signal: s.signal, timed_out: s.timedOut };

export interface RunResultFile {
  readonly kind: 'run';
  readonly gpumon_version: string;
  /** ISO 8601, when the benchmark started. */
  readonly date: string;
  /** Why it ended early (Ctrl-C, a failing command), or null. */
  readonly stopped: StoppedJson | null;
  /** Why the GPU figures are empty, or null. */
  readonly gpu_note: string | null;
  readonly warmup: number;
  readonly prepare: string | null;
  /** Empty when it was stopped before the first timing run ended. */
  readonly results: readonly RunResultEntry[];
}

function runFigures(r: CommandRun): RunResultRun {
  const utils = r.gpus.map((g) => g.avgUtilizationPercent).filter((u): u is number => u !== null);
  const mems = r.gpus.map((g) => g.peakMemoryUsedMiB).filter((m): m is number => m !== null);
  return {
    time: r.time,
    exit_code: r.exitCode,
    signal: r.signal,
    timed_out: r.timedOut,
    user: r.user,
    system: r.system,
    gpu_energy_j: totalEnergyJ(r.gpus),
    gpu_avg_utilization_percent: mean(utils),
    gpu_peak_memory_used_mib: mems.length ? Math.max(...mems) : null,
    process_tree_peak_gpu_memory_mib: r.treePeakGpuMemoryMiB,
  };
}

export function runResult(
  outcome: CommandBenchOutcome,
  o: { readonly command: string; readonly startedAt: number; readonly gpuNote: string | null; readonly warmup: number; readonly prepare: string | null; readonly sampleIntervalMs: number },
): RunResultFile {
  const stats = runSetStats(outcome.runs);
  const gpus = mergeRunSummaries(outcome.runs.map((r) => r.gpus));
  const entry: RunResultEntry | null = stats && {
    command: o.command,
    ...stats,
    times: outcome.runs.map((r) => r.time),
    exit_codes: outcome.runs.map((r) => r.exitCode),
    runs: outcome.runs.map(runFigures),
    gpu: gpus.length ? gpuResult(gpus, outcome.baselines, { sampleIntervalMs: o.sampleIntervalMs }) : null,
    warnings: runWarnings(outcome.runs.map((r) => r.time)),
  };
  return {
    kind: 'run',
    gpumon_version: VERSION,
    date: new Date(o.startedAt).toISOString(),
    stopped: outcome.stop && stoppedJson(outcome.stop),
    gpu_note: o.gpuNote,
    warmup: o.warmup,
    prepare: o.prepare,
    results: entry ? [entry] : [],
  };
}
