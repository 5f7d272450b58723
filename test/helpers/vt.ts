import { parseCells } from '../../src/views/terminal/screen.js';

/**
 * A small terminal emulator for tests: enough of VT100 (cursor position and forward, erase
 * line, erase screen, SGR) to replay what gpumon writes and read the screen
 * back, text and style per cell.
 */
export class VirtualTerminal {
  private grid: { ch: string; style: string }[][];
  private row = 0;
  private col = 0;
  private sgr = '';

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    this.grid = this.blank();
  }

  private blank() {
    return Array.from({ length: this.rows }, () => Array.from({ length: this.columns }, () => ({ ch: ' ', style: '' })));
  }

  write(data: string): void {
    let i = 0;
    while (i < data.length) {
      if (data[i] === '\x1b') {
        const m = /^\x1b\[(\??)([0-9;]*)([A-Za-z])/.exec(data.slice(i, i + 40));
        if (!m) throw new Error(`unknown escape at ${JSON.stringify(data.slice(i, i + 10))}`);
        i += m[0].length;
        const [, priv, params, cmd] = m as unknown as [string, string, string, string];
        if (priv) continue; // modes: alternate screen, cursor visibility
        if (cmd === 'H') {
          const [r = '1', c = '1'] = params.split(';');
          this.row = Number(r || 1) - 1;
          this.col = Number(c || 1) - 1;
        } else if (cmd === 'C') {
          // Cursor forward stops at the last column, as in a real terminal.
          this.col = Math.min(this.columns - 1, this.col + Number(params || 1));
        } else if (cmd === 'K') {
          for (let c = this.col; c < this.columns; c++) this.grid[this.row]![c] = { ch: ' ', style: '' };
        } else if (cmd === 'J' && params === '2') {
          this.grid = this.blank();
        } else if (cmd === 'm') {
          // Let parseCells decide the style of what follows: keep the raw SGR since the last reset.
          this.sgr = params === '0' || params === '' ? '' : `${this.sgr}\x1b[${params}m`;
          if (params.startsWith('0;')) this.sgr = `\x1b[${params.slice(2)}m`;
        } else throw new Error(`unsupported escape ${m[0]}`);
        continue;
      }
      const cp = data.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      i += ch.length;
      const [cell] = parseCells(`${this.sgr}${ch}`, 2);
      if (!cell) continue;
      if (this.row >= this.rows || this.col >= this.columns) throw new Error(`write outside the screen at ${this.row},${this.col}`);
      this.grid[this.row]![this.col] = cell;
      const wide = parseCells(ch, 2).length;
      if (wide === 2 && this.col + 1 < this.columns) this.grid[this.row]![this.col + 1] = { ch: '', style: cell.style };
      this.col += wide;
    }
  }

  /** The screen's text, one string per row, trailing spaces removed. */
  text(): string[] {
    return this.grid.map((r) => r.map((c) => c.ch).join('').trimEnd());
  }

  /** Style keys of a row's cells. */
  styles(row: number): string[] {
    return this.grid[row]!.map((c) => c.style);
  }
}
