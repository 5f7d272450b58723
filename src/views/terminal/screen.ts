import { EventEmitter } from 'node:events';
import stringWidth from 'string-width';

/**
 * Draws whole frames on the terminal but writes only what changed, cell by
 * cell, as curses does for nvitop. It keeps the previous frame, compares row
 * by row (equal rows cost nothing) and, in a changed row, cell by cell, and
 * sends cursor moves plus the changed runs. A value that changes from 97% to
 * 98% costs a dozen bytes, not a screen.
 *
 * It draws on the alternate screen with absolute cursor positions, so frames
 * may use every row (Ink's own log-update clears the screen when a frame is as
 * tall as the terminal; this never does).
 */

/** One terminal cell: its text (empty for the right half of a wide character) and its style. */
interface Cell {
  readonly ch: string;
  readonly style: string;
}

export interface TerminalOut {
  write(text: string): unknown;
}

const ESC = '\x1b';
/** Cursor moves cost ~8 bytes: closer changes than this are rewritten together. */
const MERGE_GAP = 6;

/** SGR state, kept as the parameters that rebuild it after a reset. */
class Style {
  bold = false;
  dim = false;
  italic = false;
  underline = false;
  inverse = false;
  fg = '';
  bg = '';

  apply(params: string): void {
    const p = params === '' ? ['0'] : params.split(';');
    for (let i = 0; i < p.length; i++) {
      const n = Number(p[i]);
      if (n === 0) Object.assign(this, { bold: false, dim: false, italic: false, underline: false, inverse: false, fg: '', bg: '' });
      else if (n === 1) this.bold = true;
      else if (n === 2) this.dim = true;
      else if (n === 22) this.bold = this.dim = false;
      else if (n === 3) this.italic = true;
      else if (n === 23) this.italic = false;
      else if (n === 4) this.underline = true;
      else if (n === 24) this.underline = false;
      else if (n === 7) this.inverse = true;
      else if (n === 27) this.inverse = false;
      else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) this.fg = String(n);
      else if (n === 39) this.fg = '';
      else if ((n >= 40 && n <= 47) || (n >= 100 && n <= 107)) this.bg = String(n);
      else if (n === 49) this.bg = '';
      else if (n === 38 || n === 48) {
        // 38;5;N or 38;2;R;G;B (and 48 for the background).
        const len = p[i + 1] === '5' ? 2 : p[i + 1] === '2' ? 4 : 0;
        const value = p.slice(i, i + 1 + len).join(';');
        if (n === 38) this.fg = value;
        else this.bg = value;
        i += len;
      }
    }
  }

  /** The SGR parameters that set this style from a reset ('' for none). */
  key(): string {
    const parts: string[] = [];
    if (this.bold) parts.push('1');
    if (this.dim) parts.push('2');
    if (this.italic) parts.push('3');
    if (this.underline) parts.push('4');
    if (this.inverse) parts.push('7');
    if (this.fg) parts.push(this.fg);
    if (this.bg) parts.push(this.bg);
    return parts.join(';');
  }
}

/** Characters one column wide, checked without string-width. */
const NARROW = /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2190-\u25ff]$/u;

/** A line of text with SGR escapes -> cells, at most `width` of them. */
export function parseCells(line: string, width: number): Cell[] {
  const cells: Cell[] = [];
  const style = new Style();
  let key = '';
  for (let i = 0; i < line.length && cells.length < width; ) {
    const c = line[i]!;
    if (c === ESC) {
      const m = /^\x1b\[([0-9;]*)([A-Za-z])/.exec(line.slice(i, i + 32));
      if (m) {
        if (m[2] === 'm') {
          style.apply(m[1]!);
          key = style.key();
        }
        i += m[0].length;
      } else i++;
      continue;
    }
    const cp = line.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    if (cp < 0x20) continue;
    const w = NARROW.test(ch) ? 1 : stringWidth(ch);
    if (w === 0) {
      // A combining mark belongs to the previous cell.
      const prev = cells[cells.length - 1];
      if (prev) cells[cells.length - 1] = { ch: prev.ch + ch, style: prev.style };
      continue;
    }
    if (cells.length + w > width) break;
    cells.push({ ch, style: key });
    if (w === 2) cells.push({ ch: '', style: key });
  }
  return cells;
}

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
  private lines: string[] = [];
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

  /** Draws a whole frame, one string per row (rows past the terminal's are cut). */
  draw(lines: readonly string[]): void {
    const text = this.diff(lines.slice(0, this.rows));
    if (text) this.send(text);
  }

  private send(text: string): void {
    this.bytesWritten += Buffer.byteLength(text);
    this.out.write(text);
  }

  /** Escape sequences that turn the previous frame into `next`. */
  private diff(next: string[]): string {
    let out = '';
    if (this.full) {
      out += `${ESC}[0m${ESC}[H${ESC}[2J`;
      this.lines = [];
      this.cells = [];
      this.full = false;
    }
    // Every frame ends with the style reset, so a frame starts from no style, cursor unknown.
    const pen: Pen = { style: '', row: -1, col: -1 };
    const rows = Math.max(next.length, this.lines.length);
    for (let r = 0; r < rows; r++) {
      const line = next[r] ?? '';
      if (line === this.lines[r]) continue;
      const before = this.cells[r] ?? [];
      const after = parseCells(line, this.columns);
      out += updateRow(pen, r, before, after, this.columns);
      this.lines[r] = line;
      this.cells[r] = after;
    }
    this.lines.length = next.length;
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
