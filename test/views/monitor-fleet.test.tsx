import { afterEach, describe, expect, it } from 'vitest';
import { fleetAsSnapshot } from '../../src/model/fleet.js';
import { selectGpus } from '../../src/model/select.js';
import { displayWidth } from '../../src/views/format.js';
import { KEY, type MonitorHarness, renderMonitor } from '../helpers/monitor.js';
import { demoAt, T0, withProcesses } from '../helpers/snapshots.js';

let m: MonitorHarness | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

// Two copies of one recording (`gpumon serve --demo` twice): one hostname, the same GPU indexes and PIDs.
const host = withProcesses(selectGpus(demoAt('8xh100'), ['0', '1']), 2);
const fleet = fleetAsSnapshot({
  time: T0,
  hosts: [
    { url: 'http://127.0.0.1:9402', snapshot: host, down: null },
    { url: 'http://127.0.0.1:9401', snapshot: host, down: null },
  ],
});
const processRows = (h: MonitorHarness) => h.lines().filter((l) => /^127\.0\.0\.1:940\d +\d +\d{5} /.test(l));

describe('the monitor on a fleet (--remote)', () => {
  it('the process table names the host of each process, and sorts by host, then GPU', async () => {
    m = await renderMonitor(fleet, { columns: 100, rows: 30, readonly: true, view: 'compact' });
    const lines = m.lines();
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(100);
    expect(lines.find((l) => /PID USER/.test(l))).toMatch(/^HOST {11}▲GPU +PID USER +GPU-MEM/);
    const rows = processRows(m).map((l) => l.split(/ +/).slice(0, 3).join(' '));
    expect(rows).toEqual([
      '127.0.0.1:9401 0 10000',
      '127.0.0.1:9401 0 10001',
      '127.0.0.1:9401 1 11000',
      '127.0.0.1:9401 1 11001',
      '127.0.0.1:9402 0 10000',
      '127.0.0.1:9402 0 10001',
      '127.0.0.1:9402 1 11000',
      '127.0.0.1:9402 1 11001',
    ]);
    await m.press('r');
    await m.frame(() => /^127\.0\.0\.1:9402 +1 +11000 /.test(processRows(m!)[0] ?? ''), 'the table reversed: 9402 GPU 1 PID 11000 first');
  });

  it('the selection walks through rows that share a PID on two hosts', async () => {
    m = await renderMonitor(fleet, { columns: 100, rows: 30, readonly: true, color: true, view: 'compact' });
    const highlighted = (raw: string) => raw.split('\n').find((l) => l.includes('\x1b[7m') || l.includes('\x1b[0;7m'))?.replace(/\x1b\[[0-9;]*m/g, '');
    const selected = (row: RegExp) => m!.frame((_, raw) => row.test(highlighted(raw) ?? ''), `the row ${row} highlighted`);
    await m.press(KEY.down, KEY.down, KEY.down, KEY.down, KEY.down);
    await selected(/^127\.0\.0\.1:9402 +0 +10000 /);
    await m.press(KEY.down);
    await selected(/^127\.0\.0\.1:9402 +0 +10001 /);
    await m.press(KEY.up);
    await selected(/^127\.0\.0\.1:9402 +0 +10000 /);
  });

  it('the graph says which host its GPU is on', async () => {
    m = await renderMonitor(fleet, { columns: 120, rows: 40, readonly: true });
    expect(m.text()).toMatch(/^127\.0\.0\.1:9402 GPU 0 utilization %/m);
    await m.press(KEY.tab, KEY.tab);
    await m.frame(/^127\.0\.0\.1:9401 GPU 0 utilization %/m);
  });

  it('one host has no HOST column', async () => {
    m = await renderMonitor(host, { columns: 100, rows: 30 });
    expect(m.lines().find((l) => /PID USER/.test(l))).toMatch(/^▲GPU +PID USER/);
  });
});
