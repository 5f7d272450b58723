import type { Snapshot } from '../model/types.js';
import { demoSnapshot, loadRecording } from './demo.js';
import type { OpenSourceOptions } from './open.js';
import { selectOrFail } from './source.js';

/** What reading one snapshot needs: openSource()'s options, less the interval. */
export type ReadSnapshotOptions = Omit<OpenSourceOptions, 'intervalMs'>;

/** Reads one snapshot: from the demo recording, or from nvidia-smi; only the GPUs selected. Throws SmiFailure. */
export async function readSnapshot(o: ReadSnapshotOptions): Promise<Snapshot> {
  let snapshot: Snapshot;
  if (o.demo) {
    const rec = loadRecording(o.demo);
    snapshot = demoSnapshot(rec, rec.spec.onceAtMs);
  } else {
    // Loaded only here: spawning (execa) is a third of the bundle, and --demo needs none of it.
    const [{ sampleOnce }, { NvidiaSmi }] = await Promise.all([import('./sample-once.js'), import('./nvidia-smi/client.js')]);
    snapshot = await sampleOnce(new NvidiaSmi(o.smiPath, o.timeoutMs));
  }
  return selectOrFail(snapshot, o.selection, o.selectionName ?? '--only');
}
