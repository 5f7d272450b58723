import { type GpuRunSummary, RunWindow } from '../model/run-window.js';
import type { Snapshot } from '../model/types.js';
import type { SnapshotSource } from '../sampler/source.js';

/** Energy needs fast samples: `power.draw.instant` read at 10 Hz (nvidia-smi's `-lms 100`). */
export const GPU_WATCH_INTERVAL_MS = 100;

/** Each GPU's mean power while nothing of ours ran, W. */
export interface IdleBaseline {
  readonly uuid: string;
  readonly index: number;
  readonly powerW: number | null;
  readonly seconds: number;
}

/**
 * What the GPUs do during a benchmark: reads a started SnapshotSource (the
 * sampler every mode uses, at GPU_WATCH_INTERVAL_MS) into a RunWindow per
 * measured span. `bench http` and `bench run` both measure through this.
 */
export class GpuWatch {
  private window: RunWindow | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly source: SnapshotSource) {
    this.unsubscribe = source.subscribe((s) => this.window?.add(s));
  }

  /** The newest snapshot (for live views). */
  latest(): Snapshot | null {
    return this.source.latest();
  }

  /** Starts a new measured span, dropping any earlier one. */
  begin(): void {
    this.window = new RunWindow();
    const now = this.source.latest();
    if (now) this.window.add(now);
  }

  /** Ends the span and says what each GPU did during it. */
  end(): GpuRunSummary[] {
    const summary = this.window?.summary() ?? [];
    this.window = null;
    return summary;
  }

  /** Measures each GPU's power for `ms` with nothing of ours running (before the load starts). */
  async idleBaseline(ms: number, signal?: AbortSignal): Promise<IdleBaseline[]> {
    this.begin();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    return this.end().map((g) => ({ uuid: g.uuid, index: g.index, powerW: g.avgPowerW, seconds: g.energySeconds }));
  }

  /** Stops listening; the caller owns the source and stops it. */
  close(): void {
    this.unsubscribe();
    this.window = null;
  }
}
