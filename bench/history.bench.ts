// Issue 5: what recording costs (samples per second stored with 8 GPUs and
// 100 processes, the recorder's CPU at 1 s), how big a day is, and how long
// a report of a day of 8 GPUs takes to make and how big it is.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../src/model/types.js';
import { type Database, openHistory } from '../src/db/database.js';
import { HistoryRecorder } from '../src/db/recorder.js';
import { snapshotSeries } from '../test/helpers/snapshots.js';
import { CLI, fmt, processCpuSeconds, table } from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'gpumon-bench-history-'));
const DAY = 86_400;

/** A series of 8-GPU snapshots with `processes` processes each; start times fixed, as live ones are. */
function series(n: number, processes: number): Snapshot[] {
  return snapshotSeries(8, Math.ceil(processes / 8), n).map((s) => ({
    ...s,
    processes: s.processes.slice(0, processes).map((p) => ({ ...p, startTimeMs: 1_795_000_000_000 + p.pid })),
  }));
}

/** The file's size with the WAL folded in, as it will stay. */
function fileSize(db: Database, path: string): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(path).size;
}

/** Stores `snaps` (timed), returns samples per second and bytes per sample. */
async function store(name: string, snaps: readonly Snapshot[]): Promise<{ name: string; perSecond: number; bytesPerSample: number }> {
  const path = join(dir, `${name}.db`);
  const db = await openHistory(path, 'write');
  const rec = new HistoryRecorder(db);
  rec.begin('record', name, snaps[0]!.time);
  const empty = fileSize(db, path);
  const t = process.hrtime.bigint();
  for (const s of snaps) rec.add(s);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const size = fileSize(db, path) - empty;
  db.close();
  return { name, perSecond: snaps.length / seconds, bytesPerSample: size / snaps.length };
}

console.log('### Storing samples (one transaction each, WAL, synchronous=NORMAL)\n');
const n = 3000;
const rows = [await store('8 GPUs, 100 processes', series(n, 100)), await store('8 GPUs, 10 processes', series(n, 10)), await store('8 GPUs, no processes', series(n, 0))];
table(
  ['sample', 'samples/s stored', 'ms per sample', 'bytes per sample', 'MB per day at 1 s'],
  rows.map((r) => [r.name, r.perSecond, 1000 / r.perSecond, r.bytesPerSample, (r.bytesPerSample * DAY) / 1e6]),
);

console.log('\n### The recorder at a 1 s interval (gpumon record --demo, 8 GPUs, ~10 processes)\n');
{
  const seconds = 20;
  const child = spawn(process.execPath, [CLI, 'record', '--demo', '--interval', '1', '--duration', `${seconds + 5}s`, '--db', join(dir, 'cpu.db')], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 3000)); // past start-up
  const before = processCpuSeconds(child.pid!);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = processCpuSeconds(child.pid!) - before;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  console.log(`CPU over ${seconds} s after start-up: ${fmt(cpu * 1000)} ms, ${fmt((cpu / seconds) * 100)}% of one core (${fmt((cpu * 1000) / seconds)} ms per sample, demo source included)`);
}

console.log('\n### A report of 24 h of 8 GPUs at 1 s\n');
{
  const path = join(dir, 'day.db');
  const db = await openHistory(path, 'write');
  const rec = new HistoryRecorder(db);
  const base = series(600, 0);
  const t0 = base[0]!.time;
  rec.begin('record', 'a day', t0);
  const tFill = process.hrtime.bigint();
  // Ten minutes of the demo, repeated for a day.
  db.transaction(() => {
    for (let i = 0; i < DAY; i++) rec.add({ ...base[i % base.length]!, time: t0 + i * 1000 });
  })();
  rec.end('duration', t0 + DAY * 1000);
  const size = fileSize(db, path);
  db.close();
  const fillSeconds = Number(process.hrtime.bigint() - tFill) / 1e9;
  const out = join(dir, 'day.html');
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'report', '--db', path, '--out', out], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`report failed: ${r.stderr}`);
  table(
    ['what', 'value'],
    [
      ['database, 24 h x 8 GPUs, no processes (MB)', size / 1e6],
      ['synthesizing it (s)', fillSeconds],
      ['gpumon report, wall time (s)', ms / 1000],
      ['report.html (KB)', statSync(out).size / 1024],
    ],
  );
}

rmSync(dir, { recursive: true, force: true });
