import { loadSettings } from '../../../config/settings-file.js';
import type { Snapshot } from '../../../model/types.js';
import { openSource } from '../../../sampler/open.js';
import type { SnapshotSource } from '../../../sampler/source.js';
import { lockForRecording } from '../../../db/database.js';
import { HistoryRecorder, type SpanEnd } from '../../../db/recorder.js';
import { applyRetention, type Retention } from '../../../db/retention.js';
import { rangeBefore, readSamples, type StoredSample } from '../../../db/query.js';
import { GpuHistory } from '../../../model/history.js';
import type { Settings } from '../../../config/settings.js';
import { reportError } from '../../shared/report-error.js';
import { CliError, EXIT, exitForSignal, STOP_SIGNALS } from '../../../exit-status.js';
import { dbPath, openHistoryFor } from '../open-db.js';
import type { RecordFlags } from '../flags.js';
import { sourceOptions } from '../../shared/options.js';

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

type EndSignal = (typeof STOP_SIGNALS)[number];

/**
 * `gpumon record`: samples to SQLite until --duration passes or a signal
 * ends it (the span is closed, exit 130/143/129 as the monitor's).
 */
export async function runRecord(opts: RecordFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const { settings } = loadSettings(env);
  const path = dbPath(opts, env);
  const source: SnapshotSource = await openSource(sourceOptions(opts, env, settings));
  let recording: Recording;
  try {
    const first = await source.start();
    recording = await startRecording(path, opts.label ?? null, settings, first);
  } catch (e) {
    source.stop();
    throw e;
  }
  const intervalMs = opts.interval ?? settings.interval * 1000;
  const gpus = source.latest()?.gpus.length ?? 0;
  process.stderr.write(`gpumon: recording ${gpus} GPU${gpus === 1 ? '' : 's'} every ${intervalMs / 1000} s to ${path}${opts.label ? ` as '${opts.label}'` : ''}${opts.duration ? ` for ${opts.duration / 1000} s` : ''} (Ctrl-C stops)\n`);

  return new Promise<number>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const onSignal = (signal: EndSignal) => finish(signal, exitForSignal(signal));
    const unsubscribe = source.subscribe((s) => {
      try {
        recording.add(s);
      } catch (e) {
        finish('error', reportError(e, process.stderr));
      }
    });
    function finish(how: SpanEnd, code: number): void {
      if (timer) clearTimeout(timer);
      unsubscribe();
      source.stop();
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
      try {
        recording.close(how);
        process.stderr.write(`gpumon: recorded ${recording.stored} sample${recording.stored === 1 ? '' : 's'} to ${path} (${how === 'duration' ? 'end of --duration' : how})\n`);
      } catch (e) {
        code = reportError(new CliError(`cannot close ${path} cleanly (${(e as Error).message})`, EXIT.cannotWrite), process.stderr);
      }
      resolve(code);
    }
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
    if (opts.duration) timer = setTimeout(() => finish('duration', EXIT.ok), opts.duration);
  });
}

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
