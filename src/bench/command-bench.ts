import { type GpuRunSummary } from '../model/run-window.js';
import { treeGpuMemoryMiB } from '../model/process-tree.js';
import { type RunCount, runSetStats, type RunTiming, timingRunCount } from '../model/run-stats.js';
import type { Snapshot } from '../model/types.js';
import { readParentPid } from '../sampler/host/proc-tree.js';
import type { SnapshotSource } from '../sampler/source.js';
import type { ChildExit, CommandLine, CommandRunner } from './child.js';
import type { BenchTarget } from './run-plan.js';
import { GpuWatch, type IdleBaseline } from './gpu-watch.js';

/** One timing run: hyperfine's figures, and what the GPUs did during it. */
export interface CommandRun extends RunTiming {
  /** The largest resident set of one process of the command's tree, bytes; null where not measured. */
  readonly memoryBytes: number | null;
  readonly gpus: readonly GpuRunSummary[];
  /** Peak GPU memory held by the command's own process tree, MiB; null without GPU data, or when none was found while some GPU process was not visible in /proc. */
  readonly treePeakGpuMemoryMiB: number | null;
}

export type Progress =
  | { readonly phase: 'baseline' }
  | { readonly phase: 'calibration' }
  /** Before a benchmark's first run. */
  | { readonly phase: 'start'; readonly target: number }
  /** `total` is null until the first timing run says how many there will be. */
  | { readonly phase: 'warmup' | 'run'; readonly target: number; readonly index: number; readonly total: number | null; readonly done: readonly CommandRun[] }
  /** After a benchmark's last run (and its cleanup). */
  | { readonly phase: 'done'; readonly target: number; readonly outcome: CommandBenchOutcome };

export interface CommandBenchOptions {
  readonly targets: readonly BenchTarget[];
  readonly runs: RunCount;
  readonly warmup: number;
  /** stdin of every command from this file; null: /dev/null. */
  readonly input: string | null;
  readonly ignoreFailure: boolean;
  /** A run (or a setup, prepare, conclude or cleanup) still going after this is ended and counts as failed; null: no limit. */
  readonly runTimeoutMs: number | null;
  /** Idle power is measured this long before the first run (0: not measured). */
  readonly baselineMs: number;
  /** A started source, or null when no GPU can be read. */
  readonly source: SnapshotSource | null;
  readonly runner: CommandRunner;
  /** The shell with an empty command (\`sh -c ''\`): timed first, and its cost taken off every run, as hyperfine; null with -N. */
  readonly shellCalibration: CommandLine | null;
  /** Ctrl-C: the running command's tree is killed and what was measured is returned. */
  readonly signal: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
}

/** The commands around the benchmarked one. */
export type HelperCommand = 'setup' | 'prepare' | 'conclude' | 'cleanup';

/** Why the benchmark ended before all its runs. */
export type Stop =
  | { readonly kind: 'interrupted' }
  | {
      readonly kind: 'failed';
      readonly what: 'command' | HelperCommand;
      /** Which benchmark (index into the targets). */
      readonly target: number;
      /** Which run: 'run 3', 'warmup run 1'; null for setup and cleanup. */
      readonly run: string | null;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly timedOut: boolean;
    };

/** What starting the shell costs: means over the calibration runs, s. */
export interface ShellSpawn {
  readonly time: number;
  readonly user: number | null;
  readonly system: number | null;
}

/** hyperfine's count of calibration runs. */
export const SHELL_CALIBRATION_RUNS = 50;

export interface CommandBenchOutcome {
  /** The runs of each target, as far as it got (a target not reached has none). */
  readonly runs: readonly (readonly CommandRun[])[];
  readonly shellSpawn: ShellSpawn | null;
  readonly baselines: readonly IdleBaseline[];
  readonly stop: Stop | null;
}

const failed = (r: ChildExit) => r.exitCode !== 0 || r.signal !== null || r.timedOut;

/**
 * hyperfine's loop: an idle baseline, then for each target its setup, warmup
 * runs and timing runs (each between its prepare and conclude), and its
 * cleanup, reading the GPUs through a GpuWatch around each timing run. The
 * runner measures each run's wall and CPU time (gpumon-measure: wait4, as
 * hyperfine), so nothing of gpumon's own is charged to the command.
 */
export async function benchCommand(o: CommandBenchOptions): Promise<CommandBenchOutcome> {
  const watch = o.source ? new GpuWatch(o.source) : null;
  // The tree's GPU memory, at each snapshot of a timing run.
  // `hidden`: a GPU process /proc does not show (another PID namespace, as in a container) might be the command's.
  const tree: { pid: number | null; peak: number; hidden: boolean } = { pid: null, peak: 0, hidden: false };
  const onSnapshot = (s: Snapshot) => {
    if (tree.pid === null || s.stale) return;
    tree.peak = Math.max(tree.peak, treeGpuMemoryMiB(s.processes, tree.pid, (p) => readParentPid(p)));
    tree.hidden ||= s.processes.some((p) => p.unknown.startTimeMs === 'not_visible' && p.gpuMemoryMiB);
  };
  const unsubscribe = o.source?.subscribe(onSnapshot);
  const runs: CommandRun[][] = o.targets.map(() => []);
  let baselines: IdleBaseline[] = [];
  let shellSpawn: ShellSpawn | null = null;
  const outcome = (stop: Stop | null): CommandBenchOutcome => ({ runs, shellSpawn, baselines, stop });
  const less = (x: number | null, spawn: number | null | undefined) => (x === null ? null : Math.max(0, x - (spawn ?? 0)));

  /** Runs one command of target `i`: its exit, and a Stop when it failed (or was interrupted). */
  const step = async (i: number, what: 'command' | HelperCommand, command: CommandLine, run: string | null, onStart?: (pid: number) => void): Promise<{ exit: ChildExit; stop: Stop | null }> => {
    const exit = await o.runner.run(command, { output: o.targets[i]!.output, input: o.input, signal: o.signal, timeoutMs: o.runTimeoutMs, onStart });
    if (o.signal.aborted) return { exit, stop: { kind: 'interrupted' } };
    const stop: Stop | null =
      failed(exit) && (what !== 'command' || !o.ignoreFailure) ? { kind: 'failed', what, target: i, run, exitCode: exit.exitCode, signal: exit.signal, timedOut: exit.timedOut } : null;
    return { exit, stop };
  };

  /** One warmup or timing run of target `i`: prepare, the command, conclude. */
  const oneRun = async (i: number, run: string, timed: boolean): Promise<Stop | null> => {
    const t = o.targets[i]!;
    const prepared = t.prepare && (await step(i, 'prepare', t.prepare, run));
    if (prepared && prepared.stop) return prepared.stop;
    if (timed) watch?.begin();
    const { exit, stop } = await step(i, 'command', t.command, run, (pid) => {
      if (!timed) return;
      Object.assign(tree, { pid, peak: 0, hidden: false });
      const now = o.source?.latest();
      if (now) onSnapshot(now);
    });
    const gpus = timed ? (watch?.end() ?? []) : [];
    tree.pid = null;
    if (stop?.kind === 'interrupted') return stop; // an interrupted run is not a measurement
    if (timed)
      runs[i]!.push({
        time: less(exit.seconds, shellSpawn?.time)!,
        user: less(exit.user, shellSpawn?.user),
        system: less(exit.system, shellSpawn?.system),
        exitCode: exit.exitCode,
        signal: exit.signal,
        timedOut: exit.timedOut,
        memoryBytes: exit.maxRssBytes,
        gpus,
        treePeakGpuMemoryMiB: gpus.length && !(tree.peak === 0 && tree.hidden) ? tree.peak : null,
      });
    if (stop) return stop;
    const concluded = t.conclude && (await step(i, 'conclude', t.conclude, run));
    return concluded ? concluded.stop : null;
  };

  try {
    if (watch && o.baselineMs > 0) {
      o.onProgress?.({ phase: 'baseline' });
      baselines = await watch.idleBaseline(o.baselineMs, o.signal);
    }
    if (o.shellCalibration) {
      o.onProgress?.({ phase: 'calibration' });
      const spawns: ChildExit[] = [];
      for (let n = 0; n < SHELL_CALIBRATION_RUNS && !o.signal.aborted; n++)
        spawns.push(await o.runner.run(o.shellCalibration, { output: { kind: 'null' }, input: null, signal: o.signal, timeoutMs: o.runTimeoutMs }));
      if (o.signal.aborted) return outcome({ kind: 'interrupted' });
      const stats = runSetStats(spawns.map((e) => ({ ...e, time: e.seconds })));
      shellSpawn = stats && { time: stats.mean, user: stats.user, system: stats.system };
    }
    for (let i = 0; i < o.targets.length; i++) {
      const t = o.targets[i]!;
      if (o.signal.aborted) return outcome({ kind: 'interrupted' });
      o.onProgress?.({ phase: 'start', target: i });
      const setUp = t.setup && (await step(i, 'setup', t.setup, null));
      if (setUp && setUp.stop) return outcome(setUp.stop);
      for (let w = 0; w < o.warmup; w++) {
        if (o.signal.aborted) return outcome({ kind: 'interrupted' });
        o.onProgress?.({ phase: 'warmup', target: i, index: w, total: o.warmup, done: runs[i]! });
        const stop = await oneRun(i, `warmup run ${w + 1}`, false);
        if (stop) return outcome(stop);
      }
      let total: number | null = 'exact' in o.runs ? o.runs.exact : null;
      for (let n = 0; total === null || n < total; n++) {
        if (o.signal.aborted) return outcome({ kind: 'interrupted' });
        o.onProgress?.({ phase: 'run', target: i, index: n, total, done: runs[i]! });
        const stop = await oneRun(i, `run ${n + 1}`, true);
        if (stop) return outcome(stop);
        total ??= timingRunCount(o.runs, runs[i]![0]!.time);
      }
      const cleanedUp = t.cleanup && (await step(i, 'cleanup', t.cleanup, null));
      if (cleanedUp && cleanedUp.stop) return outcome(cleanedUp.stop);
      o.onProgress?.({ phase: 'done', target: i, outcome: outcome(null) });
    }
    return outcome(null);
  } finally {
    unsubscribe?.();
    watch?.close();
  }
}
