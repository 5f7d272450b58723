import { processShortName } from './derive.js';
import type { GpuProcess, GpuSample, HostSample, Snapshot, SnapshotOrigin, Staleness } from './types.js';

/**
 * The JSON snapshot on the wire: `gpumon --json`, `serve`'s `/api/snapshot`
 * and `/api/stream`, and what `--remote` reads back from them. For each model
 * field, its JSON key and its kind, in the document's order. views/json.ts
 * writes from these tables and sampler/remote-json.ts reads and checks from
 * them, so the two cannot drift apart; a model field that no table names
 * fails to compile. Unknown values are null, and the `unknown` object of a
 * GPU or a process says why, keyed like the values.
 */

/** How a value is written as JSON. null is written null, whatever the kind. */
export type WireKind =
  /** A finite number, written to two decimals. */
  | 'number'
  | 'string'
  | 'boolean'
  /** A list of strings (clock event reasons, a command line). */
  | 'strings'
  /** A string, where '' (not known: a lost GPU known only by its bus id) is written null. */
  | 'id'
  /** ms since the epoch, written as an ISO 8601 time. */
  | 'time'
  /** Three numbers as they are (the load average). */
  | 'triple'
  /** Where the snapshot came from: `SnapshotOrigin`'s object as it is. */
  | 'origin'
  /** `{ since, reason }` with `since` an ISO time. */
  | 'staleness';

/** The kinds a field of type V can travel as. */
type KindOf<V> = V extends number
  ? 'number' | 'time'
  : V extends string
    ? 'string' | 'id'
    : V extends boolean
      ? 'boolean'
      : V extends readonly [number, number, number]
        ? 'triple'
        : V extends readonly string[]
          ? 'strings'
          : V extends SnapshotOrigin
            ? 'origin'
            : V extends Staleness
              ? 'staleness'
              : never;

export interface WireField<V> {
  readonly key: string;
  readonly kind: KindOf<V>;
  /** Why it is missing is not written in `unknown` (the document never carried it). */
  readonly withoutReason?: true;
}

/** A key the writer computes from the record and the reader ignores. */
export interface WireDerived<T> {
  readonly key: string;
  readonly derive: (record: T) => unknown;
}

/** Every field of T but `unknown` and those carried `Elsewhere` in the document, each with its key and kind. */
export type WireSchema<T, Elsewhere extends keyof T = never> = { readonly [F in Exclude<keyof T, 'unknown' | Elsewhere>]-?: WireField<T[F]> };

/** gpustat's key where gpustat has the field (gpustat's own first, in its order), then gpumon's. A GPU's object ends with its `processes` and `unknown`. */
export const GPU_WIRE = {
  index: { key: 'index', kind: 'number' },
  uuid: { key: 'uuid', kind: 'id' },
  name: { key: 'name', kind: 'string' },
  temperatureGpuC: { key: 'temperature.gpu', kind: 'number' },
  fanSpeedPercent: { key: 'fan.speed', kind: 'number' },
  utilizationGpu: { key: 'utilization.gpu', kind: 'number' },
  utilizationEncoder: { key: 'utilization.enc', kind: 'number' },
  utilizationDecoder: { key: 'utilization.dec', kind: 'number' },
  powerDrawW: { key: 'power.draw', kind: 'number' },
  powerLimitW: { key: 'enforced.power.limit', kind: 'number' },
  memoryUsedMiB: { key: 'memory.used', kind: 'number' },
  memoryTotalMiB: { key: 'memory.total', kind: 'number' },
  // gpumon's own.
  pciBusId: { key: 'pci.bus_id', kind: 'string' },
  lost: { key: 'lost', kind: 'boolean' },
  utilizationMemory: { key: 'utilization.memory', kind: 'number' },
  memoryFreeMiB: { key: 'memory.free', kind: 'number' },
  temperatureMemoryC: { key: 'temperature.memory', kind: 'number' },
  powerDrawInstantW: { key: 'power.draw.instant', kind: 'number' },
  clockSmMHz: { key: 'clocks.sm', kind: 'number' },
  clockMemMHz: { key: 'clocks.mem', kind: 'number' },
  clockMaxSmMHz: { key: 'clocks.max.sm', kind: 'number' },
  pstate: { key: 'pstate', kind: 'string' },
  clockEventReasons: { key: 'clocks_event_reasons', kind: 'strings' },
  eccErrorsUncorrectedVolatile: { key: 'ecc.errors.uncorrected.volatile.total', kind: 'number' },
  migEnabled: { key: 'mig.mode.enabled', kind: 'boolean' },
  persistenceMode: { key: 'persistence_mode.enabled', kind: 'boolean' },
  computeMode: { key: 'compute_mode', kind: 'string' },
} as const satisfies WireSchema<GpuSample, 'host'>;

/** A process's object, under its GPU's `processes`; it ends with `unknown`. `command` is the short name views show. */
export const PROCESS_WIRE = {
  pid: { key: 'pid', kind: 'number' },
  user: { key: 'username', kind: 'string' },
  gpuMemoryMiB: { key: 'gpu_memory_usage', kind: 'number' },
  cpuPercent: { key: 'cpu_percent', kind: 'number' },
  rssBytes: { key: 'cpu_memory_usage', kind: 'number' },
  argv: { key: 'full_command', kind: 'strings' },
  // gpumon's own.
  gpuUuid: { key: 'gpu_uuid', kind: 'string' },
  gpuIndex: { key: 'gpu_index', kind: 'number' },
  name: { key: 'process_name', kind: 'string' },
  memPercent: { key: 'mem_percent', kind: 'number' },
  smPercent: { key: 'sm_percent', kind: 'number' },
  memoryBandwidthPercent: { key: 'memory_bandwidth_percent', kind: 'number' },
  elapsedSeconds: { key: 'elapsed_seconds', kind: 'number' },
  command: { key: 'command', derive: processShortName },
  startTimeMs: { key: 'start_time', kind: 'time', withoutReason: true },
} as const satisfies WireSchema<GpuProcess, 'host'> & { readonly command: WireDerived<GpuProcess> };

/** The document's `host` object (its hostname is the document's `hostname`). It has no `unknown`: a reader knows only that a null value was not available. */
export const HOST_WIRE = {
  cpuPercent: { key: 'cpu_percent', kind: 'number' },
  cpuCount: { key: 'cpu_count', kind: 'number' },
  memoryTotalBytes: { key: 'memory_total', kind: 'number' },
  memoryUsedBytes: { key: 'memory_used', kind: 'number' },
  swapTotalBytes: { key: 'swap_total', kind: 'number' },
  swapUsedBytes: { key: 'swap_used', kind: 'number' },
  loadAverage: { key: 'load_average', kind: 'triple' },
  uptimeSeconds: { key: 'uptime_seconds', kind: 'number' },
} as const satisfies WireSchema<HostSample, 'hostname'>;

/**
 * The document's own fields. Its layout: `hostname` (the host's), `driver_version`,
 * `query_time`, `gpus` (GPU_WIRE, each with its processes), `cuda_version`,
 * `gpumon_version` (the writer's), `source`, `host` (HOST_WIRE), `stale`, `notes`.
 */
export const SNAPSHOT_WIRE = {
  driverVersion: { key: 'driver_version', kind: 'string' },
  time: { key: 'query_time', kind: 'time' },
  cudaVersion: { key: 'cuda_version', kind: 'string' },
  source: { key: 'source', kind: 'origin' },
  stale: { key: 'stale', kind: 'staleness' },
  notes: { key: 'notes', kind: 'strings' },
} as const satisfies WireSchema<Snapshot, 'gpus' | 'processes' | 'host'>;

/** One entry of a table: a field of the record, or a key derived from it. */
export type WireEntry<T> =
  | { readonly kind: WireKind; readonly field: keyof T & string; readonly key: string; readonly withReason: boolean }
  | { readonly kind: 'derived'; readonly key: string; readonly derive: (record: T) => unknown };

/** A table's entries in the document's order. */
export function wireEntries<T>(
  table: Readonly<Record<string, { readonly key: string; readonly kind?: WireKind; readonly withoutReason?: true; readonly derive?: (record: T) => unknown }>>,
): readonly WireEntry<T>[] {
  return Object.entries(table).map(([field, e]) =>
    e.derive ? { kind: 'derived', key: e.key, derive: e.derive } : { kind: e.kind!, field: field as keyof T & string, key: e.key, withReason: !e.withoutReason },
  );
}

const round = (v: number): number => (Number.isInteger(v) ? v : Math.round(v * 100) / 100);

/** A model value as the document has it. */
export function writeWire(kind: WireKind, v: unknown): unknown {
  if (v === null) return null;
  switch (kind) {
    case 'number':
      return round(v as number);
    case 'id':
      return v === '' ? null : v;
    case 'time':
      return new Date(v as number).toISOString();
    case 'staleness':
      return { since: new Date((v as Staleness).since).toISOString(), reason: (v as Staleness).reason };
    default:
      return v;
  }
}

/** A JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const readTime = (v: unknown): number | undefined => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
};

function readOrigin(v: unknown): SnapshotOrigin | undefined {
  if (isObject(v) && v.kind === 'nvidia-smi' && typeof v.path === 'string') return { kind: 'nvidia-smi', path: v.path };
  if (isObject(v) && v.kind === 'demo' && typeof v.recording === 'string' && typeof v.description === 'string')
    return { kind: 'demo', recording: v.recording, description: v.description };
  return undefined;
}

function readStaleness(v: unknown): Staleness | undefined {
  const since = isObject(v) ? readTime(v.since) : undefined;
  return since === undefined ? undefined : { since, reason: String((v as Record<string, unknown>).reason ?? '') };
}

/** A document value (absent reads as null) back into the model's, or undefined when it is not of the kind. */
export function readWire(kind: WireKind, v: unknown): unknown {
  if (v === null || v === undefined) return kind === 'id' ? '' : null;
  switch (kind) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    case 'string':
    case 'id':
      return typeof v === 'string' ? v : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
    case 'time':
      return readTime(v);
    case 'triple':
      return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number') ? v : undefined;
    case 'origin':
      return readOrigin(v);
    case 'staleness':
      return readStaleness(v);
  }
}

/** What a kind is, for a reader's error messages. */
export const WIRE_KIND_NAMES: Readonly<Record<WireKind, string>> = {
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  strings: 'a list of strings',
  id: 'a string',
  time: 'an ISO time',
  triple: 'three numbers',
  origin: 'a source from nvidia-smi or demo',
  staleness: "an object with an ISO time 'since'",
};
