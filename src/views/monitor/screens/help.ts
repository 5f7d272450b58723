import { closeScreen, replaceTop, result, type Screen } from '../state.js';

/** The help: q quits, the arrows scroll it where it does not fit, any other key closes it. */
export const helpScreen: Screen<'help'> = {
  onKey(s, screen, input, key, ctx) {
    if (input === 'q') return result(s, { kind: 'quit' });
    const { lines, page } = ctx.help ?? { lines: 0, page: 0 };
    const step = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : key.pageUp ? -page : key.pageDown ? page : 0;
    if (step && lines > page) return result(replaceTop(s, { kind: 'help', top: Math.max(0, Math.min(lines - page, screen.top + step)) }));
    return result(closeScreen(s, 'help'));
  },
};
