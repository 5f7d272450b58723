import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { describe, expect, it } from 'vitest';
import { selectGpus } from '../../src/model/select.js';
import { SnapshotStore } from '../../src/model/store.js';
import { FrameSinkContext } from '../../src/views/monitor/Frame.js';
import { Monitor } from '../../src/views/monitor/Monitor.js';
import { makePainter } from '../../src/views/style.js';
import { DiffScreen, InkStdout } from '../../src/views/terminal/screen.js';
import { renderMonitor } from '../helpers/monitor.js';
import { demoAt, snapshotSeries } from '../helpers/snapshots.js';
import { VirtualTerminal } from '../helpers/vt.js';
import { waitFor } from '../helpers/wait.js';

/** Whether a frame shows `snapshotSeries(4, 12, n)`'s snapshot `i`: its time (T0 + i s) in the header, its 48 processes. */
const showsSnapshot = (lines: readonly string[], i: number) =>
  new RegExp(`:${String(i).padStart(2, '0')} 2026`).test(lines[0] ?? '') && lines.some((l) => l.includes('Processes (48)'));

/** The monitor as it runs on a terminal: frames through the FrameSink into a DiffScreen, read back from a terminal emulator. */
async function onTerminal(columns: number, rows: number) {
  const vt = new VirtualTerminal(columns, rows);
  const screen = new DiffScreen({ write: (t: string) => vt.write(t) }, { columns, rows });
  const first = selectGpus(demoAt('8xh100'), ['0', '1', '2', '3']);
  const store = new SnapshotStore(first);
  const stdin = Object.assign(new EventEmitter(), { isTTY: false, setRawMode() {}, ref() {}, unref() {}, resume() {}, pause() {}, setEncoding() {} });
  const app = render(
    <FrameSinkContext.Provider value={screen}>
      <Monitor
        store={store}
        terminal={{ size: () => screen.size, subscribe: (l) => (screen.on('resize', l), () => screen.off('resize', l)) }}
        options={{ width: 0, ascii: false, painter: makePainter(true), version: '9.9.9' }}
        initial={{ view: 'auto', sort: 'gpu', descending: false }}
        intervalMs={1000}
        readonly={false}
        keys={false}
        onSignal={() => ({ ok: true, message: '' })}
        onQuit={() => {}}
      />
    </FrameSinkContext.Provider>,
    { stdout: new InkStdout(screen) as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false },
  );
  const shown = () => vt.text().join('\n');
  await waitFor(() => /^q quit/.test(vt.text()[rows - 1]!), 'the first frame on the terminal', { got: shown });
  return { vt, screen, store, shown, unmount: app.unmount };
}

describe('the monitor on a terminal (FrameSink -> DiffScreen)', () => {
  it('shows exactly what the Ink rendering shows, frame after frame, in a fraction of the bytes', async () => {
    const t = await onTerminal(120, 40);
    const ink = await renderMonitor(selectGpus(demoAt('8xh100'), ['0', '1', '2', '3']), { columns: 120, rows: 40 });
    expect(t.vt.text()).toEqual(ink.lines().map((l) => l.trimEnd()));
    const first = t.screen.bytesWritten;
    for (const [i, s] of snapshotSeries(4, 12, 6).entries()) {
      t.store.push(s);
      ink.push(s);
      await waitFor(() => showsSnapshot(t.vt.text(), i), `snapshot ${i} on the terminal`, { got: t.shown });
      await ink.frame((l) => showsSnapshot(l, i), `snapshot ${i} in the Ink rendering`);
      expect(t.vt.text()).toEqual(ink.lines().map((l) => l.trimEnd()));
    }
    // Later frames change a few cells, not the screen.
    expect((t.screen.bytesWritten - first) / 6).toBeLessThan(first / 2);
    t.unmount();
    ink.unmount();
  });

  it('redraws whole after a resize', async () => {
    const t = await onTerminal(120, 40);
    expect(t.vt.text()[9]).not.toMatch(/^q quit/);
    t.screen.resize({ columns: 80, rows: 10 });
    await waitFor(() => /^q quit/.test(t.vt.text()[9]!), 'the status line of an 80x10 frame on row 10', { got: t.shown });
    // The old 120x40 frame is gone (the terminal reflowed it): only the new 80x10 one is there.
    expect(t.vt.text().slice(0, 10).every((l) => l.length > 0 && l.length <= 80)).toBe(true);
    expect(t.vt.text().slice(10).every((l) => l === '')).toBe(true);
    t.unmount();
  });
});
