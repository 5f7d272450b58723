import type { AlertLine } from '../../src/views/text/fleet.js';
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { render as renderTesting } from 'ink-testing-library';
import type { ViewMode } from '../../src/config/settings.js';
import type { SignalName, SortColumn } from '../../src/model/processes.js';
import { SnapshotStore } from '../../src/model/store.js';
import type { Snapshot } from '../../src/model/types.js';
import { Monitor, type MonitorProps } from '../../src/views/monitor/Monitor.js';
import { makePainter } from '../../src/views/style.js';
import type { BenchPanelSource } from '../../src/views/monitor/bench-panel-section.js';
import { waitFor } from './wait.js';

/** Keys as a terminal sends them. */
export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
  tab: '\t',
  shiftTab: '\u001B[Z',
  escape: '\u001B',
  enter: '\r',
  backspace: '\u007F',
  ctrlC: '\u0003',
};

class Stdout extends EventEmitter {
  lastFrame: string | undefined;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    this.lastFrame = frame;
    return true;
  };
}

class Stdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string) {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** What a frame should show: text it contains, a pattern its text matches, or a test of its lines (and of the frame with its colors). */
export type FrameMatch = string | RegExp | ((lines: string[], raw: string) => boolean);

export interface MonitorHarness {
  readonly store: SnapshotStore;
  lastFrame(): string;
  /** The frame's lines, without color. */
  lines(): string[];
  /** The frame's text, without color. */
  text(): string;
  /**
   * Types the keys in order, each an input of its own; resolves once the
   * monitor has read them all. It waits for no frame: follow it with
   * `frame()` for what the keys should show (or `until()` for what they should do).
   */
  press(...keys: string[]): Promise<void>;
  /** The terminal takes a new size (the monitor hears of it at once). */
  resize(columns: number, rows: number): void;
  /** A snapshot arrives. */
  push(s: Snapshot): void;
  /**
   * Waits until the frame shows `match` and returns its lines (without color);
   * fails, with the last frame, when it never does.
   */
  frame(match: FrameMatch, what?: string): Promise<string[]>;
  /** Waits until `cond` holds (on `signals`, `quits`, a panel's calls); fails, with the last frame, when it never does. */
  until(cond: () => boolean, what: string): Promise<void>;
  readonly signals: { pid: number; startTimeMs: number | null; signal: SignalName }[];
  readonly quits: number[];
  unmount(): void;
}

export interface HarnessOptions {
  readonly columns?: number;
  readonly rows?: number;
  readonly view?: ViewMode;
  readonly sort?: SortColumn;
  readonly readonly?: boolean;
  readonly color?: boolean;
  readonly signalResult?: { ok: boolean; message: string };
  readonly bench?: BenchPanelSource;
  /** What the alert bar shows (the store's alerts for each snapshot). */
  readonly alerts?: () => readonly AlertLine[];
}

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * Renders the monitor as Ink renders it for a terminal, with frames read back
 * like ink-testing-library's lastFrame(). 100 columns uses ink-testing-library
 * itself; other sizes pass their own stdout (its stdout is 100 columns, no rows).
 */
export async function renderMonitor(first: Snapshot, o: HarnessOptions = {}): Promise<MonitorHarness> {
  const columns = o.columns ?? 100;
  const rows = o.rows ?? 40;
  const store = new SnapshotStore(first, undefined, o.alerts);
  const size = { current: { columns, rows } };
  const resizeListeners = new Set<() => void>();
  const signals: MonitorHarness['signals'] = [];
  const quits: number[] = [];
  const props: MonitorProps = {
    store,
    terminal: { size: () => size.current, subscribe: (l) => (resizeListeners.add(l), () => resizeListeners.delete(l)) },
    options: { width: 0, ascii: false, painter: makePainter(o.color ?? false), version: '9.9.9' },
    initial: { view: o.view ?? 'auto', sort: o.sort ?? 'gpu', descending: false },
    intervalMs: 1000,
    readonly: o.readonly ?? false,
    keys: true,
    onSignal: (pid, startTimeMs, signal) => {
      signals.push({ pid, startTimeMs, signal });
      return o.signalResult ?? { ok: true, message: `${signal} sent to ${pid}` };
    },
    onQuit: () => quits.push(Date.now()),
    bench: o.bench,
  };
  let lastFrame: () => string;
  let stdin: EventEmitter & { write(d: string): void };
  let unmount: () => void;
  let stdout: Stdout | null = null;
  if (columns === 100) {
    const r = renderTesting(<Monitor {...props} />);
    lastFrame = () => r.lastFrame() ?? '';
    stdin = r.stdin;
    unmount = r.unmount;
  } else {
    stdout = new Stdout(columns, rows);
    stdin = new Stdin();
    const app = render(<Monitor {...props} />, { stdout: stdout as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
    lastFrame = () => stdout!.lastFrame ?? '';
    unmount = app.unmount;
  }
  const lines = () => strip(lastFrame()).split('\n');
  const shown = () => `the last frame:\n${lines().join('\n')}`;
  const frame = async (match: FrameMatch, what?: string) => {
    const test = typeof match === 'string' ? (l: string[]) => l.join('\n').includes(match) : match instanceof RegExp ? (l: string[]) => match.test(l.join('\n')) : match;
    const label = what ?? (typeof match === 'function' ? 'the frame to pass its test' : `the frame to show ${typeof match === 'string' ? JSON.stringify(match) : String(match)}`);
    return waitFor(() => (test(lines(), lastFrame()) ? lines() : null), label, { got: shown });
  };
  // The first frame, and keys read: Ink starts reading stdin in an effect after it.
  await waitFor(() => lastFrame() !== '' && stdin.listenerCount('readable') > 0, 'the first frame and the monitor reading keys', { got: shown });
  return {
    store,
    lastFrame,
    lines,
    text: () => lines().join('\n'),
    async press(...keys) {
      for (const k of keys) {
        stdin.write(k);
        // Ink hands a lone Escape on at the next turn of the event loop (it could be
        // the start of a sequence): let it, so that the next key is a key of its own.
        await new Promise((r) => setImmediate(r));
      }
    },
    resize(c, r) {
      size.current = { columns: c, rows: r };
      if (stdout) {
        stdout.columns = c;
        stdout.rows = r;
        stdout.emit('resize');
      }
      for (const l of resizeListeners) l();
    },
    push(s) {
      store.push(s);
    },
    frame,
    until: (cond, what) => waitFor(cond, what, { got: shown }).then(() => undefined),
    signals,
    quits,
    unmount,
  };
}
