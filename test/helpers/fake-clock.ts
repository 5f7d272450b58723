import type { Clock, ClockTimer } from '../../src/sampler/clock.js';

interface FakeTimer extends ClockTimer {
  at: number;
  readonly every: number | null;
  readonly fn: () => void;
  refed: boolean;
}

/** A Clock that moves only when the test says so; it knows which timers are pending. */
export class FakeClock implements Clock {
  private readonly timers = new Set<FakeTimer>();

  constructor(private time = Date.UTC(2026, 10, 22, 11, 45, 30)) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): ClockTimer {
    return this.add(fn, ms, ms);
  }

  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer as FakeTimer);
  }

  clearInterval(timer: ClockTimer): void {
    this.timers.delete(timer as FakeTimer);
  }

  /** Moves time on by `ms`, running each timer as it falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      if (due.every === null) this.timers.delete(due);
      else due.at += due.every;
      due.fn();
    }
    this.time = end;
  }

  /** Timers set and not cleared (or run); `keepingAlive`: those of them not unref'd. */
  pending(): { all: number; keepingAlive: number } {
    return { all: this.timers.size, keepingAlive: [...this.timers].filter((t) => t.refed).length };
  }

  private add(fn: () => void, ms: number, every: number | null): FakeTimer {
    const timer: FakeTimer = {
      at: this.time + Math.max(1, ms),
      every: every === null ? null : Math.max(1, every),
      fn,
      refed: true,
      unref() {
        timer.refed = false;
        return timer;
      },
    };
    this.timers.add(timer);
    return timer;
  }
}
