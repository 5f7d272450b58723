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
  writes = 0;
  write = (frame: string) => {
    this.lastFrame = frame;
    this.writes++;
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

export interface MonitorHarness {
  readonly store: SnapshotStore;
  lastFrame(): string;
  /** The frame's lines, without color. */
  lines(): string[];
  press(...keys: string[]): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  push(s: Snapshot): Promise<void>;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for the screen to settle after an input, on content rather than a
 * fixed sleep (a loaded machine can take longer than any sleep): until a new
 * frame has been written and nothing more for a moment, or, for an input that
 * changes nothing on screen, until nothing has been written for a while.
 */
async function settle(frameCount: () => number, before: number): Promise<void> {
  const start = Date.now();
  let last = frameCount();
  let quietSince = start;
  for (;;) {
    await sleep(5);
    const n = frameCount();
    if (n !== last) [last, quietSince] = [n, Date.now()];
    const now = Date.now();
    if (n !== before && now - quietSince >= 15) return;
    if (n === before && now - start >= 150) return;
    if (now - start >= 5000) return;
  }
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
  let frameCount: () => number;
  let stdinWrite: (d: string) => void;
  let unmount: () => void;
  let stdout: Stdout | null = null;
  if (columns === 100) {
    const r = renderTesting(<Monitor {...props} />);
    lastFrame = () => r.lastFrame() ?? '';
    frameCount = () => r.frames.length;
    stdinWrite = (d) => r.stdin.write(d);
    unmount = r.unmount;
  } else {
    stdout = new Stdout(columns, rows);
    const stdin = new Stdin();
    const app = render(<Monitor {...props} />, { stdout: stdout as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
    lastFrame = () => stdout!.lastFrame ?? '';
    frameCount = () => stdout!.writes;
    stdinWrite = (d) => stdin.write(d);
    unmount = app.unmount;
  }
  await settle(frameCount, 0);
  return {
    store,
    lastFrame,
    lines: () => strip(lastFrame()).split('\n'),
    async press(...keys) {
      for (const k of keys) {
        const before = frameCount();
        stdinWrite(k);
        await settle(frameCount, before);
      }
    },
    async resize(c, r) {
      const before = frameCount();
      size.current = { columns: c, rows: r };
      if (stdout) {
        stdout.columns = c;
        stdout.rows = r;
        stdout.emit('resize');
      }
      for (const l of resizeListeners) l();
      await settle(frameCount, before);
    },
    async push(s) {
      const before = frameCount();
      store.push(s);
      await settle(frameCount, before);
    },
    signals,
    quits,
    unmount,
  };
}
