import type { ClockEventReason } from './clock-events.js';

/**
 * The one data model every view reads. The sampler produces these; views
 * (the Ink monitor, the `--once` renderer, JSON, exporters) only read them.
 *
 * Unknown values are `null`, and the reason travels beside them in `unknown`
 * (keyed by the field name), so a view can say "N/A" or "not supported"
 * instead of drawing a zero. Numbers are never NaN and never -1.
 */

/** Why a value is missing. */
export type UnknownReason =
  /** nvidia-smi printed `[N/A]` or `N/A`. */
  | 'not_available'
  /** `[Not Supported]`. */
  | 'not_supported'
  /** `[Unknown Error]`. */
  | 'unknown_error'
  /** `[GPU is lost]`, or the GPU vanished from the output. */
  | 'gpu_lost'
  /** `[Insufficient Permissions]`. */
  | 'insufficient_permissions'
  /** `[Requested functionality has been deprecated]`. */
  | 'deprecated'
  /** `[Not Found]` (process names). */
  | 'not_found'
  /** This driver does not know the field, so it is not queried. */
  | 'field_unsupported'
  /** The cell held text that is not a value of the field's type. */
  | 'unparseable'
  /** The row had too few cells to reach this column. */
  | 'missing_cell'
  /** The process is not visible here (another PID namespace, or it exited). */
  | 'not_visible'
  /** This platform has no source for the value (e.g. no /proc). */
  | 'unsupported_platform'
  /** No second sample yet to compute a rate from. */
  | 'no_previous_sample'
  /** Read back from history older than its full-resolution window: only per-minute means of some metrics are kept. */
  | 'not_retained'
  /** A gpumon server keeps it private (process users and command lines, without `--expose-processes`). */
  | 'not_exposed';

/** The names of the clock event (throttle) reasons, with their NVML bits in clock-events.ts. */
export type { ClockEventReason } from './clock-events.js';

/** Map of field name to the reason it is null. Only null fields appear. */
export type UnknownMap<T> = Partial<Record<keyof T, UnknownReason>>;

/** One GPU at one instant. */
export interface GpuSample {
  readonly index: number;
  readonly uuid: string;
  readonly name: string | null;
  readonly pciBusId: string | null;
  /** The GPU is lost (fell off the bus): every metric below is null. */
  readonly lost: boolean;
  /** The host it is on, in a fleet's merged snapshot (`--remote`): indexes repeat across hosts. Absent for one host. */
  readonly host?: string;

  readonly utilizationGpu: number | null; // %
  readonly utilizationMemory: number | null; // % (memory controller busy)
  readonly utilizationEncoder: number | null; // %
  readonly utilizationDecoder: number | null; // %

  readonly memoryUsedMiB: number | null;
  readonly memoryTotalMiB: number | null;
  readonly memoryFreeMiB: number | null;

  readonly temperatureGpuC: number | null;
  readonly temperatureMemoryC: number | null;
  readonly fanSpeedPercent: number | null;

  /** Board power in W: `power.draw`, else `power.draw.instant`. */
  readonly powerDrawW: number | null;
  /** `power.draw.instant` where the driver has it (a 1 s average on Ampere+ is `power.draw`). */
  readonly powerDrawInstantW: number | null;
  readonly powerLimitW: number | null; // enforced.power.limit

  readonly clockSmMHz: number | null;
  readonly clockMemMHz: number | null;
  readonly clockMaxSmMHz: number | null;
  readonly pstate: string | null; // "P0".."P15"

  /** Active clock event (throttle) reasons; an empty list means none. */
  readonly clockEventReasons: readonly ClockEventReason[] | null;
  readonly eccErrorsUncorrectedVolatile: number | null;
  readonly migEnabled: boolean | null;
  readonly persistenceMode: boolean | null;
  readonly computeMode: string | null; // Default, Exclusive_Process, Prohibited

  readonly unknown: UnknownMap<GpuSample>;
}

/** A process holding memory on a GPU, joined with what the host knows of it. */
export interface GpuProcess {
  readonly pid: number;
  readonly gpuUuid: string;
  /** Index of the GPU; null when the UUID matches no GPU in the snapshot. */
  readonly gpuIndex: number | null;
  /** What nvidia-smi calls it (often a path or just "python3"). */
  readonly name: string | null;
  readonly gpuMemoryMiB: number | null;
  /** Share of the last sample period its kernels ran on the SMs (nvidia-smi pmon; nvitop's %SM). */
  readonly smPercent: number | null;
  /** Share of the period it used the memory interface (pmon `mem`; nvitop's %GMBW). */
  readonly memoryBandwidthPercent: number | null;

  readonly user: string | null;
  /** %CPU of one core: over the last interval, or over its lifetime (as `ps`) on a first sample. */
  readonly cpuPercent: number | null;
  readonly rssBytes: number | null;
  /** Host RSS as % of host memory. */
  readonly memPercent: number | null;
  /** Seconds since the process started. */
  readonly elapsedSeconds: number | null;
  /** Start time as ms since the epoch; with the pid it names one process even after pid reuse. */
  readonly startTimeMs: number | null;
  /** Full command line, one entry per argument. */
  readonly argv: readonly string[] | null;
  /** The host it runs on, in a fleet's merged snapshot (`--remote`): GPU indexes and PIDs repeat across hosts. Absent for one host. */
  readonly host?: string;

  readonly unknown: UnknownMap<GpuProcess>;
}

export interface HostSample {
  readonly hostname: string;
  /** Whole-machine CPU busy %, 0..100. */
  readonly cpuPercent: number | null;
  readonly cpuCount: number;
  readonly memoryTotalBytes: number | null;
  readonly memoryUsedBytes: number | null;
  readonly swapTotalBytes: number | null;
  readonly swapUsedBytes: number | null;
  readonly loadAverage: readonly [number, number, number] | null;
  readonly uptimeSeconds: number | null;
  readonly unknown: UnknownMap<HostSample>;
}

/** Where a snapshot came from. */
export type SnapshotOrigin =
  | { readonly kind: 'nvidia-smi'; readonly path: string }
  | { readonly kind: 'demo'; readonly recording: string; readonly description: string };

/** Data that is not fresh: the collector stalled or died and is being restarted. */
export interface Staleness {
  /** ms since the epoch of the last fresh GPU data. */
  readonly since: number;
  readonly reason: string;
}

/** Everything gpumon knows at one instant. */
export interface Snapshot {
  /** ms since the epoch. */
  readonly time: number;
  readonly source: SnapshotOrigin;
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
  readonly gpus: readonly GpuSample[];
  readonly processes: readonly GpuProcess[];
  readonly host: HostSample;
  /** Set when the GPU data is older than it should be. */
  readonly stale: Staleness | null;
  /** Things worth telling the user once, e.g. fields this driver lacks. */
  readonly notes: readonly string[];
}
