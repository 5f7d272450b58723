import type { GpuRunSummary } from '../model/run-window.js';
import type { ClockEventReason } from '../model/types.js';
import type { IdleBaseline } from './gpu-watch.js';

/**
 * The `gpu` object of every benchmark result file (`bench http`, `bench run`),
 * which `bench compare` reads: snake_case like vLLM's own keys, units in the
 * names, null for what was not measured.
 */
export interface GpuResultDevice {
  readonly index: number;
  readonly uuid: string;
  readonly name: string | null;
  readonly samples: number;
  readonly avg_utilization_percent: number | null;
  readonly peak_utilization_percent: number | null;
  readonly peak_memory_used_mib: number | null;
  readonly avg_power_w: number | null;
  readonly peak_power_w: number | null;
  readonly idle_power_w: number | null;
  readonly energy_j: number | null;
  readonly energy_seconds: number;
  readonly power_field: GpuRunSummary['powerField'];
  /** Reason -> seconds it was active during the run (gpu_idle left out). */
  readonly clock_event_reasons: Readonly<Partial<Record<ClockEventReason, number>>>;
  /** Seconds with any slowdown reason active (power cap, thermal, HW slowdown, power brake). */
  readonly throttled_seconds: number;
  readonly lost: boolean;
}

export interface GpuResult {
  readonly devices: readonly GpuResultDevice[];
  /** All GPUs together; null when no GPU had a power reading. */
  readonly energy_j: number | null;
  readonly idle_power_w: number | null;
  readonly avg_power_w: number | null;
  readonly peak_power_w: number | null;
  readonly peak_memory_used_mib: number | null;
  /** The most throttled GPU's throttled_seconds. */
  readonly throttled_seconds: number;
  /** energy_j / output tokens (`bench http`); null elsewhere. */
  readonly joules_per_output_token: number | null;
  readonly sample_interval_ms: number;
  readonly note: string;
}

const sumOrNull = (xs: readonly (number | null)[]): number | null => {
  const known = xs.filter((x): x is number => x !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
};
const maxOrNull = (xs: readonly (number | null)[]): number | null => {
  const known = xs.filter((x): x is number => x !== null);
  return known.length ? Math.max(...known) : null;
};

export function gpuResult(
  gpus: readonly GpuRunSummary[],
  baselines: readonly IdleBaseline[],
  opts: { readonly sampleIntervalMs: number; readonly outputTokens?: number | null },
): GpuResult {
  const devices = gpus.map(
    (g): GpuResultDevice => ({
      index: g.index,
      uuid: g.uuid,
      name: g.name,
      samples: g.samples,
      avg_utilization_percent: g.avgUtilizationPercent,
      peak_utilization_percent: g.peakUtilizationPercent,
      peak_memory_used_mib: g.peakMemoryUsedMiB,
      avg_power_w: g.avgPowerW,
      peak_power_w: g.peakPowerW,
      idle_power_w: baselines.find((b) => b.uuid === g.uuid)?.powerW ?? null,
      energy_j: g.energyJ,
      energy_seconds: g.energySeconds,
      power_field: g.powerField,
      clock_event_reasons: g.clockEventReasons,
      throttled_seconds: g.throttledSeconds,
      lost: g.lost,
    }),
  );
  const energy = sumOrNull(devices.map((d) => d.energy_j));
  const tokens = opts.outputTokens ?? null;
  const field = devices.find((d) => d.power_field)?.power_field;
  return {
    devices,
    energy_j: energy,
    idle_power_w: sumOrNull(devices.map((d) => d.idle_power_w)),
    avg_power_w: sumOrNull(devices.map((d) => d.avg_power_w)),
    peak_power_w: maxOrNull(devices.map((d) => d.peak_power_w)),
    peak_memory_used_mib: maxOrNull(devices.map((d) => d.peak_memory_used_mib)),
    throttled_seconds: Math.max(0, ...devices.map((d) => d.throttled_seconds)),
    joules_per_output_token: energy !== null && tokens ? energy / tokens : null,
    sample_interval_ms: opts.sampleIntervalMs,
    note:
      field === 'power.draw'
        ? 'energy from power.draw: on Ampere and newer that is a 1 s average, so short runs are smeared'
        : 'energy is power.draw.instant integrated over time',
  };
}
