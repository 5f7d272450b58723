// Renders the monitor in-process into a DiffScreen over a byte counter, and
// times frames: push a snapshot, wait for Ink to hand the frame over.
import { render } from 'ink';
import { createElement } from 'react';
import { SnapshotStore } from '../src/model/store.js';
import type { Snapshot } from '../src/model/types.js';
import { Monitor } from '../src/views/monitor/Monitor.js';
import { makePainter } from '../src/views/style.js';
import { DiffScreen, InkStdout } from '../src/views/terminal/screen.js';
import { FrameSinkContext } from '../src/views/monitor/Frame.js';
import { quantile } from './lib.js';

export interface FrameTiming {
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly bytesPerFrame: number;
}

/**
 * Renders `snapshots` in turn at columns x rows and times each frame (after
 * `warmup` frames). With `sink` false the frames go through Ink's own text
 * output instead of the DiffScreen, as in the tests (and its bytes are not counted).
 */
export async function timeFrames(snapshots: readonly Snapshot[], columns: number, rows: number, warmup = 5, sink = true): Promise<FrameTiming> {
  const store = new SnapshotStore(snapshots[0]!);
  let framed: () => void = () => {};
  const screen = new DiffScreen({ write: () => framed() }, { columns, rows });
  const stdin = Object.assign(new (await import('node:events')).EventEmitter(), { isTTY: false, setRawMode() {}, ref() {}, unref() {}, resume() {}, pause() {}, setEncoding() {} });
  const app = render(
    createElement(FrameSinkContext.Provider, { value: sink ? screen : null }, createElement(Monitor, {
      store,
      terminal: { size: () => screen.size, subscribe: () => () => {} },
      options: { width: 0, ascii: false, painter: makePainter(true), version: 'bench' },
      initial: { view: 'auto', sort: 'gpu', descending: false },
      intervalMs: 1000,
      readonly: true,
      keys: false,
      onSignal: () => ({ ok: false, message: '' }),
      onQuit: () => {},
    })),
    { stdout: (sink ? new InkStdout(screen) : Object.assign(new InkStdout(screen), { write: () => (framed(), true) })) as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false },
  );
  const times: number[] = [];
  let bytes = 0;
  for (let i = 1; i < snapshots.length; i++) {
    const before = screen.bytesWritten;
    const done = new Promise<void>((r) => (framed = r));
    const t = process.hrtime.bigint();
    store.push(snapshots[i]!);
    await done;
    if (i > warmup) {
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      bytes += screen.bytesWritten - before;
    }
  }
  app.unmount();
  times.sort((a, b) => a - b);
  return { medianMs: quantile(times, 0.5), p90Ms: quantile(times, 0.9), bytesPerFrame: bytes / times.length };
}
