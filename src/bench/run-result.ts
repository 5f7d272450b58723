import { mergeRunSummaries } from '../model/run-merge.js';
import { type RunWarning, runSetStats, runWarnings } from '../model/run-stats.js';
import { totalEnergyJ } from '../model/run-window.js';
import { mean } from '../model/stats.js';
import { VERSION } from '../version.js';
import type { CommandBenchOutcome, CommandRun, ShellSpawn, Stop } from './command-bench.js';
import type { BenchTarget } from './run-plan.js';
import { type GpuResult, gpuResult } from './gpu-result.js';

/** One timing run in the result file. */
export interface RunResultRun {
  /** Wall time, s. */
  readonly time: number;
  readonly exit_code: number | null;
  readonly signal: string | null;
  /** Ended after --run-timeout. */
  readonly timed_out: boolean;
  /** CPU time of the command's process tree, s (wait4, as hyperfine); null where not measured. */
  readonly user: number | null;
  readonly system: number | null;
  /** The largest resident set of one process of the tree, bytes. */
  readonly memory_bytes: number | null;
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
  /** The --command-name, or the command as run (hyperfine's key). */
  readonly command: string;
  readonly mean: number;
  readonly stddev: number | null;
  readonly median: number;
  readonly user: number | null;
  readonly system: number | null;
  readonly min: number;
  readonly max: number;
  readonly times: readonly number[];
  /** hyperfine's key: each run's peak resident set, bytes (null where not measured). */
  readonly memory_usage_byte: readonly (number | null)[];
  readonly exit_codes: readonly (number | null)[];
  /** hyperfine's key, only with -P or -L: each parameter's value for this command. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** The command line as run, when a --command-name names it. */
  readonly command_line: string;
  /** This is the --reference. */
  readonly reference: boolean;
  readonly prepare: string | null;
  readonly runs: readonly RunResultRun[];
  /** Over all timing runs together (not what ran between them). */
  readonly gpu: GpuResult | null;
  /** Per timing run, so that commands with different run counts compare: all GPUs' energy, J. */
  readonly gpu_energy_j_per_run: number | null;
  /** hyperfine's warnings, and 'fast_command': under 5 ms through a shell. */
  readonly warnings: readonly (RunWarning | 'fast_command')[];
}

export type StoppedJson =
  | { readonly kind: 'interrupted' }
  | {
      readonly kind: 'failed';
      readonly what: Extract<Stop, { kind: 'failed' }>['what'];
      /** The benchmark's name (its `command`). */
      readonly command: string;
      readonly run: string | null;
      readonly exit_code: number | null;
      readonly signal: string | null;
      readonly timed_out: boolean;
    };

export interface RunResultFile {
  readonly kind: 'run';
  readonly gpumon_version: string;
  /** ISO 8601, when the benchmark started. */
  readonly date: string;
  /** Why it ended early (Ctrl-C, a failing command), or null. */
  readonly stopped: StoppedJson | null;
  /** Why the GPU figures are empty, or null. */
  readonly gpu_note: string | null;
  /** Why user, system and memory are null, or null. */
  readonly cpu_note: string | null;
  readonly warmup: number;
  /** What starting the shell costs (\`sh -c ''\`, measured before the benchmarks), taken off every shell run as hyperfine does; null with -N. */
  readonly shell_spawn: ShellSpawn | null;
  /** One per benchmarked command that finished a timing run, in the order they ran. */
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
    memory_bytes: r.memoryBytes,
    gpu_energy_j: totalEnergyJ(r.gpus),
    gpu_avg_utilization_percent: mean(utils),
    gpu_peak_memory_used_mib: mems.length ? Math.max(...mems) : null,
    process_tree_peak_gpu_memory_mib: r.treePeakGpuMemoryMiB,
  };
}

/** hyperfine's limit: a shell command faster than this is below what the shell's calibration can resolve. */
const FAST_COMMAND_S = 0.005;

/** One target's entry from the runs it has (null before its first timing run ends). */
export function resultEntry(t: BenchTarget, runs: readonly CommandRun[], outcome: CommandBenchOutcome, sampleIntervalMs: number): RunResultEntry | null {
  const { baselines, shellSpawn } = outcome;
  const stats = runSetStats(runs);
  if (!stats) return null;
  const gpus = mergeRunSummaries(runs.map((r) => r.gpus));
  const gpu = gpus.length ? gpuResult(gpus, baselines, { sampleIntervalMs }) : null;
  return {
    command: t.name,
    ...stats,
    times: runs.map((r) => r.time),
    memory_usage_byte: runs.map((r) => r.memoryBytes),
    exit_codes: runs.map((r) => r.exitCode),
    ...(Object.keys(t.parameters).length ? { parameters: t.parameters } : {}),
    command_line: t.command.text,
    reference: t.reference,
    prepare: t.prepare?.text ?? null,
    runs: runs.map(runFigures),
    gpu,
    gpu_energy_j_per_run: gpu?.energy_j != null ? gpu.energy_j / runs.length : null,
    warnings: [...runWarnings(runs.map((r) => r.time)), ...(shellSpawn && stats.mean < FAST_COMMAND_S ? (['fast_command'] as const) : [])],
  };
}

export function runResult(
  outcome: CommandBenchOutcome,
  o: {
    readonly targets: readonly BenchTarget[];
    readonly startedAt: number;
    readonly gpuNote: string | null;
    readonly cpuNote: string | null;
    readonly warmup: number;
    readonly sampleIntervalMs: number;
  },
): RunResultFile {
  const stop = outcome.stop;
  return {
    kind: 'run',
    gpumon_version: VERSION,
    date: new Date(o.startedAt).toISOString(),
    stopped:
      stop &&
      (stop.kind === 'interrupted'
        ? stop
        : { kind: 'failed', what: stop.what, command: o.targets[stop.target]!.name, run: stop.run, exit_code: stop.exitCode, signal: stop.signal, timed_out: stop.timedOut }),
    gpu_note: o.gpuNote,
    cpu_note: o.cpuNote,
    warmup: o.warmup,
    shell_spawn: outcome.shellSpawn,
    results: o.targets.flatMap((t, i) => resultEntry(t, outcome.runs[i] ?? [], outcome, o.sampleIntervalMs) ?? []),
  };
}
