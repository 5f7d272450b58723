import { EventEmitter } from 'node:events';
import { type Cell, type Row, rowCells, sameRow } from '../text/row.js';

/**
 * Draws whole frames on the terminal but writes only what changed, cell by
 * cell, as curses does for nvitop. A frame is rows of styled runs
 * (`views/text/row.ts`), never text with escapes: it keeps the previous frame,
 * compares row by row (equal rows cost nothing) and, in a changed row, cell by
 * cell, and sends cursor moves plus the changed runs: the only escapes it
 * writes are its own. A value that changes from 97% to
 * 98% costs a dozen bytes, not a screen.
 *
 * It draws on the alternate screen with absolute cursor positions, so frames
 * may use every row (Ink's own log-update clears the screen when a frame is as
 * tall as the terminal; this never does).
 */

export interface TerminalOut {
  write(text: string): unknown;
}

const ESC = '\x1b';
/** Cursor moves cost ~8 bytes: closer changes than this are rewritten together. */
const MERGE_GAP = 6;

const BLANK: Cell = { ch: ' ', style: '' };

export interface ScreenOptions {
  readonly columns: number;
  readonly rows: number;
}

export class DiffScreen extends EventEmitter {
  columns: number;
  rows: number;
  /** The size as one object that changes only on resize (for React's useSyncExternalStore). */
  size: { readonly columns: number; readonly rows: number };
  /** Bytes sent to the terminal so far (for the benchmark and tests). */
  bytesWritten = 0;
  private last: Row[] = [];
  private cells: Cell[][] = [];
  private full = true;

  constructor(
    private readonly out: TerminalOut,
    size: ScreenOptions,
  ) {
    super();
    this.columns = size.columns;
    this.rows = size.rows;
    this.size = { columns: size.columns, rows: size.rows };
  }

  /** The terminal changed size: the next frame is drawn whole (the terminal reflowed what was there). */
  resize(size: ScreenOptions): void {
    this.columns = size.columns;
    this.rows = size.rows;
    this.size = { columns: size.columns, rows: size.rows };
    this.full = true;
    this.emit('resize');
  }

  /** Draw everything again on the next frame (e.g. after another program wrote to the terminal). */
  invalidate(): void {
    this.full = true;
  }

  /** Draws a whole frame, top row first (rows past the terminal's are cut). */
  draw(rows: readonly Row[]): void {
    const text = this.diff(rows.slice(0, this.rows));
    if (text) this.send(text);
  }

  private send(text: string): void {
    this.bytesWritten += Buffer.byteLength(text);
    this.out.write(text);
  }

  /** Escape sequences that turn the previous frame into `next`. */
  private diff(next: readonly Row[]): string {
    let out = '';
    if (this.full) {
      out += `${ESC}[0m${ESC}[H${ESC}[2J`;
      this.last = [];
      this.cells = [];
      this.full = false;
    }
    // Every frame ends with the style reset, so a frame starts from no style, cursor unknown.
    const pen: Pen = { style: '', row: -1, col: -1 };
    const rows = Math.max(next.length, this.last.length);
    for (let r = 0; r < rows; r++) {
      const row = next[r] ?? [];
      if (sameRow(row, this.last[r])) continue;
      const before = this.cells[r] ?? [];
      const after = rowCells(row, this.columns);
      out += updateRow(pen, r, before, after, this.columns);
      this.last[r] = row;
      this.cells[r] = after;
    }
    this.last.length = next.length;
    this.cells.length = next.length;
    return pen.style ? `${out}${ESC}[0m` : out;
  }
}

/** Where the terminal's cursor is and which style it writes in, as the diff goes (-1: unknown). */
interface Pen {
  style: string;
  row: number;
  col: number;
}

/** The shortest sequence that moves the cursor to (row, col), 0-based. */
function moveTo(pen: Pen, row: number, col: number): string {
  if (pen.row === row && pen.col === col) return '';
  const absolute = col === 0 ? `${ESC}[${row + 1}H` : `${ESC}[${row + 1};${col + 1}H`;
  const forward = pen.row === row && pen.col >= 0 && col > pen.col ? (col - pen.col === 1 ? `${ESC}[C` : `${ESC}[${col - pen.col}C`) : null;
  pen.row = row;
  pen.col = col;
  return forward !== null && forward.length < absolute.length ? forward : absolute;
}

function setStyle(pen: Pen, style: string): string {
  if (pen.style === style) return '';
  pen.style = style;
  return `${ESC}[0${style ? `;${style}` : ''}m`;
}

/** Updates one row: rewrites runs of changed cells, then erases what is left of a longer old row. */
function updateRow(pen: Pen, r: number, before: readonly Cell[], after: readonly Cell[], columns: number): string {
  let out = '';
  const same = (i: number) => {
    const a = before[i] ?? BLANK;
    const b = after[i] ?? BLANK;
    return a.ch === b.ch && a.style === b.style;
  };
  for (let i = 0; i < after.length; i++) {
    if (same(i)) continue;
    // Extend the run over short stretches of equal cells: cheaper than moving.
    let end = i + 1;
    for (let j = end; j < after.length && j - end < MERGE_GAP; j++) if (!same(j)) end = j + 1;
    // Never start on the right half of a wide character.
    let start = i;
    while (start > 0 && after[start]!.ch === '') start--;
    out += moveTo(pen, r, start);
    for (let k = start; k < end; k++) {
      const cell = after[k]!;
      out += setStyle(pen, cell.style) + cell.ch;
    }
    // After the last column the cursor waits to wrap: its position is not worth trusting.
    pen.col = end < columns ? end : -1;
    i = end - 1;
  }
  if (before.length > after.length && before.slice(after.length).some((c) => c.ch !== ' ' || c.style !== '')) {
    out += moveTo(pen, r, after.length);
    out += `${setStyle(pen, '')}${ESC}[K`;
  }
  return out;
}

/** Enter the alternate screen and hide the cursor; `leaveFullScreen` undoes both. */
export const ENTER_FULL_SCREEN = `${ESC}[?1049h${ESC}[?25l${ESC}[H${ESC}[2J`;
export const LEAVE_FULL_SCREEN = `${ESC}[0m${ESC}[?25h${ESC}[?1049l`;

/**
 * What Ink is given as its stdout when frames go to a DiffScreen: it tells
 * Ink the size (and when it changes) and swallows Ink's own, empty, output.
 */
export class InkStdout extends EventEmitter {
  readonly isTTY = true;

  constructor(private readonly screen: DiffScreen) {
    super();
    screen.on('resize', () => this.emit('resize'));
  }

  get columns(): number {
    return this.screen.columns;
  }

  get rows(): number {
    return this.screen.rows;
  }

  write(): boolean {
    return true;
  }
}
