import type { GpuSample, HostSample } from '../model/types.js';
import { type Database, StoreError } from './database.js';
import { GPU_SELECT, gpuSampleOfMinute, gpuSampleOfValues, MINUTE_SELECT, type SpanKind } from './schema.js';

/** What part of the history to read: a time range, a label's spans, some GPUs. Times are ms since the epoch. */
export interface HistoryQuery {
  readonly since: number | null;
  readonly until: number | null;
  readonly label: string | null;
  /** GPU indices or UUID prefixes (as --only); null for all. */
  readonly gpus: readonly string[] | null;
}

export interface Span {
  readonly id: number;
  readonly kind: SpanKind;
  readonly label: string | null;
  readonly start: number;
  /** Null while its recorder runs. */
  readonly end: number | null;
  readonly endedBy: string | null;
  /** A benchmark's result JSON, when it saved one (schema 2; null in older files). */
  readonly resultFile: string | null;
}

/** One stored snapshot: the GPUs' samples at one time. */
export interface StoredSample {
  readonly time: number;
  readonly gpus: GpuSample[];
  /** For a minute older than the full-resolution window: how many samples each GPU's means are of (else null). */
  readonly minuteOf: number | null;
}

export interface StoredProcess {
  readonly time: number;
  readonly pid: number;
  readonly gpuIndex: number;
  readonly gpuUuid: string;
  readonly name: string | null;
  readonly user: string | null;
  readonly gpuMemoryMiB: number | null;
}

export interface StoredHost {
  readonly time: number;
  readonly host: Omit<HostSample, 'hostname'>;
  readonly staleSince: number | null;
}

/** The resolved query: [from, to] in ms (inclusive), and the GPU row filter. */
export interface Range {
  readonly from: number;
  readonly to: number;
  readonly spans: readonly Span[];
  /** SQL condition on the gpus table (as g): GPU ids from the database, so no parameters. */
  readonly gpuWhere: string;
  /** Part of the range is only in per-minute means (older than the full-resolution window). */
  readonly hasMinutes: boolean;
}

export function spans(db: Database): Span[] {
  // A reader does not migrate: a file from before schema 2 has no result_file.
  const resultFile = db.prepare("SELECT 1 FROM pragma_table_info('spans') WHERE name = 'result_file'").get() ? 'result_file' : 'NULL';
  return (db.prepare(`SELECT id, kind, label, start, end, ended_by AS endedBy, ${resultFile} AS resultFile FROM spans ORDER BY start`).all() as Span[]).map((s) => ({ ...s }));
}

export function meta(db: Database): Record<string, string | null> {
  return Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string | null }[]).map((r) => [r.key, r.value]));
}

/**
 * Resolves --since/--until/--label/--gpu against what the database holds.
 * A label no span has, GPUs that are not there, or a range with no samples
 * is a StoreError('no_data') that says what there is instead.
 */
export function resolveRange(db: Database, q: HistoryQuery): Range {
  const all = spans(db);
  let from = q.since ?? -Infinity;
  let to = q.until ?? Infinity;
  let chosen = all;
  if (q.label !== null) {
    chosen = all.filter((s) => s.label === q.label);
    if (chosen.length === 0) {
      const labels = [...new Set(all.map((s) => s.label).filter((l) => l !== null))];
      throw new StoreError('no_data', `no span is labelled '${q.label}' (labels: ${labels.length ? labels.map((l) => `'${l}'`).join(', ') : 'none'})`);
    }
    const now = Date.now();
    from = Math.max(from, Math.min(...chosen.map((s) => s.start)));
    to = Math.min(to, Math.max(...chosen.map((s) => s.end ?? now)));
  }
  const bounds = db
    .prepare('SELECT min(lo) AS lo, max(hi) AS hi FROM (SELECT min(time) AS lo, max(time) AS hi FROM samples UNION ALL SELECT min(minute), max(minute) FROM gpu_minutes)')
    .get() as { lo: number | null; hi: number | null };
  if (bounds.lo === null || bounds.hi === null) throw new StoreError('no_data', 'the database holds no samples yet');
  from = Math.max(from, bounds.lo);
  to = Math.min(to, bounds.hi);

  let gpuWhere = '1';
  if (q.gpus !== null) {
    const present = db
      .prepare(
        `SELECT DISTINCT gs.gpu_index AS idx, g.uuid, g.id FROM gpu_samples gs JOIN gpus g ON g.id = gs.gpu WHERE gs.time BETWEEN @from AND @to
         UNION SELECT DISTINCT gs.gpu_index, g.uuid, g.id FROM gpu_minutes gs JOIN gpus g ON g.id = gs.gpu WHERE gs.minute BETWEEN @from AND @to`,
      )
      .all({ from, to }) as { idx: number; uuid: string; id: number }[];
    const match = (t: string, p: { idx: number; uuid: string }) => (/^\d+$/.test(t) ? p.idx === Number(t) : p.uuid.toLowerCase().startsWith(t.toLowerCase()));
    const unmatched = q.gpus.filter((t) => !present.some((p) => match(t, p)));
    if (unmatched.length) throw new StoreError('no_data', `no GPU ${unmatched.join(', ')} in the range (GPUs there: ${[...new Set(present.map((p) => p.idx))].join(', ') || 'none'})`);
    gpuWhere = `g.id IN (${[...new Set(present.filter((p) => q.gpus!.some((t) => match(t, p))).map((p) => p.id))].join(', ')})`;
  }
  const n = db
    .prepare(
      `SELECT (SELECT count(*) FROM gpu_samples gs JOIN gpus g ON g.id = gs.gpu WHERE gs.time BETWEEN @from AND @to AND ${gpuWhere}) AS full,
              (SELECT count(*) FROM gpu_minutes gs JOIN gpus g ON g.id = gs.gpu WHERE gs.minute BETWEEN @from AND @to AND ${gpuWhere}) AS minutes`,
    )
    .get({ from, to }) as { full: number; minutes: number };
  if (!(from <= to) || n.full + n.minutes === 0) {
    const when = (t: number) => new Date(t).toISOString();
    throw new StoreError('no_data', `no samples in that range (the database holds ${when(bounds.lo)} to ${when(bounds.hi)})`);
  }
  return { from, to, spans: all.filter((s) => s.start <= to && (s.end ?? Infinity) >= from), gpuWhere, hasMinutes: n.minutes > 0 };
}

/** Every GPU's samples in the `ms` before `time` (not at it). */
export function rangeBefore(time: number, ms: number): Range {
  return { from: time - ms, to: time - 1, spans: [], gpuWhere: '1', hasMinutes: false };
}

/** The median time between samples at the start of the range (ms); 1000 with fewer than two. */
export function typicalIntervalMs(db: Database, r: Range): number {
  const times = (db.prepare('SELECT DISTINCT time FROM gpu_samples WHERE time BETWEEN ? AND ? ORDER BY time LIMIT 101').all(r.from, r.to) as { time: number }[]).map((x) => x.time);
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  return gaps.length ? gaps[Math.floor(gaps.length / 2)]! : 1000;
}

/** Raw rows of one time each, grouped into StoredSamples. */
function* grouped(rows: IterableIterator<unknown[]>, toGpu: (row: unknown[]) => GpuSample, minutes: boolean): Generator<StoredSample> {
  let current: { time: number; gpus: GpuSample[]; minuteOf: number | null } | null = null;
  for (const row of rows) {
    const time = row[0] as number;
    if (current && current.time !== time) {
      yield current;
      current = null;
    }
    current ??= { time, gpus: [], minuteOf: minutes ? (row[5] as number) : null };
    current.gpus.push(toGpu(row));
    if (minutes) current.minuteOf = Math.max(current.minuteOf!, row[5] as number);
  }
  if (current) yield current;
}

/**
 * The samples in the range, oldest first, read as they are needed: first the
 * per-minute means of what retention folded (older than any full sample), then
 * every full-resolution sample.
 */
export function* readSamples(db: Database, r: Range): Generator<StoredSample> {
  const minutes = db
    .prepare(
      `SELECT ${MINUTE_SELECT} FROM gpu_minutes m JOIN gpus g ON g.id = m.gpu
       WHERE m.minute BETWEEN ? AND ? AND m.minute < coalesce((SELECT min(time) FROM gpu_samples), 9e15) AND ${r.gpuWhere} ORDER BY m.minute, m.gpu_index`,
    )
    .raw()
    .iterate(r.from, r.to) as IterableIterator<unknown[]>;
  yield* grouped(minutes, gpuSampleOfMinute, true);
  const rows = db
    .prepare(
      `SELECT ${GPU_SELECT} FROM gpu_samples gs JOIN gpus g ON g.id = gs.gpu LEFT JOIN unknown_sets u ON u.id = gs.unknown
       WHERE gs.time BETWEEN ? AND ? AND ${r.gpuWhere} ORDER BY gs.time, gs.gpu_index`,
    )
    .raw()
    .iterate(r.from, r.to) as IterableIterator<unknown[]>;
  yield* grouped(rows, gpuSampleOfValues, false);
}

/** Processes' GPU memory in the range, oldest first. */
export function* readProcesses(db: Database, r: Range): Generator<StoredProcess> {
  yield* db
    .prepare(
      `SELECT ps.time, p.pid, gs.gpu_index AS gpuIndex, g.uuid AS gpuUuid, p.name, p.user, ps.gpu_memory_mib AS gpuMemoryMiB
       FROM process_samples ps JOIN processes p ON p.id = ps.process JOIN gpus g ON g.id = ps.gpu
       JOIN gpu_samples gs ON gs.time = ps.time AND gs.gpu = ps.gpu
       WHERE ps.time BETWEEN ? AND ? AND ${r.gpuWhere} ORDER BY ps.time, gs.gpu_index, p.pid`,
    )
    .iterate(r.from, r.to) as IterableIterator<StoredProcess>;
}

/** Host samples in the range, oldest first. */
export function* readHost(db: Database, r: Range): Generator<StoredHost> {
  const rows = db.prepare('SELECT * FROM samples WHERE time BETWEEN ? AND ? ORDER BY time').iterate(r.from, r.to) as IterableIterator<Record<string, number | string | null>>;
  for (const h of rows) {
    const load = h.host_load1 === null ? null : ([h.host_load1, h.host_load5, h.host_load15] as [number, number, number]);
    yield {
      time: h.time as number,
      staleSince: h.stale_since as number | null,
      host: {
        cpuPercent: h.host_cpu_percent as number | null,
        cpuCount: h.host_cpu_count as number,
        memoryTotalBytes: h.host_memory_total as number | null,
        memoryUsedBytes: h.host_memory_used as number | null,
        swapTotalBytes: h.host_swap_total as number | null,
        swapUsedBytes: h.host_swap_used as number | null,
        loadAverage: load,
        uptimeSeconds: h.host_uptime_seconds as number | null,
        unknown: h.host_unknown === null ? {} : JSON.parse(h.host_unknown as string),
      },
    };
  }
}
