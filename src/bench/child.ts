import { spawn } from 'node:child_process';
import { descendants } from '../model/process-tree.js';
import { readParentTable } from '../sampler/host/proc-tree.js';

/** A command to run: the program and its arguments, and how to show it. */
export interface CommandLine {
  readonly file: string;
  readonly args: readonly string[];
  /** As the user wrote it (for output). */
  readonly text: string;
}

/** A command string run by `sh -c`, as hyperfine runs its commands. */
export function shellCommand(text: string): CommandLine {
  return { file: 'sh', args: ['-c', text], text };
}

/** `-- prog arg...`: run directly, no shell; shown with arguments quoted where needed. */
export function directCommand(argv: readonly [string, ...string[]]): CommandLine {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return { file: argv[0], args: argv.slice(1), text: argv.map(quote).join(' ') };
}

export interface ChildExit {
  /** null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Wall time from spawn to exit, s. */
  readonly seconds: number;
  /** It ran past `timeoutMs` and was ended. */
  readonly timedOut: boolean;
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
 * Runs a command to its end, timed. Its stdin is closed and its output
 * discarded unless `showOutput`. It leads its own process group, so that an
 * abort (Ctrl-C), or running past `timeoutMs`, ends the whole tree: SIGTERM,
 * then SIGKILL after a grace. `onStart` gets the pid as soon as it runs.
 */
export function runChild(
  command: CommandLine,
  opts: { readonly showOutput: boolean; readonly signal?: AbortSignal; readonly timeoutMs?: number | null; readonly onStart?: (pid: number) => void },
): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command.file, [...command.args], { stdio: ['ignore', opts.showOutput ? 'inherit' : 'ignore', opts.showOutput ? 'inherit' : 'ignore'], detached: true });
    let killer: NodeJS.Timeout | null = null;
    let ending = false;
    let timedOut = false;
    const end = () => {
      if (child.pid === undefined || ending) return;
      ending = true;
      killTree(child.pid, 'SIGTERM');
      killer = setTimeout(() => child.pid !== undefined && killTree(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const abort = end;
    const limit = opts.timeoutMs ? setTimeout(() => ((timedOut = true), end()), opts.timeoutMs) : null;
    const done = () => {
      opts.signal?.removeEventListener('abort', abort);
      if (killer) clearTimeout(killer);
      if (limit) clearTimeout(limit);
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      done();
      reject(new SpawnFailure(command, e.code ?? e.message));
    });
    child.once('exit', (exitCode, signal) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // Whatever it left running in its group goes with it.
      if (child.pid !== undefined && ending) killTree(child.pid, 'SIGKILL');
      done();
      resolve({ exitCode, signal, seconds, timedOut });
    });
    if (child.pid !== undefined) {
      opts.onStart?.(child.pid);
      if (opts.signal?.aborted) abort();
      else opts.signal?.addEventListener('abort', abort, { once: true });
    }
  });
}
