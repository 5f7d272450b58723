import type { GpuProcess, GpuSample, HostSample, Snapshot, SnapshotOrigin, Staleness, UnknownReason } from '../model/types.js';
import { GPU_WIRE, HOST_WIRE, isObject, PROCESS_WIRE, readWire, SNAPSHOT_WIRE, WIRE_KIND_NAMES, type WireEntry, wireEntries } from '../model/wire.js';

/**
 * The `--json` document (another gpumon's `/api/snapshot` or `/api/stream`)
 * read back into a Snapshot: the inverse of views/json.ts, driven by the
 * same wire schema (model/wire.ts) so the two cannot drift apart. Numbers
 * come back as the document rounds them (two decimals).
 */

/** The document is not a gpumon snapshot. */
export class SnapshotFormatError extends Error {}

type Json = Record<string, unknown>;

function fail(what: string): never {
  throw new SnapshotFormatError(`not a gpumon snapshot: ${what}`);
}

const GPU = wireEntries<GpuSample>(GPU_WIRE);
const PROCESS = wireEntries<GpuProcess>(PROCESS_WIRE);
const HOST = wireEntries<HostSample>(HOST_WIRE);

/** The record's fields by the table's entries; a value not of its kind fails, or reads as null where `lenient`. */
function fields<T>(doc: Json, entries: readonly WireEntry<T>[], where: string, lenient = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    if (e.kind === 'derived') continue;
    const v = readWire(e.kind, doc[e.key]);
    out[e.field] = v !== undefined ? v : lenient ? null : fail(`${where} '${e.key}' should be ${WIRE_KIND_NAMES[e.kind]}, not ${JSON.stringify(doc[e.key]).slice(0, 40)}`);
  }
  return out;
}

/** Why each value is missing, as the document's `unknown` says. */
function reasons<T>(doc: Json, entries: readonly WireEntry<T>[]): Record<string, UnknownReason> {
  const unknown: Record<string, UnknownReason> = {};
  const said = isObject(doc.unknown) ? doc.unknown : {};
  for (const e of entries) if (e.kind !== 'derived' && e.withReason && typeof said[e.key] === 'string') unknown[e.field] = said[e.key] as UnknownReason;
  return unknown;
}

function host(doc: Json, hostname: string): HostSample {
  const sample = fields(isObject(doc.host) ? doc.host : {}, HOST, 'host', true);
  sample.cpuCount ??= 0;
  // The document does not say why a host value is missing: it was not available over there.
  const unknown = Object.fromEntries(Object.entries(sample).filter(([, v]) => v === null).map(([k]) => [k, 'not_available' as const]));
  return { hostname, ...sample, unknown } as unknown as HostSample;
}

/** A document-level field by its schema entry, or null when it is not of its kind. */
function own<F extends keyof typeof SNAPSHOT_WIRE>(doc: Json, f: F): unknown {
  return readWire(SNAPSHOT_WIRE[f].kind, doc[SNAPSHOT_WIRE[f].key]) ?? null;
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
    const gpu = fields(g, GPU, `gpus[${i}]`);
    if (typeof gpu.lost !== 'boolean') fail(`gpus[${i}] has no uuid or 'lost'`);
    gpus.push({ ...gpu, unknown: reasons(g, GPU) } as unknown as GpuSample);
    for (const [j, p] of (Array.isArray(g.processes) ? g.processes : []).entries()) {
      if (!isObject(p) || typeof p.pid !== 'number') fail(`gpus[${i}].processes[${j}] has no pid`);
      const proc = fields(p, PROCESS, `gpus[${i}].processes[${j}]`);
      processes.push({ ...proc, unknown: reasons(p, PROCESS) } as unknown as GpuProcess);
    }
  });
  const time = own(doc, 'time');
  const notes = doc[SNAPSHOT_WIRE.notes.key];
  return {
    time: typeof time === 'number' ? time : fail(`${SNAPSHOT_WIRE.time.key} is not an ISO time`),
    source: (own(doc, 'source') as SnapshotOrigin | null) ?? fail(`'${SNAPSHOT_WIRE.source.key}' is neither nvidia-smi nor demo`),
    driverVersion: own(doc, 'driverVersion') as string | null,
    cudaVersion: own(doc, 'cudaVersion') as string | null,
    gpus,
    processes,
    host: host(doc, doc.hostname as string),
    stale: isObject(doc[SNAPSHOT_WIRE.stale.key]) ? ((own(doc, 'stale') as Staleness | null) ?? fail('stale.since is not an ISO time')) : null,
    notes: Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [],
  };
}
