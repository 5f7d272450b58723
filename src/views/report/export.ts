import type { GpuSample } from '../../model/types.js';
import { GPU_WIRE } from '../../model/wire.js';
import { gpuJson } from '../json.js';
import type { Span, StoredProcess, StoredSample } from '../../db/query.js';

/**
 * `gpumon export`: recorded samples for other tools. CSV has one row per GPU
 * and sample, with the `--json` keys as column names; JSON is one document
 * with the spans and, per sample, the GPUs as `--json` shows them.
 */

/** The last column is empty for a sample, and N for a row that is the mean of N samples over a minute (older than `record.retention.full`). */
export const CSV_HEADER = ['time', ...Object.values(GPU_WIRE).map((e) => e.key), 'minute_mean_of'];

const GPU_FIELDS = Object.keys(GPU_WIRE) as (keyof typeof GPU_WIRE)[];

/** RFC 4180: quote a cell that holds a comma, a quote or a line break. */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const text = Array.isArray(v) ? v.join('|') : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeaderLine(): string {
  return `${CSV_HEADER.join(',')}\n`;
}

/** One line per GPU of the sample; unknown values are empty cells, clock event reasons joined with `|`. */
export function csvLines(s: StoredSample): string {
  const time = new Date(s.time).toISOString();
  return s.gpus.map((g: GpuSample) => `${[time, ...GPU_FIELDS.map((f) => g[f]), s.minuteOf].map(csvCell).join(',')}\n`).join('');
}

export function jsonStart(about: { hostname: string | null; from: number; to: number; spans: readonly Span[] }): string {
  const spans = about.spans.map((s) => ({ kind: s.kind, label: s.label, start: new Date(s.start).toISOString(), end: s.end === null ? null : new Date(s.end).toISOString(), ended_by: s.endedBy, result_file: s.resultFile }));
  return `{"hostname":${JSON.stringify(about.hostname)},"from":"${new Date(about.from).toISOString()}","to":"${new Date(about.to).toISOString()}",\n"spans":${JSON.stringify(spans)},\n"samples":[\n`;
}

/** One sample's object, with the processes' GPU memory as recorded; `first` leaves out the separating comma. */
export function jsonSample(s: StoredSample, processes: readonly StoredProcess[], first: boolean): string {
  const gpus = s.gpus.map((g) =>
    gpuJson(
      g,
      processes.filter((p) => p.gpuUuid === g.uuid).map((p) => ({ pid: p.pid, username: p.user, process_name: p.name, gpu_memory_usage: p.gpuMemoryMiB })),
    ),
  );
  const minute = s.minuteOf === null ? {} : { minute_mean_of: s.minuteOf };
  return `${first ? '' : ',\n'}${JSON.stringify({ time: new Date(s.time).toISOString(), ...minute, gpus })}`;
}

export const JSON_END = '\n]}\n';
