import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI } from './fixtures.js';
import { freshConfigDir } from './run-cli.js';

/** A history database path in a new temporary folder (the file is not made). */
export const tempDb = () => join(mkdtempSync(join(tmpdir(), 'gpumon-history-')), 'history.db');

export interface RunningRecorder {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

/** Starts `gpumon record` as a child process and resolves once it says it is recording. */
export function startRecorder(args: readonly string[]): Promise<RunningRecorder> {
  const child = spawn(process.execPath, [CLI, 'record', ...args], { env: { ...process.env, GPUMON_CONFIG_DIR: freshConfigDir() }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('recording')) resolve({ child, exited });
    });
    child.on('exit', () => reject(new Error(`recorder exited early: ${stderr}`)));
  });
}

/** Rows of one query on the file, opened read-only. */
export function query<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
