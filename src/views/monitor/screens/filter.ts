import { closeScreen, result, type Screen } from '../state.js';

/** Typing the filter (key /): Enter keeps it, Esc clears it, printable keys go into it; no key reaches the screens below. */
export const filterScreen: Screen<'filter'> = {
  onKey(s, _screen, input, key) {
    if (key.return) return result(closeScreen(s, 'filter'));
    if (key.escape) return result({ ...closeScreen(s, 'filter'), filter: '' });
    if (key.backspace || key.delete) return result({ ...s, filter: s.filter.slice(0, -1) });
    if (input && !key.ctrl && !key.tab && /^[\x20-\x7e]+$/.test(input)) return result({ ...s, filter: s.filter + input, top: 0 });
    return result(s);
  },
};
