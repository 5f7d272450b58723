import type { AlertLine } from './alerts.js';
import { GpuHistory } from './history.js';
import type { Snapshot } from './types.js';

/** What a view reads: the newest snapshot, the history, the alerts firing for the snapshot, and a version that changes with each. */
export interface StoreState {
  readonly snapshot: Snapshot;
  readonly history: GpuHistory;
  readonly alerts: readonly AlertLine[];
  readonly version: number;
}

const NO_ALERTS = (): readonly AlertLine[] => [];

/**
 * The newest snapshot and the GPU history, for views that redraw over time.
 * Fed by a SnapshotSource; read by React through useSyncExternalStore
 * (subscribe/get), so components re-render once per new snapshot, never on
 * a timer of their own. Stale snapshots (the same GPU data again) are shown
 * but not added to the history. `alertsOf` judges each snapshot as it
 * arrives (once: an evaluator of alerts with durations keeps state), so the
 * alerts change with the snapshot they belong to, in the same state.
 */
export class SnapshotStore {
  private state: StoreState;
  private readonly listeners = new Set<() => void>();

  constructor(
    first: Snapshot,
    readonly history = new GpuHistory(),
    private readonly alertsOf: (s: Snapshot) => readonly AlertLine[] = NO_ALERTS,
  ) {
    history.add(first);
    this.state = { snapshot: first, history, alerts: alertsOf(first), version: 0 };
  }

  push(snapshot: Snapshot): void {
    if (!snapshot.stale) this.state.history.add(snapshot);
    this.state = { snapshot, history: this.state.history, alerts: this.alertsOf(snapshot), version: this.state.version + 1 };
    for (const l of [...this.listeners]) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = (): StoreState => this.state;
}
