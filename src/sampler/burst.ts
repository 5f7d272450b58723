import type { Clock, ClockTimer } from './clock.js';

/**
 * Items that trickle in (the lines of one nvidia-smi sample), taken together
 * once `quietMs` pass without another, or at once with `settle()`. Its timer
 * never keeps the process alive.
 */
export class Burst<T> {
  private pending: T[] = [];
  private timer: ClockTimer | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly quietMs: number,
    private readonly settled: (items: T[]) => void,
  ) {}

  /** What has come since the last settle. */
  get items(): readonly T[] {
    return this.pending;
  }

  /** Adds the items of one line (none for a line that only says the sample goes on), and waits for quiet again. */
  add(items: readonly T[]): void {
    this.pending.push(...items);
    this.cancel();
    this.timer = this.clock.setTimeout(() => this.settle(), this.quietMs);
    this.timer.unref();
  }

  /** Hands over what has come (possibly nothing), now. */
  settle(): void {
    this.cancel();
    const items = this.pending;
    this.pending = [];
    this.settled(items);
  }

  /** Drops what has come, and the timer. */
  stop(): void {
    this.cancel();
    this.pending = [];
  }

  private cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
