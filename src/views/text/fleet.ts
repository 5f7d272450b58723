import type { AlertLine } from '../../model/alerts.js';
import { type FleetHost, type FleetSnapshot, fleetSummary, hostLabel } from '../../model/fleet.js';
import { fmtClock, fmtMiBPair } from '../format.js';
import { snapshotJson } from '../json.js';
import type { Painter } from '../style.js';
import { renderCompact } from './compact.js';
import { line, seg, type Seg } from './layout.js';
import { renderOnce, type TextViewOptions } from './snapshot-text.js';

/**
 * `--remote`: several hosts in `--once`, `--compact` and `--json`, each
 * host drawn by the one-host renderers, under a line naming it, with a
 * summary line for the fleet on top.
 */

/** `Fleet  3 hosts, 1 down   GPUs 16: 9 busy   memory 400/1280 GiB   power 5.21 kW`. */
export function fleetSummarySegs(f: FleetSnapshot): Seg[] {
  const s = fleetSummary(f);
  const down = s.hosts - s.hostsUp;
  const kw = s.powerW >= 1000 ? `${(s.powerW / 1000).toFixed(2)} kW` : `${Math.round(s.powerW)} W`;
  return [
    seg('Fleet', 'title'),
    seg(`  ${s.hosts} host${s.hosts === 1 ? '' : 's'}`),
    ...(down ? [seg(`, ${down} down`, 'severe')] : []),
    seg(`   GPUs ${s.gpus}: ${s.gpusBusy} busy`),
    ...(s.gpusLost ? [seg(`, ${s.gpusLost} lost`, 'severe')] : []),
    seg(`   memory ${fmtMiBPair(s.memoryUsedMiB, s.memoryTotalMiB)}`),
    seg(`   power ${kw}`),
  ];
}

/** The line above each host: its name and URL, or that it is down, since when and why. */
export function hostHeadingSegs(h: FleetHost, ascii: boolean): Seg[] {
  const rule = ascii ? '==' : '══';
  // A host that never answered is known by its URL alone.
  const name = h.snapshot ? [seg(`${rule} ${hostLabel(h)}`, 'bold'), seg(`  ${h.url}`, 'dim')] : [seg(`${rule} ${h.url}`, 'bold')];
  if (!h.down) return name;
  return [...name, seg(`  DOWN since ${fmtClock(h.down.since).slice(11, 19)}: ${h.down.reason}`, 'severe')];
}

export interface FleetTextOptions extends TextViewOptions {
  readonly compact: boolean;
  /** Compact lines are not cut in a pipe (null), as `--once --compact`. */
  readonly compactWidth: number | null;
}

export function renderFleetText(f: FleetSnapshot, o: FleetTextOptions): string {
  const width = Math.max(80, o.width);
  const out: string[] = [line(fleetSummarySegs(f), width, o.painter, o.ascii).trimEnd()];
  for (const h of f.hosts) {
    // Not cut to the width: why a host is down is worth a wrapped line.
    out.push('', hostHeadingSegs(h, o.ascii).map((x) => o.painter.paint(x.token, x.text)).join(''));
    if (h.down || !h.snapshot) continue;
    const body = o.compact ? renderCompact(h.snapshot, { ...o, width: o.compactWidth }) : renderOnce(h.snapshot, o);
    out.push(body.trimEnd());
  }
  return `${out.join('\n')}\n`;
}

/** `--json --remote`: the fleet's totals, then each host's `--json` document, or why it is down. */
export function fleetJson(f: FleetSnapshot, version: string): Record<string, unknown> {
  const s = fleetSummary(f);
  return {
    query_time: new Date(f.time).toISOString(),
    gpumon_version: version,
    summary: {
      hosts: s.hosts,
      hosts_up: s.hostsUp,
      gpus: s.gpus,
      gpus_busy: s.gpusBusy,
      gpus_lost: s.gpusLost,
      'memory.used': s.memoryUsedMiB,
      'memory.total': s.memoryTotalMiB,
      'power.draw': Math.round(s.powerW * 100) / 100,
    },
    hosts: f.hosts.map((h) => ({
      url: h.url,
      up: !h.down && h.snapshot !== null,
      down: h.down ? { since: new Date(h.down.since).toISOString(), reason: h.down.reason } : null,
      snapshot: h.snapshot && !h.down ? snapshotJson(h.snapshot, version) : null,
    })),
  };
}

export type { AlertLine };

/** One line per alert for `--check`: `critical  node1  GPU 3  slowdown: clocks slowed: hw_slowdown`. */
export function alertLines(alerts: readonly AlertLine[], painter: Painter): string[] {
  return alerts.map((a) =>
    [painter.paint(a.severity === 'critical' ? 'severe' : 'moderate', a.severity.padEnd(8)), a.host, a.gpuIndex === null ? 'host ' : `GPU ${a.gpuIndex}`, `${a.rule}: ${a.message}`].join('  '),
  );
}
