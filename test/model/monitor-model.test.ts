import { describe, expect, it } from 'vitest';
import { GpuHistory, Ring } from '../../src/model/history.js';
import { filterProcesses, sortProcesses } from '../../src/model/processes.js';
import { alertsAtInstant } from '../../src/model/alerts.js';
import { SnapshotStore } from '../../src/model/store.js';
import type { Snapshot } from '../../src/model/types.js';
import { lostGpu } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { planLayout } from '../../src/views/monitor/layout.js';
import { onKey } from '../../src/views/monitor/screens/index.js';
import { initialUiState, visibleTop } from '../../src/views/monitor/state.js';
import { demoAt, withProcesses } from '../helpers/snapshots.js';

describe('Ring', () => {
  it('keeps the newest values, oldest first, within its capacity', () => {
    const r = new Ring(3);
    expect(r.last(5)).toEqual([]);
    for (const v of [1, 2, null, 4]) r.push(v);
    expect(r.length).toBe(3);
    expect(r.last(5)).toEqual([2, null, 4]);
    expect(r.last(2)).toEqual([null, 4]);
  });
});

describe('GpuHistory and SnapshotStore', () => {
  it('records every GPU per metric, bounded, with gaps for lost GPUs and no samples from stale snapshots', () => {
    const s = demoAt('h100');
    const store = new SnapshotStore(s, new GpuHistory(4));
    const uuid = s.gpus[0]!.uuid;
    for (let i = 0; i < 10; i++) store.push(s);
    store.push({ ...s, gpus: [lostGpu(s.gpus[0]!)] });
    store.push({ ...s, stale: { since: 0, reason: 'x' } });
    expect(store.get().version).toBe(12);
    expect(store.history.series(uuid, 'utilization', 10)).toEqual([99, 99, 99, null]);
    expect(store.history.series(uuid, 'memory', 1)).toEqual([null]);
    expect(store.history.series('GPU-none', 'power', 5)).toEqual([]);
  });

  it('keeps the alerts of each snapshot in the same state as the snapshot, judged once as it arrives', () => {
    const s = demoAt('h100');
    const judged: Snapshot[] = [];
    const hot = { ...s, gpus: s.gpus.map((g) => ({ ...g, temperatureGpuC: 99 })) };
    const store = new SnapshotStore(s, undefined, (x) => (judged.push(x), alertsAtInstant(x).map((a) => ({ ...a, host: '' }))));
    expect(store.get().alerts).toEqual([]);
    store.push(hot);
    const state = store.get();
    expect(state.snapshot).toBe(hot);
    expect(state.alerts.map((a) => a.rule)).toEqual(['temperature']);
    store.push(s);
    expect(store.get().alerts).toEqual([]);
    expect(judged).toEqual([s, hot, s]);
    expect(new SnapshotStore(s).get().alerts).toEqual([]);
  });
});

describe('sorting and filtering processes', () => {
  const procs = withProcesses(demoAt('8xh100'), 3).processes;
  it('sorts by a column either way, unknown values last, ties by GPU then PID', () => {
    const byMem = sortProcesses(procs, 'gpu-memory', false).map((p) => p.gpuMemoryMiB!);
    expect(byMem).toEqual([...byMem].sort((a, b) => a - b));
    const withUnknown = [{ ...procs[0]!, pid: 1, cpuPercent: null }, ...procs];
    expect(sortProcesses(withUnknown, 'cpu', true).at(-1)!.pid).toBe(1);
    expect(sortProcesses(withUnknown, 'cpu', false).at(-1)!.pid).toBe(1);
    expect(sortProcesses(procs, 'user', false).slice(0, 3).map((p) => [p.user, p.gpuIndex, p.pid])).toEqual([
      ['alice', 0, 10000],
      ['alice', 1, 11000],
      ['alice', 2, 12000],
    ]);
  });
  it('filters on user, PID and command, case-insensitively', () => {
    expect(filterProcesses(procs, 'BOB').every((p) => p.user === 'bob')).toBe(true);
    expect(filterProcesses(procs, '11002').map((p) => p.pid)).toEqual([11002]);
    expect(filterProcesses(procs, 'worker_7_').map((p) => p.gpuIndex)).toEqual([7, 7, 7]);
    expect(filterProcesses(procs, '  ')).toHaveLength(procs.length);
  });
});

describe('planLayout', () => {
  it('full view when it fits, with a graph when there is room', () => {
    expect(planLayout(120, 40, 4, 'auto')).toEqual({ mode: 'full', gpuLines: 21, hostLines: 2, graphLines: 6, panelLines: 0, tableTitle: true, tableRows: 7, alertBar: 0 });
    expect(planLayout(120, 40, 1, 'auto')).toMatchObject({ mode: 'full', graphLines: 14 });
  });
  it('compact when the full view leaves too few rows, or the terminal is narrow', () => {
    expect(planLayout(120, 40, 8, 'auto').mode).toBe('compact');
    expect(planLayout(79, 60, 1, 'auto').mode).toBe('compact');
    expect(planLayout(80, 10, 4, 'auto')).toEqual({ mode: 'compact', gpuLines: 4, hostLines: 0, graphLines: 0, panelLines: 0, tableTitle: false, tableRows: 3, alertBar: 0 });
  });
  it('forced views are kept even when they do not fit; rows never go negative', () => {
    expect(planLayout(80, 10, 8, 'full')).toMatchObject({ mode: 'full', tableRows: 0, graphLines: 0 });
    expect(planLayout(200, 100, 2, 'compact').mode).toBe('compact');
  });
  it('the alert bar takes a line from the table; the panel takes the table\'s place, the host gives way before the graph', () => {
    expect(planLayout(80, 10, 4, 'auto', { alertBar: true })).toMatchObject({ mode: 'compact', tableRows: 2, alertBar: 1 });
    // 80x24, 8 GPUs, a panel of 7 lines: 24 - header - 8 GPUs - bar - status = 13; 7 for the panel, 6 for the graph, none for the host.
    expect(planLayout(80, 24, 8, 'auto', { alertBar: true, panelLines: 7 })).toEqual({ mode: 'compact', gpuLines: 8, hostLines: 0, graphLines: 6, panelLines: 7, tableTitle: false, tableRows: 0, alertBar: 1 });
    expect(planLayout(120, 40, 4, 'auto', { panelLines: 7 })).toMatchObject({ mode: 'full', panelLines: 7, graphLines: 8, hostLines: 2 });
    // Auto keeps the full view only while the whole panel fits; the panel is cut only when even compact leaves too few rows.
    expect(planLayout(120, 40, 4, 'auto', { panelLines: 20 })).toMatchObject({ mode: 'compact', panelLines: 20 });
    expect(planLayout(80, 12, 4, 'auto', { panelLines: 20 })).toMatchObject({ mode: 'compact', panelLines: 6, graphLines: 0, hostLines: 0 });
  });

  it('nothing adds up to more than the terminal: any size, GPUs, panel and bar', () => {
    for (const [c, r] of [[120, 40], [100, 30], [80, 24], [80, 10], [60, 5], [80, 3]] as const)
      for (const n of [1, 4, 8])
        for (const panelLines of [null, 2, 7, 12, 40])
          for (const alertBar of [false, true])
            for (const view of ['auto', 'compact'] as const) {
              const l = planLayout(c, r, n, view, { alertBar, panelLines });
              const table = panelLines === null ? (l.tableTitle ? 1 : 0) + 1 + l.tableRows : 0;
              const used = 1 + l.gpuLines + l.hostLines + l.graphLines + l.panelLines + table + l.alertBar + 1;
              // Only the GPUs (compact: one line each) may overflow, when even they do not fit.
              if (1 + l.gpuLines + 1 + l.alertBar + (panelLines === null ? 1 : 0) <= r) expect(used).toBeLessThanOrEqual(r);
              else expect(l.hostLines + l.graphLines + l.panelLines + l.tableRows).toBe(0);
              if (panelLines !== null) expect(l.tableRows).toBe(0);
              // An open panel keeps its first two lines where cutting compact GPU lines makes room.
              if (panelLines !== null && l.mode === 'compact' && r >= 6) expect(l.panelLines).toBeGreaterThanOrEqual(Math.min(2, panelLines));
            }
  });

  it('every plan adds up to the terminal when it fits', () => {
    for (const [c, r, n] of [[120, 40, 4], [80, 24, 2], [80, 10, 4], [200, 60, 8]] as const) {
      const l = planLayout(c, r, n, 'auto');
      expect(1 + l.gpuLines + l.hostLines + l.graphLines + (l.tableTitle ? 1 : 0) + 1 + l.tableRows + 1).toBe(r);
    }
  });
});

describe('onKey', () => {
  const rows = withProcesses(demoAt('8xh100'), 2).processes;
  const ctx = { rows, pageSize: 5, gpuCount: 8, readonly: false };
  const start = initialUiState({ view: 'auto', sort: 'gpu', descending: false });
  it('selects nothing until a key moves; scrolls to keep the selection visible', () => {
    let s = onKey(start, '', { downArrow: true }, ctx).state;
    expect(s.selectedPid).toBe(rows[0]!.pid);
    for (let i = 0; i < 7; i++) s = onKey(s, 'j', {}, ctx).state;
    expect(s.selectedPid).toBe(rows[7]!.pid);
    expect(visibleTop(s, rows, 5)).toBe(3);
    s = onKey(s, '', { end: true }, ctx).state;
    expect(visibleTop(s, rows, 5)).toBe(rows.length - 5);
  });
  it('keys while typing a filter go into the filter, not to the commands', () => {
    let s = onKey(start, '/', {}, ctx).state;
    for (const c of 'qTK') s = onKey(s, c, {}, ctx).state;
    expect(s).toMatchObject({ filter: 'qTK', screens: [{ kind: 'main' }, { kind: 'filter' }] });
    expect(onKey(s, 'c', { ctrl: true }, ctx).effect).toEqual({ kind: 'quit' });
  });
  it('a signal key with nothing selected says so instead of asking', () => {
    expect(onKey(start, 'T', {}, ctx).state.message?.text).toMatch(/No process selected/);
  });
});
