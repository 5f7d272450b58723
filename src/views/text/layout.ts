import type { Painter, Token } from '../style.js';
import { displayWidth, truncate } from '../format.js';
import { encodeRow, type Row, run, type Run } from './row.js';

/** A piece of a line with an optional color token. */
export interface Seg {
  readonly text: string;
  readonly token?: Token | null;
}

export const seg = (text: string, token?: Token | null): Seg => ({ text, token });

/**
 * Lays segments out in exactly `width` columns: cut where they overflow
 * (with an ellipsis), padded where they fall short, a style per segment.
 */
export function lineRow(segs: readonly Seg[], width: number, painter: Painter, ascii = false): Run[] {
  let used = 0;
  const out: Run[] = [];
  const total = segs.reduce((n, s) => n + displayWidth(s.text), 0);
  for (const s of segs) {
    if (used >= width) break;
    const room = width - used;
    const w = displayWidth(s.text);
    const text = total > width && w >= room ? truncate(s.text, room, ascii) : s.text;
    out.push(run(text, painter.sgr(s.token)));
    used += displayWidth(text);
  }
  if (used < width) out.push(run(' '.repeat(width - used)));
  return out;
}

/** `lineRow` as text with SGR escapes. */
export function line(segs: readonly Seg[], width: number, painter: Painter, ascii = false): string {
  return encodeRow(lineRow(segs, width, painter, ascii));
}

/** Box-drawing characters, with a plain ASCII set for terminals without Unicode. */
export interface BoxChars {
  readonly top: readonly [string, string, string];
  readonly heavy: readonly [string, string, string];
  readonly light: readonly [string, string, string];
  readonly bottom: readonly [string, string, string];
  readonly side: string;
}

const UNICODE_BOX: BoxChars = {
  top: ['╒', '═', '╕'],
  heavy: ['╞', '═', '╡'],
  light: ['├', '─', '┤'],
  bottom: ['╘', '═', '╛'],
  side: '│',
};

const ASCII_BOX: BoxChars = {
  top: ['+', '=', '+'],
  heavy: ['+', '=', '+'],
  light: ['+', '-', '+'],
  bottom: ['+', '=', '+'],
  side: '|',
};

export function boxChars(ascii: boolean): BoxChars {
  return ascii ? ASCII_BOX : UNICODE_BOX;
}

type BoxSections = readonly (readonly (readonly Seg[])[])[];

/** A box `width` columns wide around sections of content lines, with rules between sections. */
export function boxRows(sections: BoxSections, width: number, painter: Painter, ascii: boolean, rules: readonly ('heavy' | 'light')[] = []): Row[] {
  const c = boxChars(ascii);
  const rule = ([l, m, r]: readonly [string, string, string]) => [run(l + m.repeat(width - 2) + r)];
  const out = [rule(c.top)];
  sections.forEach((lines, i) => {
    if (i > 0) out.push(rule(c[rules[i - 1] ?? 'light']));
    for (const segs of lines) out.push([run(`${c.side} `), ...lineRow(segs, width - 4, painter, ascii), run(` ${c.side}`)]);
  });
  out.push(rule(c.bottom));
  return out;
}

/** `boxRows` as text with SGR escapes. */
export function box(sections: BoxSections, width: number, painter: Painter, ascii: boolean, rules: readonly ('heavy' | 'light')[] = []): string[] {
  return boxRows(sections, width, painter, ascii, rules).map(encodeRow);
}
