import type { GpuProcess, GpuSample, HostSample, Snapshot, SnapshotOrigin, Staleness, UnknownReason } from '../model/types.js';
import type { HostProcessInfo } from './host/proc-processes.js';
import type { ComputeApp } from './nvidia-smi/compute-apps.js';
import type { PmonRow } from './nvidia-smi/pmon.js';
import { lostGpu, normalizeBusId } from './nvidia-smi/query-gpu.js';

/** Identity of a GPU seen before: what is kept to show it as lost when it vanishes. */
export type KnownGpu = Pick<GpuSample, 'index' | 'uuid' | 'name' | 'pciBusId'>;

/**
 * The GPUs of one collection, plus every GPU that should be there and is not,
 * shown as lost: GPUs known from earlier collections that are missing now,
 * and GPUs nvidia-smi said it cannot reach. In index order.
 */
export function withLostGpus(
  gpus: readonly GpuSample[],
  known: readonly KnownGpu[],
  unreachable: readonly { readonly busId: string; readonly position: number }[] = [],
): GpuSample[] {
  const out = [...gpus];
  const present = (k: Pick<KnownGpu, 'uuid' | 'pciBusId'>) =>
    out.some((g) => (k.uuid !== '' && g.uuid === k.uuid) || (g.pciBusId !== null && k.pciBusId !== null && normalizeBusId(g.pciBusId) === normalizeBusId(k.pciBusId)));
  for (const k of known) if (!present(k)) out.push(lostGpu(k));
  for (const u of unreachable)
    if (!present({ uuid: '', pciBusId: u.busId })) out.push(lostGpu({ index: u.position, uuid: '', name: null, pciBusId: u.busId }));
  return out.sort((a, b) => a.index - b.index);
}

/** pmon's utilization of each process, by `${gpuIndex}:${pid}`; null when pmon is not sampled (one-shot snapshots). */
export type ProcessUtilization = ReadonlyMap<string, PmonRow> | null;

export const utilizationKey = (gpuIndex: number, pid: number) => `${gpuIndex}:${pid}`;

/** Joins nvidia-smi's view of a process with pmon's and the host's. */
export function toGpuProcess(app: ComputeApp, gpuIndex: number | null, host: HostProcessInfo | undefined, utilization: ProcessUtilization = null): GpuProcess {
  const unknown: Partial<Record<keyof GpuProcess, UnknownReason>> = { ...app.unknown, ...(host?.unknown ?? {}) };
  if (gpuIndex === null) unknown.gpuIndex = 'not_found';
  const util = gpuIndex === null ? undefined : utilization?.get(utilizationKey(gpuIndex, app.pid));
  if (util) Object.assign(unknown, util.unknown);
  else unknown.smPercent = unknown.memoryBandwidthPercent = utilization === null ? 'no_previous_sample' : 'not_available';
  return {
    pid: app.pid,
    gpuUuid: app.gpuUuid,
    gpuIndex,
    name: app.name,
    gpuMemoryMiB: app.gpuMemoryMiB,
    smPercent: util?.smPercent ?? null,
    memoryBandwidthPercent: util?.memoryBandwidthPercent ?? null,
    user: host?.user ?? null,
    cpuPercent: host?.cpuPercent ?? null,
    rssBytes: host?.rssBytes ?? null,
    memPercent: host?.memPercent ?? null,
    elapsedSeconds: host?.elapsedSeconds ?? null,
    startTimeMs: host?.startTimeMs ?? null,
    argv: host?.argv ?? null,
    unknown,
  };
}

export interface SnapshotParts {
  readonly time: number;
  readonly source: SnapshotOrigin;
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
  readonly gpus: readonly GpuSample[];
  readonly apps: readonly ComputeApp[];
  readonly hostProcesses: ReadonlyMap<number, HostProcessInfo>;
  readonly utilization?: ProcessUtilization;
  readonly host: HostSample;
  readonly stale?: Staleness | null;
  readonly notes?: readonly string[];
}

export function assembleSnapshot(p: SnapshotParts): Snapshot {
  const indexByUuid = new Map(p.gpus.map((g) => [g.uuid, g.index]));
  const processes = p.apps
    .map((a) => toGpuProcess(a, indexByUuid.get(a.gpuUuid) ?? null, p.hostProcesses.get(a.pid), p.utilization ?? null))
    .sort((a, b) => (a.gpuIndex ?? Infinity) - (b.gpuIndex ?? Infinity) || a.pid - b.pid);
  return {
    time: p.time,
    source: p.source,
    driverVersion: p.driverVersion,
    cudaVersion: p.cudaVersion,
    gpus: p.gpus,
    processes,
    host: p.host,
    stale: p.stale ?? null,
    notes: p.notes ?? [],
  };
}
