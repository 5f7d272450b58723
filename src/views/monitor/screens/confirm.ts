import { closeScreen, result, type Screen } from '../state.js';

/** Send the signal? y (or Y) sends it; any other key cancels, and says so. */
export const confirmScreen: Screen<'confirm'> = {
  onKey(s, screen, input) {
    const closed = closeScreen(s, 'confirm');
    if (input === 'y' || input === 'Y') return result(closed, { kind: 'signal', pid: screen.pid, startTimeMs: screen.startTimeMs, signal: screen.signal });
    return result({ ...closed, message: { text: 'Cancelled: no signal sent', level: 'info' } });
  },
};
