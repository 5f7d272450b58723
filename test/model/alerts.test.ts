import { describe, expect, it } from 'vitest';
import { AlertEvaluator, alertsAtInstant, DEFAULT_ALERT_LIMITS, worstSeverity } from '../../src/model/alerts.js';
import type { GpuSample, Snapshot } from '../../src/model/types.js';
import { lostGpu } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { demoAt, T0 } from '../helpers/snapshots.js';

/** The one-GPU recording under load (20 s in), with GPU 0 changed and stamped `t` seconds after T0. */
function at(t: number, change: Partial<GpuSample> = {}, base = demoAt('h100', 20_000)): Snapshot {
  return { ...base, time: T0 + t * 1000, gpus: base.gpus.map((g) => ({ ...g, ...change })) };
}

const rulesOf = (s: { rule: string }[]) => s.map((a) => a.rule);

describe('alert rules on a real H100 sample', () => {
  it('a GPU at work under its power cap raises nothing', () => {
    const s = at(0);
    expect(s.gpus[0]!.clockEventReasons).toEqual(['sw_power_cap']);
    expect(alertsAtInstant(s)).toEqual([]);
    expect(worstSeverity([])).toBeNull();
  });

  it('memory over 95%, a thermal slowdown, ECC errors and a lost GPU fire at once, critical first', () => {
    const total = at(0).gpus[0]!.memoryTotalMiB!;
    expect(rulesOf(alertsAtInstant(at(0, { memoryUsedMiB: total * 0.96 })))).toEqual(['memory']);
    const hot = alertsAtInstant(at(0, { clockEventReasons: ['sw_power_cap', 'hw_thermal_slowdown'], eccErrorsUncorrectedVolatile: 2, memoryUsedMiB: total }));
    expect(rulesOf(hot).sort()).toEqual(['ecc', 'memory', 'slowdown']);
    expect(hot.map((a) => a.severity)).toEqual(['critical', 'critical', 'warning']);
    expect(hot.find((a) => a.rule === 'slowdown')!.message).toBe('clocks slowed: hw_thermal_slowdown');
    expect(hot.find((a) => a.rule === 'ecc')!.message).toBe('2 uncorrected ECC errors');
    const base = at(0);
    const lost = { ...base, gpus: [lostGpu(base.gpus[0]!)] };
    expect(alertsAtInstant(lost)).toMatchObject([{ rule: 'gpu_lost', severity: 'critical', gpuIndex: 0 }]);
    expect(worstSeverity(hot)).toBe('critical');
  });

  it('sw_power_cap and idle clocks are not slowdowns worth an alert', () => {
    expect(alertsAtInstant(at(0, { clockEventReasons: ['gpu_idle', 'sw_power_cap', 'applications_clocks_setting'] }))).toEqual([]);
  });

  it('unknown values raise nothing (null is not over a limit)', () => {
    expect(alertsAtInstant(at(0, { temperatureGpuC: null, memoryUsedMiB: null, clockEventReasons: null, eccErrorsUncorrectedVolatile: null }))).toEqual([]);
  });
});

describe('AlertEvaluator (synthetic clock: the snapshots’ own times)', () => {
  it('temperature fires only after it has stayed over the limit for the set time', () => {
    const e = new AlertEvaluator({ ...DEFAULT_ALERT_LIMITS, temperatureC: 80, temperatureForSeconds: 30 });
    expect(e.feed(at(0, { temperatureGpuC: 86 }))).toEqual([]);
    expect(e.feed(at(29, { temperatureGpuC: 90 }))).toEqual([]);
    const fired = e.feed(at(30, { temperatureGpuC: 88 }));
    expect(fired).toMatchObject([{ rule: 'temperature', severity: 'warning', since: T0, message: 'temperature 88°C over 80°C' }]);
    // One sample under the limit starts the count again.
    expect(e.feed(at(31, { temperatureGpuC: 70 }))).toEqual([]);
    expect(e.feed(at(32, { temperatureGpuC: 86 }))).toEqual([]);
    expect(e.feed(at(61, { temperatureGpuC: 86 }))).toEqual([]);
    expect(e.feed(at(62, { temperatureGpuC: 86 }))).toMatchObject([{ rule: 'temperature', since: T0 + 32_000 }]);
  });

  it('idle_memory fires when processes hold memory on a GPU at 0% for the set minutes', () => {
    // A moment of the 8-GPU recording where a GPU holds process memory at 0% (its job is between steps).
    const held = (s: Snapshot, index: number) => s.processes.filter((p) => p.gpuIndex === index).reduce((n, p) => n + p.gpuMemoryMiB!, 0);
    const idle = Array.from({ length: 37 }, (_, i) => demoAt('8xh100', i * 1000)).find((s) => s.gpus.some((g) => g.utilizationGpu === 0 && held(s, g.index) > 0))!;
    const gpu = idle.gpus.find((g) => g.utilizationGpu === 0 && held(idle, g.index) > 0)!;
    const busy = idle.gpus.find((g) => g.utilizationGpu! > 50 && held(idle, g.index) > 0)!;
    const e = new AlertEvaluator({ ...DEFAULT_ALERT_LIMITS, idleMinutes: 10 });
    const series = (min: number) => ({ ...idle, time: T0 + min * 60_000 });
    const on = (alerts: { gpuIndex: number }[]) => alerts.filter((a) => a.gpuIndex === gpu.index);
    expect(on(e.feed(series(0)))).toEqual([]);
    expect(on(e.feed(series(9.9)))).toEqual([]);
    expect(on(e.feed(series(10)))).toMatchObject([{ rule: 'idle_memory', severity: 'warning', message: `idle with ${held(idle, gpu.index)} MiB held by processes` }]);
    // A busy GPU holding memory is not idle.
    expect(e.feed(series(10)).map((a) => a.gpuIndex)).not.toContain(busy.index);
  });

  it('a GPU that leaves the snapshot forgets its running count', () => {
    const e = new AlertEvaluator({ ...DEFAULT_ALERT_LIMITS, temperatureC: 80, temperatureForSeconds: 10 });
    e.feed(at(0, { temperatureGpuC: 90 }));
    e.feed({ ...at(5), gpus: [] });
    expect(e.feed(at(10, { temperatureGpuC: 90 }))).toEqual([]);
    expect(e.feed(at(20, { temperatureGpuC: 90 }))).toHaveLength(1);
  });

  it('alertsAtInstant judges the timed rules on one snapshot', () => {
    expect(rulesOf(alertsAtInstant(at(0, { temperatureGpuC: 99 })))).toEqual(['temperature']);
  });
});
