import { describe, expect, it } from 'vitest';
import { type AbortListener, listenForAbort, stopListening } from '../../src/bench/abort.js';

describe('listenForAbort', () => {
  it('calls what is still listening when the signal aborts, once, and not what stopped listening', () => {
    const stop = new AbortController();
    const called: number[] = [];
    const listeners: AbortListener[] = Array.from({ length: 5000 }, (_, i) => ({ onAbort: () => called.push(i) }));
    for (const l of listeners) listenForAbort(stop.signal, l);
    for (let i = 1; i < 5000; i += 2) stopListening(stop.signal, listeners[i]!);
    stop.abort();
    stop.abort();
    expect(called).toHaveLength(2500);
    expect(called.every((i) => i % 2 === 0)).toBe(true);
  });

  it('adds a single listener to the signal however many listen on it, and none without a signal', () => {
    const stop = new AbortController();
    let added = 0;
    const add = stop.signal.addEventListener.bind(stop.signal);
    stop.signal.addEventListener = ((...a: Parameters<typeof add>) => (added++, add(...a))) as typeof add;
    for (let i = 0; i < 100; i++) {
      const l = { onAbort: () => {} };
      listenForAbort(stop.signal, l);
      stopListening(stop.signal, l);
    }
    expect(added).toBe(1);
    let called = false;
    listenForAbort(undefined, { onAbort: () => (called = true) });
    stopListening(undefined, { onAbort: () => {} });
    expect(called).toBe(false);
  });
});
