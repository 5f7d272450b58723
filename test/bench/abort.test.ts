import { describe, expect, it } from 'vitest';
import { whenAborted } from '../../src/bench/abort.js';

describe('whenAborted', () => {
  it('calls what is still waiting when the signal aborts, once, and not what was undone', () => {
    const stop = new AbortController();
    const called: number[] = [];
    const undo = Array.from({ length: 5000 }, (_, i) => whenAborted(stop.signal, () => called.push(i)));
    for (let i = 0; i < 5000; i++) if (i % 2) undo[i]!();
    stop.abort();
    stop.abort();
    expect(called).toHaveLength(2500);
    expect(called.every((i) => i % 2 === 0)).toBe(true);
  });

  it('adds a single listener to the signal however many wait on it', () => {
    const stop = new AbortController();
    let added = 0;
    const add = stop.signal.addEventListener.bind(stop.signal);
    stop.signal.addEventListener = ((...a: Parameters<typeof add>) => (added++, add(...a))) as typeof add;
    for (let i = 0; i < 100; i++) whenAborted(stop.signal, () => {})();
    expect(added).toBe(1);
    expect(whenAborted(undefined, () => {})).toBeTypeOf('function');
  });
});
