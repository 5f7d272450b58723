import xterm from '@xterm/headless';

/** What a cell looks like: its attributes as xterm.js keeps them (fg: a palette index, or null for the default color). */
export interface CellLook {
  readonly bold: boolean;
  readonly dim: boolean;
  readonly inverse: boolean;
  readonly fg: number | null;
}

export const PLAIN: CellLook = { bold: false, dim: false, inverse: false, fg: null };

/**
 * xterm.js (headless) as the terminal the monitor writes to: an emulator
 * that is not ours, so what the tests read back is what a terminal shows,
 * not what gpumon believes it sent. Writes are parsed asynchronously:
 * `flush` before reading.
 */
export class XtermScreen {
  readonly term: InstanceType<typeof xterm.Terminal>;
  /** Everything written, in order (for byte counts and for replaying). */
  readonly writes: string[] = [];

  constructor(columns: number, rows: number) {
    this.term = new xterm.Terminal({ cols: columns, rows, allowProposedApi: true, scrollback: 0 });
  }

  /** The `TerminalOut` to give the DiffScreen. */
  readonly out = {
    write: (data: string) => {
      this.writes.push(data);
      this.term.write(data);
    },
  };

  /** Waits until xterm.js has parsed everything written so far. */
  flush(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  /** The terminal was resized (as a real one is before the program hears of it). */
  resize(columns: number, rows: number): void {
    this.term.resize(columns, rows);
  }

  get buffer() {
    return this.term.buffer.active;
  }

  /** The screen's text, one string per row, trailing spaces removed. */
  text(): string[] {
    return Array.from({ length: this.term.rows }, (_, y) => (this.buffer.getLine(y)?.translateToString() ?? '').trimEnd());
  }

  /** What the cell at (row, col), 0-based, shows. */
  look(row: number, col: number): CellLook {
    const cell = this.buffer.getLine(row)?.getCell(col);
    if (!cell) throw new Error(`no cell at ${row},${col}`);
    return { bold: cell.isBold() !== 0, dim: cell.isDim() !== 0, inverse: cell.isInverse() !== 0, fg: cell.isFgDefault() ? null : cell.getFgColor() };
  }

  /** The looks of a row's cells from `from` to `to` (exclusive). */
  looks(row: number, from = 0, to = this.term.cols): CellLook[] {
    return Array.from({ length: to - from }, (_, i) => this.look(row, from + i));
  }

  /** The column where `text` starts in `row` (by cells, wide characters counted twice), or -1. */
  columnOf(row: number, text: string): number {
    const line = this.buffer.getLine(row);
    if (!line) return -1;
    for (let x = 0; x < this.term.cols; x++) if (line.translateToString(false, x).startsWith(text)) return x;
    return -1;
  }
}
