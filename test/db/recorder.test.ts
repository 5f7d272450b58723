import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/types.js';
import { type Database, lockForRecording, openHistory, StoreError } from '../../src/db/database.js';
import { readHost, readProcesses, readSamples, resolveRange, spans, typicalIntervalMs } from '../../src/db/query.js';
import { HistoryRecorder } from '../../src/db/recorder.js';
import { applyRetention } from '../../src/db/retention.js';
import { demoAt, snapshotSeries, T0 } from '../helpers/snapshots.js';

const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

async function fresh(): Promise<{ db: Database; path: string }> {
  const path = join(mkdtempSync(join(tmpdir(), 'gpumon-store-')), 'history.db');
  const db = await openHistory(path, 'write');
  open.push(db);
  return { db, path };
}

function record(db: Database, series: readonly Snapshot[], label: string | null = null): HistoryRecorder {
  const r = new HistoryRecorder(db);
  r.begin('record', label, series[0]!.time);
  for (const s of series) r.add(s);
  return r;
}

const ALL = { since: null, until: null, label: null, gpus: null };

describe('HistoryRecorder and the queries', () => {
  it('stores every GpuSample field and reads it back as it was, nulls and reasons included', async () => {
    const { db } = await fresh();
    const series = snapshotSeries(8, 3, 5);
    record(db, series);
    const back = [...readSamples(db, resolveRange(db, ALL))];
    expect(back.map((s) => s.time)).toEqual(series.map((s) => s.time));
    expect(back.map((s) => s.gpus)).toEqual(series.map((s) => s.gpus));
    // The H100 has no fan: null with its reason, not 0.
    expect(back[0]!.gpus[0]!.fanSpeedPercent).toBeNull();
    expect(back[0]!.gpus[0]!.unknown.fanSpeedPercent).toBe('not_available');
  });

  it('keeps a lost GPU as lost, with null metrics', async () => {
    const { db } = await fresh();
    const s = demoAt('h100');
    const lost = { ...s, gpus: [{ ...s.gpus[0]!, lost: true, utilizationGpu: null, powerDrawW: null, unknown: { utilizationGpu: 'gpu_lost' as const, powerDrawW: 'gpu_lost' as const } }] };
    record(db, [lost]);
    const [back] = [...readSamples(db, resolveRange(db, ALL))];
    expect(back!.gpus[0]).toMatchObject({ lost: true, utilizationGpu: null, powerDrawW: null, unknown: { utilizationGpu: 'gpu_lost' } });
  });

  it("stores each process's GPU memory per sample, and each process (PID and start time) once", async () => {
    const { db } = await fresh();
    const series = snapshotSeries(2, 4, 3);
    record(db, series);
    const rows = [...readProcesses(db, resolveRange(db, ALL))];
    expect(rows).toHaveLength(2 * 4 * 3);
    expect(rows[0]).toMatchObject({ time: T0, pid: 10_000, gpuIndex: 0, user: 'alice', gpuMemoryMiB: 100 });
    const distinct = new Set(series.flatMap((s) => s.processes.map((p) => `${p.pid} ${p.startTimeMs}`)));
    expect((db.prepare('SELECT count(*) AS n FROM processes').get() as { n: number }).n).toBe(distinct.size);
  });

  it('stores the host, and a stale snapshot as host and staleness only', async () => {
    const { db } = await fresh();
    const [a, b] = snapshotSeries(1, 0, 2);
    record(db, [a!, { ...b!, stale: { since: a!.time, reason: 'nvidia-smi stalled' } }]);
    const hosts = [...readHost(db, resolveRange(db, ALL))];
    expect(hosts.map((h) => h.staleSince)).toEqual([null, a!.time]);
    expect(hosts[0]!.host.cpuCount).toBe(a!.host.cpuCount);
    expect([...readSamples(db, resolveRange(db, ALL))]).toHaveLength(1);
  });

  it('closes a span a killed recorder left open at its last sample when the next one begins', async () => {
    const { db } = await fresh();
    const series = snapshotSeries(1, 0, 4);
    record(db, series.slice(0, 3), 'run 1'); // never ended: as after kill -9
    const next = record(db, series.slice(3), 'run 2');
    next.end('SIGINT', series[3]!.time);
    expect(spans(db).map((s) => [s.label, s.end, s.endedBy])).toEqual([
      ['run 1', series[2]!.time, 'killed'],
      ['run 2', series[3]!.time, 'SIGINT'],
    ]);
  });

  it('resolves --label, --since/--until and --gpu, and says what there is when nothing matches', async () => {
    const { db } = await fresh();
    const series = snapshotSeries(2, 0, 10);
    record(db, series.slice(0, 5), 'warm-up').end('quit', series[4]!.time);
    record(db, series.slice(5), 'run').end('quit', series[9]!.time);
    const run = resolveRange(db, { ...ALL, label: 'run' });
    expect([run.from, run.to]).toEqual([series[5]!.time, series[9]!.time]);
    expect([...readSamples(db, resolveRange(db, { ...ALL, since: series[8]!.time, gpus: ['1'] }))].map((s) => s.gpus.map((g) => g.index))).toEqual([[1], [1]]);
    expect(typicalIntervalMs(db, run)).toBe(1000);
    expect(() => resolveRange(db, { ...ALL, label: 'nope' })).toThrow("no span is labelled 'nope' (labels: 'warm-up', 'run')");
    expect(() => resolveRange(db, { ...ALL, gpus: ['5'] })).toThrow('no GPU 5 in the range (GPUs there: 0, 1)');
    expect(() => resolveRange(db, { ...ALL, until: T0 - 1 })).toThrow(/^no samples in that range \(the database holds 2026-11-22T12:00:00.000Z to /);
  });

  it('says an empty database holds no samples', async () => {
    const { db } = await fresh();
    expect(() => resolveRange(db, ALL)).toThrow(new StoreError('no_data', 'the database holds no samples yet'));
  });
});

describe('openHistory', () => {
  it('refuses a missing file, a file that is not SQLite, and an SQLite file that is not gpumon history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-store-'));
    await expect(openHistory(join(dir, 'none.db'), 'read')).rejects.toMatchObject({ kind: 'missing' });
    writeFileSync(join(dir, 'text.db'), 'not a database\n'.repeat(100));
    await expect(openHistory(join(dir, 'text.db'), 'read')).rejects.toMatchObject({ kind: 'corrupt' });
    await expect(openHistory(join(dir, 'text.db'), 'write')).rejects.toMatchObject({ kind: 'corrupt' });
    const other = await openHistory(join(dir, 'other.db'), 'write');
    other.exec('DROP TABLE spans');
    other.close();
    await expect(openHistory(join(dir, 'other.db'), 'read')).rejects.toMatchObject({ kind: 'corrupt', message: expect.stringContaining('not a gpumon history database') });
  });

  it('cannot create a database where no file can be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-store-'));
    writeFileSync(join(dir, 'file'), '');
    await expect(openHistory(join(dir, 'file', 'history.db'), 'write')).rejects.toMatchObject({ kind: 'unwritable' });
  });

  it('opens in WAL mode', async () => {
    const { db } = await fresh();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});

describe('lockForRecording', () => {
  it('lets one recorder hold a file, naming its PID to the next, and frees it on release', async () => {
    const { db, path } = await fresh();
    const release = await lockForRecording(db, path);
    const second = await openHistory(path, 'write');
    open.push(second);
    await expect(lockForRecording(second, path)).rejects.toMatchObject({ kind: 'busy', message: expect.stringContaining(`(PID ${process.pid})`) });
    release();
    const again = await lockForRecording(second, path);
    again();
  });
});

describe('applyRetention', () => {
  it('folds samples older than the full-resolution window into per-minute mean, min and max, and drops old minutes', async () => {
    const { db } = await fresh();
    // 3 minutes of one GPU at 1 s.
    const series = snapshotSeries(1, 2, 180);
    record(db, series);
    const util = series.slice(0, 60).map((s) => s.gpus[0]!.utilizationGpu!);
    const now = T0 + 3 * 60_000;
    // Keep the last 90 s at full resolution: minute 0 is folded (minute 1 is not whole yet past the cut).
    const folded = applyRetention(db, { fullMs: 90_000, minuteMs: 86_400_000 }, now);
    expect(folded).toBe(1);
    const m = db.prepare('SELECT * FROM gpu_minutes').all() as Record<string, number>[];
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ minute: T0, samples: 60, utilization_gpu_min: Math.min(...util), utilization_gpu_max: Math.max(...util) });
    expect(m[0]!.utilization_gpu_mean).toBeCloseTo(util.reduce((a, b) => a + b) / 60, 9);
    const left = db.prepare('SELECT min(time) AS lo, count(*) AS n FROM gpu_samples').get() as { lo: number; n: number };
    expect(left).toEqual({ lo: T0 + 60_000, n: 120 });
    expect((db.prepare('SELECT min(time) AS lo FROM process_samples').get() as { lo: number }).lo).toBe(T0 + 60_000);
    // Reading the range gives the minute first (its means, the rest not retained), then every sample left.
    const back = [...readSamples(db, resolveRange(db, ALL))];
    expect(back.map((s) => s.minuteOf)).toEqual([60, ...Array(120).fill(null)]);
    expect(back[0]!.time).toBe(T0);
    expect(back[0]!.gpus[0]!.utilizationGpu).toBeCloseTo(m[0]!.utilization_gpu_mean!, 9);
    expect(back[0]!.gpus[0]!.fanSpeedPercent).toBeNull();
    expect(back[0]!.gpus[0]!.unknown.fanSpeedPercent).toBe('not_retained');
    expect(back[1]!.gpus[0]).toEqual(series[60]!.gpus[0]);
    const firstMinute = resolveRange(db, { ...ALL, until: T0 + 59_000, gpus: ['0'] });
    expect(firstMinute.hasMinutes).toBe(true);
    expect([...readSamples(db, firstMinute)]).toHaveLength(1);
    // Minute rows go after their own window.
    applyRetention(db, { fullMs: 90_000, minuteMs: 200_000 }, now + 60_000);
    expect(db.prepare('SELECT minute FROM gpu_minutes').all()).toEqual([{ minute: T0 + 60_000 }]);
  });
});

describe('a recorder killed mid-write', () => {
  it('leaves a file that checks out, with every committed sample whole and nothing half-written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-kill-'));
    const path = join(dir, 'history.db');
    // Bundled so that a plain node runs it (the writer must be a process of its own to be killed), inside
    // the project so that it finds better-sqlite3 and the fixtures.
    const script = fileURLToPath(new URL(`../.out/write-loop-${process.pid}.mjs`, import.meta.url));
    await build({ entryPoints: [fileURLToPath(new URL('./write-loop.ts', import.meta.url))], outfile: script, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
    const child = spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    let printed = '';
    child.stdout.on('data', (d: Buffer) => (printed += d.toString()));
    // Let it write for a while: each sample is a transaction of 8 GPU rows and 104 process rows, back to back.
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`the writer exited by itself (${code})`)));
      const check = setInterval(() => {
        if (printed.split('\n').length > 300) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    const committed = printed.trimEnd().split('\n').map(Number);

    const db = await openHistory(path, 'read');
    open.push(db);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const times = (db.prepare('SELECT time FROM samples ORDER BY time').all() as { time: number }[]).map((r) => r.time);
    // Everything it said was committed is there; at most the one in flight (committed, not yet printed) more.
    expect(times.slice(0, committed.length)).toEqual(committed);
    expect(times.length - committed.length).toBeLessThanOrEqual(1);
    // Each stored sample is whole: all its GPUs and processes.
    const perSample = db.prepare('SELECT (SELECT count(*) FROM gpu_samples) AS gpus, (SELECT count(*) FROM process_samples) AS processes').get();
    expect(perSample).toEqual({ gpus: times.length * 8, processes: times.length * 104 });
  });
});
