import { processShortName } from '../model/derive.js';
import type { GpuProcess, GpuSample, Snapshot } from '../model/types.js';

/**
 * `gpumon --once --json`: gpustat's document (`gpustat --json`), so tools that
 * read gpustat read gpumon, with gpumon's extra fields beside gpustat's.
 * Unknown values are null; `unknown` says why, keyed like the values.
 */

/** JSON key for each GpuSample field, gpustat's name where gpustat has one. */
export const GPU_KEYS: ReadonlyArray<readonly [keyof GpuSample, string]> = [
  ['index', 'index'],
  ['uuid', 'uuid'],
  ['name', 'name'],
  ['temperatureGpuC', 'temperature.gpu'],
  ['fanSpeedPercent', 'fan.speed'],
  ['utilizationGpu', 'utilization.gpu'],
  ['utilizationEncoder', 'utilization.enc'],
  ['utilizationDecoder', 'utilization.dec'],
  ['powerDrawW', 'power.draw'],
  ['powerLimitW', 'enforced.power.limit'],
  ['memoryUsedMiB', 'memory.used'],
  ['memoryTotalMiB', 'memory.total'],
  // gpumon's own.
  ['pciBusId', 'pci.bus_id'],
  ['lost', 'lost'],
  ['utilizationMemory', 'utilization.memory'],
  ['memoryFreeMiB', 'memory.free'],
  ['temperatureMemoryC', 'temperature.memory'],
  ['powerDrawInstantW', 'power.draw.instant'],
  ['clockSmMHz', 'clocks.sm'],
  ['clockMemMHz', 'clocks.mem'],
  ['clockMaxSmMHz', 'clocks.max.sm'],
  ['pstate', 'pstate'],
  ['clockEventReasons', 'clocks_event_reasons'],
  ['eccErrorsUncorrectedVolatile', 'ecc.errors.uncorrected.volatile.total'],
  ['migEnabled', 'mig.mode.enabled'],
  ['persistenceMode', 'persistence_mode.enabled'],
  ['computeMode', 'compute_mode'],
];

export const PROCESS_KEYS: ReadonlyArray<readonly [keyof GpuProcess, string]> = [
  ['pid', 'pid'],
  ['user', 'username'],
  ['gpuMemoryMiB', 'gpu_memory_usage'],
  ['cpuPercent', 'cpu_percent'],
  ['rssBytes', 'cpu_memory_usage'],
  ['argv', 'full_command'],
  // gpumon's own.
  ['gpuUuid', 'gpu_uuid'],
  ['gpuIndex', 'gpu_index'],
  ['name', 'process_name'],
  ['memPercent', 'mem_percent'],
  ['smPercent', 'sm_percent'],
  ['memoryBandwidthPercent', 'memory_bandwidth_percent'],
  ['elapsedSeconds', 'elapsed_seconds'],
];

function reasons<T>(unknown: Partial<Record<keyof T, string>>, keys: ReadonlyArray<readonly [keyof T, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, name] of keys) {
    const r = unknown[k];
    if (r) out[name] = r;
  }
  return out;
}

function round(v: unknown): unknown {
  return typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v;
}

function processJson(p: GpuProcess): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, name] of PROCESS_KEYS) out[name] = round(p[k]);
  out.command = processShortName(p);
  out.start_time = p.startTimeMs === null ? null : new Date(p.startTimeMs).toISOString();
  out.unknown = reasons(p.unknown, PROCESS_KEYS);
  return out;
}

/** One GPU's object in gpumon's JSON (also `gpumon export --format json`), with its processes' objects. */
export function gpuJson(g: GpuSample, processes: readonly Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, name] of GPU_KEYS) out[name] = round(g[k]);
  // A lost GPU known only by its bus id has no UUID.
  if (g.uuid === '') out.uuid = null;
  out.processes = processes;
  out.unknown = reasons(g.unknown, GPU_KEYS);
  return out;
}

export function snapshotJson(s: Snapshot, version: string): Record<string, unknown> {
  return {
    hostname: s.host.hostname,
    driver_version: s.driverVersion,
    query_time: new Date(s.time).toISOString(),
    gpus: s.gpus.map((g) => gpuJson(g, s.processes.filter((p) => p.gpuUuid === g.uuid).map(processJson))),
    cuda_version: s.cudaVersion,
    gpumon_version: version,
    source: s.source,
    host: {
      cpu_percent: round(s.host.cpuPercent),
      cpu_count: s.host.cpuCount,
      memory_total: s.host.memoryTotalBytes,
      memory_used: s.host.memoryUsedBytes,
      swap_total: s.host.swapTotalBytes,
      swap_used: s.host.swapUsedBytes,
      load_average: s.host.loadAverage,
      uptime_seconds: round(s.host.uptimeSeconds),
    },
    stale: s.stale ? { since: new Date(s.stale.since).toISOString(), reason: s.stale.reason } : null,
    notes: s.notes,
  };
}

export function renderJson(s: Snapshot, version: string): string {
  return `${JSON.stringify(snapshotJson(s, version), null, 2)}\n`;
}
