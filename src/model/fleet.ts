import { type Alert, AlertEvaluator, type AlertLimits, type AlertRule, alertsAtInstant, DEFAULT_ALERT_LIMITS } from './alerts.js';
import { DEFAULT_THRESHOLDS, shortGpuName } from './derive.js';
import type { HostSample, Snapshot } from './types.js';

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

/** The URL's host:port. */
const urlHost = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/.*$/, '');

/** How a host is named: its hostname once it has answered (also while down since), else the URL's host:port. */
export function hostLabel(h: FleetHost): string {
  return h.snapshot ? h.snapshot.host.hostname : urlHost(h.url);
}

/**
 * What the monitor and the alerts call each host: its label, or host:port
 * where two hosts of the fleet share a hostname (two copies of a recording,
 * or a host that is down under the name of one that is up). Judged over all
 * the hosts, so a label does not change when another host goes down.
 */
export function fleetLabels(hosts: readonly FleetHost[]): string[] {
  const names = hosts.map(hostLabel);
  return hosts.map((h, i) => (names.indexOf(names[i]!) === names.lastIndexOf(names[i]!) ? names[i]! : urlHost(h.url)));
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

/** An alert on a host of the fleet; a host that is down is an alert of its own, on no GPU. */
export type HostAlert = Omit<Alert, 'rule' | 'gpuIndex'> & { readonly rule: AlertRule | 'host_down' | 'host_stale'; readonly gpuIndex: number | null; readonly host: string };

const BY_SEVERITY = (a: HostAlert, b: HostAlert) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1);

function hostDown(h: FleetHost, time: number, host: string): HostAlert {
  return { rule: 'host_down', severity: 'critical', gpuIndex: null, gpuUuid: '', since: h.down?.since ?? time, message: h.down?.reason ?? 'no answer yet', host };
}

/** A host that answers with stale GPU data (its nvidia-smi stalled or died and is being restarted). */
function hostStale(s: Snapshot, host: string): HostAlert[] {
  if (!s.stale) return [];
  return [{ rule: 'host_stale', severity: 'warning', gpuIndex: null, gpuUuid: '', since: s.stale.since, message: `GPU data stale: ${s.stale.reason}`, host }];
}

/** The alerts of every host over time (the monitor): one evaluator per host, and each host that is down. */
export class FleetAlertEvaluator {
  private readonly byUrl = new Map<string, AlertEvaluator>();
  constructor(private readonly limits: AlertLimits = DEFAULT_ALERT_LIMITS) {}

  feed(f: FleetSnapshot): HostAlert[] {
    const labels = fleetLabels(f.hosts);
    return f.hosts
      .flatMap((h, i): HostAlert[] => {
        if (h.down || !h.snapshot) return [hostDown(h, f.time, labels[i]!)];
        let e = this.byUrl.get(h.url);
        if (!e) this.byUrl.set(h.url, (e = new AlertEvaluator(this.limits)));
        return [...hostStale(h.snapshot, labels[i]!), ...e.feed(h.snapshot).map((a) => ({ ...a, host: labels[i]! }))];
      })
      .sort(BY_SEVERITY);
  }
}

/** The alerts of one reading of the fleet (`--once --check`), the timed rules judged on the instant. */
export function fleetAlertsAtInstant(f: FleetSnapshot, limits: AlertLimits = DEFAULT_ALERT_LIMITS): HostAlert[] {
  const labels = fleetLabels(f.hosts);
  return f.hosts
    .flatMap((h, i) =>
      h.down || !h.snapshot ? [hostDown(h, f.time, labels[i]!)] : [...hostStale(h.snapshot, labels[i]!), ...alertsAtInstant(h.snapshot, limits).map((a) => ({ ...a, host: labels[i]! }))],
    )
    .sort(BY_SEVERITY);
}

/**
 * The fleet as one Snapshot, so the monitor's one-host sections draw it:
 * every GPU of every host that is up, named with its host first
 * (`fleetLabels`), its processes marked with the host; host totals in place of one host's
 * readings. UUIDs are made unique across hosts (`URL#UUID`), so history and
 * processes never mix two hosts' GPUs, even for copies of one recording.
 */
export function fleetAsSnapshot(f: FleetSnapshot): Snapshot {
  const labels = fleetLabels(f.hosts);
  const up = f.hosts.filter((h) => h.snapshot && !h.down);
  const label = (h: FleetHost) => labels[f.hosts.indexOf(h)]!;
  const uuid = (h: FleetHost, id: string) => `${h.url}#${id}`;
  const snaps = up.map((h) => h.snapshot!);
  const sum = (get: (h: HostSample) => number | null) => (snaps.length ? snaps.reduce((n, s) => n + (get(s.host) ?? 0), 0) : null);
  const cpu = snaps.map((s) => s.host.cpuPercent).filter((v): v is number => v !== null);
  const one = <T>(values: T[]): T | null => (values.length > 0 && values.every((v) => v === values[0]) ? values[0]! : null);
  const down = f.hosts.length - up.length;
  return {
    time: f.time,
    source: snaps[0]?.source ?? { kind: 'nvidia-smi', path: 'remote' },
    driverVersion: one(snaps.map((s) => s.driverVersion)),
    cudaVersion: one(snaps.map((s) => s.cudaVersion)),
    gpus: up.flatMap((h) => h.snapshot!.gpus.map((g) => ({ ...g, uuid: uuid(h, g.uuid), name: `${label(h)} ${shortGpuName(g.name) ?? ''}`.trimEnd(), host: label(h) }))),
    processes: up.flatMap((h) => h.snapshot!.processes.map((p) => ({ ...p, gpuUuid: uuid(h, p.gpuUuid), host: label(h) }))),
    host: {
      hostname: `fleet of ${f.hosts.length}${down ? ` (${down} down)` : ''}`,
      cpuPercent: cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : null,
      cpuCount: snaps.reduce((n, s) => n + s.host.cpuCount, 0),
      memoryTotalBytes: sum((h) => h.memoryTotalBytes),
      memoryUsedBytes: sum((h) => h.memoryUsedBytes),
      swapTotalBytes: sum((h) => h.swapTotalBytes),
      swapUsedBytes: sum((h) => h.swapUsedBytes),
      // Not summable across hosts.
      loadAverage: null,
      uptimeSeconds: null,
      unknown: { loadAverage: 'not_available', uptimeSeconds: 'not_available' },
    },
    stale: null,
    notes: [],
  };
}
