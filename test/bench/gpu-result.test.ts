import { describe, expect, it } from 'vitest';
import { gpuResult } from '../../src/bench/gpu-result.js';
import { RunWindow } from '../../src/model/run-window.js';
import { renderGpuSection } from '../../src/views/text/gpu-section.js';
import { demoAt, T0 } from '../helpers/snapshots.js';

function recordedLoad(from: number, to: number) {
  const w = new RunWindow();
  for (let t = from; t <= to; t += 250) w.add(demoAt('8xh100', t, T0 + t));
  return w.summary();
}

describe('gpu result', () => {
  it('totals energy over GPUs, per output token, against the idle baseline', () => {
    const gpus = recordedLoad(12_000, 14_000);
    expect(gpus).toHaveLength(8);
    const baselines = gpus.map((g) => ({ uuid: g.uuid, index: g.index, powerW: 70, seconds: 1 }));
    const r = gpuResult(gpus, baselines, { sampleIntervalMs: 250, outputTokens: 1000 });
    const sum = gpus.reduce((s, g) => s + g.energyJ!, 0);
    expect(r.energy_j).toBeCloseTo(sum, 9);
    expect(r.joules_per_output_token).toBeCloseTo(sum / 1000, 9);
    expect(r.idle_power_w).toBe(560);
    expect(r.devices[3]).toMatchObject({ index: 3, idle_power_w: 70, lost: false, power_field: 'power.draw.instant' });
    expect(r.peak_memory_used_mib).toBe(Math.max(...gpus.map((g) => g.peakMemoryUsedMiB!)));
    expect(gpuResult(gpus, [], { sampleIntervalMs: 100 }).joules_per_output_token).toBeNull();
  });

  it('renders a GPU section with every figure, N/A for what was not measured', () => {
    const [one] = recordedLoad(20_000, 21_000);
    const text = renderGpuSection(gpuResult([one!], [], { sampleIntervalMs: 100, outputTokens: 0 }), { perToken: true });
    expect(text).toMatch(/^-+ GPU -+$/m);
    expect(text).toMatch(/^Energy \(J\): +\d+\.\d$/m);
    expect(text).toMatch(/^Energy per output token \(J\): +N\/A$/m);
    expect(text).toMatch(/^Idle baseline power \(W\): +N\/A$/m);
    expect(text).toMatch(/^Avg \/ peak utilization \(%\): +9\d \/ 9\d$/m);
    expect(text).toMatch(/^Clock event reasons seen: +sw_power_cap 1\.0s$/m);
    expect(text).not.toContain('GPU 0 ');
    // A command run has no tokens: no line for them.
    expect(renderGpuSection(gpuResult([one!], [], { sampleIntervalMs: 100 }))).not.toContain('per output token');
  });

  it('puts several GPUs in a table of one row each, within the width', () => {
    const gpus = recordedLoad(12_000, 14_000);
    const r = gpuResult(gpus, [], { sampleIntervalMs: 250 });
    const text = renderGpuSection(r, { columns: 80 });
    const lines = text.trimEnd().split('\n');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(text).toMatch(/^Energy, all GPUs \(J\): +\d+\.\d$/m);
    const header = lines.findIndex((l) => l.startsWith('GPU '));
    const rows = lines.slice(header + 1, header + 9);
    expect(rows.map((l) => Number(l.slice(0, 3)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Each row carries that GPU's own figures.
    rows.forEach((l, i) => {
      expect(l).toContain(r.devices[i]!.energy_j!.toFixed(1));
      expect(l).toContain(Object.keys(r.devices[i]!.clock_event_reasons).length ? 'sw_power_cap' : 'none');
    });
    expect(lines.length).toBeLessThan(16);
  });
});
