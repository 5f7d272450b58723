import { execFileSync } from 'node:child_process';
import { CLI } from './fixtures.js';
import { freshConfigDir, freshDataDir } from './run-cli.js';

/**
 * gpumon in a real terminal: a tmux pane of a given size, on a tmux server of
 * its own. A shell runs gpumon and then prints its exit status and waits, so
 * the status and the terminal's state (alternate screen, cursor) can be read
 * after gpumon is gone.
 */
export class TmuxPane {
  private static count = 0;
  readonly socket = `gpumon-test-${process.pid}-${TmuxPane.count++}`;

  constructor(args: readonly string[], env: Record<string, string>, columns = 120, rows = 40) {
    const vars = Object.entries({ GPUMON_CONFIG_DIR: freshConfigDir(), XDG_DATA_HOME: freshDataDir(), TERM: 'xterm-256color', ...env }).map(([k, v]) => `${k}='${v}'`);
    const cmd = `env ${vars.join(' ')} ${process.execPath} ${CLI} ${args.join(' ')}; echo "gpumon exited $?"; sleep 600`;
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'g', '-x', String(columns), '-y', String(rows), cmd);
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  capture(): string[] {
    return this.tmux('capture-pane', '-p', '-t', 'g').split('\n');
  }

  send(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'g', ...keys);
  }

  /** gpumon's exit status once it has exited (null before), and the terminal's state. */
  state(): { status: number | null; alternate: boolean; cursor: boolean } {
    const [alternate, cursor] = this.tmux('display', '-p', '-t', 'g', '#{alternate_on} #{cursor_flag}').trim().split(' ');
    const exited = /gpumon exited (\d+)/.exec(this.capture().join('\n'));
    return { status: exited ? Number(exited[1]) : null, alternate: alternate === '1', cursor: cursor === '1' };
  }

  /** gpumon's pid (the child of the pane's shell). */
  gpumonPid(): number {
    const shell = this.tmux('display', '-p', '-t', 'g', '#{pane_pid}').trim();
    return Number(execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0]);
  }

  async exited(): Promise<number> {
    await this.waitFor(() => this.state().status !== null);
    return this.state().status!;
  }

  async waitFor(what: () => boolean, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (what()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out; the pane shows:\n${this.capture().join('\n')}`);
  }

  async waitForText(pattern: RegExp, ms?: number): Promise<void> {
    await this.waitFor(() => pattern.test(this.capture().join('\n')), ms);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
