import { describe, expect, it } from 'vitest';
import { onKey } from '../../src/views/monitor/screens/index.js';
import { initialUiState, type KeyContext, type KeyPress, topScreen, type UiState } from '../../src/views/monitor/state.js';
import { demoAt, withProcesses } from '../helpers/snapshots.js';

const rows = withProcesses(demoAt('8xh100'), 2).processes;
const ctx: KeyContext = { rows, pageSize: 5, gpuCount: 8, readonly: false, bench: { choices: 2, running: false }, help: { lines: 30, page: 10 } };
const start = initialUiState({ view: 'auto', sort: 'gpu', descending: false });

/** Presses keys in turn: a string is typed, an object is a special key. */
function press(s: UiState, ...keys: (string | KeyPress)[]): UiState {
  for (const k of keys) s = onKey(s, typeof k === 'string' ? k : '', typeof k === 'string' ? {} : k, ctx).state;
  return s;
}
const stack = (s: UiState) => s.screens.map((x) => x.kind);

describe('the screen stack', () => {
  it('starts on the main screen, which opens the others over itself', () => {
    expect(stack(start)).toEqual(['main']);
    expect(stack(press(start, 'h'))).toEqual(['main', 'help']);
    expect(stack(press(start, '/'))).toEqual(['main', 'filter']);
    expect(stack(press(start, 'b'))).toEqual(['main', 'bench']);
    expect(stack(press(start, { downArrow: true }, 'K'))).toEqual(['main', 'confirm']);
  });

  it('the panel takes its own keys and passes the rest down: the arrows pick a choice, c still changes the view', () => {
    const open = press(start, 'b');
    const s = press(open, { downArrow: true }, 'c');
    expect(s).toMatchObject({ benchChoice: 1, view: 'compact', selectedPid: null });
    expect(stack(s)).toEqual(['main', 'bench']);
    expect(onKey(s, '', { return: true }, ctx).effect).toEqual({ kind: 'bench-start', choice: 1 });
    // Closed by b or Esc; the choice is kept for next time.
    expect(stack(press(s, 'b'))).toEqual(['main']);
    expect(press(s, { escape: true })).toMatchObject({ screens: [{ kind: 'main' }], benchChoice: 1 });
  });

  it('a screen over the panel has every key first, and closing it leaves the panel open', () => {
    let s = press(start, 'b', '/', 'b', 'x');
    expect(stack(s)).toEqual(['main', 'bench', 'filter']);
    expect(s.filter).toBe('bx');
    s = press(s, { return: true });
    expect(stack(s)).toEqual(['main', 'bench']);
    expect(stack(press(s, 'h', { downArrow: true }))).toEqual(['main', 'bench', 'help']);
    expect(topScreen(press(s, 'h', { downArrow: true }))).toEqual({ kind: 'help', top: 1 });
    expect(stack(press(s, 'h', 'z'))).toEqual(['main', 'bench']);
  });

  it('the confirmation sends on y and cancels on anything else, back to the screen it was asked from', () => {
    const asked = press(start, 'b', 'c', 'j');
    // j is the panel's (a choice), so the table has no selection yet: the signal key says so.
    expect(press(asked, 'T').message?.text).toMatch(/No process selected/);
    const s = press(start, { downArrow: true }, 'b', 'T');
    expect(stack(s)).toEqual(['main', 'bench', 'confirm']);
    const sent = onKey(s, 'y', {}, ctx);
    expect(sent.effect).toMatchObject({ kind: 'signal', pid: rows[0]!.pid, signal: 'SIGTERM' });
    expect(stack(sent.state)).toEqual(['main', 'bench']);
    const cancelled = onKey(s, 'n', {}, ctx);
    expect(cancelled.effect).toBeNull();
    expect(cancelled.state.message?.text).toBe('Cancelled: no signal sent');
    expect(stack(cancelled.state)).toEqual(['main', 'bench']);
  });

  it('Ctrl-C quits from any screen; q from the main screen and the help, not while typing a filter', () => {
    for (const keys of [[], ['h'], ['/'], ['b'], [{ downArrow: true }, 'I']] as (string | KeyPress)[][]) {
      expect(onKey(press(start, ...keys), 'c', { ctrl: true }, ctx).effect).toEqual({ kind: 'quit' });
    }
    expect(onKey(start, 'q', {}, ctx).effect).toEqual({ kind: 'quit' });
    expect(onKey(press(start, 'h'), 'q', {}, ctx).effect).toEqual({ kind: 'quit' });
    expect(onKey(press(start, '/'), 'q', {}, ctx).effect).toBeNull();
  });

  it('without a panel, b says so and opens nothing', () => {
    const r = onKey(start, 'b', {}, { ...ctx, bench: null });
    expect(stack(r.state)).toEqual(['main']);
    expect(r.state.message?.text).toBe('No benchmark panel here');
  });
});
