import { alertLimitsOf, type Settings } from '../../config/settings.js';
import { AlertEvaluator } from '../../model/alerts.js';
import { FleetAlertEvaluator, fleetAsSnapshot, type FleetSnapshot } from '../../model/fleet.js';
import type { Snapshot } from '../../model/types.js';
import { openSource } from '../../sampler/open.js';
import { FleetSnapshotSource, FleetSource } from '../../sampler/remote.js';
import type { SnapshotSource } from '../../sampler/source.js';
import { type AlertLine, fleetSummarySegs } from '../../views/text/fleet.js';
import { type CommonOptions, sourceOptions } from '../shared/options.js';
import { remoteUrls } from '../shared/remote.js';

/** What the monitor reads: local GPUs, or the `--remote` fleet as one snapshot; and the alerts of each snapshot. */
export async function openMonitorSource(
  opts: CommonOptions,
  env: NodeJS.ProcessEnv,
  settings: Settings,
): Promise<{ source: SnapshotSource; alertsOf: (s: Snapshot) => readonly AlertLine[]; remote: boolean }> {
  const limits = alertLimitsOf(settings);
  const urls = remoteUrls(opts, settings);
  if (urls.length === 0) {
    const evaluator = new AlertEvaluator(limits);
    return { source: await openSource(sourceOptions(opts, env, settings)), alertsOf: (s) => evaluator.feed(s).map((a) => ({ ...a, host: '' })), remote: false };
  }
  const fleet = new FleetSource(urls, { timeoutMs: opts.timeout });
  const evaluator = new FleetAlertEvaluator(limits);
  // The header names the host: for a fleet, its summary line.
  const merge = (f: FleetSnapshot): Snapshot => {
    const s = fleetAsSnapshot(f);
    return { ...s, host: { ...s.host, hostname: fleetSummarySegs(f).map((x) => x.text).join('') } };
  };
  return { source: new FleetSnapshotSource(fleet, opts.interval ?? settings.interval * 1000, merge), alertsOf: () => evaluator.feed(fleet.latest()), remote: true };
}
