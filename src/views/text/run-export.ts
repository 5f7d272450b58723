import type { RunResultEntry, RunResultFile } from '../../bench/run-result.js';
import { fastestIndex, relativeSpeeds } from '../../model/relative-speed.js';
import { fmtFixed, fmtInt } from '../format.js';
import { autoUnit, fmtDurationValue, type TimeUnit } from './duration.js';

/**
 * hyperfine's --export-csv, -markdown, -asciidoc and -orgmode, byte for byte
 * for the same numbers (test/views/run-export.test.ts checks them against
 * hyperfine 1.15's own files), with gpumon's GPU columns after hyperfine's
 * when some command has GPU figures.
 */

/** hyperfine's --sort: `auto` orders the speed comparison by time and the tables as given. */
export type SortOrder = 'auto' | 'command' | 'mean-time';

/** The reference of the relative column: the --reference, else the fastest. */
export function referenceIndex(results: readonly RunResultEntry[]): number {
  const ref = results.findIndex((r) => r.reference);
  return ref >= 0 ? ref : fastestIndex(results);
}

/** Every -P/-L parameter of the results, in the order first seen. */
export const parameterNames = (file: RunResultFile): string[] => [...new Set(file.results.flatMap((r) => Object.keys(r.parameters ?? {})))];

const hasGpu = (file: RunResultFile) => file.results.some((r) => r.gpu !== null);

/** Numbers as hyperfine's CSV writes them: shortest round-trip digits, never an exponent. */
function plain(x: number | null): string {
  if (x === null) return '';
  const s = String(x);
  return s.includes('e') ? x.toFixed(20).replace(/\.?0+$/, '') : s;
}

/** A CSV field, quoted where it must be (RFC 4180, as Rust's csv crate). */
const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function exportCsv(file: RunResultFile): string {
  const params = parameterNames(file);
  const gpu = hasGpu(file);
  const head = ['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max', ...params.map((p) => `parameter_${p}`)];
  if (gpu) head.push('gpu_energy_j_per_run', 'gpu_peak_memory_used_mib', 'gpu_throttled_seconds');
  const rows = file.results.map((r) => {
    const cells = [csvField(r.command), ...[r.mean, r.stddev, r.median, r.user, r.system, r.min, r.max].map(plain), ...params.map((p) => csvField(r.parameters?.[p] ?? ''))];
    if (gpu) cells.push(plain(r.gpu_energy_j_per_run), plain(r.gpu?.peak_memory_used_mib ?? null), plain(r.gpu?.throttled_seconds ?? null));
    return cells.join(',');
  });
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

interface MarkupTable {
  readonly head: readonly string[];
  /** The command cell, then the numbers. */
  readonly rows: readonly (readonly [string, ...string[]])[];
}

function markupTable(file: RunResultFile, unitOption: TimeUnit | null, sort: SortOrder): MarkupTable | null {
  const given = file.results;
  if (given.length === 0) return null;
  const unit = unitOption ?? autoUnit(given[0]!.mean);
  const speeds = relativeSpeeds(given, referenceIndex(given));
  const order = given.map((_, i) => i);
  if (sort === 'mean-time') order.sort((a, b) => given[a]!.mean - given[b]!.mean);
  const gpu = hasGpu(file);
  const head = ['Command', `Mean [${unit}]`, `Min [${unit}]`, `Max [${unit}]`, 'Relative'];
  if (gpu) head.push('Energy [J/run]', 'Peak GPU memory [MiB]', 'Throttled [s]');
  const v = (s: number) => fmtDurationValue(s, unit);
  const rows = order.map((i): [string, ...string[]] => {
    const r = given[i]!;
    const s = speeds?.[i];
    const relative = !s ? 'N/A' : s.ratioStddev === null ? s.ratio.toFixed(2) : `${s.ratio.toFixed(2)} ± ${s.ratioStddev.toFixed(2)}`;
    const cells: [string, ...string[]] = [r.command, r.stddev === null ? v(r.mean) : `${v(r.mean)} ± ${v(r.stddev)}`, v(r.min), v(r.max), relative];
    if (gpu) cells.push(fmtFixed(r.gpu_energy_j_per_run, 1), fmtInt(r.gpu?.peak_memory_used_mib ?? null), fmtFixed(r.gpu?.throttled_seconds ?? null, 1));
    return cells;
  });
  return { head, rows };
}

export function exportMarkdown(file: RunResultFile, unit: TimeUnit | null, sort: SortOrder): string {
  const t = markupTable(file, unit, sort);
  if (!t) return '';
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return `${[line(t.head), `|${t.head.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`, ...t.rows.map(([c, ...rest]) => line([`\`${c}\``, ...rest]))].join('\n')}\n`;
}

export function exportAsciidoc(file: RunResultFile, unit: TimeUnit | null, sort: SortOrder): string {
  const t = markupTable(file, unit, sort);
  if (!t) return '';
  const cells = (cs: readonly string[]) => cs.map((c) => `| ${c} \n`).join('');
  const cols = t.head.map((_, i) => (i === 0 ? '<' : '>')).join(',');
  return `[cols="${cols}"]\n|===\n${cells(t.head)}\n${t.rows.map(([c, ...rest]) => cells([`\`${c}\``, ...rest])).join('\n')}|===\n`;
}

export function exportOrgmode(file: RunResultFile, unit: TimeUnit | null, sort: SortOrder): string {
  const t = markupTable(file, unit, sort);
  if (!t) return '';
  const line = ([first, ...rest]: readonly string[]) => `| ${first}  |${rest.map((c) => `  ${c} |`).join('')}`;
  return `${[line(t.head), `|${t.head.map(() => '--').join('+')}|`, ...t.rows.map(([c, ...rest]) => line([`=${c}=`, ...rest]))].join('\n')}\n`;
}
