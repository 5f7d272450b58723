import { alertLimitsOf, type Settings } from '../../config/settings.js';
import { loadSettings } from '../../config/settings-file.js';
import { ALERT_RULES, AlertEvaluator, type AlertLimits, alertsAtInstant, hasDuration, type Severity, worstSeverity } from '../../model/alerts.js';
import { FleetAlertEvaluator, fleetAlertsAtInstant, fleetAsSnapshot, type FleetSnapshot, type HostAlert } from '../../model/fleet.js';
import type { Snapshot } from '../../model/types.js';
import { openSource } from '../../sampler/open.js';
import { FleetSnapshotSource, FleetSource, normalizeServerUrl, readFleet } from '../../sampler/remote.js';
import type { SnapshotSource } from '../../sampler/source.js';
import { VERSION } from '../../version.js';
import { makePainter, type Painter, shouldColor } from '../../views/style.js';
import { type AlertLine, alertLines, fleetJson, fleetSummarySegs, renderFleetText } from '../../views/text/fleet.js';
import { EXIT, UsageError } from '../../exit-status.js';
import { type Io, readSnapshot } from './run.js';
import { appearance, type CommonOptions, sourceOptions } from '../shared/options.js';

/**
 * `--once` with `--remote` (several hosts) or `--check` (alerts, for cron
 * and health checks), and the monitor's source, local or a fleet, with its
 * alerts. Plain `--once` never imports this.
 */

/** The servers `--remote` names, else the `remote` setting; `--remote ''` turns the setting off. */
export function remoteUrls(opts: CommonOptions, settings: Pick<Settings, 'remote'>): string[] {
  if (opts.remote === undefined) return [...settings.remote];
  const urls = opts.remote.split(',').filter((u) => u.trim());
  return urls.map((u) => normalizeServerUrl(u) ?? fail(u));
}

const fail = (u: string): never => {
  throw new UsageError(`--remote: '${u}' is not a server URL (e.g. http://node1:9400)`);
};

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

/** The exit status `--check` gives for the worst alert. */
export function checkStatus(alerts: readonly { readonly severity: Severity }[]): number {
  const worst = worstSeverity(alerts);
  return worst === 'critical' ? EXIT.alertCritical : worst === 'warning' ? EXIT.alertWarning : EXIT.ok;
}

function durationNote(limits: AlertLimits): string {
  const timed = ALERT_RULES.filter((r) => hasDuration(r, limits));
  return timed.length ? `Note: on one snapshot, ${timed.join(' and ')} are judged as if the condition had lasted.` : '';
}

/** `--check`: one line per alert (or a JSON document), and the status for the worst. */
function writeCheck(alerts: readonly HostAlert[], opts: CommonOptions, limits: AlertLimits, io: Io, painter: Painter): number {
  if (opts.json) {
    const list = alerts.map((a) => ({ host: a.host, gpu: a.gpuIndex, uuid: a.gpuUuid || null, rule: a.rule, severity: a.severity, message: a.message }));
    io.stdout.write(`${JSON.stringify({ status: worstSeverity(alerts) ?? 'ok', alerts: list }, null, 2)}\n`);
  } else {
    io.stdout.write(alerts.length ? `${alertLines(alerts, painter).join('\n')}\n` : 'OK: no alerts\n');
    const note = durationNote(limits);
    if (note) io.stdout.write(`${note}\n`);
  }
  return checkStatus(alerts);
}

export async function runFleetOnce(opts: CommonOptions, io: Io): Promise<number> {
  const { settings } = loadSettings(io.env);
  const limits = alertLimitsOf(settings);
  const urls = remoteUrls(opts, settings);
  const look = appearance(opts, settings);
  const painter = makePainter(shouldColor(io.stdout.isTTY === true, io.env), look.theme);
  const fleet = urls.length ? await readFleet(urls, opts.timeout) : null;

  if (opts.check) {
    if (fleet) return writeCheck(fleetAlertsAtInstant(fleet, limits), opts, limits, io, painter);
    const s = await readSnapshot(opts, io.env);
    return writeCheck(alertsAtInstant(s, limits).map((a) => ({ ...a, host: s.host.hostname })), opts, limits, io, painter);
  }
  if (!fleet) throw new Error('runFleetOnce needs --check or servers to read');
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(fleetJson(fleet, VERSION), null, 2)}\n`);
    return EXIT.ok;
  }
  const columns = io.stdout.isTTY ? io.stdout.columns : Number(io.env.COLUMNS) || undefined;
  io.stdout.write(
    renderFleetText(fleet, {
      ascii: look.ascii,
      painter,
      version: VERSION,
      thresholds: look.thresholds,
      width: columns ?? 80,
      compact: opts.compact === true,
      compactWidth: io.stdout.isTTY ? (columns ?? 80) : null,
    }),
  );
  return EXIT.ok;
}
