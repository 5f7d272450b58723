import { execa, type ResultPromise } from 'execa';
import { excerpt } from './failure.js';
import { killGroup } from './run.js';

export interface StreamHandlers {
  /** One line of output (without its newline). */
  line(text: string): void;
  /**
   * The process ended (or was killed for stalling). Return true when the
   * output taught something that makes an immediate retry worthwhile (a
   * rejected field was dropped); otherwise the restart waits with backoff.
   */
  ended(output: string, exitCode: number | undefined): boolean;
  /** Something is wrong (a message for the user), or null when it is well again. */
  trouble(message: string | null): void;
}

export interface StreamOptions {
  /** No output for this long means nvidia-smi is stuck: kill it and start again. */
  readonly stallMs: number;
  readonly maxBackoffMs?: number;
}

/**
 * One long-lived nvidia-smi (`... -lms N`), restarted when it dies or stalls.
 * A spawn costs ~30 ms of CPU on an H100; the stream costs 0.3% of a core.
 * Only one process runs at a time: a restart waits for the old one to exit.
 */
export class SmiStream {
  private child: ResultPromise | null = null;
  private stopped = true;
  private buffered = '';
  /** All recent output (a rejected-field message comes on stdout), and stderr alone for messages. */
  private recent = '';
  private recentErrors = '';
  private killedForStallMs: number | null = null;
  private lastOutputAt = 0;
  private backoffMs = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private linesSinceStart = 0;

  constructor(
    private readonly path: string,
    private readonly args: () => readonly string[],
    private readonly handlers: StreamHandlers,
    private readonly opts: StreamOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.spawn();
    this.watchdog = setInterval(() => this.checkStall(), Math.min(this.opts.stallMs / 2, 1000));
    this.watchdog.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.restartTimer = this.watchdog = null;
    killGroup(this.child?.pid);
  }

  /** Kills the running process; it is started again (at once) when it has exited. */
  restart(): void {
    this.backoffMs = 0;
    killGroup(this.child?.pid);
  }

  private spawn(): void {
    this.buffered = '';
    this.recent = this.recentErrors = '';
    this.killedForStallMs = null;
    this.linesSinceStart = 0;
    this.lastOutputAt = Date.now();
    const child = execa(this.path, [...this.args()], {
      reject: false,
      buffer: false,
      stdin: 'ignore',
      detached: true,
      env: { LC_ALL: 'C' },
    });
    this.child = child;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    child.stderr?.on('data', (chunk: string) => {
      this.recentErrors = (this.recentErrors + chunk).slice(-4096);
      this.remember(chunk);
    });
    void child.then((result) => {
      if (this.child !== child) return;
      this.child = null;
      if (this.buffered) this.onLine(this.buffered);
      const said = this.recent || result.shortMessage || '';
      const retryNow = this.handlers.ended(said, result.exitCode);
      if (this.stopped) return;
      if (retryNow) return this.spawn();
      // Back off while it keeps failing; a stream that ran well starts over at 1 s.
      this.backoffMs = this.linesSinceStart > 0 ? 1000 : Math.min(Math.max(1000, this.backoffMs * 2), this.opts.maxBackoffMs ?? 30_000);
      const why =
        this.killedForStallMs !== null
          ? `nvidia-smi stopped answering for ${Math.round(this.killedForStallMs / 1000)} s and was killed`
          : result.code === 'ENOENT'
            ? 'nvidia-smi is gone'
            : `nvidia-smi exited${result.exitCode !== undefined ? ` with status ${result.exitCode}` : ''}`;
      const detail = excerpt(this.recentErrors || (result.code ? (result.shortMessage ?? '') : ''), 1);
      this.handlers.trouble(`${why}${detail ? ` (${detail})` : ''}; restarting in ${Math.round(this.backoffMs / 1000)} s`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (!this.stopped) this.spawn();
      }, this.backoffMs);
    });
  }

  private remember(chunk: string): void {
    this.recent = (this.recent + chunk).slice(-4096);
    this.lastOutputAt = Date.now();
  }

  private onData(chunk: string): void {
    this.remember(chunk);
    const text = this.buffered + chunk;
    const lines = text.split('\n');
    this.buffered = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  private onLine(line: string): void {
    const text = line.replace(/\r$/, '');
    if (text.trim() === '') return;
    this.linesSinceStart++;
    this.handlers.line(text);
  }

  private checkStall(): void {
    if (!this.child || this.stopped) return;
    const silentMs = Date.now() - this.lastOutputAt;
    if (silentMs < this.opts.stallMs) return;
    this.killedForStallMs = silentMs;
    killGroup(this.child.pid);
    this.lastOutputAt = Date.now();
  }
}
