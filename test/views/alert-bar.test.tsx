import { afterEach, describe, expect, it } from 'vitest';
import { alertsAtInstant } from '../../src/model/alerts.js';
import { selectGpus } from '../../src/model/select.js';
import { displayWidth } from '../../src/views/format.js';
import type { AlertLine } from '../../src/views/text/fleet.js';
import { KEY, type MonitorHarness, renderMonitor } from '../helpers/monitor.js';
import { demoAt, withProcesses } from '../helpers/snapshots.js';

let m: MonitorHarness | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const fourGpus = withProcesses(selectGpus(demoAt('8xh100'), ['0', '1', '2', '3']), 3);
const hot = { ...fourGpus, gpus: fourGpus.gpus.map((g) => ({ ...g, clockEventReasons: ['hw_thermal_slowdown' as const], temperatureGpuC: 91 })) };
const alerts: AlertLine[] = alertsAtInstant(hot).map((a) => ({ ...a, host: '' }));

describe('the alert bar', () => {
  it('takes one line above the status line in an 80x10 pane: nothing wraps, the status line stays last', async () => {
    m = await renderMonitor(fourGpus, { columns: 80, rows: 10, alerts: () => alerts });
    const lines = m.lines();
    expect(lines).toHaveLength(10);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(80);
    expect(lines.slice(1, 5).map((l) => l.slice(0, 3))).toEqual([' 0 ', ' 1 ', ' 2 ', ' 3 ']);
    expect(alerts.length).toBeGreaterThan(8);
    expect(lines[8]).toMatch(new RegExp(`^ ${alerts.length} ALERTS {3}GPU 0 clocks slowed: hw_thermal_slowdown {2}\\| {2}GPU 1 clocks slowed: h…$`));
    expect(lines[9]).toMatch(/^q quit/);
    // The process table gave up the row: two process rows, not three.
    expect(lines.slice(6, 8).every((l) => /^ +\d +1\d{4} /.test(l))).toBe(true);
  });

  it('the selection stays on screen with the bar there (the table is planned for the rows left)', async () => {
    m = await renderMonitor(fourGpus, { columns: 80, rows: 10, alerts: () => alerts });
    await m.press(KEY.end);
    // The last process of GPU 3, selected, on the row above the bar.
    const lines = await m.frame((l) => l[7]!.includes('13002'), 'PID 13002 on the row above the bar');
    expect(lines[8]).toMatch(/ALERTS/);
  });

  it('in the full view at 120x40 as well', async () => {
    const one: AlertLine[] = [{ severity: 'warning', host: 'node7', gpuIndex: 2, rule: 'memory', message: 'memory 97.0% used, over 95%' }];
    m = await renderMonitor(fourGpus, { columns: 120, rows: 40, view: 'full', alerts: () => one });
    const lines = m.lines();
    expect(lines).toHaveLength(40);
    expect(lines[38]!.trimEnd()).toBe(' 1 ALERT   node7 GPU 2 memory 97.0% used, over 95%');
    expect(lines[39]).toMatch(/^q quit/);
  });

  it('is not there without alerts', async () => {
    m = await renderMonitor(fourGpus, { columns: 80, rows: 10, alerts: () => [] });
    expect(m.lines().some((l) => /ALERT/.test(l))).toBe(false);
    expect(m.lines()[8]).toMatch(/^ +\d +1\d{4} /);
  });
});
