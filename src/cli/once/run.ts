import type { Snapshot } from '../../model/types.js';
import { demoSnapshot, loadRecording } from '../../sampler/demo.js';
import { loadSettings } from '../../config/settings-file.js';
import { selectOrFail } from '../../sampler/source.js';
import { VERSION } from '../../version.js';
import { renderJson } from '../../views/json.js';
import { makePainter, shouldColor } from '../../views/style.js';
import { renderCompact } from '../../views/text/compact.js';
import { renderOnce } from '../../views/text/snapshot-text.js';
import { appearance, type CommonOptions, demoName, gpuSelection, selectionName, smiPath } from '../shared/options.js';

export interface Io {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly env: NodeJS.ProcessEnv;
}

/** Reads one snapshot: from the demo recording, or from nvidia-smi. Throws SmiFailure. */
export async function readSnapshot(opts: CommonOptions, env: NodeJS.ProcessEnv): Promise<Snapshot> {
  const selection = gpuSelection(opts, env);
  const demo = demoName(opts);
  let snapshot: Snapshot;
  if (demo) {
    const rec = loadRecording(demo);
    snapshot = demoSnapshot(rec, rec.spec.onceAtMs);
  } else {
    // Loaded only here: spawning (execa) is a third of the bundle, and --demo needs none of it.
    const [{ sampleOnce }, { NvidiaSmi }] = await Promise.all([import('../../sampler/sample-once.js'), import('../../sampler/nvidia-smi/client.js')]);
    snapshot = await sampleOnce(new NvidiaSmi(smiPath(opts, env), opts.timeout));
  }
  return selectOrFail(snapshot, selection, selectionName(opts, env));
}

/** `gpumon --once` in all its forms. Returns the exit status. */
export async function runOnce(opts: CommonOptions, io: Io): Promise<number> {
  const remote = opts.remote ?? loadSettings(io.env).settings.remote.join(',');
  if (opts.check || remote) return (await import('./fleet.js')).runFleetOnce(opts, io);
  const snapshot = await readSnapshot(opts, io.env);
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
