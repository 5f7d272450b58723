import { loadSettings } from '../../../config/settings-file.js';
import { CliError, EXIT, exitForSignal, STOP_SIGNALS } from '../../../exit-status.js';
import type { SpanEnd } from '../../../db/recorder.js';
import { openSource } from '../../../sampler/open.js';
import type { SnapshotSource } from '../../../sampler/source.js';
import { sourceOptions } from '../../shared/options.js';
import { reportError } from '../../shared/report-error.js';
import { dbPath } from '../open-db.js';
import type { RecordFlags } from './flags.js';
import { type Recording, startRecording } from './recording.js';

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
