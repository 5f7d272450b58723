import { describe, expect, it } from 'vitest';
import { RunWindow, totalEnergyJ } from '../../src/model/run-window.js';
import type { GpuSample, Snapshot } from '../../src/model/types.js';
import { demoAt, T0 } from '../helpers/snapshots.js';

/** The h100 recording's snapshot at `offsetMs`, with its first GPU's values replaced. */
function at(offsetMs: number, time: number, gpu: Partial<GpuSample> = {}, extra: Partial<Snapshot> = {}): Snapshot {
  const s = demoAt('h100', offsetMs, time);
  return { ...s, ...extra, gpus: [{ ...s.gpus[0]!, ...gpu }] };
}

describe('RunWindow', () => {
  it('integrates instant power over time, and keeps averages and peaks', () => {
    const w = new RunWindow();
    // 100 W for 1 s, then a ramp to 300 W over 1 s: 100 + 200 J.
    w.add(at(0, T0, { powerDrawInstantW: 100, powerDrawW: 999, utilizationGpu: 10, memoryUsedMiB: 500, clockEventReasons: ['gpu_idle'] }));
    w.add(at(0, T0 + 1000, { powerDrawInstantW: 100, utilizationGpu: 50, memoryUsedMiB: 2000, clockEventReasons: ['sw_power_cap'] }));
    w.add(at(0, T0 + 2000, { powerDrawInstantW: 300, utilizationGpu: 90, memoryUsedMiB: 1500, clockEventReasons: ['sw_power_cap', 'hw_thermal_slowdown'] }));
    const [g] = w.summary();
    expect(g).toMatchObject({
      samples: 3,
      energyJ: 300,
      energySeconds: 2,
      powerField: 'power.draw.instant',
      avgPowerW: 500 / 3,
      peakPowerW: 300,
      avgUtilizationPercent: 50,
      peakUtilizationPercent: 90,
      peakMemoryUsedMiB: 2000,
      clockEventReasons: { sw_power_cap: 2, hw_thermal_slowdown: 1 },
      // Two reasons at once are one throttled second, not two.
      throttledSeconds: 2,
      lost: false,
    });
    expect(w.seconds).toBe(2);
    expect(totalEnergyJ(w.summary())).toBe(300);
  });

  it('falls back to power.draw, skips stale repeats and does not bridge long gaps', () => {
    const w = new RunWindow(1500);
    w.add(at(0, T0, { powerDrawInstantW: null, powerDrawW: 200 }));
    w.add(at(0, T0 + 1000, { powerDrawInstantW: null, powerDrawW: 200 }));
    w.add(at(0, T0 + 1500, { powerDrawInstantW: null, powerDrawW: 900 }, { stale: { since: T0 + 1000, reason: 'stalled' } }));
    w.add(at(0, T0 + 5000, { powerDrawInstantW: null, powerDrawW: 200 })); // 4 s after the last fresh one
    const [g] = w.summary();
    expect(g).toMatchObject({ samples: 3, energyJ: 200, energySeconds: 1, powerField: 'power.draw', peakPowerW: 200 });
  });

  it('says lost, and has no energy, for a GPU without power readings', () => {
    const w = new RunWindow();
    w.add(at(0, T0, { powerDrawInstantW: null, powerDrawW: null }));
    w.add(at(0, T0 + 100, { lost: true, powerDrawInstantW: null, powerDrawW: null, utilizationGpu: null }));
    const [g] = w.summary();
    expect(g).toMatchObject({ energyJ: null, avgPowerW: null, lost: true, samples: 2 });
    expect(totalEnergyJ(w.summary())).toBeNull();
  });

  it('measures the recorded H100 under load: hundreds of watts, power-capped', () => {
    const w = new RunWindow();
    // 10 s of the recorded load: the instant power swings around the 700 W cap.
    for (let t = 12_000; t <= 22_000; t += 250) w.add(demoAt('h100', t, T0 + t));
    const [g] = w.summary();
    expect(g!.peakPowerW).toBeGreaterThan(700);
    expect(g!.peakPowerW).toBeLessThan(800);
    expect(g!.avgPowerW).toBeGreaterThan(640);
    expect(g!.avgPowerW).toBeLessThan(710);
    expect(g!.energyJ).toBeGreaterThan(6400);
    expect(g!.energyJ).toBeLessThan(7100);
    expect(g!.avgUtilizationPercent).toBeGreaterThan(95);
    expect(Object.keys(g!.clockEventReasons)).toContain('sw_power_cap');
  });
});
