import type { Painter, Token } from '../style.js';
import { displayWidth, truncate } from '../format.js';

/** A piece of a line with an optional color token. */
export interface Seg {
  readonly text: string;
  readonly token?: Token | null;
}

export const seg = (text: string, token?: Token | null): Seg => ({ text, token });

/**
 * Lays segments out in exactly `width` columns: cut where they overflow
 * (with an ellipsis), padded where they fall short, colored per segment.
 */
export function line(segs: readonly Seg[], width: number, painter: Painter, ascii = false): string {
  let used = 0;
  let out = '';
  const total = segs.reduce((n, s) => n + displayWidth(s.text), 0);
  for (const s of segs) {
    if (used >= width) break;
    const room = width - used;
    const w = displayWidth(s.text);
    const text = total > width && w >= room ? truncate(s.text, room, ascii) : s.text;
    out += painter.paint(s.token, text);
    used += displayWidth(text);
  }
  return out + ' '.repeat(Math.max(0, width - used));
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

/** A box `width` columns wide around sections of content lines, with rules between sections. */
export function box(
  sections: readonly (readonly (readonly Seg[])[])[],
  width: number,
  painter: Painter,
  ascii: boolean,
  rules: readonly ('heavy' | 'light')[] = [],
): string[] {
  const c = boxChars(ascii);
  const rule = ([l, m, r]: readonly [string, string, string]) => l + m.repeat(width - 2) + r;
  const out = [rule(c.top)];
  sections.forEach((lines, i) => {
    if (i > 0) out.push(rule(c[rules[i - 1] ?? 'light']));
    for (const segs of lines) out.push(`${c.side} ${line(segs, width - 4, painter, ascii)} ${c.side}`);
  });
  out.push(rule(c.bottom));
  return out;
}
