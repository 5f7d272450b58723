import { describe, expect, it } from 'vitest';
import { DiffScreen, parseCells } from '../../../src/views/terminal/screen.js';
import { VirtualTerminal } from '../../helpers/vt.js';

function setup(columns = 40, rows = 10) {
  const vt = new VirtualTerminal(columns, rows);
  const writes: string[] = [];
  const screen = new DiffScreen({ write: (t: string) => (writes.push(t), vt.write(t)) }, { columns, rows });
  return { vt, writes, screen };
}

const plain = (frame: string) => frame.split('\n').map((l) => parseCells(l, 1000).map((c) => c.ch).join('').trimEnd());

describe('parseCells', () => {
  it('tracks SGR state per cell and counts wide characters twice', () => {
    const cells = parseCells('a\x1b[1;31mb\x1b[22mc\x1b[0m漢d', 10);
    expect(cells.map((c) => c.ch)).toEqual(['a', 'b', 'c', '漢', '', 'd']);
    expect(cells.map((c) => c.style)).toEqual(['', '1;31', '31', '', '', '']);
  });

  it('keeps 256-color and inverse styles, and cuts at the width', () => {
    const cells = parseCells('\x1b[38;5;130;7mxyz', 2);
    expect(cells).toEqual([
      { ch: 'x', style: '7;38;5;130' },
      { ch: 'y', style: '7;38;5;130' },
    ]);
  });
});

describe('DiffScreen', () => {
  it('draws the first frame whole, then only the cells that change', () => {
    const { vt, writes, screen } = setup();
    screen.draw('GPU 0  UTIL  97%\nGPU 1  UTIL  12%\nstatic line'.split('\n'));
    expect(vt.text().slice(0, 3)).toEqual(['GPU 0  UTIL  97%', 'GPU 1  UTIL  12%', 'static line']);
    const first = screen.bytesWritten;
    screen.draw('GPU 0  UTIL  98%\nGPU 1  UTIL  12%\nstatic line'.split('\n'));
    expect(vt.text().slice(0, 3)).toEqual(['GPU 0  UTIL  98%', 'GPU 1  UTIL  12%', 'static line']);
    // A cursor move and one character (the pen is already unstyled): not the frame.
    expect(writes.at(-1)).toBe('\x1b[1;15H8');
    expect(screen.bytesWritten - first).toBe(8);
  });

  it('moves forward along a row and keeps the pen style from row to row', () => {
    const { vt, writes, screen } = setup();
    const frame = (a: string, b: string) => [`\x1b[31mGPU 0  ${a}  ....................  ${a}\x1b[0m`, `\x1b[31mGPU 1  ${b}\x1b[0m`];
    screen.draw(frame('10', '20'));
    screen.draw(frame('11', '21'));
    expect(vt.text().slice(0, 2)).toEqual(['GPU 0  11  ....................  11', 'GPU 1  21']);
    expect(vt.styles(1)[7]).toBe('31');
    // One absolute move, one style for both rows, a forward move within row 1, and the reset at the end.
    expect(writes.at(-1)).toBe('\x1b[1;9H\x1b[0;31m1\x1b[25C1\x1b[2;9H1\x1b[0m');
  });

  it('writes nothing for an unchanged frame', () => {
    const { writes, screen } = setup();
    screen.draw('a\nb'.split('\n'));
    const n = writes.length;
    screen.draw('a\nb'.split('\n'));
    expect(writes).toHaveLength(n);
  });

  it('erases what a shorter row or a shorter frame leaves behind', () => {
    const { vt, screen } = setup();
    screen.draw('a long first line\nsecond\nthird'.split('\n'));
    screen.draw('short\nsecond'.split('\n'));
    expect(vt.text().slice(0, 3)).toEqual(['short', 'second', '']);
  });

  it('redraws in full after a resize, and clips to the new size', () => {
    const { vt, screen, writes } = setup(40, 10);
    screen.draw('one\ntwo'.split('\n'));
    let resized = false;
    screen.on('resize', () => (resized = true));
    screen.resize({ columns: 5, rows: 1 });
    screen.draw('abcdefgh\nsecond'.split('\n'));
    expect(resized).toBe(true);
    expect(writes.at(-1)).toContain('\x1b[2J');
    expect(vt.text()[0]).toBe('abcde');
    expect(vt.text()[1]).toBe('');
  });

  it('keeps colors right when only the color changes', () => {
    const { vt, screen } = setup();
    screen.draw('temp \x1b[32m61°C\x1b[0m'.split('\n'));
    screen.draw('temp \x1b[31m61°C\x1b[0m'.split('\n'));
    expect(vt.text()[0]).toBe('temp 61°C');
    expect(vt.styles(0).slice(5, 9)).toEqual(['31', '31', '31', '31']);
    expect(vt.styles(0)[4]).toBe('');
  });

  it('handles wide characters moving under a change', () => {
    const { vt, screen } = setup();
    screen.draw('cmd 漢字 x'.split('\n'));
    screen.draw('cmd 字漢 y'.split('\n'));
    expect(vt.text()[0]).toBe('cmd 字漢 y');
  });

  it('any sequence of frames leaves the terminal showing the last one', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pieces = ['GPU', ' ', '97%', '\x1b[31m', '\x1b[0m', '█', '▌', '漢', 'x', '\x1b[1m', '\x1b[7m', '°C'];
    const { vt, screen } = setup(30, 8);
    for (let f = 0; f < 200; f++) {
      const frame = Array.from({ length: 1 + rand(8) }, () => Array.from({ length: rand(12) }, () => pieces[rand(pieces.length)]).join('')).join('\n');
      screen.draw(frame.split('\n'));
      const want = plain(frame).map((l) => parseCells(l, 30).map((c) => c.ch).join('').trimEnd());
      expect(vt.text().slice(0, want.length)).toEqual(want);
      expect(vt.text().slice(want.length).every((l) => l === '')).toBe(true);
      frame.split('\n').forEach((l, r) => {
        const cells = parseCells(l, 30);
        expect(vt.styles(r).slice(0, cells.length)).toEqual(cells.map((c) => c.style));
      });
    }
  });
});
