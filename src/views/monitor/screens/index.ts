import { type KeyContext, type KeyPress, type KeyResult, result, type Screen, type ScreenKind, type ScreenState, type UiState } from '../state.js';
import { benchScreen } from './bench-panel.js';
import { confirmScreen } from './confirm.js';
import { filterScreen } from './filter.js';
import { helpScreen } from './help.js';
import { mainScreen } from './main.js';

/**
 * Every screen's keys, by kind. A new screen (a process tree, a process's
 * details) is a state in `ScreenState`, a file here with its keys, and a line
 * in this table; the screen that opens it pushes it on the stack.
 */
const SCREENS: { readonly [K in ScreenKind]: Screen<K> } = {
  main: mainScreen,
  bench: benchScreen,
  filter: filterScreen,
  help: helpScreen,
  confirm: confirmScreen,
};

const keysOf = <K extends ScreenKind>(screen: Extract<ScreenState, { kind: K }>): Screen<K> => SCREENS[screen.kind as K];

/**
 * What a key does: Ctrl-C quits from anywhere; otherwise the screens have it
 * from the top of the stack down, until one takes it (the main screen, at the
 * bottom, takes every key). A key also clears the last message, whatever else it does.
 */
export function onKey(state: UiState, input: string, key: KeyPress, ctx: KeyContext): KeyResult {
  if (key.ctrl && input === 'c') return result(state, { kind: 'quit' });
  const s: UiState = state.message ? { ...state, message: null } : state;
  for (let i = s.screens.length - 1; i >= 0; i--) {
    const screen = s.screens[i]!;
    const r = keysOf(screen).onKey(s, screen, input, key, ctx);
    if (r) return r;
  }
  return result(s);
}
