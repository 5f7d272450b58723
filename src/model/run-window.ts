import { SLOWDOWN_REASONS } from './clock-events.js';
import type { ClockEventReason, GpuSample, Snapshot } from './types.js';

/**
 * What each GPU did during a benchmark run: fed the snapshots taken while the
 * run was going (10 Hz or faster for energy), it gives averages, peaks, the
 * energy used and the clock-event reasons seen. Shared by `bench http` and
 * `bench run`; pure, so it is tested on recorded samples.
 */

export interface GpuRunSummary {
  readonly index: number;
  readonly uuid: string;
  readonly name: string | null;
  readonly samples: number;
  readonly avgUtilizationPercent: number | null;
  readonly peakUtilizationPercent: number | null;
  readonly peakMemoryUsedMiB: number | null;
  readonly avgPowerW: number | null;
  readonly peakPowerW: number | null;
  /** Power integrated over time (trapezoids); null with fewer than two power readings. */
  readonly energyJ: number | null;
  /** Seconds of the run the energy covers (gaps over `maxGapMs` are not bridged). */
  readonly energySeconds: number;
  /** Which power field the energy is from: `power.draw.instant` where the driver has it. */
  readonly powerField: 'power.draw.instant' | 'power.draw' | null;
  /** Active reasons other than gpu_idle, with about how long each was seen (s). */
  readonly clockEventReasons: Readonly<Partial<Record<ClockEventReason, number>>>;
  /** Seconds with any slowdown reason active (SLOWDOWN_REASONS): the reasons overlap, so this is not their sum. */
  readonly throttledSeconds: number;
  /** The GPU was lost at some point during the run. */
  readonly lost: boolean;
}

/** Mean and maximum without keeping the values: a run can be hours at 10 Hz. */
class RunningStat {
  private sum = 0;
  private n = 0;
  private peak = -Infinity;

  push(v: number): void {
    this.sum += v;
    this.n++;
    if (v > this.peak) this.peak = v;
  }

  get mean(): number | null {
    return this.n ? this.sum / this.n : null;
  }

  get max(): number | null {
    return this.n ? this.peak : null;
  }
}

interface PowerPoint {
  readonly t: number;
  readonly w: number;
}

class GpuAccumulator {
  samples = 0;
  lost = false;
  readonly util = new RunningStat();
  readonly power = new RunningStat();
  peakMem: number | null = null;
  energyJ = 0;
  energyMs = 0;
  powerPoints = 0;
  field: GpuRunSummary['powerField'] = null;
  last: PowerPoint | null = null;
  lastTime: number | null = null;
  readonly reasons = new Map<ClockEventReason, number>();
  throttledSeconds = 0;
  name: string | null = null;

  constructor(
    readonly index: number,
    readonly uuid: string,
  ) {}
}

/** Instant power where the driver has it: on Ampere and newer `power.draw` is a 1 s average. */
function powerOf(g: GpuSample): { w: number; field: 'power.draw.instant' | 'power.draw' } | null {
  if (g.powerDrawInstantW !== null) return { w: g.powerDrawInstantW, field: 'power.draw.instant' };
  if (g.powerDrawW !== null) return { w: g.powerDrawW, field: 'power.draw' };
  return null;
}

export class RunWindow {
  private readonly gpus = new Map<string, GpuAccumulator>();
  private firstTime: number | null = null;
  private lastTime: number | null = null;

  /** @param maxGapMs a longer gap between two power readings is not integrated across (the sampler stalled). */
  constructor(private readonly maxGapMs = 2000) {}

  add(s: Snapshot): void {
    if (s.stale) return; // the same GPU data again: counting it would double its energy
    this.firstTime ??= s.time;
    this.lastTime = s.time;
    for (const g of s.gpus) {
      let a = this.gpus.get(g.uuid);
      if (!a) this.gpus.set(g.uuid, (a = new GpuAccumulator(g.index, g.uuid)));
      a.samples++;
      a.name ??= g.name;
      if (g.lost) {
        a.lost = true;
        a.last = null;
        continue;
      }
      if (g.utilizationGpu !== null) a.util.push(g.utilizationGpu);
      if (g.memoryUsedMiB !== null) a.peakMem = Math.max(a.peakMem ?? 0, g.memoryUsedMiB);
      const p = powerOf(g);
      if (p) {
        a.power.push(p.w);
        a.field ??= p.field;
        a.powerPoints++;
        if (a.last && s.time > a.last.t && s.time - a.last.t <= this.maxGapMs) {
          a.energyJ += ((a.last.w + p.w) / 2) * ((s.time - a.last.t) / 1000);
          a.energyMs += s.time - a.last.t;
        }
        a.last = { t: s.time, w: p.w };
      } else a.last = null;
      // Each reason seen counts for the time since the previous sample of this GPU.
      const dt = a.lastTime !== null ? (s.time - a.lastTime) / 1000 : 0;
      const reasons = g.clockEventReasons ?? [];
      for (const r of reasons) if (r !== 'gpu_idle') a.reasons.set(r, (a.reasons.get(r) ?? 0) + dt);
      if (reasons.some((r) => SLOWDOWN_REASONS.includes(r))) a.throttledSeconds += dt;
      a.lastTime = s.time;
    }
  }

  /** Seconds between the first and the last sample. */
  get seconds(): number {
    return this.firstTime === null || this.lastTime === null ? 0 : (this.lastTime - this.firstTime) / 1000;
  }

  summary(): GpuRunSummary[] {
    return [...this.gpus.values()]
      .sort((a, b) => a.index - b.index)
      .map((a) => ({
        index: a.index,
        uuid: a.uuid,
        name: a.name,
        samples: a.samples,
        avgUtilizationPercent: a.util.mean,
        peakUtilizationPercent: a.util.max,
        peakMemoryUsedMiB: a.peakMem,
        avgPowerW: a.power.mean,
        peakPowerW: a.power.max,
        energyJ: a.powerPoints >= 2 && a.energyMs > 0 ? a.energyJ : null,
        energySeconds: a.energyMs / 1000,
        powerField: a.field,
        clockEventReasons: Object.fromEntries(a.reasons),
        throttledSeconds: a.throttledSeconds,
        lost: a.lost,
      }));
  }
}

/** Energy of all GPUs together, J; null when no GPU has an energy figure. */
export function totalEnergyJ(gpus: readonly GpuRunSummary[]): number | null {
  const known = gpus.filter((g) => g.energyJ !== null);
  return known.length ? known.reduce((s, g) => s + g.energyJ!, 0) : null;
}
