import { describe, expect, it } from 'vitest';
import { makePainter } from '../../../src/views/style.js';
import { encodeRow, type Row, rowCells, run } from '../../../src/views/text/row.js';
import { DiffScreen } from '../../../src/views/terminal/screen.js';
import { type CellLook, PLAIN, XtermScreen } from '../../helpers/xterm.js';

/** A row from plain strings and [style, text] pairs. */
const row = (...parts: (string | readonly [string, string])[]): Row => parts.map((p) => (typeof p === 'string' ? run(p) : run(p[1], p[0])));
const rows = (text: string): Row[] => text.split('\n').map((l) => row(l));

function setup(columns = 40, lines = 10) {
  const xt = new XtermScreen(columns, lines);
  const screen = new DiffScreen(xt.out, { columns, rows: lines });
  return { xt, writes: xt.writes, screen };
}

const RED: CellLook = { ...PLAIN, fg: 1 };
const GREEN: CellLook = { ...PLAIN, fg: 2 };

describe('rowCells', () => {
  it('gives each character its cell, in its run\'s style; a wide one takes two', () => {
    const cells = rowCells(row('a', ['1;31', 'bc'], '漢d'), 10);
    expect(cells.map((c) => c.ch)).toEqual(['a', 'b', 'c', '漢', '', 'd']);
    expect(cells.map((c) => c.style)).toEqual(['', '1;31', '1;31', '', '', '']);
  });

  it('joins a combining mark to its cell, drops control characters, and cuts at the width', () => {
    expect(rowCells(row('e\u0301x\x1b[31my\x07\x7f'), 10).map((c) => c.ch)).toEqual(['e\u0301', 'x', '[', '3', '1', 'm', 'y']);
    expect(rowCells(row(['7;38;5;130', 'xyz']), 2)).toEqual([
      { ch: 'x', style: '7;38;5;130' },
      { ch: 'y', style: '7;38;5;130' },
    ]);
    // A wide character that would cross the edge is left out whole.
    expect(rowCells(row('ab漢'), 3).map((c) => c.ch)).toEqual(['a', 'b']);
  });
});

describe('encodeRow', () => {
  it('writes a row as the painter paints text: each styled run set and reset on its own', () => {
    const p = makePainter(true);
    expect(encodeRow(row('GPU ', [p.sgr('high'), '97%'], ['1', ''], ' ok'))).toBe(`GPU ${p.paint('high', '97%')} ok`);
    expect(makePainter(false).sgr('high')).toBe('');
  });
});

describe('DiffScreen, read back from xterm.js', () => {
  it('draws the first frame whole, then only the cells that change', async () => {
    const { xt, writes, screen } = setup();
    screen.draw(rows('GPU 0  UTIL  97%\nGPU 1  UTIL  12%\nstatic line'));
    await xt.flush();
    expect(xt.text().slice(0, 3)).toEqual(['GPU 0  UTIL  97%', 'GPU 1  UTIL  12%', 'static line']);
    const first = screen.bytesWritten;
    screen.draw(rows('GPU 0  UTIL  98%\nGPU 1  UTIL  12%\nstatic line'));
    await xt.flush();
    expect(xt.text().slice(0, 3)).toEqual(['GPU 0  UTIL  98%', 'GPU 1  UTIL  12%', 'static line']);
    // A cursor move and one character (the pen is already unstyled): not the frame.
    expect(writes.at(-1)).toBe('\x1b[1;15H8');
    expect(screen.bytesWritten - first).toBe(8);
  });

  it('moves forward along a row and keeps the pen style from row to row', async () => {
    const { xt, writes, screen } = setup();
    const frame = (a: string, b: string) => [row(['31', `GPU 0  ${a}  ....................  ${a}`]), row(['31', `GPU 1  ${b}`])];
    screen.draw(frame('10', '20'));
    screen.draw(frame('11', '21'));
    await xt.flush();
    expect(xt.text().slice(0, 2)).toEqual(['GPU 0  11  ....................  11', 'GPU 1  21']);
    expect(xt.looks(1, 0, 9)).toEqual(Array(9).fill(RED));
    expect(xt.look(1, 9)).toEqual(PLAIN);
    // One absolute move, one style for both rows, a forward move within row 1, and the reset at the end.
    expect(writes.at(-1)).toBe('\x1b[1;9H\x1b[0;31m1\x1b[25C1\x1b[2;9H1\x1b[0m');
  });

  it('writes nothing for an unchanged frame, even one built anew', () => {
    const { writes, screen } = setup();
    screen.draw(rows('a\nb'));
    const n = writes.length;
    screen.draw([row('a'), row('b')]);
    // Split into other runs, the same cells are still the same.
    screen.draw([row('a'), row('', 'b')]);
    expect(writes).toHaveLength(n);
  });

  it('erases what a shorter row or a shorter frame leaves behind', async () => {
    const { xt, screen } = setup();
    screen.draw(rows('a long first line\nsecond\nthird'));
    screen.draw(rows('short\nsecond'));
    await xt.flush();
    expect(xt.text().slice(0, 3)).toEqual(['short', 'second', '']);
  });

  it('redraws in full after a resize, and clips to the new size', async () => {
    const { xt, screen, writes } = setup(40, 10);
    screen.draw(rows('one\ntwo'));
    let resized = false;
    screen.on('resize', () => (resized = true));
    xt.resize(5, 2);
    screen.resize({ columns: 5, rows: 1 });
    screen.draw(rows('abcdefgh\nsecond'));
    await xt.flush();
    expect(resized).toBe(true);
    expect(writes.at(-1)).toContain('\x1b[2J');
    expect(xt.text()).toEqual(['abcde', '']);
  });

  it('keeps colors right when only the color changes', async () => {
    const { xt, screen } = setup();
    screen.draw([row('temp ', ['32', '61°C'])]);
    await xt.flush();
    expect(xt.looks(0, 5, 9)).toEqual(Array(4).fill(GREEN));
    screen.draw([row('temp ', ['31', '61°C'])]);
    await xt.flush();
    expect(xt.text()[0]).toBe('temp 61°C');
    expect(xt.looks(0, 4, 10)).toEqual([PLAIN, RED, RED, RED, RED, PLAIN]);
  });

  it('handles wide characters moving under a change', async () => {
    const { xt, screen } = setup();
    screen.draw(rows('cmd 漢字 x'));
    screen.draw(rows('cmd 字漢 y'));
    await xt.flush();
    expect(xt.text()[0]).toBe('cmd 字漢 y');
  });

  it('any sequence of frames leaves the terminal showing the last one, text and looks', async () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    // Pieces with their widths, styles with what xterm.js should show for them: the expectations come from neither gpumon's cells nor its encoder.
    const pieces: [string, number][] = [['GPU', 3], [' ', 1], ['97%', 3], ['█', 1], ['▌', 1], ['漢', 2], ['x', 1], ['°C', 2], ['e\u0301', 1]];
    const styles: [string, CellLook][] = [
      ['', PLAIN],
      ['31', RED],
      ['1;31', { ...RED, bold: true }],
      ['2', { ...PLAIN, dim: true }],
      ['7', { ...PLAIN, inverse: true }],
      ['38;5;130', { ...PLAIN, fg: 130 }],
    ];
    const columns = 30;
    const { xt, screen } = setup(columns, 8);
    for (let f = 0; f < 200; f++) {
      const frame: { row: Row; text: string; looks: CellLook[] }[] = Array.from({ length: 1 + rand(8) }, () => {
        const runs: Row[number][] = [];
        const looks: CellLook[] = [];
        let text = '';
        for (let n = rand(12); n > 0; n--) {
          const [piece, width] = pieces[rand(pieces.length)]!;
          const [style, look] = styles[rand(styles.length)]!;
          if (looks.length + width > columns) break;
          runs.push(run(piece, style));
          text += piece;
          looks.push(...Array(width).fill(look));
        }
        return { row: runs, text, looks };
      });
      screen.draw(frame.map((r) => r.row));
      await xt.flush();
      const shown = xt.text();
      frame.forEach((r, y) => {
        expect(shown[y]).toBe(r.text.trimEnd());
        expect(xt.looks(y, 0, r.looks.length)).toEqual(r.looks);
        expect(xt.looks(y, r.looks.length)).toEqual(Array(columns - r.looks.length).fill(PLAIN));
      });
      expect(shown.slice(frame.length).every((l) => l === '')).toBe(true);
    }
  });
});
