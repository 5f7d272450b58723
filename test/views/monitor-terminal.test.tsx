import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { selectGpus } from '../../src/model/select.js';
import { SnapshotStore } from '../../src/model/store.js';
import type { Snapshot } from '../../src/model/types.js';
import { FrameSinkContext } from '../../src/views/monitor/Frame.js';
import { Monitor } from '../../src/views/monitor/Monitor.js';
import { makePainter } from '../../src/views/style.js';
import type { AlertLine } from '../../src/views/text/fleet.js';
import { DiffScreen, ENTER_FULL_SCREEN, InkStdout } from '../../src/views/terminal/screen.js';
import { KEY, renderMonitor } from '../helpers/monitor.js';
import { demoAt, snapshotSeries, withProcesses } from '../helpers/snapshots.js';
import { type CellLook, PLAIN, XtermScreen } from '../helpers/xterm.js';

const BOLD: CellLook = { ...PLAIN, bold: true };
/** The dark theme's title (1;36), dim hints (2), selection (7) and severe alerts (1;31). */
const TITLE: CellLook = { ...BOLD, fg: 6 };
const DIM: CellLook = { ...PLAIN, dim: true };
const SELECTED: CellLook = { ...PLAIN, inverse: true };
const SEVERE: CellLook = { ...BOLD, fg: 1 };

const fourGpus = selectGpus(demoAt('8xh100'), ['0', '1', '2', '3']);

/**
 * The monitor as `gpumon` runs it on a terminal (src/cli/monitor/run.tsx):
 * the alternate screen, frames through the FrameSink into a DiffScreen, keys
 * from stdin; and the bytes written go into xterm.js, which is what the
 * tests read back.
 */
async function onTerminal(columns: number, rows: number, first: Snapshot = fourGpus, alerts?: () => readonly AlertLine[]) {
  const xt = new XtermScreen(columns, rows);
  xt.out.write(ENTER_FULL_SCREEN);
  const screen = new DiffScreen(xt.out, { columns, rows });
  const store = new SnapshotStore(first, undefined, alerts);
  let pending: string | null = null;
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    read: () => [pending, (pending = null)][0],
    ...{ setRawMode() {}, ref() {}, unref() {}, resume() {}, pause() {}, setEncoding() {} },
  });
  const app = render(
    <FrameSinkContext.Provider value={screen}>
      <Monitor
        store={store}
        terminal={{ size: () => screen.size, subscribe: (l) => (screen.on('resize', l), () => screen.off('resize', l)) }}
        options={{ width: 0, ascii: false, painter: makePainter(true), version: '9.9.9' }}
        initial={{ view: 'auto', sort: 'gpu', descending: false }}
        intervalMs={1000}
        readonly={false}
        keys={true}
        onSignal={() => ({ ok: true, message: '' })}
        onQuit={() => {}}
      />
    </FrameSinkContext.Provider>,
    { stdout: new InkStdout(screen) as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false },
  );
  /** Waits until the terminal shows what `ready` looks for (and fails saying what it shows, after 5 s). */
  const until = async (ready: (text: string[]) => boolean): Promise<void> => {
    for (const start = Date.now(); ; ) {
      await xt.flush();
      if (ready(xt.text())) return;
      if (Date.now() - start > 5000) throw new Error(`the terminal never showed it; it shows:\n${xt.text().join('\n')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const frames = () => xt.writes.length;
  /** Waits for `n` frames more than `before` to have been written. */
  const framesAfter = (before: number, n = 1) => until(() => frames() >= before + n);
  await until((t) => t[0]!.startsWith('gpumon'));
  const press = (key: string) => {
    pending = key;
    stdin.emit('readable');
  };
  return { xt, screen, store, until, frames, framesAfter, press, unmount: app.unmount };
}

type OnTerminal = Awaited<ReturnType<typeof onTerminal>>;
type InkMonitor = Awaited<ReturnType<typeof renderMonitor>>;

/** Waits until the Ink rendering shows what the terminal shows; fails, with Ink's last frame, when it never does. */
const sameAsInk = (t: OnTerminal, ink: InkMonitor) =>
  ink.frame((lines) => JSON.stringify(lines.map((l) => l.trimEnd())) === JSON.stringify(t.xt.text()), `the terminal's frame:\n${t.xt.text().join('\n')}`);

/** Pushes each snapshot to both monitors: after each frame, the terminal shows what the Ink rendering shows. */
async function sameFrameAfterFrame(t: OnTerminal, ink: InkMonitor, snapshots: readonly Snapshot[]): Promise<void> {
  for (const s of snapshots) {
    const before = t.frames();
    t.store.push(s);
    ink.push(s);
    await t.framesAfter(before);
    await sameAsInk(t, ink);
  }
}

let t: OnTerminal | null = null;
let ink: InkMonitor | null = null;
afterEach(() => {
  t?.unmount();
  ink?.unmount();
  t = ink = null;
});

describe('the monitor on a terminal (FrameSink -> DiffScreen -> xterm.js)', () => {
  it('shows exactly what the Ink rendering shows, frame after frame, in a fraction of the bytes', async () => {
    t = await onTerminal(120, 40);
    ink = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    expect(t.xt.buffer.type).toBe('alternate');
    await sameAsInk(t, ink);
    const first = t.screen.bytesWritten;
    await sameFrameAfterFrame(t, ink, snapshotSeries(4, 12, 6));
    // Later frames change a few cells, not the screen.
    expect((t.screen.bytesWritten - first) / 6).toBeLessThan(first / 2);
  });

  it('styles cells as the theme says: the title, the hints, the selected process', async () => {
    t = await onTerminal(120, 40, withProcesses(fourGpus, 3));
    const { xt } = t;
    expect(xt.looks(0, 0, 'gpumon 9.9.9'.length)).toEqual(Array(12).fill(TITLE));
    expect(xt.looks(0, 12, 18)).toEqual(Array(6).fill({ ...BOLD, fg: 5 })); // '  DEMO'
    expect(xt.looks(39, 0, 'q quit'.length)).toEqual(Array(6).fill(DIM));
    // The first move selects the first process: its row turns inverse (its text; the padding after it stays plain), and back when the selection moves on.
    t.press(KEY.down);
    await t.until(() => xt.look(xt.text().findIndex((l) => /^ +0 +10000 /.test(l)), 2).inverse);
    const row = xt.text().findIndex((l) => /^ +0 +10000 /.test(l));
    const end = xt.text()[row]!.length;
    expect(xt.looks(row, 0, end)).toEqual(Array(end).fill(SELECTED));
    expect(xt.looks(row, end)).toEqual(Array(120 - end).fill(PLAIN));
    expect(xt.look(row + 1, 2)).toEqual(PLAIN);
    t.press(KEY.down);
    await t.until(() => xt.look(row + 1, 2).inverse);
    expect(xt.looks(row)).toEqual(Array(120).fill(PLAIN));
    expect(xt.text()[row]).toMatch(/^ +0 +10000 /);
  });

  it('the help screen over the main one, and back, drawn by the diff', async () => {
    t = await onTerminal(120, 40);
    ink = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    t.press('h');
    await ink.press('h');
    await t.until((text) => text[0] === 'gpumon 9.9.9 keys');
    await sameAsInk(t, ink);
    expect(t.xt.looks(2, 0, 4)).toEqual(Array(4).fill(BOLD));
    t.press('x');
    await ink.press('x');
    await t.until((text) => text[0]!.startsWith('gpumon 9.9.9  DEMO'));
    await sameAsInk(t, ink);
  });

  it('the alert bar, in the severe style, above the status line', async () => {
    const alerts: AlertLine[] = [{ severity: 'critical', host: '', gpuIndex: 2, rule: 'slowdown', message: 'clocks slowed: hw_thermal_slowdown' }];
    t = await onTerminal(80, 10, fourGpus, () => alerts);
    expect(t.xt.text()[8]).toBe(' 1 ALERT   GPU 2 clocks slowed: hw_thermal_slowdown');
    expect(t.xt.looks(8, 0, ' 1 ALERT '.length)).toEqual(Array(9).fill(SEVERE));
    expect(t.xt.looks(8, 11, 17)).toEqual(Array(6).fill(BOLD));
    expect(t.xt.looks(8, 17, 51)).toEqual(Array(34).fill(SEVERE));
    expect(t.xt.text()[9]).toMatch(/^q quit/);
  });

  it('redraws whole after a resize, then diffs again at the new size', async () => {
    t = await onTerminal(120, 40);
    ink = await renderMonitor(fourGpus, { columns: 80, rows: 10 });
    const before = t.frames();
    // The terminal changes size first (and reflows what it shows), then the program hears of it.
    t.xt.resize(80, 10);
    t.screen.resize({ columns: 80, rows: 10 });
    await t.framesAfter(before);
    await t.until((text) => /^q quit/.test(text[9]!));
    await sameAsInk(t, ink);
    await sameFrameAfterFrame(t, ink, snapshotSeries(4, 3, 3));
    expect(t.xt.looks(9, 0, 6)).toEqual(Array(6).fill(DIM));
  });
});
