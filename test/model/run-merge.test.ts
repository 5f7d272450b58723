import { describe, expect, it } from 'vitest';
import { mergeRunSummaries } from '../../src/model/run-merge.js';
import type { GpuRunSummary } from '../../src/model/run-window.js';

const span = (over: Partial<GpuRunSummary>): GpuRunSummary => ({
  index: 0,
  uuid: 'GPU-a',
  name: 'H100',
  samples: 2,
  avgUtilizationPercent: 50,
  peakUtilizationPercent: 60,
  peakMemoryUsedMiB: 1000,
  avgPowerW: 100,
  peakPowerW: 120,
  energyJ: 10,
  energySeconds: 0.1,
  powerField: 'power.draw.instant',
  clockEventReasons: {},
  throttledSeconds: 0,
  lost: false,
  ...over,
});

describe('merging the GPU figures of several runs', () => {
  it('adds energy and time, weights averages by samples, keeps peaks', () => {
    const [g] = mergeRunSummaries([
      [span({})],
      [span({ samples: 6, avgUtilizationPercent: 90, peakMemoryUsedMiB: 3000, avgPowerW: 300, energyJ: 30, energySeconds: 0.5, clockEventReasons: { sw_power_cap: 0.4 }, throttledSeconds: 0.4 })],
      [span({ energyJ: null, peakPowerW: 700, lost: true, clockEventReasons: { sw_power_cap: 0.1 }, throttledSeconds: 0.1 })],
    ]);
    expect(g!.samples).toBe(10);
    expect(g!.avgUtilizationPercent).toBeCloseTo((2 * 50 + 6 * 90 + 2 * 50) / 10, 12); // 74
    expect(g!.avgPowerW).toBeCloseTo((2 * 100 + 6 * 300 + 2 * 100) / 10, 12); // 220
    expect(g!.energyJ).toBe(40);
    expect(g!.energySeconds).toBeCloseTo(0.7, 12);
    expect(g!.peakMemoryUsedMiB).toBe(3000);
    expect(g!.peakPowerW).toBe(700);
    expect(g!.clockEventReasons.sw_power_cap).toBeCloseTo(0.5, 12);
    expect(g!.throttledSeconds).toBeCloseTo(0.5, 12);
    expect(g!.lost).toBe(true);
  });

  it('keeps GPUs apart, in index order, and has no energy where no run had any', () => {
    const out = mergeRunSummaries([[span({ index: 1, uuid: 'GPU-b', energyJ: null }), span({})]]);
    expect(out.map((g) => g.index)).toEqual([0, 1]);
    expect(out[1]!.energyJ).toBeNull();
    expect(mergeRunSummaries([])).toEqual([]);
  });
});
