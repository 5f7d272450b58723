import { describe, expect, it } from 'vitest';
import type { GpuProcess, Snapshot } from '../../src/model/types.js';
import { demoSnapshot, loadRecording } from '../../src/sampler/demo.js';
import { lostGpu } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { displayWidth } from '../../src/views/format.js';
import { makePainter, shouldColor, stripAnsi } from '../../src/views/style.js';
import { renderCompact } from '../../src/views/text/compact.js';
import { renderOnce } from '../../src/views/text/snapshot-text.js';

const T = Date.UTC(2026, 10, 22, 11, 53, 41);
const h100 = demoSnapshot(loadRecording('h100'), 20_000, T);
const eight = demoSnapshot(loadRecording('8xh100'), 20_000, T);
const plain = makePainter(false);
const opts = (width: number, ascii = false) => ({ width, ascii, painter: plain, version: '9.9.9' });

describe('renderOnce', () => {
  it('shows the header, the GPU, the host and the processes of the H100 under load', () => {
    const text = renderOnce(h100, opts(80));
    for (const want of ['GPUMON 9.9.9', 'Driver 580.159.04', 'CUDA 13.0', 'H100 80GB HBM3', '00000000:00:06.0', 'P0', '99%', '23.6/79.6 GiB', '697/700W', 'Clocks slowed: sw_power_cap', 'FAN N/A', 'python3 burn.py 20 20', 'python3 idle.py 28 2', 'DEMO: real H100 recording'])
      expect(text).toContain(want);
    expect(text).toMatch(/^\│\s+0\s+912 root\s+21\.10GiB\s+98\s+95\.8\s+0\.5\s+0:10\s+python3 burn\.py 20 20 +│$/m);
  });

  it.each([80, 100, 160])('fits %i columns exactly: no line longer, box lines exactly as wide', (width) => {
    for (const snap of [h100, eight]) {
      const lines = renderOnce(snap, opts(width)).trimEnd().split('\n');
      for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(width);
      for (const l of lines.filter((x) => /^[│╒╞├╘]/.test(x))) expect(displayWidth(l)).toBe(width);
    }
  });

  it('never goes below 80 columns', () => {
    const lines = renderOnce(h100, opts(40)).split('\n').filter((l) => l.startsWith('╒'));
    expect(displayWidth(lines[0]!)).toBe(80);
  });

  it('--ascii prints nothing outside ASCII', () => {
    const text = renderOnce(eight, opts(80, true));
    expect([...text].filter((c) => c.charCodeAt(0) > 127)).toEqual([]);
    expect(text).toContain('+=====');
  });

  it('colors only what it is told to, and the colors carry no text', () => {
    const colored = renderOnce(h100, { ...opts(80), painter: makePainter(true) });
    expect(colored).toContain('\x1b[31m'); // 99% utilization is high: red
    expect(stripAnsi(colored)).toBe(renderOnce(h100, opts(80)));
  });

  it('a lost GPU says LOST instead of showing zeros', () => {
    const g = h100.gpus[0]!;
    const snap: Snapshot = { ...h100, gpus: [lostGpu(g)] };
    const text = renderOnce(snap, opts(80));
    expect(text).toContain('LOST');
    expect(text).not.toMatch(/UTIL/);
  });

  it('a process that is not visible here shows what nvidia-smi knows and ? for the rest', () => {
    const p = h100.processes[0]!;
    const hidden: GpuProcess = { ...p, user: null, cpuPercent: null, memPercent: null, elapsedSeconds: null, argv: null, rssBytes: null };
    const text = renderOnce({ ...h100, processes: [hidden] }, opts(80));
    expect(text).toMatch(/│\s+0\s+912 \?\s+21\.10GiB\s+98\s+\?\s+\?\s+\?\s+python3\s+│/);
  });

  it('says when there are no processes, and marks stale data', () => {
    const text = renderOnce({ ...h100, processes: [], stale: { since: T - 5000, reason: 'nvidia-smi stalled' } }, opts(100));
    expect(text).toContain('No running processes found');
    expect(text).toMatch(/STALE since \d\d:\d\d:\d\d: nvidia-smi stalled/);
  });

  it('prints notes under the tables', () => {
    expect(renderOnce({ ...h100, notes: ['this driver does not report: power.draw.instant'] }, opts(80))).toContain('Note: this driver does not report: power.draw.instant');
  });
});

describe('renderCompact', () => {
  it('one gpustat-like line per GPU after a header line', () => {
    const lines = renderCompact(eight, { ...opts(80), width: null }).trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^dgx-demo {2}\w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4} {2}580\.159\.04 {2}CUDA 13\.0 {2}DEMO$/);
    expect(lines[1]).toMatch(/^\[0\] H100 80GB HBM3 \| +\d+°C, +99 % \| +24191 \/ +81559 MiB \| +697 \/ +700 W \| sw_power_cap \| alice\/python3\/41007\(21610M\) alice\/python3\/41010\(2566M\)$/);
  });

  it('cuts lines to the terminal width only when there is one', () => {
    const cut = renderCompact(eight, { ...opts(80), width: 60 });
    for (const l of cut.trimEnd().split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(60);
    const whole = renderCompact(eight, { ...opts(80), width: null });
    expect(Math.max(...whole.split('\n').map(displayWidth))).toBeGreaterThan(80);
  });
});

describe('shouldColor', () => {
  it('follows FORCE_COLOR, then NO_COLOR, then the TTY', () => {
    expect(shouldColor(true, {})).toBe(true);
    expect(shouldColor(false, {})).toBe(false);
    expect(shouldColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor(true, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColor(true, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColor(false, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(shouldColor(true, { TERM: 'dumb' })).toBe(false);
  });
});
