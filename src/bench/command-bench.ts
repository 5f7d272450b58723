import { type GpuRunSummary } from '../model/run-window.js';
import { treeGpuMemoryMiB } from '../model/process-tree.js';
import type { RunTiming } from '../model/run-stats.js';
import type { Snapshot } from '../model/types.js';
import { readParentPid, readReapedChildrenCpu } from '../sampler/host/proc-tree.js';
import type { SnapshotSource } from '../sampler/source.js';
import { type ChildExit, type CommandLine, runChild } from './child.js';
import { GpuWatch, type IdleBaseline } from './gpu-watch.js';

/** One timing run: hyperfine's figures, and what the GPUs did during it. */
export interface CommandRun extends RunTiming {
  readonly gpus: readonly GpuRunSummary[];
  /** Peak GPU memory held by the command's own process tree, MiB; null without GPU data, or when none was found while some GPU process was not visible in /proc. */
  readonly treePeakGpuMemoryMiB: number | null;
}

export type Progress =
  | { readonly phase: 'baseline' }
  | { readonly phase: 'warmup' | 'run'; readonly index: number; readonly total: number; readonly done: readonly CommandRun[] };

export interface CommandBenchOptions {
  readonly command: CommandLine;
  readonly runs: number;
  readonly warmup: number;
  readonly prepare: CommandLine | null;
  readonly ignoreFailure: boolean;
  readonly showOutput: boolean;
  /** A run (or prepare) still going after this is ended and counts as failed; null: no limit. */
  readonly runTimeoutMs: number | null;
  /** Idle power is measured this long before the first run (0: not measured). */
  readonly baselineMs: number;
  /** A started source, or null when no GPU can be read. */
  readonly source: SnapshotSource | null;
  /** Ctrl-C: the running command's tree is killed and what was measured is returned. */
  readonly signal: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
}

/** Why the benchmark ended before all its runs. */
export type Stop =
  | { readonly kind: 'interrupted' }
  | {
      readonly kind: 'failed';
      readonly what: 'command' | 'prepare';
      /** Which run: 'run 3', 'warmup run 1'. */
      readonly run: string;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly timedOut: boolean;
    };

export interface CommandBenchOutcome {
  readonly runs: readonly CommandRun[];
  readonly baselines: readonly IdleBaseline[];
  readonly stop: Stop | null;
}

const failed = (r: ChildExit) => r.exitCode !== 0 || r.signal !== null || r.timedOut;
const failure = (what: 'command' | 'prepare', run: string, r: ChildExit): Stop => ({ kind: 'failed', what, run, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut });

/**
 * hyperfine's loop for one command: idle baseline, warmup runs, then timing
 * runs (each after `prepare`), reading the GPUs through a GpuWatch around each
 * timing run. User and system time are the CPU time of the children this
 * process reaped during the run (getrusage(RUSAGE_CHILDREN), as hyperfine),
 * read from /proc/self/stat, since Node's spawn reports no rusage.
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
  const runs: CommandRun[] = [];
  let baselines: IdleBaseline[] = [];
  const child = (command: CommandLine, onStart?: (pid: number) => void) =>
    runChild(command, { showOutput: o.showOutput, signal: o.signal, timeoutMs: o.runTimeoutMs, onStart });
  const prepared = async (run: string): Promise<Stop | null> => {
    if (!o.prepare) return null;
    const r = await child(o.prepare);
    if (o.signal.aborted) return { kind: 'interrupted' };
    return failed(r) ? failure('prepare', run, r) : null;
  };
  const outcome = (stop: Stop | null): CommandBenchOutcome => ({ runs, baselines, stop });
  try {
    if (watch && o.baselineMs > 0) {
      o.onProgress?.({ phase: 'baseline' });
      baselines = await watch.idleBaseline(o.baselineMs, o.signal);
    }
    for (let i = 0; i < o.warmup; i++) {
      if (o.signal.aborted) return outcome({ kind: 'interrupted' });
      o.onProgress?.({ phase: 'warmup', index: i, total: o.warmup, done: runs });
      const run = `warmup run ${i + 1}`;
      const stop = await prepared(run);
      if (stop) return outcome(stop);
      const r = await child(o.command);
      if (o.signal.aborted) return outcome({ kind: 'interrupted' });
      if (failed(r) && !o.ignoreFailure) return outcome(failure('command', run, r));
    }
    for (let i = 0; i < o.runs; i++) {
      if (o.signal.aborted) return outcome({ kind: 'interrupted' });
      o.onProgress?.({ phase: 'run', index: i, total: o.runs, done: runs });
      const run = `run ${i + 1}`;
      const stop = await prepared(run);
      if (stop) return outcome(stop);
      const cpuBefore = readReapedChildrenCpu();
      watch?.begin();
      const r = await child(o.command, (pid) => {
        Object.assign(tree, { pid, peak: 0, hidden: false });
        const now = o.source?.latest();
        if (now) onSnapshot(now);
      });
      const gpus = watch?.end() ?? [];
      const cpuAfter = readReapedChildrenCpu();
      tree.pid = null;
      // An interrupted run is not a measurement.
      if (o.signal.aborted) return outcome({ kind: 'interrupted' });
      runs.push({
        time: r.seconds,
        user: cpuBefore && cpuAfter ? Math.max(0, cpuAfter.user - cpuBefore.user) : null,
        system: cpuBefore && cpuAfter ? Math.max(0, cpuAfter.system - cpuBefore.system) : null,
        exitCode: r.exitCode,
        signal: r.signal,
        timedOut: r.timedOut,
        gpus,
        treePeakGpuMemoryMiB: gpus.length && !(tree.peak === 0 && tree.hidden) ? tree.peak : null,
      });
      if (failed(r) && !o.ignoreFailure) return outcome(failure('command', run, r));
    }
    return outcome(null);
  } finally {
    unsubscribe?.();
    watch?.close();
  }
}
