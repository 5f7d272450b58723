import { afterEach, describe, expect, it } from 'vitest';
import type { BenchProgress } from '../../src/bench/live-stats.js';
import type { BenchPanelSource, BenchPanelState } from '../../src/views/monitor/bench-panel-section.js';
import { displayWidth } from '../../src/views/format.js';
import { alertsAtInstant } from '../../src/model/alerts.js';
import { KEY, type MonitorHarness, renderMonitor } from '../helpers/monitor.js';
import { demoAt, withProcesses } from '../helpers/snapshots.js';

let m: MonitorHarness | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

/** The panel's state set by the test, and the start/stop calls the monitor makes. */
class PanelState implements BenchPanelSource {
  state: BenchPanelState = {
    choices: [
      { name: 'local', summary: 'http://127.0.0.1:8000  first model  rate 10  in 1024  out 128  1000 requests' },
      { name: 'last run', summary: 'http://gpu-box:8000  llama  rate inf  concurrency 64  in 512  out 256  200 requests' },
    ],
    progress: null,
    resultPath: null,
    note: null,
  };
  readonly calls: string[] = [];
  private readonly listeners = new Set<() => void>();
  get = () => this.state;
  subscribe = (l: () => void) => (this.listeners.add(l), () => this.listeners.delete(l));
  start(choice: number) {
    this.calls.push(`start ${choice}`);
  }
  stop() {
    this.calls.push('stop');
  }
  set(patch: Partial<BenchPanelState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}

const RUNNING: BenchProgress = {
  phase: 'running',
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  iteration: 1,
  iterations: 1,
  elapsedS: 12.4,
  target: 200,
  durationS: null,
  sent: 90,
  completed: 80,
  failed: 3,
  inFlight: 7,
  requestsPerS: 6.6,
  outputTokensPerS: 845,
  ttftMs: { p50: 120, p90: 180, p99: 240 },
  itlMs: { p50: 21.5, p90: 30.2, p99: 44.9 },
  errors: { http_status: 2, connection_reset: 1 },
  lastError: 'HTTP 503: overloaded',
  server: { running: 7, waiting: 2, kvCachePercent: 41.5, prefixCacheHits: null, prefixCacheQueries: null, preemptions: null },
  serverError: null,
  message: null,
};

const eight = withProcesses(demoAt('8xh100'), 5);
const PANEL = '── Benchmark: bench http';
/** Waits for the status line (the last) to match. */
const status = (re: RegExp) => m!.frame((l) => re.test(l.at(-1)!), `the status line to match ${re}`);

describe('the benchmark panel (b)', () => {
  it('opens on b with the presets and the last run; arrows pick, Enter starts the one picked', async () => {
    const bench = new PanelState();
    m = await renderMonitor(eight, { columns: 120, rows: 40, bench });
    await m.press('b');
    const text = (await m.frame(PANEL, 'the panel')).join('\n');
    expect(text).toMatch(/── Benchmark: bench http ─+/);
    expect(text).toMatch(/▶ local +http:\/\/127\.0\.0\.1:8000 {2}first model {2}rate 10/);
    expect(text).toMatch(/^ {3}last run +http:\/\/gpu-box:8000/m);
    // The GPU bars stay on screen, the process table gives way.
    expect(text.match(/H100 80GB HBM3 UTL/g)).toHaveLength(8);
    expect(text).not.toContain('── Processes');
    await m.press(KEY.down, KEY.enter);
    await m.until(() => bench.calls.length > 0, 'a call to the panel');
    expect(bench.calls).toEqual(['start 1']);
    await m.press('k', KEY.enter);
    await m.until(() => bench.calls.length > 1, 'a second call to the panel');
    expect(bench.calls).toEqual(['start 1', 'start 0']);
  });

  it('shows the run live: progress, rates, TTFT and ITL percentiles, errors by kind, server metrics; x stops it', async () => {
    const bench = new PanelState();
    m = await renderMonitor(eight, { columns: 120, rows: 40, bench });
    await m.press('b');
    await m.frame(PANEL, 'the panel');
    bench.set({ progress: RUNNING });
    const text = (await m.frame(/Run +running/, 'the run in the panel')).join('\n');
    expect(text).toMatch(/Run +running {2}83\/200 {2}42% █+/);
    expect(text).toContain('meta-llama/Llama-3.1-8B-Instruct');
    expect(text).toMatch(/Requests +80 ok {2}3 failed {2}7 in flight {3}6\.6 req\/s {3}845 output tok\/s/);
    expect(text).toMatch(/TTFT ms +p50 120 {2}p90 180 {2}p99 240 {3}last 10 s/);
    expect(text).toMatch(/ITL ms +p50 21\.5 {2}p90 30\.2 {2}p99 44\.9/);
    expect(text).toMatch(/Errors +http status 2, connection reset 1 {3}last: HTTP 503: overloaded/);
    expect(text).toMatch(/Server +running 7 {2}waiting 2 {2}KV cache 42%/);
    // While it runs, the choices are hidden and Enter starts nothing.
    expect(text).not.toContain('last run');
    await m.press(KEY.enter, 'x');
    await m.until(() => bench.calls.length > 0, 'a call to the panel');
    expect(bench.calls).toEqual(['stop']);
  });

  it('says where the result went when the run is over, and why a run failed', async () => {
    const bench = new PanelState();
    m = await renderMonitor(eight, { columns: 120, rows: 40, bench });
    await m.press('b');
    await m.frame(PANEL, 'the panel');
    bench.set({ progress: { ...RUNNING, phase: 'finished', inFlight: 0, message: '197 ok, 3 failed, 845 tok/s' }, resultPath: 'http-10qps-llama-20261201-120000.json' });
    await m.frame(/Saved to +http-10qps-llama-20261201-120000\.json/);
    expect(m.text()).toMatch(/Result +197 ok, 3 failed/);
    bench.set({ progress: { ...RUNNING, phase: 'failed', sent: 0, message: 'cannot list the models at http://x/v1/models: connection refused' }, resultPath: null });
    const text = (await m.frame(/Failed +cannot list the models/)).join('\n');
    expect(text).not.toContain('TTFT ms');
  });

  it('fits 80x24 and 120x40 exactly, and b or Esc closes it (the keys of the monitor work again)', async () => {
    const bench = new PanelState();
    for (const [columns, rows] of [
      [80, 24],
      [120, 40],
    ] as const) {
      m = await renderMonitor(eight, { columns, rows, bench });
      await m.press('b');
      await m.frame(PANEL, 'the panel');
      bench.set({ progress: RUNNING });
      const lines = await m.frame('Requests', 'the run in the panel');
      expect(lines).toHaveLength(rows);
      for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(columns);
      expect(lines.at(-1)).toMatch(/^q quit/);
      await m.press(KEY.escape);
      await m.frame(/PID USER/, 'the process table again');
      // Closed, the run goes on in the status line.
      expect(m.lines().at(-1)).toMatch(/^bench 12\.4s: 83\/200 done, 3 failed, 7 in flight, 6\.6 req\/s, 845 tok\/s/);
      // b opens it, b closes it.
      await m.press('b');
      await m.frame(PANEL, 'the panel');
      await m.press('b');
      await m.frame(/PID USER/, 'the process table again');
      expect(m.text()).not.toContain('Benchmark: bench http');
      bench.set({ progress: null });
      await status(/^q quit/);
      m.unmount();
      m = null;
      bench.set({ progress: null });
    }
  });

  it('is in the help; without a panel b says so', async () => {
    m = await renderMonitor(eight, { columns: 120, rows: 40 });
    await m.press('h');
    await m.frame(/ b +benchmark panel: open it, close it \(a run goes on\)/);
    await m.press('x', 'b');
    await status(/^No benchmark panel here/);
  });

  it('with alerts firing, the bar stays above the status line at every size; nothing wraps, nothing is pushed off', async () => {
    const hot = { ...eight, gpus: eight.gpus.map((g) => ({ ...g, temperatureGpuC: 91 })) };
    const alerts = alertsAtInstant(hot, { temperatureC: 85, temperatureForSeconds: 0, memoryPercent: 95, idleMinutes: 10 }).map((a) => ({ ...a, host: '' }));
    const bench = new PanelState();
    bench.set({ progress: RUNNING });
    for (const [columns, rows] of [
      [80, 24],
      [100, 30],
      [120, 40],
      [80, 10],
    ] as const) {
      m = await renderMonitor(hot, { columns, rows, bench, alerts: () => alerts });
      await m.press('b');
      const lines = await m.frame((l) => l.some((x) => x.startsWith(PANEL)), 'the panel');
      expect(lines).toHaveLength(rows);
      for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(columns);
      // The panel's keys on the status line, whole; the bar above it.
      expect(lines.at(-1)!.trimEnd()).toBe('q quit  h help  x stop  b close (the run goes on)');
      expect(lines.at(-2)).toMatch(new RegExp(`^ ${alerts.length} ALERTS {3}`));
      expect(alerts.filter((a) => a.rule === 'temperature')).toHaveLength(8);
      if (rows >= 24) {
        // Under the GPUs, the graph; then the panel, whole, in the process table's place.
        const title = lines.findIndex((l) => l.startsWith('── Benchmark: bench http'));
        expect(lines.slice(1, 9).every((l) => / UTL /.test(l))).toBe(true);
        expect(lines.slice(title + 1, title + 7).map((l) => l.trim().split(/ {2,}/)[0])).toEqual(['Run', 'Requests', 'TTFT ms', 'ITL ms', 'Errors', 'Server']);
        expect(lines.slice(9, title).some((l) => /utilization %, last/.test(l))).toBe(true);
        expect(lines.join('\n')).not.toContain('PID USER');
      } else {
        // 80x10: the panel's title and run line, above the bar; the compact GPU lines give way for them.
        expect(lines.slice(-4, -2).map((l) => l.slice(0, 24).trimEnd())).toEqual(['── Benchmark: bench http', ' Run       running  83/2']);
        expect(lines.slice(1, 6).every((l) => / UTL /.test(l))).toBe(true);
      }
      m.unmount();
      m = null;
    }
  });
});
