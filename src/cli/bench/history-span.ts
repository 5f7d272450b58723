import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HttpBenchResult } from '../../bench/http-bench.js';
import { defaultDbPath, describeError, openHistory, StoreError } from '../../db/database.js';
import { addBenchSpan, type BenchEnd, type FinishedSpan } from '../../db/recorder.js';

/**
 * A benchmark run as a span of kind `bench` in the history database, so that
 * `gpumon report` shades it on the time axis and `export`/`report --label`
 * find it. The bench commands import this at the end of a run; openHistory
 * loads SQLite (a native addon) only when there is a span to write.
 */

/**
 * Where a benchmark's span goes: `--history-db` (made if need be), else the
 * default history database only if it already exists: someone who never
 * recorded gets no new file. Null: nowhere.
 */
export function benchHistoryPath(flag: string | undefined, env: NodeJS.ProcessEnv): string | null {
  if (flag !== undefined) return flag;
  const path = defaultDbPath(env);
  return existsSync(path) ? path : null;
}

/** `bench http llama-3-8b @ 10 req/s` (or `@ inf req/s`: all at once). */
export const httpSpanLabel = (r: Pick<HttpBenchResult, 'model_id' | 'request_rate'>) => `bench http ${r.model_id} @ ${r.request_rate} req/s`;

/** How a `bench http` run ended, for its span: `interrupted` is the stop the caller asked for (Ctrl-C, or the panel's x). */
export function httpSpanEnd(r: HttpBenchResult, interrupted: BenchEnd): BenchEnd {
  if (r.stopped_by === 'interrupted') return interrupted;
  return r.completed === 0 ? 'failed' : r.stopped_by;
}

/** The span's row: the result file as an absolute path (the report may be made from another folder). */
export function benchSpan(label: string, start: number, end: number, endedBy: BenchEnd, resultFile: string | null): FinishedSpan {
  return { label, start, end, endedBy, resultFile: resultFile === null ? null : resolve(resultFile) };
}

/**
 * Adds the span to the database at `path`. Never throws: a file that cannot
 * be opened or written must not fail the benchmark, so this returns why
 * (a line to show), or null once the span is in.
 */
export async function writeBenchSpan(path: string, span: FinishedSpan): Promise<string | null> {
  try {
    const db = await openHistory(path, 'write');
    try {
      addBenchSpan(db, span);
    } finally {
      db.close();
    }
    return null;
  } catch (e) {
    return `span not recorded: ${e instanceof StoreError ? e.message : `cannot write to ${path} (${describeError(e)})`}`;
  }
}

/** For the bench commands: writes the span where `--history-db` (or the default) says, and says on stderr what happened, in one line. */
export async function recordBenchSpan(flag: string | undefined, env: NodeJS.ProcessEnv, span: FinishedSpan, stderr: NodeJS.WritableStream): Promise<void> {
  const path = benchHistoryPath(flag, env);
  if (path === null) return;
  const problem = await writeBenchSpan(path, span);
  stderr.write(problem ? `gpumon: ${problem}\n` : `gpumon: span '${span.label}' added to ${path}\n`);
}
