import { processesOf } from './derive.js';
import type { GpuSample, Snapshot, UnknownReason } from './types.js';

/**
 * `gpumon select` and `gpumon wait`: which GPUs are free enough to run on,
 * why the others are not, in which order to take them, and (for `wait`)
 * which have stayed free for the settle time, on the snapshots' own clock.
 */

export type PickOrder = 'free' | 'util' | 'index';
export const PICK_ORDERS: readonly PickOrder[] = ['free', 'util', 'index'];

export interface PickCriteria {
  /** How many GPUs are wanted. */
  readonly count: number;
  /** At least this much memory free; null: any. */
  readonly minFreeMiB: number | null;
  /** Utilization at most this %; null: any. */
  readonly maxUtilPercent: number | null;
  /** At most this many compute processes; null: any. */
  readonly maxProcesses: number | null;
  readonly order: PickOrder;
}

/** Why a GPU does not qualify; a GPU can have several reasons. */
export type Unfit =
  | { readonly kind: 'lost' }
  /** The snapshot is stale: nothing is known to be free now. */
  | { readonly kind: 'stale'; readonly reason: string }
  /** A criterion's value is unknown (missing is not zero: unknown never qualifies). */
  | { readonly kind: 'unknown'; readonly what: 'memory' | 'utilization'; readonly reason: UnknownReason | null }
  | { readonly kind: 'memory'; readonly usedMiB: number | null; readonly totalMiB: number | null; readonly freeMiB: number; readonly minFreeMiB: number }
  | { readonly kind: 'utilization'; readonly percent: number; readonly maxPercent: number }
  | { readonly kind: 'processes'; readonly count: number; readonly max: number }
  /** Another `gpumon wait` holds its lock. */
  | { readonly kind: 'taken'; readonly pid: number; readonly command: string }
  /** `wait`: free, but not yet for the settle time. */
  | { readonly kind: 'settling'; readonly freeForMs: number; readonly settleMs: number };

export interface Verdict {
  readonly gpu: GpuSample;
  readonly processes: number;
  /** Empty when the GPU qualifies. */
  readonly unfit: readonly Unfit[];
}

/** Who holds a GPU's lock (by UUID), other than us; null when it is free. */
export type LockHolderOf = (uuid: string) => { readonly pid: number; readonly command: string } | null;

function unfitOf(gpu: GpuSample, processes: number, c: PickCriteria, stale: string | null, holder: ReturnType<LockHolderOf>): Unfit[] {
  if (gpu.lost) return [{ kind: 'lost' }];
  const why: Unfit[] = [];
  if (stale !== null) why.push({ kind: 'stale', reason: stale });
  if (c.minFreeMiB !== null) {
    if (gpu.memoryFreeMiB === null) why.push({ kind: 'unknown', what: 'memory', reason: gpu.unknown.memoryFreeMiB ?? null });
    else if (gpu.memoryFreeMiB < c.minFreeMiB)
      why.push({ kind: 'memory', usedMiB: gpu.memoryUsedMiB, totalMiB: gpu.memoryTotalMiB, freeMiB: gpu.memoryFreeMiB, minFreeMiB: c.minFreeMiB });
  }
  if (c.maxUtilPercent !== null) {
    if (gpu.utilizationGpu === null) why.push({ kind: 'unknown', what: 'utilization', reason: gpu.unknown.utilizationGpu ?? null });
    else if (gpu.utilizationGpu > c.maxUtilPercent) why.push({ kind: 'utilization', percent: gpu.utilizationGpu, maxPercent: c.maxUtilPercent });
  }
  if (c.maxProcesses !== null && processes > c.maxProcesses) why.push({ kind: 'processes', count: processes, max: c.maxProcesses });
  if (holder) why.push({ kind: 'taken', ...holder });
  return why;
}

const ORDERS: Record<PickOrder, (a: Verdict, b: Verdict) => number> = {
  index: (a, b) => a.gpu.index - b.gpu.index,
  free: (a, b) => (b.gpu.memoryFreeMiB ?? -1) - (a.gpu.memoryFreeMiB ?? -1) || ORDERS.util(a, b),
  util: (a, b) => (a.gpu.utilizationGpu ?? 101) - (b.gpu.utilizationGpu ?? 101) || a.processes - b.processes || ORDERS.index(a, b),
};

/** Every GPU of the snapshot judged against the criteria, best first by `order` (then fewer processes, then index). */
export function judgeGpus(snapshot: Snapshot, c: PickCriteria, holderOf: LockHolderOf = () => null): Verdict[] {
  const stale = snapshot.stale ? snapshot.stale.reason : null;
  return snapshot.gpus
    .map((gpu) => {
      const processes = processesOf(snapshot.processes, gpu).length;
      return { gpu, processes, unfit: unfitOf(gpu, processes, c, stale, holderOf(gpu.uuid)) };
    })
    .sort(ORDERS[c.order]);
}

/** The qualifying GPUs, best first. */
export function qualifying(verdicts: readonly Verdict[]): GpuSample[] {
  return verdicts.filter((v) => v.unfit.length === 0).map((v) => v.gpu);
}

/** The value for CUDA_VISIBLE_DEVICES: indices, or UUIDs. */
export function cudaVisibleDevices(gpus: readonly GpuSample[], uuid: boolean): string {
  return gpus.map((g) => (uuid ? g.uuid : String(g.index))).join(',');
}

/**
 * `wait`: a GPU counts only once it has qualified in every snapshot for
 * `settleMs` (by the snapshots' time); a snapshot where it does not, or
 * where it is missing, starts its wait over.
 */
export class SettleTracker {
  private readonly since = new Map<string, number>();

  constructor(private readonly settleMs: number) {}

  /** The verdicts of one snapshot, with `settling` added to those free for less than the settle time. */
  feed(time: number, verdicts: readonly Verdict[]): Verdict[] {
    const seen = new Set<string>();
    const out = verdicts.map((v) => {
      seen.add(v.gpu.uuid);
      if (v.unfit.length > 0) {
        this.since.delete(v.gpu.uuid);
        return v;
      }
      const since = this.since.get(v.gpu.uuid) ?? time;
      this.since.set(v.gpu.uuid, since);
      const freeForMs = time - since;
      return freeForMs >= this.settleMs ? v : { ...v, unfit: [{ kind: 'settling', freeForMs, settleMs: this.settleMs } as const] };
    });
    for (const uuid of [...this.since.keys()]) if (!seen.has(uuid)) this.since.delete(uuid);
    return out;
  }
}
