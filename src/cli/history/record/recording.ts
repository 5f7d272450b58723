import type { Settings } from '../../../config/settings.js';
import { lockForRecording } from '../../../db/database.js';
import { rangeBefore, readSamples, type StoredSample } from '../../../db/query.js';
import { HistoryRecorder, type SpanEnd } from '../../../db/recorder.js';
import { applyRetention, type Retention } from '../../../db/retention.js';
import { CliError, EXIT } from '../../../exit-status.js';
import type { Snapshot } from '../../../model/types.js';
import { openHistoryFor } from '../open-db.js';

const RETENTION_EVERY_MS = 10 * 60_000;

export function retentionOf(s: Settings): Retention {
  return { fullMs: s['record.retention.full'] * 3_600_000, minuteMs: s['record.retention.minute'] * 86_400_000 };
}

/** A recorder on an open, locked database: what `gpumon record` and the monitor's --record share. */
export interface Recording {
  readonly path: string;
  /** The samples of the last `ms` before `first`, oldest first (to preload the monitor's graphs). */
  recent(ms: number): StoredSample[];
  /** Stores a snapshot; a write that fails (disk full, file gone) throws CliError (78). */
  add(s: Snapshot): void;
  /** Snapshots stored so far. */
  readonly stored: number;
  /** Ends the span and closes the database. */
  close(how: SpanEnd): void;
}

/**
 * Opens PATH for recording (refusing a second recorder), folds old samples
 * (retention), and opens a span starting at `first`.
 */
export async function startRecording(path: string, label: string | null, settings: Settings, first: Snapshot): Promise<Recording> {
  const { db, value: unlock } = await openHistoryFor(path, 'write', (d) => lockForRecording(d, path));
  const retention = retentionOf(settings);
  const recorder = new HistoryRecorder(db);
  let lastRetention = Date.now();
  const guard = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new CliError(`cannot write to ${path} (${what}: ${(e as Error).message})`, EXIT.cannotWrite);
    }
  };
  guard('start', () => {
    applyRetention(db, retention, Date.now());
    recorder.begin('record', label, first.time);
    recorder.add(first);
  });
  let closed = false;
  return {
    path,
    get stored() {
      return recorder.stored;
    },
    // Minute means (older than the full-resolution window) would draw as if they were samples: full ones only.
    recent: (ms) => [...readSamples(db, rangeBefore(first.time, ms))].filter((s) => s.minuteOf === null),
    add(s) {
      guard('sample', () => recorder.add(s));
      if (s.time - lastRetention >= RETENTION_EVERY_MS) {
        lastRetention = s.time;
        guard('retention', () => applyRetention(db, retention, s.time));
      }
    },
    close(how) {
      if (closed) return;
      closed = true;
      try {
        recorder.end(how, Date.now());
      } finally {
        db.close();
        unlock();
      }
    },
  };
}
