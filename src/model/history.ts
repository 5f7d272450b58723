import type { GpuSample, Snapshot } from './types.js';

/** The per-GPU series the monitor graphs. */
export const HISTORY_METRICS = ['utilization', 'memory', 'power', 'temperature'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

/** Each metric as a percentage-like value with a known range, so graphs have fixed axes. */
export function metricValue(g: GpuSample, m: HistoryMetric): number | null {
  switch (m) {
    case 'utilization':
      return g.utilizationGpu;
    case 'memory':
      return g.memoryUsedMiB !== null && g.memoryTotalMiB ? (g.memoryUsedMiB / g.memoryTotalMiB) * 100 : null;
    case 'power':
      return g.powerDrawW;
    case 'temperature':
      return g.temperatureGpuC;
  }
}

/**
 * A fixed-size ring of samples: memory stays flat however long gpumon runs.
 * Missing samples are kept as missing (a gap in the graph), never as zero.
 */
export class Ring {
  private readonly values: Float64Array;
  private readonly present: Uint8Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
    this.present = new Uint8Array(capacity);
  }

  push(v: number | null): void {
    this.values[this.next] = v ?? 0;
    this.present[this.next] = v === null ? 0 : 1;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  get length(): number {
    return this.count;
  }

  /** The newest `n` samples, oldest first. */
  last(n: number): (number | null)[] {
    const k = Math.min(n, this.count);
    const out: (number | null)[] = new Array(k);
    for (let i = 0; i < k; i++) {
      const at = (this.next - k + i + this.capacity) % this.capacity;
      out[i] = this.present[at] ? this.values[at]! : null;
    }
    return out;
  }
}

/** History of every GPU (by UUID) and metric, fed one snapshot at a time. */
export class GpuHistory {
  private readonly rings = new Map<string, Map<HistoryMetric, Ring>>();

  constructor(readonly capacity = 1024) {}

  /** Adds one sample of each GPU (a snapshot, or one read back from the history database). */
  add(s: Pick<Snapshot, 'gpus'>): void {
    for (const g of s.gpus) {
      let byMetric = this.rings.get(g.uuid);
      if (!byMetric) {
        byMetric = new Map(HISTORY_METRICS.map((m) => [m, new Ring(this.capacity)]));
        this.rings.set(g.uuid, byMetric);
      }
      for (const m of HISTORY_METRICS) byMetric.get(m)!.push(g.lost ? null : metricValue(g, m));
    }
  }

  /** The newest `n` samples of one GPU's metric, oldest first (empty for an unknown GPU). */
  series(uuid: string, metric: HistoryMetric, n: number): (number | null)[] {
    return this.rings.get(uuid)?.get(metric)?.last(n) ?? [];
  }
}
