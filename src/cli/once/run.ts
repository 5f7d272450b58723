import { loadSettings } from '../../config/settings-file.js';
import { readSnapshot } from '../../sampler/read-snapshot.js';
import { VERSION } from '../../version.js';
import { renderJson } from '../../views/json.js';
import { makePainter, shouldColor } from '../../views/style.js';
import { renderCompact } from '../../views/text/compact.js';
import { renderOnce } from '../../views/text/snapshot-text.js';
import type { Io } from '../shared/io.js';
import { appearance, type CommonOptions, snapshotOptions } from '../shared/options.js';

/** `gpumon --once` in all its forms. Returns the exit status. */
export async function runOnce(opts: CommonOptions, io: Io): Promise<number> {
  const remote = opts.remote ?? loadSettings(io.env).settings.remote.join(',');
  if (opts.check || remote) return (await import('./fleet.js')).runFleetOnce(opts, io);
  const snapshot = await readSnapshot(snapshotOptions(opts, io.env));
  if (opts.json) {
    io.stdout.write(renderJson(snapshot, VERSION));
    return 0;
  }
  const look = appearance(opts, loadSettings(io.env).settings);
  const painter = makePainter(shouldColor(io.stdout.isTTY === true, io.env), look.theme);
  const columns = io.stdout.isTTY ? io.stdout.columns : Number(io.env.COLUMNS) || undefined;
  const view = { ascii: look.ascii, painter, version: VERSION, thresholds: look.thresholds };
  if (opts.compact) io.stdout.write(renderCompact(snapshot, { ...view, width: io.stdout.isTTY ? (columns ?? 80) : null }));
  else io.stdout.write(renderOnce(snapshot, { ...view, width: columns ?? 80 }));
  return 0;
}
