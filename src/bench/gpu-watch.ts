import { type GpuRunSummary, RunWindow } from '../model/run-window.js';
import type { Snapshot } from '../model/types.js';
import { SmiFailure } from '../sampler/nvidia-smi/failure.js';
import { openSource, type OpenSourceOptions } from '../sampler/open.js';
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

/** A started GPU source for a benchmark, or why there is none. */
export type BenchGpus = { readonly source: SnapshotSource; readonly unavailable: null } | { readonly source: null; readonly unavailable: string };

/**
 * Opens and starts the GPU side of a benchmark. A benchmark still runs when
 * the GPUs cannot be read (no nvidia-smi, no driver): `unavailable` says why.
 * A `--only` or CUDA_VISIBLE_DEVICES that matches no GPU is a mistake in the
 * command line, not a missing GPU, and fails as `--once` does (exit 6).
 */
export async function openBenchGpus(o: OpenSourceOptions): Promise<BenchGpus> {
  let source: SnapshotSource | null = null;
  try {
    source = await openSource(o);
    await source.start();
    return { source, unavailable: null };
  } catch (e) {
    source?.stop();
    if (o.selection !== null && e instanceof SmiFailure && e.kind === 'no_devices') throw e;
    return { source: null, unavailable: (e instanceof Error ? e.message : String(e)).replace(/\.$/, '') };
  }
}
