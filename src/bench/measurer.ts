import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { constants as os } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { packageRoot } from '../package-root.js';
import { type ChildExit, type CommandLine, type CommandRunner, type OutputPolicy, type RunOptions, runChild, SpawnFailure, treeWatchdog } from './child.js';

/**
 * The runner `bench run` measures with: gpumon-measure (gpumon-measure.c,
 * built into dist/ by scripts/build.mjs), a small process that spawns each
 * command and reports the wall time and the rusage wait4() gives, as
 * hyperfine does. Without it (no C compiler at build time) commands run
 * through Node's spawn, and their CPU and memory are not measured: the CPU
 * this process reaps would include gpumon's own nvidia-smi helpers.
 */

export const MEASURER_PATH = join(packageRoot(), 'dist', 'gpumon-measure');

const NOT_BUILT = 'gpumon-measure is not built (it needs a C compiler when gpumon is built: npm run build)';

const errnoName = (n: number): string => Object.entries(os.errno).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;

const outputField = (o: OutputPolicy): string => (o.kind === 'file' ? `file:${o.path}` : o.kind);

/** One request: NUL-terminated fields (see gpumon-measure.c). */
export function measureRequest(command: CommandLine, opts: Pick<RunOptions, 'input' | 'output'>): Buffer {
  const fields = [opts.input ?? '', outputField(opts.output), String(command.args.length + 1), command.file, ...command.args];
  return Buffer.from(fields.map((f) => `${f}\0`).join(''));
}

/** An answer line of gpumon-measure. */
export type MeasureAnswer =
  | { readonly kind: 'started'; readonly pid: number }
  | { readonly kind: 'error'; readonly code: string }
  | { readonly kind: 'exit'; readonly exitCode: number | null; readonly signal: string | null; readonly seconds: number; readonly user: number; readonly system: number; readonly maxRssBytes: number };

export function parseMeasureAnswer(line: string): MeasureAnswer | null {
  const [kind, ...f] = line.trim().split(' ');
  const n = f.map(Number);
  if (n.some((x) => !Number.isFinite(x))) return null;
  if (kind === 'started' && n.length === 1) return { kind, pid: n[0]! };
  if (kind === 'error' && n.length === 1) return { kind, code: errnoName(n[0]!) };
  if (kind === 'exit' && n.length === 6) {
    const [code, sig, wallNs, userUs, sysUs, rssKiB] = n as [number, number, number, number, number, number];
    const signal = sig < 0 ? null : (Object.entries(os.signals).find(([, v]) => v === sig)?.[0] ?? `signal ${sig}`);
    return { kind, exitCode: code < 0 ? null : code, signal, seconds: wallNs / 1e9, user: userUs / 1e6, system: sysUs / 1e6, maxRssBytes: rssKiB * 1024 };
  }
  return null;
}

class MeasureRunner implements CommandRunner {
  readonly unmeasured = null;
  private buffered = '';
  /** Answers not yet asked for: "started" and "exit" can come in one read. */
  private readonly answers: (MeasureAnswer | Error)[] = [];
  private waiting: ((a: MeasureAnswer | Error) => void) | null = null;
  private lost: Error | null = null;

  constructor(private readonly child: ChildProcess) {
    const answers = child.stdio[3] as Readable;
    answers.setEncoding('utf8');
    answers.on('data', (chunk: string) => {
      this.buffered += chunk;
      let nl;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.answer(parseMeasureAnswer(line) ?? new Error(`gpumon-measure said something unexpected: ${JSON.stringify(line)}`));
      }
    });
    const gone = (why: string) => this.answer((this.lost ??= new Error(`gpumon-measure ${why}`)));
    child.once('exit', () => gone('ended unexpectedly'));
    child.once('error', (e: NodeJS.ErrnoException) => gone(`cannot run: ${e.code ?? e.message}`));
    child.stdin!.on('error', () => {
      // It is gone; 'exit' says so.
    });
  }

  private answer(a: MeasureAnswer | Error): void {
    const w = this.waiting;
    this.waiting = null;
    if (w) w(a);
    else this.answers.push(a);
  }

  private next(): Promise<MeasureAnswer | Error> {
    const ready = this.answers.shift() ?? this.lost;
    return ready ? Promise.resolve(ready) : new Promise((resolve) => (this.waiting = resolve));
  }

  async run(command: CommandLine, opts: RunOptions): Promise<ChildExit> {
    if (this.waiting) throw new Error('gpumon-measure runs one command at a time');
    const started = this.next();
    this.child.stdin!.write(measureRequest(command, opts));
    const first = await started;
    if (first instanceof Error) throw first;
    if (first.kind === 'error') throw new SpawnFailure(command, first.code);
    if (first.kind !== 'started') throw new Error(`gpumon-measure answered '${first.kind}' before 'started'`);
    const ended = this.next();
    opts.onStart?.(first.pid);
    const watchdog = treeWatchdog(first.pid, opts);
    const exit = await ended;
    watchdog.exited();
    if (exit instanceof Error) throw exit;
    if (exit.kind !== 'exit') throw new Error(`gpumon-measure answered '${exit.kind}' instead of 'exit'`);
    const { kind: _, ...measured } = exit;
    return { ...measured, timedOut: watchdog.timedOut() };
  }

  close(): void {
    this.child.stdin!.end();
  }
}

/**
 * gpumon-measure when it is built and runs here, else Node's spawn (with
 * `unmeasured` saying why CPU and memory are missing).
 */
export function openCommandRunner(path = MEASURER_PATH): CommandRunner {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { run: runChild, unmeasured: NOT_BUILT, close: () => {} };
  }
  // Its own group: a Ctrl-C at the terminal is for gpumon, which ends the command itself.
  const child = spawn(path, [], { stdio: ['pipe', 'inherit', 'inherit', 'pipe'], detached: true });
  return new MeasureRunner(child);
}
