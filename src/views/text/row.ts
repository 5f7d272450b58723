import stringWidth from 'string-width';

/**
 * A painted row: runs of text, each in one style. Views build rows; what
 * the terminal is sent is made from them once, at the end: `encodeRow` for a
 * whole line of text with SGR escapes (`--once`, Ink's <Text>), or, for the
 * monitor's diffing screen, `rowCells` and the screen's own cell-by-cell writer.
 * Nothing parses escapes back into cells.
 */

/** A style as its SGR parameters (`1;31`); '' is the terminal's default look. */
export type Sgr = string;

/** Text in one style. */
export interface Run {
  readonly text: string;
  readonly style: Sgr;
}

export type Row = readonly Run[];

/** One terminal cell: its text (empty for the right half of a wide character) and its style. */
export interface Cell {
  readonly ch: string;
  readonly style: Sgr;
}

export const run = (text: string, style: Sgr = ''): Run => ({ text, style });

/** A row of plain text. */
export const textRow = (text: string): Row => [run(text)];

/** The row as text with SGR escapes: each styled run set before it and reset after it. */
export function encodeRow(row: Row): string {
  let out = '';
  for (const r of row) out += r.style && r.text ? `\x1b[${r.style}m${r.text}\x1b[0m` : r.text;
  return out;
}

/** The row's text, without styles. */
export function rowText(row: Row): string {
  let out = '';
  for (const r of row) out += r.text;
  return out;
}

/** Whether two rows show the same (the same runs; equal rows are the diff's cheap case). */
export function sameRow(a: Row | undefined, b: Row | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.text !== b[i]!.text || a[i]!.style !== b[i]!.style) return false;
  return true;
}

/** Characters one column wide, checked without string-width. */
const NARROW = /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2190-\u25ff]$/u;

/**
 * The row's cells, at most `width` of them: a wide character takes two (its
 * right half empty), a combining mark joins the cell before it, control
 * characters are dropped, and a character that would cross `width` ends the row.
 */
export function rowCells(row: Row, width: number): Cell[] {
  const cells: Cell[] = [];
  for (const { text, style } of row) {
    for (const ch of text) {
      if (cells.length >= width) return cells;
      // Control characters are never sent (a process's command line could hold an escape).
      const cp = ch.charCodeAt(0);
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
      const w = NARROW.test(ch) ? 1 : stringWidth(ch);
      if (w === 0) {
        const prev = cells[cells.length - 1];
        if (prev) cells[cells.length - 1] = { ch: prev.ch + ch, style: prev.style };
        continue;
      }
      if (cells.length + w > width) return cells;
      cells.push({ ch, style });
      if (w === 2) cells.push({ ch: '', style });
    }
  }
  return cells;
}
