import type { Level } from '../model/derive.js';

/**
 * Colors by meaning, not by hue: views ask for `high` or `dim`, and the theme
 * says what that looks like. One switch turns color off (NO_COLOR, no TTY).
 */
export type Token = Level | 'severe' | 'dim' | 'bold' | 'title' | 'demo' | 'stale' | 'selected';

export type ThemeName = 'dark' | 'light';

/** SGR codes per token and theme. */
const THEMES: Record<ThemeName, Record<Token, string>> = {
  dark: {
    low: '32', // green
    moderate: '33', // yellow
    high: '31', // red
    severe: '1;31',
    dim: '2',
    bold: '1',
    title: '1;36',
    demo: '1;35',
    stale: '1;33',
    selected: '7',
  },
  light: {
    low: '32',
    moderate: '38;5;130', // dark orange: yellow is unreadable on white
    high: '31',
    severe: '1;31',
    dim: '38;5;244',
    bold: '1',
    title: '1;34',
    demo: '1;35',
    stale: '1;38;5;130',
    selected: '7',
  },
};

export interface Painter {
  readonly color: boolean;
  paint(token: Token | null | undefined, text: string): string;
  /** The token's SGR parameters ('' without color or token): the style of a row's run. */
  sgr(token: Token | null | undefined): string;
}

export function makePainter(color: boolean, theme: ThemeName = 'dark'): Painter {
  const codes = THEMES[theme];
  return {
    color,
    paint: (token, text) => (color && token && text ? `\x1b[${codes[token]}m${text}\x1b[0m` : text),
    sgr: (token) => (color && token ? codes[token] : ''),
  };
}

/**
 * Whether to color output, as Node decides for its own streams: FORCE_COLOR
 * forces it (0 or false forbids it), then NO_COLOR (any non-empty value)
 * forbids it, then a TTY that is not `dumb` allows it.
 */
export function shouldColor(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== 'dumb';
}

/** Removes SGR color codes (for measuring and for tests). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
