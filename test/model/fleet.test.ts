import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_LIMITS } from '../../src/model/alerts.js';
import { FleetAlertEvaluator, fleetAlertsAtInstant, fleetAsSnapshot, fleetLabels, type FleetSnapshot, fleetSummary, hostLabel } from '../../src/model/fleet.js';
import { lostGpu } from '../../src/sampler/nvidia-smi/query-gpu.js';
import { demoAt, T0 } from '../helpers/snapshots.js';

const eight = demoAt('8xh100', 20_000);
const one = demoAt('h100', 20_000);
const fleet: FleetSnapshot = {
  time: T0,
  hosts: [
    { url: 'http://node1:9400', snapshot: eight, down: null },
    { url: 'http://node2:9400', snapshot: one, down: null },
    { url: 'http://node3:9400', snapshot: one, down: { reason: 'connection refused', since: T0 - 5000 } },
    { url: 'http://node4:9400/', snapshot: null, down: null },
  ],
};

describe('the fleet model', () => {
  it('labels a host by its hostname once it has answered (down since or not), else by host:port', () => {
    expect(fleet.hosts.map(hostLabel)).toEqual(['dgx-demo', 'h100-demo', 'h100-demo', 'node4:9400']);
  });

  it('the monitor and the alerts tell two hosts of one name apart by host:port, even when one of them is down', () => {
    expect(fleetLabels(fleet.hosts)).toEqual(['dgx-demo', 'node2:9400', 'node3:9400', 'node4:9400']);
  });

  it('sums the hosts that are up: GPUs, busy ones, memory and power', () => {
    const gpus = [...eight.gpus, ...one.gpus];
    const s = fleetSummary(fleet);
    expect(s).toEqual({
      hosts: 4,
      hostsUp: 2,
      gpus: 9,
      gpusBusy: gpus.filter((g) => g.utilizationGpu! >= 10).length,
      gpusLost: 0,
      memoryUsedMiB: gpus.reduce((n, g) => n + g.memoryUsedMiB!, 0),
      memoryTotalMiB: 9 * 81559,
      powerW: gpus.reduce((n, g) => n + g.powerDrawW!, 0),
    });
    expect(s.gpusBusy).toBeGreaterThan(0);
    expect(s.gpusBusy).toBeLessThan(9);
  });

  it('a lost GPU counts as lost, and its unknown values as nothing', () => {
    const withLost: FleetSnapshot = { time: T0, hosts: [{ url: 'http://a:1', snapshot: { ...one, gpus: [lostGpu(one.gpus[0]!)] }, down: null }] };
    expect(fleetSummary(withLost)).toMatchObject({ gpus: 1, gpusLost: 1, gpusBusy: 0, memoryUsedMiB: 0, powerW: 0 });
  });

  it('as one snapshot for the monitor: every GPU of the hosts that are up, named with its host', () => {
    const s = fleetAsSnapshot(fleet);
    expect(s.gpus).toHaveLength(9);
    expect(s.gpus[0]!.name).toBe('dgx-demo H100 80GB HBM3');
    // node3 is down under the same hostname as node2: the label stays host:port, as in the alerts.
    expect(s.gpus[8]!.name).toBe('node2:9400 H100 80GB HBM3');
    expect(s.gpus.map((g) => g.host)).toEqual([...Array(8).fill('dgx-demo'), 'node2:9400']);
    expect(s.processes.map((p) => p.host)).toEqual([...eight.processes.map(() => 'dgx-demo'), ...one.processes.map(() => 'node2:9400')]);
    expect(s.processes).toHaveLength(eight.processes.length + one.processes.length);
    expect(s.gpus[8]!.uuid).toBe(`http://node2:9400#${one.gpus[0]!.uuid}`);
    expect(s.processes.filter((p) => p.gpuUuid === s.gpus[8]!.uuid)).toHaveLength(one.processes.length);
    expect(s.host).toMatchObject({ hostname: 'fleet of 4 (2 down)', cpuCount: eight.host.cpuCount + one.host.cpuCount, loadAverage: null });
    expect(s.host.memoryTotalBytes).toBe(eight.host.memoryTotalBytes! + one.host.memoryTotalBytes!);
    expect(s.driverVersion).toBe('580.159.04');
  });

  it('two hosts with one name (two copies of a recording) are told apart by host:port, their GPUs by URL', () => {
    const twins: FleetSnapshot = { time: T0, hosts: [fleet.hosts[1]!, { url: 'http://node5:9400', snapshot: one, down: null }] };
    const s = fleetAsSnapshot(twins);
    expect(s.gpus.map((g) => g.name)).toEqual(['node2:9400 H100 80GB HBM3', 'node5:9400 H100 80GB HBM3']);
    expect(new Set(s.gpus.map((g) => g.uuid)).size).toBe(2);
  });

  it('alerts: a host that is down (or has not answered) is critical; the others are judged one by one', () => {
    const hot = { ...one, gpus: one.gpus.map((g) => ({ ...g, temperatureGpuC: 95 })) };
    const f: FleetSnapshot = { ...fleet, hosts: [{ url: 'http://node2:9400', snapshot: hot, down: null }, fleet.hosts[2]!] };
    expect(fleetAlertsAtInstant(f)).toMatchObject([
      { rule: 'host_down', severity: 'critical', host: 'node3:9400', gpuIndex: null, message: 'connection refused', since: T0 - 5000 },
      { rule: 'temperature', severity: 'warning', host: 'node2:9400', gpuIndex: 0 },
    ]);
    const stale = { ...one, stale: { since: T0 - 2000, reason: 'nvidia-smi stopped answering' } };
    expect(fleetAlertsAtInstant({ time: T0, hosts: [{ url: 'http://node2:9400', snapshot: stale, down: null }] })).toMatchObject([
      { rule: 'host_stale', severity: 'warning', host: 'h100-demo', since: T0 - 2000, message: 'GPU data stale: nvidia-smi stopped answering' },
    ]);
    // Over time, each host keeps its own count: 30 s over the limit before the warning.
    const e = new FleetAlertEvaluator(DEFAULT_ALERT_LIMITS);
    const at = (t: number): FleetSnapshot => ({ time: T0 + t * 1000, hosts: [{ url: 'http://node2:9400', snapshot: { ...hot, time: T0 + t * 1000 }, down: null }] });
    expect(e.feed(at(0))).toEqual([]);
    expect(e.feed(at(30)).map((a) => a.rule)).toEqual(['temperature']);
  });
});
