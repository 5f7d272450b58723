import { describe, expect, it } from 'vitest';
import { buildGpuReports, downsampleMinMax } from '../../src/model/history-report.js';
import { percentileOfSorted } from '../../src/model/stats.js';
import { snapshotSeries } from '../helpers/snapshots.js';

describe('downsampleMinMax', () => {
  it('leaves a short series as it is', () => {
    expect(downsampleMinMax([1, 2, 3], [[5, null, 7]], 2)).toEqual({ t: [1, 2, 3], series: [[5, null, 7]] });
  });

  it("keeps each bucket's minimum and maximum, in the order they happened, so a one-sample peak survives", () => {
    const t = Array.from({ length: 100 }, (_, i) => i);
    const v = t.map((i) => (i === 37 ? 500 : i % 10));
    const { t: dt, series } = downsampleMinMax(t, [v, v.map((x) => -x)], 10);
    expect(dt).toHaveLength(20);
    expect(Math.max(...(series[0] as number[]))).toBe(500);
    expect(Math.min(...(series[1] as number[]))).toBe(-500);
    // Bucket 3 (30..39): min 0 at t=30, then the peak at t=37.
    expect(dt.slice(6, 8)).toEqual([30, 37]);
    expect(series[0]!.slice(6, 8)).toEqual([0, 500]);
  });

  it('draws a bucket with no values as a gap, not a zero', () => {
    const t = Array.from({ length: 40 }, (_, i) => i);
    const v = t.map((i) => (i >= 10 && i < 20 ? null : 1));
    const { series } = downsampleMinMax(t, [v], 4);
    expect(series[0]!.slice(2, 4)).toEqual([null, null]);
  });
});

describe('buildGpuReports', () => {
  const series = snapshotSeries(2, 0, 30);
  const [gpu0] = buildGpuReports(series, 1000, 2000);

  it('gives mean, p95 and max of each metric from every sample', () => {
    const util = series.map((s) => s.gpus[0]!.utilizationGpu!).sort((a, b) => a - b);
    expect(gpu0!.samples).toBe(30);
    expect(gpu0!.summary.utilizationGpu).toEqual({ mean: util.reduce((a, b) => a + b) / 30, p95: percentileOfSorted(util, 95), max: util[29] });
  });

  it('integrates instant power into Wh, and counts the seconds under each throttle reason', () => {
    const p = series.map((s) => s.gpus[0]!.powerDrawInstantW!);
    const joules = p.slice(1).reduce((sum, w, i) => sum + (w + p[i]!) / 2, 0); // 1 s apart
    expect(gpu0!.energyWh).toBeCloseTo(joules / 3600, 9);
    const capped = series.slice(1).filter((s) => s.gpus[0]!.clockEventReasons!.includes('sw_power_cap')).length;
    expect(gpu0!.throttledSeconds.sw_power_cap ?? 0).toBeCloseTo(capped, 9);
  });

  it('charts the samples in seconds since the epoch', () => {
    expect(gpu0!.series.t).toEqual(series.map((s) => s.time / 1000));
    expect(gpu0!.series.values.powerDrawW).toEqual(series.map((s) => s.gpus[0]!.powerDrawW));
  });
});
