import { GPU_WIRE, HOST_WIRE, PROCESS_WIRE, SNAPSHOT_WIRE, type WireEntry, wireEntries, writeWire } from '../model/wire.js';
import type { GpuProcess, GpuSample, HostSample, Snapshot } from '../model/types.js';

/**
 * `gpumon --once --json`: gpustat's document (`gpustat --json`), so tools that
 * read gpustat read gpumon, with gpumon's extra fields beside gpustat's.
 * Written from the wire schema (model/wire.ts), which says each key and kind.
 * Unknown values are null; `unknown` says why, keyed like the values.
 */

const GPU = wireEntries<GpuSample>(GPU_WIRE);
const PROCESS = wireEntries<GpuProcess>(PROCESS_WIRE);
const HOST = wireEntries<HostSample>(HOST_WIRE);

/** The record's keys and values by the table's entries. */
function write<T>(record: T, entries: readonly WireEntry<T>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries) out[e.key] = e.kind === 'derived' ? e.derive(record) : writeWire(e.kind, record[e.field]);
  return out;
}

function reasons<T extends { readonly unknown: Partial<Record<keyof T, string>> }>(record: T, entries: readonly WireEntry<T>[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const r = e.kind !== 'derived' && e.withReason ? record.unknown[e.field] : undefined;
    if (r) out[e.key] = r;
  }
  return out;
}

function processJson(p: GpuProcess): Record<string, unknown> {
  return { ...write(p, PROCESS), unknown: reasons(p, PROCESS) };
}

/** One GPU's object in gpumon's JSON (also `gpumon export --format json`), with its processes' objects. */
export function gpuJson(g: GpuSample, processes: readonly Record<string, unknown>[]): Record<string, unknown> {
  return { ...write(g, GPU), processes, unknown: reasons(g, GPU) };
}

export function snapshotJson(s: Snapshot, version: string): Record<string, unknown> {
  const own = <F extends keyof typeof SNAPSHOT_WIRE>(f: F) => [SNAPSHOT_WIRE[f].key, writeWire(SNAPSHOT_WIRE[f].kind, s[f])] as const;
  return Object.fromEntries([
    ['hostname', s.host.hostname],
    own('driverVersion'),
    own('time'),
    ['gpus', s.gpus.map((g) => gpuJson(g, s.processes.filter((p) => p.gpuUuid === g.uuid).map(processJson)))],
    own('cudaVersion'),
    ['gpumon_version', version],
    own('source'),
    ['host', write(s.host, HOST)],
    own('stale'),
    own('notes'),
  ]);
}

export function renderJson(s: Snapshot, version: string): string {
  return `${JSON.stringify(snapshotJson(s, version), null, 2)}\n`;
}
