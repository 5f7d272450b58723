import { afterEach, describe, expect, it } from 'vitest';
import { selectGpus } from '../../src/model/select.js';
import type { Snapshot } from '../../src/model/types.js';
import { lostGpu } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { displayWidth } from '../../src/views/format.js';
import { KEY, type MonitorHarness, renderMonitor } from '../helpers/monitor.js';
import { demoAt, snapshotSeries, T0, withProcesses } from '../helpers/snapshots.js';

let m: MonitorHarness | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

/** Waits for the status line (the last) to match. */
const status = (re: RegExp) => m!.frame((l) => re.test(l.at(-1)!), `the status line to match ${re}`);

const fourGpus = selectGpus(demoAt('8xh100'), ['0', '1', '2', '3']);
const eightBig = withProcesses(demoAt('8xh100'), 25);

describe('the full view', () => {
  it('shows the header, a panel per GPU with bars and clocks, the host, the graph and the processes', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    const text = m.lines().join('\n');
    expect(m.lines()[0]).toMatch(/^gpumon 9\.9\.9 {2}DEMO {2}dgx-demo {2}\w{3} \w{3} \d\d \d\d:\d\d:\d\d 2026 {2}Driver 580\.159\.04 {2}CUDA 13\.0/);
    expect(text.match(/UTIL .*MEM /g)).toHaveLength(4);
    expect(text.match(/TEMP .*PWR /g)).toHaveLength(4);
    expect(text).toMatch(/SM \d+\/1980MHz/);
    expect(text).toContain('Clocks slowed: sw_power_cap');
    expect(text).toMatch(/^CPU .*LOAD 41\.20 39\.80 37\.50/m);
    expect(text).toMatch(/^GPU 0 utilization %, last \d+ s/m);
    expect(text).toMatch(/── Processes \(\d+\)/);
    expect(text).toMatch(/▲GPU +PID USER +GPU-MEM +%SM +%CPU +%MEM +TIME +COMMAND/);
    expect(m.lines().at(-1)).toMatch(/^q quit {2}h help/);
  });

  it('is exactly the terminal: 40 lines, none wider than 120', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    const lines = m.lines();
    expect(lines).toHaveLength(40);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(120);
  });
});

describe('the compact view', () => {
  it('fits 4 GPUs and a short process list in an 80x10 tmux pane', async () => {
    m = await renderMonitor(withProcesses(fourGpus, 3), { columns: 80, rows: 10 });
    const lines = m.lines();
    expect(lines).toHaveLength(10);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(80);
    expect(lines.slice(1, 5).map((l) => l.slice(0, 3))).toEqual([' 0 ', ' 1 ', ' 2 ', ' 3 ']);
    expect(lines[1]).toMatch(/UTL .*MEM .*°C/);
    expect(lines[5]).toMatch(/GPU +PID USER/);
    expect(lines.slice(6, 9).every((l) => /^ +\d +1\d{4} /.test(l))).toBe(true);
    expect(lines[9]).toMatch(/^q quit/);
  });

  it('8 GPUs and 200 processes in 120x40: auto picks compact, the table fills the rest', async () => {
    m = await renderMonitor(eightBig, { columns: 120, rows: 40 });
    const lines = m.lines();
    expect(lines).toHaveLength(40);
    expect(lines.filter((l) => / UTL /.test(l))).toHaveLength(8);
    expect(lines.filter((l) => /^ +\d +\d{5} /.test(l)).length).toBeGreaterThan(10);
  });

  it('c, f and a switch the view; a resize re-plans it live', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    expect(m.text()).toContain('╒');
    await m.press('c');
    await m.frame(' UTL ', 'the compact GPU lines');
    expect(m.text()).not.toContain('╒');
    await m.press('f');
    await m.frame('╒', 'the GPU boxes again');
    await m.press('a');
    m.resize(80, 12);
    await m.frame((l) => l.length === 12, 'a frame of 12 lines');
    expect(m.text()).not.toContain('╒');
    m.resize(120, 40);
    await m.frame('╒', 'the GPU boxes at 120x40');
    expect(m.lines()).toHaveLength(40);
  });
});

describe('process table keys', () => {
  const rowsShown = (h: MonitorHarness) => h.lines().filter((l) => /^ +\d +\d{5} /.test(l));
  /** The highlighted line of a frame with its colors. */
  const selectedLine = (raw: string) => raw.split('\n').find((l) => l.includes('\x1b[0;7m') || l.includes('\x1b[7m'));

  it('arrows, PgDn and End move the selection and scroll; the selected row is highlighted', async () => {
    m = await renderMonitor(eightBig, { columns: 120, rows: 40, color: true });
    const selected = (pid: number) => m!.frame((_, raw) => selectedLine(raw)?.includes(String(pid)) ?? false, `PID ${pid} highlighted`);
    expect(selectedLine(m.lastFrame())).toBeUndefined();
    await m.press(KEY.down);
    await selected(10000);
    await m.press(KEY.down, KEY.down);
    await selected(10002);
    await m.press(KEY.up);
    await selected(10001);
    await m.press(KEY.end);
    await selected(17024);
    expect(rowsShown(m).at(-1)).toContain('17024');
    await m.press(KEY.home);
    await selected(10000);
    expect(rowsShown(m)[0]).toContain('10000');
    const page = rowsShown(m).length;
    await m.press(KEY.pageDown);
    await selected(10000 + page);
    await m.press(KEY.pageUp);
    await selected(10000);
  });

  it('the selection follows its process when the order changes', async () => {
    m = await renderMonitor(eightBig, { columns: 120, rows: 40, color: true });
    await m.press(KEY.down, KEY.down);
    await m.frame((_, raw) => selectedLine(raw)?.includes('10001') ?? false, 'PID 10001 highlighted');
    const before = rowsShown(m).findIndex((l) => l.includes('10001'));
    await m.press('.', '.', '.'); // sort by GPU memory
    await m.frame('▲GPU-MEM', 'the table sorted by GPU memory');
    // It moved in the table, and it is still the one selected.
    expect(rowsShown(m).findIndex((l) => l.includes('10001'))).not.toBe(before);
    expect(selectedLine(m.lastFrame())).toContain('10001');
  });

  it(', and . change the sort column, r reverses it', async () => {
    m = await renderMonitor(eightBig, { columns: 120, rows: 40 });
    const header = () => m!.lines().find((l) => /GPU +.*PID/.test(l) && !/UTL/.test(l))!;
    const sortedBy = (title: string) => m!.frame(() => header().includes(title), `the header to show ${title}`);
    expect(header()).toContain('▲GPU');
    await m.press('.');
    await sortedBy('▲PID');
    await m.press('.', '.');
    await sortedBy('▲GPU-MEM');
    const mem = () => rowsShown(m!).map((l) => Number(/(\d+)MiB/.exec(l)![1]));
    expect(mem()).toEqual([...mem()].sort((a, b) => a - b));
    await m.press('r');
    await sortedBy('▼GPU-MEM');
    expect(mem()).toEqual([...mem()].sort((a, b) => b - a));
    await m.press(',');
    await sortedBy('▼USER');
  });

  it('/ filters by user, PID or command; Enter keeps the filter, Esc clears it', async () => {
    m = await renderMonitor(withProcesses(fourGpus, 4), { columns: 120, rows: 40 });
    await m.press('/', 'w', 'o', 'r', 'k', 'e', 'r', '_', '2', '_');
    // The text typed so far, then a cursor.
    await status(/^\/worker_2__ /);
    expect(m.text()).toMatch(/Processes \(4 of 16\) {2}filter: worker_2_/);
    expect(rowsShown(m).every((l) => l.includes('worker_2_'))).toBe(true);
    await m.press(KEY.backspace, KEY.backspace, '3', '_', KEY.enter);
    await status(/^filter: worker_3_/);
    // Keys work normally again once Enter ends typing.
    await m.press('.');
    await m.frame('▲PID', 'the table sorted by PID');
    await m.press(KEY.escape);
    await m.frame(/Processes \(16\)/, 'all 16 processes again');
    await m.press('/', 'a', 'l', 'i', 'c', 'e', KEY.enter);
    await status(/^filter: alice/);
    expect(rowsShown(m).length).toBeGreaterThan(0);
    expect(rowsShown(m).every((l) => l.includes('alice'))).toBe(true);
    await m.press('/', 'n', 'o', 'b', 'o', 'd', 'y', KEY.enter);
    await m.frame("No process matches the filter 'alicenobody'");
  });
});

describe('signals', () => {
  it('T asks first; y sends SIGTERM to the selected process with the start time shown', async () => {
    m = await renderMonitor(eightBig, { columns: 120, rows: 40 });
    await m.press(KEY.down, KEY.down, 'T');
    await status(/^Send SIGTERM to PID 10001 \(bob: python3 worker_0_1\.py\)\? \[y\/N\]/);
    expect(m.signals).toEqual([]);
    await m.press('y');
    await status(/^SIGTERM sent to 10001/);
    expect(m.signals).toEqual([{ pid: 10001, startTimeMs: eightBig.processes[1]!.startTimeMs, signal: 'SIGTERM' }]);
  });

  it('anything but y cancels; I and K ask for SIGINT and SIGKILL', async () => {
    m = await renderMonitor(eightBig, { columns: 120, rows: 40 });
    await m.press(KEY.down, 'K');
    await status(/^Send SIGKILL to PID 10000/);
    await m.press('n');
    await status(/^Cancelled: no signal sent/);
    await m.press('I');
    await status(/^Send SIGINT to PID 10000/);
    await m.press(KEY.escape);
    await status(/^Cancelled: no signal sent/);
    expect(m.signals).toEqual([]);
  });

  it('says clearly when it is not permitted, and when signals are off', async () => {
    m = await renderMonitor(eightBig, { columns: 120, rows: 40, signalResult: { ok: false, message: 'not permitted to signal 10000: it belongs to another user' } });
    await m.press(KEY.down, 'T', 'y');
    await status(/^not permitted to signal 10000/);
    m.unmount();
    m = await renderMonitor(eightBig, { columns: 120, rows: 40, readonly: true });
    await m.press(KEY.down, 'K');
    await status(/^Read-only: signals are off/);
    expect(m.signals).toEqual([]);
  });
});

describe('graph, help and quitting', () => {
  it('Tab switches the graphed GPU, m the metric; the graph fills with history', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    expect(m.text()).toMatch(/GPU 0 utilization %, last 1 s/);
    for (const s of snapshotSeries(4, 2, 5)) m.push(s);
    await m.frame(/GPU 0 utilization %, last 6 s/);
    await m.press(KEY.tab);
    await m.frame(/GPU 1 utilization %/);
    await m.press(KEY.shiftTab, KEY.shiftTab);
    await m.frame(/GPU 3 utilization %/);
    await m.press('m');
    await m.frame(/GPU 3 memory used %/);
    await m.press('m');
    await m.frame(/GPU 3 power W/);
  });

  it('h shows every key the monitor reads, each once; any key closes it', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    await m.press('h');
    await status(/^q quit {2}any other key closes the help/);
    // The key column: two spaces in, 21 columns (two spaces at least after the key), then the description.
    const keys = m.lines().flatMap((l) => /^ {2}(\S.{18}) {2}\S/.exec(l)?.[1]?.trim() ?? []);
    expect(keys).toEqual(['q, Ctrl-C', 'h, ?', 'Up/Down, j/k', 'PgUp/PgDn, Home/End', ', .  (or < >)', 'r', '/', 'Esc', 'I  T  K', 'c  f  a', 'Tab, Shift-Tab', 'm', 'b', 'Enter', 'x']);
    expect(m.lines().find((l) => /^ {2}b {2,}/.test(l))).toMatch(/benchmark panel/);
    await m.press('x');
    await m.frame('── Processes', 'the monitor again');
    await m.press('?');
    await m.frame((l) => l[0]!.includes('keys'), 'the help again');
  });

  it('in an 80x10 pane the help scrolls with the arrows, its status line last; nothing is cut off for good', async () => {
    m = await renderMonitor(fourGpus, { columns: 80, rows: 10 });
    await m.press('h');
    let lines = await status(/↑↓ scroll/);
    expect(lines).toHaveLength(10);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^gpumon 9\.9\.9 keys/);
    expect(lines.at(-1)).toMatch(/^q quit {2}↑↓ scroll \(1-9 of 20\) {2}any other key closes the help/);
    await m.press(KEY.pageDown, KEY.down, KEY.down);
    lines = await status(/\(12-20 of 20\)/);
    expect(lines).toHaveLength(10);
    expect(lines.join('\n')).toMatch(/^ {2}x {2,}in the panel: stop the run/m);
    // The descriptions fit 80 columns whole.
    expect(lines.some((l) => l.includes('…'))).toBe(false);
    await m.press(KEY.up);
    await status(/\(11-19 of 20\)/);
    await m.press('x');
    await m.frame((l) => /^ 0 /.test(l[1]!), 'the monitor again, GPU 0 first');
  });

  it('the key hints drop whole from the end where the terminal is narrow; read-only has no signal keys', async () => {
    m = await renderMonitor(fourGpus, { columns: 80, rows: 24 });
    expect(m.lines().at(-1)!.trimEnd()).toBe('q quit  h help  / filter  ↑↓ select  ,. sort  r reverse  I/T/K signal');
    m.resize(100, 30);
    await m.frame((l) => l.length === 30, 'a frame of 30 lines');
    expect(m.lines().at(-1)!.trimEnd()).toBe('q quit  h help  / filter  ↑↓ select  ,. sort  r reverse  I/T/K signal  c/f/a view  Tab/m graph');
    m.unmount();
    m = await renderMonitor(fourGpus, { columns: 80, rows: 24, readonly: true });
    expect(m.lines().at(-1)!.trimEnd()).toBe('q quit  h help  / filter  ↑↓ select  ,. sort  r reverse  c/f/a view  Tab/m graph');
  });

  it('keys typed faster than a frame (one chunk of input) each count', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    await m.press('h');
    await status(/any other key closes the help/);
    // "xq" in one read: x closes the help, q quits.
    await m.press('xq');
    await m.until(() => m!.quits.length > 0, 'a quit');
    await m.frame('── Processes', 'the help closed');
    expect(m.quits).toHaveLength(1);
    await m.press('/ali');
    await status(/^\/ali_/);
  });

  it('q and Ctrl-C quit', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    await m.press('q');
    await m.until(() => m!.quits.length > 0, 'a quit');
    expect(m.quits).toHaveLength(1);
    await m.press(KEY.ctrlC);
    await m.until(() => m!.quits.length > 1, 'a second quit');
    expect(m.quits).toHaveLength(2);
  });
});

describe('trouble on screen', () => {
  it('stale data says since when and why; fresh data clears it', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    const stale: Snapshot = { ...fourGpus, time: T0 + 5000, stale: { since: T0, reason: 'nvidia-smi stopped answering for 6 s and was killed; restarting in 1 s' } };
    m.push(stale);
    await m.frame((l) => /STALE since \d\d:\d\d:00: nvidia-smi stopped answering/.test(l[0]!), 'STALE in the header');
    m.push({ ...fourGpus, time: T0 + 6000 });
    // The header shows the fresh snapshot's time, 6 s after T0.
    await m.frame((l) => /:06 2026/.test(l[0]!), "the fresh snapshot's time in the header");
    expect(m.lines()[0]).not.toContain('STALE');
  });

  it('a GPU lost mid-run shows as LOST, not as zeros, in both views', async () => {
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40 });
    const lost: Snapshot = { ...fourGpus, gpus: fourGpus.gpus.map((g) => (g.index === 2 ? lostGpu(g) : g)) };
    m.push(lost);
    const full = (await m.frame('LOST: nvidia-smi cannot reach this GPU')).join('\n');
    expect(full.match(/UTIL /g)).toHaveLength(3);
    await m.press('c');
    await m.frame((l) => /LOST/.test(l.find((x) => x.startsWith(' 2 ')) ?? ''), 'GPU 2 LOST in the compact view');
  });

  it('a GPU lost in an 8-GPU, 200-process box keeps the others and the table', async () => {
    m = await renderMonitor(eightBig, { columns: 120, rows: 40 });
    m.push({ ...eightBig, gpus: eightBig.gpus.map((g) => (g.index === 5 ? lostGpu(g) : g)) });
    const lines = await m.frame((l) => /LOST/.test(l.find((x) => x.startsWith(' 5 ')) ?? ''), 'GPU 5 LOST');
    expect(lines.filter((l) => / UTL /.test(l))).toHaveLength(7);
    expect(lines.filter((l) => /^ +\d +\d{5} /.test(l)).length).toBeGreaterThan(10);
  });
});
