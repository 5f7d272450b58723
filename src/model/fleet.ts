import { DEFAULT_THRESHOLDS } from './derive.js';
import type { Snapshot } from './types.js';

/**
 * Several hosts' GPUs, read from other gpumon servers (`--remote`). Each host
 * is up, with its newest snapshot, or down, with why and since when (and
 * the last snapshot it sent, if any, which views do not show as current).
 */

export interface HostDown {
  readonly reason: string;
  /** ms since the epoch when the host stopped answering (or was first tried). */
  readonly since: number;
}

export interface FleetHost {
  /** The server's URL as given, e.g. `http://node1:9400`: what labels the host until it answers. */
  readonly url: string;
  /** The newest snapshot; null until the first one arrives. */
  readonly snapshot: Snapshot | null;
  /** Set while the host is down; then `snapshot` is the last one it sent. */
  readonly down: HostDown | null;
}

export interface FleetSnapshot {
  /** ms since the epoch. */
  readonly time: number;
  readonly hosts: readonly FleetHost[];
}

/** How a host is named: its hostname once known, else the URL's host:port. */
export function hostLabel(h: FleetHost): string {
  if (h.snapshot && !h.down) return h.snapshot.host.hostname;
  return h.url.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export interface FleetSummary {
  readonly hosts: number;
  readonly hostsUp: number;
  readonly gpus: number;
  /** GPUs at or above the moderate utilization threshold (10% by default). */
  readonly gpusBusy: number;
  readonly gpusLost: number;
  readonly memoryUsedMiB: number;
  readonly memoryTotalMiB: number;
  readonly powerW: number;
}

/** Totals over the hosts that are up; unknown values count as nothing. */
export function fleetSummary(f: FleetSnapshot, busyFromPercent = DEFAULT_THRESHOLDS.utilization[0]): FleetSummary {
  const up = f.hosts.filter((h) => h.snapshot && !h.down).map((h) => h.snapshot!);
  const gpus = up.flatMap((s) => s.gpus);
  const sum = (get: (g: (typeof gpus)[number]) => number | null) => gpus.reduce((n, g) => n + (get(g) ?? 0), 0);
  return {
    hosts: f.hosts.length,
    hostsUp: up.length,
    gpus: gpus.length,
    gpusBusy: gpus.filter((g) => g.utilizationGpu !== null && g.utilizationGpu >= busyFromPercent).length,
    gpusLost: gpus.filter((g) => g.lost).length,
    memoryUsedMiB: sum((g) => g.memoryUsedMiB),
    memoryTotalMiB: sum((g) => g.memoryTotalMiB),
    powerW: sum((g) => g.powerDrawW),
  };
}
