import { type Database, defaultDbPath, openHistory, StoreError, type StoreErrorKind } from '../../db/database.js';
import { type Range, resolveRange } from '../../db/query.js';
import { CliError, EXIT } from '../../exit-status.js';
import type { RangeFlags } from './flags.js';

const EXIT_FOR_STORE: Record<StoreErrorKind, number> = {
  missing: EXIT.cannotRead,
  unwritable: EXIT.cannotWrite,
  corrupt: EXIT.unreadable,
  no_data: EXIT.noData,
  busy: EXIT.busy,
};

/** A StoreError as the CLI's error (message and exit status); anything else unchanged. */
export function asCliError(e: unknown): unknown {
  return e instanceof StoreError ? new CliError(e.message, EXIT_FOR_STORE[e.kind]) : e;
}

/** --db, else the default path. */
export function dbPath(flags: { readonly db?: string }, env: NodeJS.ProcessEnv): string {
  return flags.db ?? defaultDbPath(env);
}

/**
 * Opens the database and runs `then` on it; if either fails, the database is
 * closed and a store error becomes the CLI's (message and exit status).
 */
export async function openHistoryFor<T>(path: string, mode: 'read' | 'write', then: (db: Database) => T | Promise<T>): Promise<{ db: Database; value: T }> {
  try {
    const db = await openHistory(path, mode);
    try {
      return { db, value: await then(db) };
    } catch (e) {
      db.close();
      throw e;
    }
  } catch (e) {
    throw asCliError(e);
  }
}

/** Opens the database for export/report and resolves --since/--until/--label/--gpu; the caller closes it. */
export async function openRange(flags: RangeFlags, env: NodeJS.ProcessEnv): Promise<{ db: Database; range: Range; path: string }> {
  const path = dbPath(flags, env);
  const gpus = flags.gpu?.split(',').map((t) => t.trim()).filter(Boolean) ?? null;
  const { db, value: range } = await openHistoryFor(path, 'read', (d) => resolveRange(d, { since: flags.since ?? null, until: flags.until ?? null, label: flags.label ?? null, gpus }));
  return { db, path, range };
}
