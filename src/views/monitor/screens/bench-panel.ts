import { closeScreen, result, type Screen } from '../state.js';

/**
 * The benchmark panel, open in the process table's place: b or Esc closes
 * it (a run goes on), x stops a run, and before one the arrows pick a choice
 * and Enter starts it. Every other key is the main screen's.
 */
export const benchScreen: Screen<'bench'> = {
  onKey(s, _screen, input, key, ctx) {
    if (!ctx.bench) return null;
    if (input === 'b' || key.escape) return result(closeScreen(s, 'bench'));
    const { choices, running } = ctx.bench;
    if (running && input === 'x') return result(s, { kind: 'bench-stop' });
    if (!running && choices > 0) {
      if (key.upArrow || input === 'k') return result({ ...s, benchChoice: (s.benchChoice - 1 + choices) % choices });
      if (key.downArrow || input === 'j') return result({ ...s, benchChoice: (s.benchChoice + 1) % choices });
      if (key.return) return result(s, { kind: 'bench-start', choice: Math.min(s.benchChoice, choices - 1) });
    }
    // The panel's keys do nothing else while it is open (the arrows do not move the table's selection under it).
    if (key.upArrow || key.downArrow || key.return || input === 'j' || input === 'k' || input === 'x') return result(s);
    return null;
  },
};
