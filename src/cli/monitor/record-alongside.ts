import type { Settings } from '../../config/settings.js';
import type { SpanEnd } from '../../db/recorder.js';
import { GpuHistory } from '../../model/history.js';
import type { Snapshot } from '../../model/types.js';
import type { SnapshotSource } from '../../sampler/source.js';
import { dbPath } from '../history/open-db.js';
import { startRecording } from '../history/record/recording.js';

const END_OF_EXIT: Record<number, SpanEnd> = { 0: 'quit', 129: 'SIGHUP', 130: 'SIGINT', 143: 'SIGTERM' };

/**
 * The monitor's `--record [PATH]`: a second subscriber on the monitor's own
 * source writes each snapshot (the views never see SQLite), and the graphs
 * start from what the database holds for the last `capacity` intervals.
 * `onError` is told when a write fails; the monitor then ends.
 */
export async function recordAlongside(
  flag: string | true,
  env: NodeJS.ProcessEnv,
  settings: Settings,
  source: SnapshotSource,
  first: Snapshot,
  intervalMs: number,
  onError: (e: unknown) => void,
): Promise<{ history: GpuHistory; close(exitCode: number): void }> {
  const recording = await startRecording(flag === true ? dbPath({}, env) : flag, null, settings, first);
  const history = new GpuHistory();
  for (const s of recording.recent(history.capacity * intervalMs)) history.add(s);
  const unsubscribe = source.subscribe((s) => {
    try {
      recording.add(s);
    } catch (e) {
      onError(e);
    }
  });
  return {
    history,
    close(exitCode) {
      unsubscribe();
      try {
        recording.close(END_OF_EXIT[exitCode] ?? 'error');
      } catch {
        // Called while the monitor gives the terminal back, which must not fail. The samples are
        // committed; only the span's end is lost, and the next recorder closes the span.
      }
    },
  };
}
