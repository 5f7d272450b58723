import { alertLimitsOf } from '../../config/settings.js';
import { loadSettings } from '../../config/settings-file.js';
import { EXIT } from '../../exit-status.js';
import { ALERT_RULES, type AlertLimits, alertsAtInstant, hasDuration, type Severity, worstSeverity } from '../../model/alerts.js';
import { fleetAlertsAtInstant, type HostAlert } from '../../model/fleet.js';
import { readSnapshot } from '../../sampler/read-snapshot.js';
import { readFleet } from '../../sampler/remote.js';
import { VERSION } from '../../version.js';
import { makePainter, type Painter, shouldColor } from '../../views/style.js';
import { alertLines, fleetJson, renderFleetText } from '../../views/text/fleet.js';
import type { Io } from '../shared/io.js';
import { appearance, type CommonOptions, snapshotOptions } from '../shared/options.js';
import { remoteUrls } from '../shared/remote.js';

/**
 * `--once` with `--remote` (several hosts) or `--check` (alerts, for cron
 * and health checks). Plain `--once` never imports this.
 */

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
    const s = await readSnapshot(snapshotOptions(opts, io.env));
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
