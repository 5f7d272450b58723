import type { Snapshot } from '../model/types.js';
import type { Database } from './database.js';
import { GPU_VALUE_COLUMNS, gpuRowValues, type SpanKind } from './schema.js';

/** How a span ended, as stored in `spans.ended_by`. */
export type SpanEnd = 'duration' | 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'quit' | 'error' | 'killed';

/** How a benchmark's span ended: it ran to its end (all requests or runs, or --duration), failed, was stopped from the panel, or by a signal. */
export type BenchEnd = 'completed' | 'duration' | 'failed' | 'stopped' | 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** A span written whole once it is over: a benchmark run. */
export interface FinishedSpan {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly endedBy: BenchEnd;
  /** Absolute path of the result JSON, when one was saved. */
  readonly resultFile: string | null;
}

/**
 * Adds a benchmark's span: one INSERT, its own transaction, so it goes in
 * next to a recorder writing the same file (WAL; the busy timeout waits out
 * the recorder's snapshot transaction). It needs no recorder and no lock.
 */
export function addBenchSpan(db: Database, s: FinishedSpan): number {
  const r = db
    .prepare("INSERT INTO spans (kind, label, start, end, pid, ended_by, result_file) VALUES ('bench', ?, ?, ?, ?, ?, ?)")
    .run(s.label, s.start, s.end, process.pid, s.endedBy, s.resultFile);
  return Number(r.lastInsertRowid);
}

/**
 * Writes snapshots to the history database: one transaction per snapshot,
 * so a recorder killed mid-write loses that snapshot and nothing before it.
 * A sink like a view, fed by a SnapshotSource's subscribe().
 */
export class HistoryRecorder {
  private readonly gpuIds = new Map<string, number>();
  private readonly processIds = new Map<string, number>();
  private readonly unknownIds = new Map<string, number>();
  private spanId: number | null = null;
  private count = 0;
  private lastTime: number | null = null;
  private readonly insertSample;
  private readonly insertGpu;
  private readonly insertProcessSample;
  private readonly insertMeta;
  private readonly writeSnapshot: (s: Snapshot) => void;
  /** What meta last said about the host and driver, to write it only when it changes. */
  private lastMeta = '';

  constructor(private readonly db: Database) {
    this.insertSample = db.prepare(
      `INSERT OR REPLACE INTO samples (time, stale_since, stale_reason, host_cpu_percent, host_cpu_count, host_memory_total, host_memory_used,
        host_swap_total, host_swap_used, host_load1, host_load5, host_load15, host_uptime_seconds, host_unknown)
       VALUES (${Array(14).fill('?').join(', ')})`,
    );
    this.insertGpu = db.prepare(
      `INSERT OR REPLACE INTO gpu_samples (time, gpu, gpu_index, ${GPU_VALUE_COLUMNS.join(', ')}) VALUES (?, ?, ?, ${GPU_VALUE_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.insertMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    this.insertProcessSample = db.prepare('INSERT OR REPLACE INTO process_samples (time, process, gpu, gpu_memory_mib) VALUES (?, ?, ?, ?)');
    this.writeSnapshot = db.transaction((s: Snapshot) => this.write(s));
  }

  /**
   * Closes spans a killed recorder left open (at their last sample: the lock
   * says no recorder is running) and opens this one's.
   */
  begin(kind: SpanKind, label: string | null, time: number): number {
    this.db
      .prepare(
        `UPDATE spans SET ended_by = 'killed',
           end = coalesce((SELECT max(time) FROM samples WHERE samples.time >= spans.start), spans.start)
         WHERE end IS NULL AND kind = 'record'`,
      )
      .run();
    const r = this.db.prepare('INSERT INTO spans (kind, label, start, pid) VALUES (?, ?, ?, ?)').run(kind, label, time, process.pid);
    this.spanId = Number(r.lastInsertRowid);
    return this.spanId;
  }

  /** Stores one snapshot. A stale one (the same GPU data again) stores the host and the staleness, not the GPUs twice. */
  add(s: Snapshot): void {
    if (this.lastTime !== null && s.time <= this.lastTime) return; // the demo can repeat a time when it restarts its loop
    this.lastTime = s.time;
    this.writeSnapshot(s);
    this.count++;
  }

  /** Snapshots stored by this recorder. */
  get stored(): number {
    return this.count;
  }

  end(how: SpanEnd, time: number): void {
    if (this.spanId === null) return;
    this.db.prepare('UPDATE spans SET end = ?, ended_by = ? WHERE id = ?').run(Math.max(time, this.lastTime ?? time), how, this.spanId);
    this.spanId = null;
  }

  private write(s: Snapshot): void {
    const h = s.host;
    const about = { hostname: h.hostname, driver_version: s.driverVersion, cuda_version: s.cudaVersion, source: s.source.kind === 'demo' ? `demo ${s.source.recording}` : s.source.path };
    if (JSON.stringify(about) !== this.lastMeta) {
      this.lastMeta = JSON.stringify(about);
      for (const [k, v] of Object.entries(about)) this.insertMeta.run(k, v);
    }
    const load = h.loadAverage;
    this.insertSample.run(
      s.time,
      s.stale?.since ?? null,
      s.stale?.reason ?? null,
      h.cpuPercent,
      h.cpuCount,
      h.memoryTotalBytes,
      h.memoryUsedBytes,
      h.swapTotalBytes,
      h.swapUsedBytes,
      load?.[0] ?? null,
      load?.[1] ?? null,
      load?.[2] ?? null,
      h.uptimeSeconds,
      Object.keys(h.unknown).length ? JSON.stringify(h.unknown) : null,
    );
    if (s.stale) return;
    for (const g of s.gpus) {
      const values = gpuRowValues(g);
      const json = values[values.length - 1] as string | null;
      values[values.length - 1] = json === null ? null : this.unknownId(json);
      this.insertGpu.run(s.time, this.gpuId(g.uuid, g.name, g.pciBusId), g.index, ...values);
    }
    for (const p of s.processes) {
      const gpu = this.gpuIds.get(p.gpuUuid);
      if (gpu === undefined) continue; // a process on a GPU outside --only
      this.insertProcessSample.run(s.time, this.processId(p.pid, p.startTimeMs, p.name, p.user, p.argv), gpu, p.gpuMemoryMiB);
    }
  }

  private gpuId(uuid: string, name: string | null, pciBusId: string | null): number {
    let id = this.gpuIds.get(uuid);
    if (id === undefined) {
      this.db.prepare('INSERT INTO gpus (uuid, name, pci_bus_id) VALUES (?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET name = coalesce(excluded.name, name), pci_bus_id = coalesce(excluded.pci_bus_id, pci_bus_id)').run(uuid, name, pciBusId);
      id = (this.db.prepare('SELECT id FROM gpus WHERE uuid = ?').get(uuid) as { id: number }).id;
      this.gpuIds.set(uuid, id);
    }
    return id;
  }

  private unknownId(json: string): number {
    let id = this.unknownIds.get(json);
    if (id === undefined) {
      this.db.prepare('INSERT INTO unknown_sets (json) VALUES (?) ON CONFLICT (json) DO NOTHING').run(json);
      id = (this.db.prepare('SELECT id FROM unknown_sets WHERE json = ?').get(json) as { id: number }).id;
      this.unknownIds.set(json, id);
    }
    return id;
  }

  /** A process is its PID and start time (PIDs are reused); its name and command line are stored once. */
  private processId(pid: number, startTimeMs: number | null, name: string | null, user: string | null, argv: readonly string[] | null): number {
    const key = `${pid}:${startTimeMs}`;
    let id = this.processIds.get(key);
    if (id === undefined) {
      const found = this.db.prepare('SELECT id FROM processes WHERE pid = ? AND start_time_ms IS ?').get(pid, startTimeMs) as { id: number } | undefined;
      id = found?.id ?? Number(this.db.prepare('INSERT INTO processes (pid, start_time_ms, name, user, argv) VALUES (?, ?, ?, ?, ?)').run(pid, startTimeMs, name, user, argv ? JSON.stringify(argv) : null).lastInsertRowid);
      this.processIds.set(key, id);
    }
    return id;
  }
}
