import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openHistory, StoreError } from '../../src/db/database.js';
import { spans } from '../../src/db/query.js';
import { addBenchSpan, HistoryRecorder } from '../../src/db/recorder.js';
import { SCHEMA } from '../../src/db/schema.js';
import { snapshotSeries, T0 } from '../helpers/snapshots.js';

const tempPath = () => join(mkdtempSync(join(tmpdir(), 'gpumon-schema-')), 'history.db');

/** A file as gpumon 0.1 with schema 1 left it: its tables (spans without result_file), a recording, user_version 1. */
async function schemaOneFile(): Promise<string> {
  const path = tempPath();
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.exec(SCHEMA);
  raw.pragma('user_version = 1');
  raw.close();
  // The recorder's statements are schema 1's: write a recording with them before the file is migrated.
  const db = new Database(path);
  const recorder = new HistoryRecorder(db);
  recorder.begin('record', 'old run', T0);
  for (const s of snapshotSeries(2, 1, 5)) recorder.add(s);
  recorder.end('duration', T0 + 4000);
  db.close();
  return path;
}

const columns = (db: Database.Database) => (db.prepare("SELECT name FROM pragma_table_info('spans')").all() as { name: string }[]).map((c) => c.name);

describe('the schema and its migrations', () => {
  it('reads a schema 1 file without changing it, its spans with no result file', async () => {
    const path = await schemaOneFile();
    const db = await openHistory(path, 'read');
    expect(spans(db)).toEqual([{ id: 1, kind: 'record', label: 'old run', start: T0, end: T0 + 4000, endedBy: 'duration', resultFile: null }]);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(columns(db)).not.toContain('result_file');
    db.close();
  });

  it('migrates a schema 1 file to 2 when opened for writing, keeping what it holds', async () => {
    const path = await schemaOneFile();
    const db = await openHistory(path, 'write');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(columns(db)).toContain('result_file');
    addBenchSpan(db, { label: 'bench run x', start: T0 + 1000, end: T0 + 2000, endedBy: 'completed', resultFile: '/r/x.json' });
    expect(spans(db).map((s) => [s.kind, s.label, s.endedBy, s.resultFile])).toEqual([
      ['record', 'old run', 'duration', null],
      ['bench', 'bench run x', 'completed', '/r/x.json'],
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM gpu_samples').get()).toEqual({ n: 10 });
    db.close();
    // Opening it again finds it current: no second ALTER (which would fail on the existing column).
    (await openHistory(path, 'write')).close();
  });

  it('makes a new file at the current schema, the same as a migrated one', async () => {
    const fresh = await openHistory(tempPath(), 'write');
    const migrated = await openHistory(await schemaOneFile(), 'write');
    expect(columns(fresh)).toEqual(columns(migrated));
    expect(fresh.pragma('user_version', { simple: true })).toBe(2);
    fresh.close();
    migrated.close();
  });

  it('opens a current file for writing without a write lock, next to a writer holding one', async () => {
    const path = tempPath();
    (await openHistory(path, 'write')).close();
    const writer = new Database(path);
    writer.exec('BEGIN IMMEDIATE');
    // The writer is on this thread: it cannot let go while openHistory runs, so
    // had opening taken a write lock, it would fail (SQLITE_BUSY at the busy timeout), not wait.
    const db = await openHistory(path, 'write');
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    writer.exec('COMMIT');
    // Once the writer is done, the span goes in.
    addBenchSpan(db, { label: 'b', start: 1, end: 2, endedBy: 'completed', resultFile: null });
    expect(spans(db)).toHaveLength(1);
    db.close();
    writer.close();
  });

  it('refuses to write to a file of a newer schema', async () => {
    const path = tempPath();
    const raw = new Database(path);
    raw.pragma('user_version = 3');
    raw.close();
    await expect(openHistory(path, 'write')).rejects.toThrow(new StoreError('corrupt', `${path} was written by a newer gpumon (schema 3; this one reads 2)`));
  });
});
