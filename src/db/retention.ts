import type { Database } from './database.js';
import { MINUTE_COLUMNS } from './schema.js';

export interface Retention {
  /** Keep every sample this long (ms). */
  readonly fullMs: number;
  /** Keep per-minute means, minima and maxima this long (ms). */
  readonly minuteMs: number;
}

const MINUTE = 60_000;

/**
 * Keeps the file bounded: GPU samples older than `fullMs` become one row
 * per GPU and minute (mean, min, max of each graphed metric), and those rows
 * go after `minuteMs`. Host and process samples are kept at full resolution
 * only. The cut is on a minute boundary, so each minute is folded once, whole.
 * Returns how many full-resolution GPU rows were folded.
 */
export function applyRetention(db: Database, r: Retention, now: number): number {
  const cutoff = Math.floor((now - r.fullMs) / MINUTE) * MINUTE;
  const stats = MINUTE_COLUMNS.flatMap((c) => [`avg(${c})`, `min(${c})`, `max(${c})`]).join(', ');
  const columns = MINUTE_COLUMNS.flatMap((c) => [`${c}_mean`, `${c}_min`, `${c}_max`]).join(', ');
  return db.transaction(() => {
    const folded = db
      .prepare(
        `INSERT OR REPLACE INTO gpu_minutes (minute, gpu, gpu_index, samples, ${columns})
         SELECT (time / ${MINUTE}) * ${MINUTE} AS m, gpu, max(gpu_index), count(*), ${stats}
         FROM gpu_samples WHERE time < ? GROUP BY m, gpu`,
      )
      .run(cutoff).changes;
    for (const table of ['gpu_samples', 'process_samples', 'samples']) db.prepare(`DELETE FROM ${table} WHERE time < ?`).run(cutoff);
    db.prepare('DELETE FROM gpu_minutes WHERE minute < ?').run(now - r.minuteMs);
    if (folded > 0) db.prepare('DELETE FROM processes WHERE id NOT IN (SELECT DISTINCT process FROM process_samples)').run();
    return folded;
  })();
}
