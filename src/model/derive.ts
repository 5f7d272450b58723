import type { ClockEventReason, GpuProcess, GpuSample } from './types.js';

/** Values computed from a sample, for every view to share. */

export function memoryPercent(g: GpuSample): number | null {
  return g.memoryUsedMiB !== null && g.memoryTotalMiB ? (g.memoryUsedMiB / g.memoryTotalMiB) * 100 : null;
}

export function powerPercent(g: GpuSample): number | null {
  return g.powerDrawW !== null && g.powerLimitW ? (g.powerDrawW / g.powerLimitW) * 100 : null;
}

/** How loaded a metric is, by thresholds; views map levels to colors. */
export type Level = 'low' | 'moderate' | 'high';

/** [moderate from, high from]. */
export type Thresholds = readonly [number, number];

export interface ThresholdSet {
  readonly utilization: Thresholds; // %
  readonly memory: Thresholds; // %
  readonly temperature: Thresholds; // °C
  readonly power: Thresholds; // % of the limit
}

/** nvitop's utilization and memory bands; temperatures where datacenter GPUs start to slow down. */
export const DEFAULT_THRESHOLDS: ThresholdSet = {
  utilization: [10, 75],
  memory: [10, 80],
  temperature: [70, 85],
  power: [80, 95],
};

export function levelOf(value: number | null, [moderate, high]: Thresholds): Level | null {
  if (value === null) return null;
  return value >= high ? 'high' : value >= moderate ? 'moderate' : 'low';
}

/** The name people know a process by: the basename of argv[0], else nvidia-smi's name. */
export function processShortName(p: GpuProcess): string | null {
  const first = p.argv?.[0] ?? p.name;
  if (!first) return null;
  return first.split(/[\\/]/).pop() || first;
}

/** The full command line as one string, else nvidia-smi's name. */
export function processCommand(p: GpuProcess): string | null {
  return p.argv ? p.argv.join(' ') : p.name;
}

/** The processes on one GPU. */
export function processesOf(processes: readonly GpuProcess[], gpu: GpuSample): GpuProcess[] {
  return processes.filter((p) => p.gpuUuid === gpu.uuid);
}

/** "NVIDIA H100 80GB HBM3" -> "H100 80GB HBM3": the vendor is the same on every line. */
export function shortGpuName(name: string | null): string | null {
  return name === null ? null : name.replace(/^NVIDIA\s+/i, '');
}

/** Reasons that mean heat or hardware is slowing the GPU: views highlight these. */
const SEVERE_SLOWDOWNS: ReadonlySet<ClockEventReason> = new Set<ClockEventReason>([
  'hw_slowdown',
  'sw_thermal_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
]);

export function isSevereSlowdown(reason: ClockEventReason): boolean {
  return SEVERE_SLOWDOWNS.has(reason);
}

/** Active clock event reasons other than gpu_idle (an idle GPU is not being slowed down). */
export function slowdowns(g: GpuSample): ClockEventReason[] {
  return (g.clockEventReasons ?? []).filter((r) => r !== 'gpu_idle');
}
