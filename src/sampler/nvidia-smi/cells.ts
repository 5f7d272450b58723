import type { UnknownReason } from '../../model/types.js';

/** A cell is either text we can read or a marker saying why there is no value. */
export type Cell = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: UnknownReason };

/** nvidia-smi's placeholders for missing values, by exact text. */
const MARKERS: ReadonlyMap<string, UnknownReason> = new Map([
  ['[N/A]', 'not_available'],
  ['N/A', 'not_available'],
  ['[Not Supported]', 'not_supported'],
  ['[Unknown Error]', 'unknown_error'],
  ['[GPU is lost]', 'gpu_lost'],
  ['[Insufficient Permissions]', 'insufficient_permissions'],
  ['[Requested functionality has been deprecated]', 'deprecated'],
  ['[Not Found]', 'not_found'],
]);

export function readCell(raw: string | undefined): Cell {
  if (raw === undefined) return { ok: false, reason: 'missing_cell' };
  const text = raw.trim();
  const marker = MARKERS.get(text);
  if (marker) return { ok: false, reason: marker };
  // Some other bracketed placeholder a future driver may print.
  if (text === '' || (text.startsWith('[') && text.endsWith(']'))) return { ok: false, reason: 'unparseable' };
  return { ok: true, text };
}

/** Units nvidia-smi appends unless asked for `nounits`. */
const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)(?:\s*(?:MiB|MB|GiB|%|W|MHz|C|J|mJ))?$/;

export type Parsed<T> = { readonly value: T } | { readonly value: null; readonly reason: UnknownReason };

export function readNumber(raw: string | undefined): Parsed<number> {
  const cell = readCell(raw);
  if (!cell.ok) return { value: null, reason: cell.reason };
  const m = NUMBER_WITH_UNIT.exec(cell.text);
  if (!m) return { value: null, reason: 'unparseable' };
  return { value: Number(m[1]) };
}

export function readText(raw: string | undefined): Parsed<string> {
  const cell = readCell(raw);
  return cell.ok ? { value: cell.text } : { value: null, reason: cell.reason };
}

/** `Enabled`/`Disabled` (persistence mode, MIG mode) as a boolean. */
export function readEnabled(raw: string | undefined): Parsed<boolean> {
  const cell = readCell(raw);
  if (!cell.ok) return { value: null, reason: cell.reason };
  if (cell.text === 'Enabled') return { value: true };
  if (cell.text === 'Disabled') return { value: false };
  return { value: null, reason: 'unparseable' };
}

/**
 * Splits one nvidia-smi CSV line. nvidia-smi separates cells with ", " and
 * never quotes, so a free-text cell (a process name) may itself contain
 * commas. When the line has more pieces than columns, the extra pieces belong
 * to the free-text column: cells left of it are read from the left, cells
 * right of it from the right ("outside in"), and the middle is joined back.
 */
export function splitCsvLine(line: string, columnCount: number, freeTextColumn: number | null): string[] {
  const pieces = line.split(',');
  if (pieces.length <= columnCount || freeTextColumn === null) return pieces.map((p) => p.trim());
  const right = columnCount - freeTextColumn - 1;
  const cells = pieces.slice(0, freeTextColumn).map((p) => p.trim());
  cells.push(pieces.slice(freeTextColumn, pieces.length - right).join(',').trim());
  for (const p of pieces.slice(pieces.length - right)) cells.push(p.trim());
  return cells;
}

/** A header cell without its unit: `clocks.current.sm [MHz]` -> `clocks.current.sm`. */
export function headerName(cell: string): string {
  return cell.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}
