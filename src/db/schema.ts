import type { ClockEventReason, GpuSample, UnknownMap, UnknownReason } from '../model/types.js';
// Reasons are stored as NVML's own bitmask, so the column reads like nvidia-smi's `clocks_event_reasons.active`.
import { decodeClockEventMask, encodeClockEventMask } from '../model/clock-events.js';

/**
 * The history database's tables, and how a GpuSample maps to a row and back.
 * Every GpuSample field is stored; unknown values are NULL, and the reasons
 * travel as JSON, as in the model: each distinct `unknown` map once in
 * `unknown_sets`, referenced by id (a GPU row repeats the same few maps).
 */

/** What a span is: a `gpumon record` session (with its --label) or a benchmark run. */
export type SpanKind = 'record' | 'bench';

/** Per-GPU numeric and text columns: [GpuSample field, column]. Name, bus id and UUID live in `gpus`. */
const NUMBER_COLUMNS = [
  ['utilizationGpu', 'utilization_gpu'],
  ['utilizationMemory', 'utilization_memory'],
  ['utilizationEncoder', 'utilization_encoder'],
  ['utilizationDecoder', 'utilization_decoder'],
  ['memoryUsedMiB', 'memory_used_mib'],
  ['memoryTotalMiB', 'memory_total_mib'],
  ['memoryFreeMiB', 'memory_free_mib'],
  ['temperatureGpuC', 'temperature_gpu_c'],
  ['temperatureMemoryC', 'temperature_memory_c'],
  ['fanSpeedPercent', 'fan_speed_percent'],
  ['powerDrawW', 'power_draw_w'],
  ['powerDrawInstantW', 'power_draw_instant_w'],
  ['powerLimitW', 'power_limit_w'],
  ['clockSmMHz', 'clock_sm_mhz'],
  ['clockMemMHz', 'clock_mem_mhz'],
  ['clockMaxSmMHz', 'clock_max_sm_mhz'],
  ['eccErrorsUncorrectedVolatile', 'ecc_errors_uncorrected_volatile'],
] as const satisfies ReadonlyArray<readonly [keyof GpuSample, string]>;

const BOOLEAN_COLUMNS = [
  ['migEnabled', 'mig_enabled'],
  ['persistenceMode', 'persistence_mode'],
] as const satisfies ReadonlyArray<readonly [keyof GpuSample, string]>;

const TEXT_COLUMNS = [
  ['pstate', 'pstate'],
  ['computeMode', 'compute_mode'],
] as const satisfies ReadonlyArray<readonly [keyof GpuSample, string]>;

export const GPU_VALUE_COLUMNS: readonly string[] = [
  'lost',
  ...NUMBER_COLUMNS.map(([, c]) => c),
  ...BOOLEAN_COLUMNS.map(([, c]) => c),
  ...TEXT_COLUMNS.map(([, c]) => c),
  'clock_event_reasons',
  'unknown',
];

/** Columns the minute table keeps mean, min and max of. */
export const MINUTE_COLUMNS = ['utilization_gpu', 'utilization_memory', 'memory_used_mib', 'temperature_gpu_c', 'power_draw_w', 'clock_sm_mhz', 'clock_mem_mhz'] as const;

/** What readMinutes selects: the minute row's key and the means, in MINUTE_COLUMNS order. */
export const MINUTE_SELECT = ['m.minute', 'm.gpu_index', 'g.uuid', 'g.name', 'g.pci_bus_id', 'm.samples', ...MINUTE_COLUMNS.map((c) => `m.${c}_mean`)].join(', ');

/**
 * A minute row (MINUTE_SELECT, raw) as a GpuSample of its means; every field
 * the minute table does not keep is null, `not_retained`.
 */
export function gpuSampleOfMinute(v: readonly unknown[]): GpuSample {
  const sample: Record<string, unknown> = { index: v[1], uuid: v[2], name: v[3], pciBusId: v[4], lost: false, clockEventReasons: null };
  const unknown: Record<string, UnknownReason> = { clockEventReasons: 'not_retained' };
  for (const [f, c] of [...NUMBER_COLUMNS, ...BOOLEAN_COLUMNS, ...TEXT_COLUMNS]) {
    const at = (MINUTE_COLUMNS as readonly string[]).indexOf(c);
    sample[f] = at < 0 ? null : v[6 + at];
    if (at < 0) unknown[f] = 'not_retained';
  }
  sample.unknown = unknown;
  return sample as unknown as GpuSample;
}

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unknown_sets (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS gpus (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, name TEXT, pci_bus_id TEXT);
-- One row per snapshot: its time (ms since the epoch) and the host.
CREATE TABLE IF NOT EXISTS samples (
  time INTEGER PRIMARY KEY, stale_since INTEGER, stale_reason TEXT,
  host_cpu_percent REAL, host_cpu_count INTEGER, host_memory_total INTEGER, host_memory_used INTEGER,
  host_swap_total INTEGER, host_swap_used INTEGER, host_load1 REAL, host_load5 REAL, host_load15 REAL,
  host_uptime_seconds REAL, host_unknown TEXT);
CREATE TABLE IF NOT EXISTS gpu_samples (
  time INTEGER NOT NULL, gpu INTEGER NOT NULL REFERENCES gpus(id), gpu_index INTEGER NOT NULL,
  lost INTEGER NOT NULL, ${NUMBER_COLUMNS.map(([, c]) => `${c} REAL`).join(', ')},
  ${BOOLEAN_COLUMNS.map(([, c]) => `${c} INTEGER`).join(', ')}, ${TEXT_COLUMNS.map(([, c]) => `${c} TEXT`).join(', ')},
  clock_event_reasons INTEGER, unknown INTEGER REFERENCES unknown_sets(id),
  PRIMARY KEY (time, gpu)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS processes (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL, start_time_ms INTEGER, name TEXT, user TEXT, argv TEXT);
CREATE INDEX IF NOT EXISTS processes_pid ON processes (pid, start_time_ms);
CREATE TABLE IF NOT EXISTS process_samples (
  time INTEGER NOT NULL, process INTEGER NOT NULL REFERENCES processes(id), gpu INTEGER NOT NULL REFERENCES gpus(id),
  gpu_memory_mib REAL, PRIMARY KEY (time, process, gpu)) WITHOUT ROWID;
-- Labelled time ranges; end is NULL while the recorder runs (or after it was killed, until the next start closes it).
-- (result_file, a benchmark's result JSON, is added by MIGRATIONS.)
CREATE TABLE IF NOT EXISTS spans (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, label TEXT, start INTEGER NOT NULL, end INTEGER, pid INTEGER, ended_by TEXT);
-- Older samples, one row per GPU and minute: means, minima and maxima (see retention.ts).
CREATE TABLE IF NOT EXISTS gpu_minutes (
  minute INTEGER NOT NULL, gpu INTEGER NOT NULL REFERENCES gpus(id), gpu_index INTEGER NOT NULL, samples INTEGER NOT NULL,
  ${MINUTE_COLUMNS.flatMap((c) => [`${c}_mean REAL`, `${c}_min REAL`, `${c}_max REAL`]).join(', ')},
  PRIMARY KEY (minute, gpu)) WITHOUT ROWID;
`;

/**
 * What each version adds to the one before: MIGRATIONS[i] takes a file from
 * version i + 1 to i + 2. A new file gets SCHEMA (version 1's tables) and then
 * every step, so old and new files end up the same.
 */
export const MIGRATIONS: readonly string[] = [
  // 2: the result file a benchmark span points to (absolute path; NULL when none was saved).
  'ALTER TABLE spans ADD COLUMN result_file TEXT;',
];

/** `PRAGMA user_version` of a current file. */
export const SCHEMA_VERSION = 1 + MIGRATIONS.length;

/** A GpuSample's values as the columns of GPU_VALUE_COLUMNS, in that order; `unknown` as its JSON (the recorder swaps in the id). */
export function gpuRowValues(g: GpuSample): (number | string | null)[] {
  const bool = (v: boolean | null) => (v === null ? null : v ? 1 : 0);
  return [
    g.lost ? 1 : 0,
    ...NUMBER_COLUMNS.map(([f]) => g[f]),
    ...BOOLEAN_COLUMNS.map(([f]) => bool(g[f])),
    ...TEXT_COLUMNS.map(([f]) => g[f]),
    g.clockEventReasons === null ? null : encodeClockEventMask(g.clockEventReasons),
    Object.keys(g.unknown).length ? JSON.stringify(g.unknown) : null,
  ];
}

/** What readSamples selects, in the order gpuSampleOfValues reads (gpu_samples as gs, gpus as g, unknown_sets as u). */
export const GPU_SELECT = ['gs.time', 'gs.gpu_index', 'g.uuid', 'g.name', 'g.pci_bus_id', ...GPU_VALUE_COLUMNS.map((c) => (c === 'unknown' ? 'u.json' : `gs.${c}`))].join(', ');

// Rows repeat the same few reason sets and masks: parse each once (GpuSample is read-only, so sharing is safe).
const parsedUnknown = new Map<string, UnknownMap<GpuSample>>();
const decodedMasks = new Map<number, readonly ClockEventReason[]>();

/** A row of GPU_SELECT (read with better-sqlite3's raw(), as an array: about half the time of a row object) back to the GpuSample it was. */
export function gpuSampleOfValues(v: readonly unknown[]): GpuSample {
  const sample: Record<string, unknown> = { index: v[1], uuid: v[2], name: v[3], pciBusId: v[4], lost: v[5] === 1 };
  let at = 6;
  for (const [f] of NUMBER_COLUMNS) sample[f] = v[at++];
  for (const [f] of BOOLEAN_COLUMNS) {
    const b = v[at++];
    sample[f] = b === null ? null : b === 1;
  }
  for (const [f] of TEXT_COLUMNS) sample[f] = v[at++];
  const mask = v[at++] as number | null;
  let reasons = mask === null ? null : decodedMasks.get(mask);
  if (reasons === undefined) decodedMasks.set(mask!, (reasons = decodeClockEventMask(mask!)));
  sample.clockEventReasons = reasons;
  const json = v[at] as string | null;
  let unknown = json === null ? {} : parsedUnknown.get(json);
  if (unknown === undefined) parsedUnknown.set(json!, (unknown = JSON.parse(json!) as UnknownMap<GpuSample>));
  sample.unknown = unknown;
  return sample as unknown as GpuSample;
}
