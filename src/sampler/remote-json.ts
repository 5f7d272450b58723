import type { GpuProcess, GpuSample, HostSample, Snapshot, SnapshotOrigin, UnknownReason } from '../model/types.js';
import { GPU_KEYS, PROCESS_KEYS } from '../views/json.js';

/**
 * The `--json` document (another gpumon's `/api/snapshot` or `/api/stream`)
 * read back into a Snapshot: the inverse of views/json.ts, driven by the
 * same key tables so the two cannot drift apart. Numbers come back as the
 * document rounds them (two decimals).
 */

/** The document is not a gpumon snapshot. */
export class SnapshotFormatError extends Error {}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(what: string): never {
  throw new SnapshotFormatError(`not a gpumon snapshot: ${what}`);
}

/** The fields that are not numbers; every other field of a GPU or process is a number (or null). */
const TEXT_FIELDS: ReadonlySet<string> = new Set(['uuid', 'name', 'pciBusId', 'pstate', 'computeMode', 'gpuUuid', 'user']);
const FLAG_FIELDS: ReadonlySet<string> = new Set(['lost', 'migEnabled', 'persistenceMode']);
const LIST_FIELDS: ReadonlySet<string> = new Set(['clockEventReasons', 'argv']);

/** A field's value if it has the field's type (or is null); else the document is not a gpumon snapshot. */
function typed(field: string, v: unknown, where: string): unknown {
  const kind = TEXT_FIELDS.has(field) ? 'string' : FLAG_FIELDS.has(field) ? 'boolean' : LIST_FIELDS.has(field) ? 'list' : 'number';
  if (v === null) return v;
  const ok = kind === 'list' ? Array.isArray(v) && v.every((x) => typeof x === 'string') : kind === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === kind;
  return ok ? v : fail(`${where} should be a ${kind === 'list' ? 'list of strings' : kind}, not ${JSON.stringify(v).slice(0, 40)}`);
}

function fields<T>(doc: Json, keys: ReadonlyArray<readonly [keyof T, string]>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, name] of keys) out[field as string] = typed(field as string, doc[name] ?? null, `${where} '${name}'`);
  const unknown: Record<string, UnknownReason> = {};
  const reasons = isObject(doc.unknown) ? doc.unknown : {};
  for (const [field, name] of keys) if (typeof reasons[name] === 'string') unknown[field as string] = reasons[name] as UnknownReason;
  out.unknown = unknown;
  return out;
}

const time = (v: unknown, where: string): number => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : fail(`${where} is not an ISO time`);
};

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function host(doc: Json, hostname: string): HostSample {
  const h = isObject(doc.host) ? doc.host : {};
  const load = Array.isArray(h.load_average) && h.load_average.length === 3 && h.load_average.every((x) => typeof x === 'number') ? (h.load_average as [number, number, number]) : null;
  const sample = {
    hostname,
    cpuPercent: numberOrNull(h.cpu_percent),
    cpuCount: numberOrNull(h.cpu_count) ?? 0,
    memoryTotalBytes: numberOrNull(h.memory_total),
    memoryUsedBytes: numberOrNull(h.memory_used),
    swapTotalBytes: numberOrNull(h.swap_total),
    swapUsedBytes: numberOrNull(h.swap_used),
    loadAverage: load,
    uptimeSeconds: numberOrNull(h.uptime_seconds),
  };
  // The document does not say why a host value is missing: it was not available over there.
  const unknown = Object.fromEntries(Object.entries(sample).filter(([, v]) => v === null).map(([k]) => [k, 'not_available' as const]));
  return { ...sample, unknown };
}

function source(v: unknown): SnapshotOrigin {
  if (isObject(v) && v.kind === 'nvidia-smi' && typeof v.path === 'string') return { kind: 'nvidia-smi', path: v.path };
  if (isObject(v) && v.kind === 'demo' && typeof v.recording === 'string' && typeof v.description === 'string')
    return { kind: 'demo', recording: v.recording, description: v.description };
  return fail("'source' is neither nvidia-smi nor demo");
}

/** Parses a `--json` document (as text or already parsed). Throws SnapshotFormatError. */
export function parseSnapshotJson(input: string | unknown): Snapshot {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch {
      fail('it is not JSON');
    }
  }
  if (!isObject(doc)) return fail('it is not a JSON object');
  if (typeof doc.hostname !== 'string') fail("no 'hostname'");
  if (!Array.isArray(doc.gpus)) fail("no 'gpus' list");
  const gpus: GpuSample[] = [];
  const processes: GpuProcess[] = [];
  (doc.gpus as unknown[]).forEach((g, i) => {
    if (!isObject(g) || typeof g.index !== 'number') fail(`gpus[${i}] has no index`);
    const gpu = fields<GpuSample>(g, GPU_KEYS, `gpus[${i}]`);
    gpu.uuid ??= '';
    if (typeof gpu.uuid !== 'string' || typeof gpu.lost !== 'boolean') fail(`gpus[${i}] has no uuid or 'lost'`);
    gpus.push(gpu as unknown as GpuSample);
    for (const [j, p] of (Array.isArray(g.processes) ? g.processes : []).entries()) {
      if (!isObject(p) || typeof p.pid !== 'number') fail(`gpus[${i}].processes[${j}] has no pid`);
      const proc = fields<GpuProcess>(p, PROCESS_KEYS, `gpus[${i}].processes[${j}]`);
      proc.startTimeMs = p.start_time === null || p.start_time === undefined ? null : time(p.start_time, `gpus[${i}].processes[${j}].start_time`);
      processes.push(proc as unknown as GpuProcess);
    }
  });
  const stale = isObject(doc.stale) ? { since: time(doc.stale.since, 'stale.since'), reason: String(doc.stale.reason ?? '') } : null;
  return {
    time: time(doc.query_time, 'query_time'),
    source: source(doc.source),
    driverVersion: typeof doc.driver_version === 'string' ? doc.driver_version : null,
    cudaVersion: typeof doc.cuda_version === 'string' ? doc.cuda_version : null,
    gpus,
    processes,
    host: host(doc, doc.hostname as string),
    stale,
    notes: Array.isArray(doc.notes) ? doc.notes.filter((n): n is string => typeof n === 'string') : [],
  };
}
