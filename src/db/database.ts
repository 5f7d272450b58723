import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, SCHEMA, SCHEMA_VERSION } from './schema.js';

export type Database = BetterSqlite3.Database;

/** Why the history database cannot be used; the CLI turns each kind into a message and an exit status. */
export type StoreErrorKind = 'missing' | 'corrupt' | 'unwritable' | 'busy' | 'no_data';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** `$XDG_DATA_HOME/gpumon/history.db`, else `~/.local/share/gpumon/history.db`. */
export function defaultDbPath(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_DATA_HOME || join(os.homedir(), '.local', 'share'), 'gpumon', 'history.db');
}

/** The native addon, loaded only by the commands that use it (record, export, report, monitor --record). */
async function sqlite(): Promise<typeof BetterSqlite3> {
  return (await import('better-sqlite3')).default;
}

/** An SQLite error as `CODE: message`, for messages that say why. */
export function describeError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = String(err.message ?? e);
  // Node's own errors already start with their code ("EEXIST: file already exists, ...").
  return err.code && !message.startsWith(err.code) ? `${err.code}: ${message}` : message;
}

function isCorruption(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

const schemaVersion = (db: Database) => db.pragma('user_version', { simple: true }) as number;

/**
 * Brings the file to SCHEMA_VERSION in one write transaction, so a crash
 * leaves it as it was and two processes opening an old file at once migrate
 * it once. A current file is not written to at all: opening it next to a
 * recorder (a benchmark adding its span) takes no write lock.
 */
function migrate(db: Database, path: string): void {
  const newer = (v: number) => new StoreError('corrupt', `${path} was written by a newer gpumon (schema ${v}; this one reads ${SCHEMA_VERSION})`);
  const found = schemaVersion(db);
  if (found > SCHEMA_VERSION) throw newer(found);
  if (found === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated it meanwhile.
    const version = schemaVersion(db);
    if (version > SCHEMA_VERSION) throw newer(version);
    if (version === SCHEMA_VERSION) return;
    db.exec(SCHEMA);
    for (const step of MIGRATIONS.slice(Math.max(0, version - 1))) db.exec(step);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * Opens (and for a writer creates) the history database: WAL, so readers
 * (export, report) never block the recorder and a killed recorder loses at
 * most the transaction it was in; synchronous=NORMAL, which in WAL mode is
 * durable across a crash of the process (not of the machine).
 */
export async function openHistory(path: string, mode: 'write' | 'read'): Promise<Database> {
  const Sqlite = await sqlite();
  if (mode === 'read' && !existsSync(path)) throw new StoreError('missing', `no history database at ${path} (record one with gpumon record)`);
  let db: Database;
  try {
    if (mode === 'write') mkdirSync(dirname(path), { recursive: true });
    db = new Sqlite(path, { fileMustExist: mode === 'read', timeout: 2000 });
  } catch (e) {
    throw new StoreError(mode === 'read' ? 'missing' : 'unwritable', `cannot open ${path} (${describeError(e)})`);
  }
  try {
    if (mode === 'write') {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db, path);
    } else {
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('samples', 'gpu_samples', 'spans')").get() as { n: number };
      if (tables.n < 3) throw new StoreError('corrupt', `${path} is not a gpumon history database`);
    }
    return db;
  } catch (e) {
    db.close();
    if (e instanceof StoreError) throw e;
    if (isCorruption(e)) throw new StoreError('corrupt', `${path} is not a readable SQLite database (${describeError(e)})`);
    throw new StoreError('unwritable', `cannot use ${path} (${describeError(e)})`);
  }
}

/**
 * One recorder per file. The lock is SQLite's own exclusive lock on a small
 * file beside the database, held for the recorder's life: the kernel drops
 * it when the process dies however it dies, so a killed recorder never
 * leaves a stale lock, and a reused PID cannot hold one either.
 * The holder's PID is written to the database's `meta` for the message.
 */
export async function lockForRecording(db: Database, path: string): Promise<() => void> {
  const Sqlite = await sqlite();
  let lock: Database;
  try {
    lock = new Sqlite(`${path}.lock`, { timeout: 0 });
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
    lock.exec('BEGIN EXCLUSIVE; DELETE FROM holder; COMMIT');
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') {
      const holder = db.prepare("SELECT value FROM meta WHERE key = 'recorder.pid'").get() as { value: string } | undefined;
      throw new StoreError('busy', `another recorder${holder ? ` (PID ${holder.value})` : ''} is writing to ${path}; stop it first, or record to another file (--db, or --record PATH in the monitor)`);
    }
    throw new StoreError('unwritable', `cannot lock ${path}.lock (${describeError(e)})`);
  }
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('recorder.pid', ?)").run(String(process.pid));
  return () => lock.close();
}
