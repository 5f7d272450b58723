import { type GpuSelection, selectGpus, unmatchedTokens } from '../model/select.js';
import type { Snapshot } from '../model/types.js';
import { SmiFailure } from './nvidia-smi/failure.js';

/**
 * Where snapshots come from over time: live nvidia-smi or a demo replay.
 * The monitor, the recorder, the server and the benchmark runner all read
 * one of these; none of them spawns anything itself.
 */
export interface SnapshotSource {
  /** Starts collecting. Resolves with the first snapshot; rejects with SmiFailure when there is nothing to show. */
  start(): Promise<Snapshot>;
  /** Calls `listener` with every new snapshot (about one per interval). Returns the unsubscribe function. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
  /** The newest snapshot, or null before the first. */
  latest(): Snapshot | null;
  /** Stops every process and timer it started. */
  stop(): void;
}

export interface SourceOptions {
  readonly intervalMs: number;
  readonly selection: GpuSelection;
}

/** Subscriber bookkeeping shared by the sources. */
export class Listeners {
  private readonly set = new Set<(s: Snapshot) => void>();
  private last: Snapshot | null = null;

  add(listener: (s: Snapshot) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(snapshot: Snapshot): void {
    this.last = snapshot;
    for (const l of [...this.set]) l(snapshot);
  }

  latest(): Snapshot | null {
    return this.last;
  }
}

/**
 * A source that makes a snapshot of its own every interval (a replay, a
 * merge of other sources): the timer and the subscribers, once.
 */
export abstract class PolledSource implements SnapshotSource {
  private readonly listeners = new Listeners();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs: number) {}

  /** The first snapshot; rejects when there is nothing to show. */
  protected abstract first(): Promise<Snapshot>;
  /** The snapshot of each later tick. */
  protected abstract next(): Snapshot;
  /** Stops what the subclass started. */
  protected onStop(): void {}

  async start(): Promise<Snapshot> {
    const first = await this.first();
    this.listeners.emit(first);
    this.timer = setInterval(() => this.listeners.emit(this.next()), this.intervalMs);
    return first;
  }

  subscribe(listener: (s: Snapshot) => void): () => void {
    return this.listeners.add(listener);
  }

  latest(): Snapshot | null {
    return this.listeners.latest();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.onStop();
  }
}

/**
 * The snapshot with only the selected GPUs; a selection that matches nothing
 * is a failure (exit 6), naming what matched nothing and what is there.
 */
export function selectOrFail(snapshot: Snapshot, selection: GpuSelection, what: string): Snapshot {
  if (selection === null) return snapshot;
  const unmatched = unmatchedTokens(snapshot, selection);
  if (unmatched.length > 0 || selection.length === 0) {
    const here = snapshot.gpus.map((g) => g.index).join(', ') || 'none';
    const which = unmatched.length ? `no GPU matches ${unmatched.join(', ')}` : 'it selects no GPU';
    throw new SmiFailure('no_devices', `${what}: ${which} (GPUs here: ${here}).`);
  }
  return selectGpus(snapshot, selection);
}
