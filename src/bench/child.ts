import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { descendants } from '../model/process-tree.js';
import { readParentTable } from '../sampler/host/proc-tree.js';

/** A command to run: the program and its arguments, and how to show it. */
export interface CommandLine {
  readonly file: string;
  readonly args: readonly string[];
  /** As the user wrote it (for output). */
  readonly text: string;
}

/** `-- prog arg...`: run directly, no shell; shown with arguments quoted where needed. */
export function directCommand(argv: readonly [string, ...string[]]): CommandLine {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return { file: argv[0], args: argv.slice(1), text: argv.map(quote).join(' ') };
}

/** Where a command's stdout and stderr go: hyperfine's --output. */
export type OutputPolicy = { readonly kind: 'null' | 'pipe' | 'inherit' } | { readonly kind: 'file'; readonly path: string };

export interface ChildExit {
  /** null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Wall time from spawn to exit, s. */
  readonly seconds: number;
  /** It ran past `timeoutMs` and was ended. */
  readonly timedOut: boolean;
  /** CPU time of the command's process tree, s; null where it could not be measured. */
  readonly user: number | null;
  readonly system: number | null;
  /** The largest resident set of any one process of the tree, bytes (wait4's ru_maxrss); null where not measured. */
  readonly maxRssBytes: number | null;
}

export interface RunOptions {
  readonly output: OutputPolicy;
  /** stdin from this file; null: /dev/null. */
  readonly input: string | null;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number | null;
  /** Gets the pid as soon as it runs. */
  readonly onStart?: (pid: number) => void;
}

/** Runs commands one at a time, timed, each in its own process group. */
export interface CommandRunner {
  run(command: CommandLine, opts: RunOptions): Promise<ChildExit>;
  /** Why user/system/memory are null, or null when they are measured. */
  readonly unmeasured: string | null;
  close(): void;
}

/** The command could not be started at all (not found, not executable). */
export class SpawnFailure extends Error {
  constructor(
    readonly command: CommandLine,
    readonly code: string,
  ) {
    super(`cannot run ${command.file}: ${code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied' : code}`);
  }
}

/** How long a tree gets to end after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 1000;

/**
 * Ends a process tree: its process group (the child leads one) and every
 * descendant /proc shows, which catches those that left the group (setsid).
 */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  const targets = descendants(pid, readParentTable());
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
  for (const p of targets)
    try {
      process.kill(p, signal);
    } catch {
      // Gone, or not ours.
    }
}

/**
 * Ends a started command's tree on abort (Ctrl-C) or once it runs past
 * `timeoutMs`: SIGTERM, then SIGKILL after a grace. `exited()` once it is
 * gone: what it left running in its group goes with it, if it was ended.
 */
export function treeWatchdog(pid: number, opts: Pick<RunOptions, 'signal' | 'timeoutMs'>): { readonly timedOut: () => boolean; readonly exited: () => void } {
  let ending = false;
  let timedOut = false;
  let killer: NodeJS.Timeout | null = null;
  const end = () => {
    if (ending) return;
    ending = true;
    killTree(pid, 'SIGTERM');
    killer = setTimeout(() => killTree(pid, 'SIGKILL'), KILL_GRACE_MS);
  };
  const limit = opts.timeoutMs ? setTimeout(() => ((timedOut = true), end()), opts.timeoutMs) : null;
  if (opts.signal?.aborted) end();
  else opts.signal?.addEventListener('abort', end, { once: true });
  return {
    timedOut: () => timedOut,
    exited: () => {
      opts.signal?.removeEventListener('abort', end);
      if (killer) clearTimeout(killer);
      if (limit) clearTimeout(limit);
      if (ending) killTree(pid, 'SIGKILL');
    },
  };
}

/**
 * Runs a command with Node's spawn, timed from spawn to exit. Node reports no
 * rusage, so CPU and memory are not measured: the runner gpumon falls back
 * to without gpumon-measure.
 */
export function runChild(command: CommandLine, opts: RunOptions): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const out = opts.output.kind === 'file' ? openSync(opts.output.path, 'w') : opts.output.kind === 'null' ? 'ignore' : opts.output.kind;
    const stdin = opts.input === null ? 'ignore' : openSync(opts.input, 'r');
    const closeFds = () => [out, stdin].forEach((fd) => typeof fd === 'number' && closeSync(fd));
    const start = process.hrtime.bigint();
    const child = spawn(command.file, [...command.args], { stdio: [stdin, out, out], detached: true });
    child.stdout?.resume();
    child.stderr?.resume();
    const watchdog = child.pid === undefined ? null : treeWatchdog(child.pid, opts);
    child.once('error', (e: NodeJS.ErrnoException) => {
      closeFds();
      reject(new SpawnFailure(command, e.code ?? e.message));
    });
    child.once('exit', (exitCode, signal) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      watchdog?.exited();
      closeFds();
      resolve({ exitCode, signal, seconds, timedOut: watchdog?.timedOut() ?? false, user: null, system: null, maxRssBytes: null });
    });
    if (child.pid !== undefined) opts.onStart?.(child.pid);
  });
}
