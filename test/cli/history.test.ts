import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { freshConfigDir, gpumon, STACK_FRAME } from '../helpers/run-cli.js';
import { query, startRecorder, tempDb } from '../helpers/history.js';
import { TmuxPane } from '../helpers/tmux.js';
import { snapshotSeries, T0 } from '../helpers/snapshots.js';
import { openHistory } from '../../src/db/database.js';
import { HistoryRecorder } from '../../src/db/recorder.js';
import { waitFor } from '../helpers/wait.js';


describe('gpumon record', () => {
  it('records the demo for --duration, in WAL mode, with a span for --label, and exits 0', () => {
    const db = tempDb();
    const r = gpumon(['record', '--demo', '--duration', '2s', '--interval', '0.25', '--db', db, '--label', 'fine-tune run 3']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^gpumon: recording 8 GPUs every 0.25 s to .*history\.db as 'fine-tune run 3' for 2 s/);
    expect(r.stderr).toMatch(/\ngpumon: recorded \d+ samples to .*history\.db \(end of --duration\)\n$/);
    // For 2 s (the span is at least that long), every 0.25 s (the samples at least that far apart).
    const [span] = query<{ start: number; end: number }>(db, 'SELECT start, end FROM spans');
    expect(span!.end - span!.start).toBeGreaterThanOrEqual(1999);
    const times = query<{ time: number }>(db, 'SELECT time FROM samples ORDER BY time').map((r) => r.time);
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times[0]).toBe(span!.start);
    expect(times.at(-1)!).toBeLessThanOrEqual(span!.end);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(240);
    expect(query(db, 'SELECT count(DISTINCT gpu) AS gpus FROM gpu_samples')).toEqual([{ gpus: 8 }]);
    expect(query(db, 'SELECT label, ended_by FROM spans')).toEqual([{ label: 'fine-tune run 3', ended_by: 'duration' }]);
    expect(query(db, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('records to $XDG_DATA_HOME/gpumon/history.db by default, with --only', () => {
    const data = mkdtempSync(join(tmpdir(), 'gpumon-data-'));
    const r = gpumon(['record', '--demo', '--duration', '0.5s', '--only', '2,5'], { XDG_DATA_HOME: data });
    expect(r.status).toBe(0);
    expect(query(join(data, 'gpumon', 'history.db'), 'SELECT DISTINCT gpu_index FROM gpu_samples ORDER BY 1')).toEqual([{ gpu_index: 2 }, { gpu_index: 5 }]);
  });

  it('ends the span on SIGINT (130) and SIGTERM (143)', async () => {
    const db = tempDb();
    const samples = () => query<{ n: number }>(db, 'SELECT count(*) AS n FROM samples')[0]!.n;
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const { child, exited } = await startRecorder(['--demo', '--interval', '0.1', '--db', db]);
      // Signalled once it records on its own (past the first sample): its handlers are in.
      const first = samples();
      await waitFor(() => samples() > first, 'a sample after the first');
      child.kill(signal);
      expect((await exited).code).toBe(code);
    }
    expect(query(db, 'SELECT ended_by FROM spans ORDER BY id')).toEqual([{ ended_by: 'SIGINT' }, { ended_by: 'SIGTERM' }]);
  });

  it('refuses a second recorder on the same file, naming the first', async () => {
    const db = tempDb();
    const { child, exited } = await startRecorder(['--demo', '--db', db]);
    const second = gpumon(['record', '--demo', '--duration', '1s', '--db', db]);
    expect(second.status).toBe(75);
    expect(second.stderr).toBe(`gpumon: another recorder (PID ${child.pid}) is writing to ${db}; stop it first, or record to another file (--db, or --record PATH in the monitor)\n`);
    child.kill('SIGTERM');
    await exited;
  });

  it('survives kill -9: the file checks out, holds the samples up to the kill, and the next recorder continues it', async () => {
    const db = tempDb();
    const { child, exited } = await startRecorder(['--demo', '--interval', '0.1', '--db', db, '--label', 'first']);
    const samples = () => query<{ n: number }>(db, 'SELECT count(*) AS n FROM samples')[0]!.n;
    // Each sample is committed as it is taken: a reader sees them come, and the kill loses none of them.
    await vi.waitFor(() => expect(samples()).toBeGreaterThanOrEqual(8), { timeout: 10_000, interval: 20 });
    const committed = samples();
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    // The WAL is not checkpointed by a killed process: reading must recover it.
    expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const [before] = query<{ n: number; last: number }>(db, 'SELECT count(*) AS n, max(time) AS last FROM samples');
    expect(before!.n).toBeGreaterThanOrEqual(committed);
    expect(query(db, 'SELECT count(*) AS n FROM gpu_samples')).toEqual([{ n: before!.n * 8 }]);

    const again = gpumon(['record', '--demo', '--duration', '1s', '--interval', '0.1', '--db', db, '--label', 'second']);
    expect(again.status).toBe(0);
    const [after] = query<{ n: number }>(db, 'SELECT count(*) AS n FROM samples');
    // Its first sample and at least one tick (the 0.1 s interval falls due before the 1 s duration).
    expect(after!.n).toBeGreaterThanOrEqual(before!.n + 2);
    expect(query(db, 'SELECT label, end, ended_by FROM spans ORDER BY id')).toEqual([
      { label: 'first', end: before!.last, ended_by: 'killed' },
      { label: 'second', end: expect.any(Number), ended_by: 'duration' },
    ]);
    expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('says so when the database cannot be created or is not a database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-history-'));
    writeFileSync(join(dir, 'file'), '');
    const unwritable = gpumon(['record', '--demo', '--duration', '1s', '--db', join(dir, 'file', 'history.db')]);
    expect(unwritable.status).toBe(73);
    expect(unwritable.stderr).toMatch(/^gpumon: cannot open .*file\/history\.db \(EEXIST: file already exists, mkdir /);
    writeFileSync(join(dir, 'text.db'), 'hello\n'.repeat(200));
    const corrupt = gpumon(['record', '--demo', '--duration', '1s', '--db', join(dir, 'text.db')]);
    expect(corrupt.status).toBe(65);
    expect(corrupt.stderr).toMatch(/is not a readable SQLite database/);
    for (const r of [unwritable, corrupt]) expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('refuses a bad --duration', () => {
    const r = gpumon(['record', '--demo', '--duration', 'soon']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--duration: 'soon' is not a duration");
  });

  it('refuses --record with a snapshot, which it would not record', () => {
    for (const mode of ['--once', '--json', '--check']) {
      const r = gpumon([mode, '--demo', '--record', tempDb()]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('gpumon: --record records what the monitor shows; to record without it: gpumon record\n(see gpumon --help)\n');
    }
  });
});

describe('gpumon export', () => {
  const db = tempDb();
  gpumon(['record', '--demo', '--duration', '1s', '--interval', '0.25', '--db', db, '--label', 'bench']);
  const samples = query<{ n: number }>(db, 'SELECT count(*) AS n FROM samples')[0]!.n;

  it('writes CSV: a header with the --json keys and one row per GPU and sample', () => {
    const r = gpumon(['export', '--db', db]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time,index,uuid,name,temperature\.gpu,fan\.speed,utilization\.gpu,/);
    expect(lines).toHaveLength(1 + samples * 8);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,0,GPU-[0-9a-f-]+,NVIDIA H100 80GB HBM3,\d+,,/);
  });

  it('writes JSON with the spans and per-sample GPUs and processes, to --out', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gpumon-export-')), 'out.json');
    const r = gpumon(['export', '--db', db, '--format', 'json', '--gpu', '3', '--label', 'bench', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.spans).toEqual([expect.objectContaining({ kind: 'record', label: 'bench', ended_by: 'duration' })]);
    expect(doc.samples).toHaveLength(samples);
    expect(doc.samples[0].gpus.map((g: { index: number }) => g.index)).toEqual([3]);
    expect(doc.samples[0].gpus[0]).toMatchObject({ 'fan.speed': null, unknown: { 'fan.speed': 'not_available' } });
    expect(doc.samples[0].gpus[0].processes[0]).toMatchObject({ pid: expect.any(Number), gpu_memory_usage: expect.any(Number) });
  });

  it('takes relative and ISO times', () => {
    expect(gpumon(['export', '--db', db, '--since', '1h']).stdout.split('\n').length).toBeGreaterThan(samples * 8);
    const future = gpumon(['export', '--db', db, '--since', '2099-01-01T00:00Z']);
    expect(future.status).toBe(66);
    expect(future.stderr).toMatch(/^gpumon: no samples in that range \(the database holds .* to .*\)\n$/);
    const bad = gpumon(['export', '--db', db, '--since', 'yesterday']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--since: 'yesterday' is not a time");
  });

  it('fails clearly on a missing or corrupt database, an unknown label, an unwritable --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-export-'));
    writeFileSync(join(dir, 'bad.db'), 'x'.repeat(5000));
    const cases: [string[], number, RegExp][] = [
      [['--db', join(dir, 'none.db')], 66, /^gpumon: no history database at .*none\.db \(record one with gpumon record\)\n$/],
      [['--db', join(dir, 'bad.db')], 65, /^gpumon: .*bad\.db is not a readable SQLite database/],
      [['--db', db, '--label', 'nope'], 66, /^gpumon: no span is labelled 'nope' \(labels: 'bench'\)\n$/],
      [['--db', db, '--out', join(dir, 'no', 'such', 'dir.csv')], 73, /^gpumon: cannot write .*dir\.csv \(ENOENT\)\n$/],
    ];
    for (const [args, status, message] of cases) {
      const r = gpumon(['export', ...args]);
      expect(r.status, args.join(' ')).toBe(status);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('retention', () => {
  it('folds samples older than record.retention.full into minutes when a recorder starts, and drops minutes after record.retention.minute', async () => {
    const path = tempDb();
    const db = await openHistory(path, 'write');
    const old = new HistoryRecorder(db);
    old.begin('record', 'last week', T0);
    for (const s of snapshotSeries(2, 1, 120)) old.add(s); // two minutes, days ago
    old.end('duration', T0 + 119_000);
    db.close();

    expect(gpumon(['record', '--demo', '--duration', '0.5s', '--db', path]).status).toBe(0);
    expect(query(path, 'SELECT count(*) AS n FROM gpu_samples WHERE time < 1795400000000')).toEqual([{ n: 0 }]);
    expect(query(path, 'SELECT minute, samples FROM gpu_minutes WHERE gpu_index = 0 ORDER BY minute')).toEqual([
      { minute: T0, samples: 60 },
      { minute: T0 + 60_000, samples: 60 },
    ]);
    const csv = gpumon(['export', '--db', path, '--label', 'last week']).stdout.trimEnd().split('\n');
    expect(csv).toHaveLength(1 + 2 * 2);
    expect(csv[0]).toMatch(/,minute_mean_of$/);
    expect(csv[1]).toMatch(/^2026-11-22T12:00:00\.000Z,0,.*,60$/);

    const config = freshConfigDir();
    writeFileSync(join(config, 'config.json'), JSON.stringify({ 'record.retention.minute': 1 }));
    expect(gpumon(['record', '--demo', '--duration', '0.5s', '--db', path], { GPUMON_CONFIG_DIR: config }).status).toBe(0);
    expect(query(path, 'SELECT count(*) AS n FROM gpu_minutes')).toEqual([{ n: 0 }]);
    const gone = gpumon(['export', '--db', path, '--label', 'last week']);
    expect(gone.status).toBe(66);
  });
});

describe('gpumon report, on bad input', () => {
  it('fails like export on a missing database, an unknown label or an empty range, and on an unwritable --out', () => {
    const db = tempDb();
    expect(gpumon(['record', '--demo', '--duration', '0.5s', '--db', db, '--label', 'a']).status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-report-'));
    const out = join(dir, 'r.html');
    const cases: [string[], number, RegExp][] = [
      [['--db', join(dir, 'none.db'), '--out', out], 66, /^gpumon: no history database at /],
      [['--db', db, '--label', 'b', '--out', out], 66, /^gpumon: no span is labelled 'b' \(labels: 'a'\)\n$/],
      [['--db', db, '--until', '2000-01-01', '--out', out], 66, /^gpumon: no samples in that range/],
      [['--db', db, '--out', join(dir, 'missing', 'r.html')], 73, /^gpumon: cannot write .*r\.html \(ENOENT\)\n$/],
      [['--db', db], 2, /required option '--out <file>' not specified/],
    ];
    for (const [args, status, message] of cases) {
      const r = gpumon(['report', ...args]);
      expect(r.status, args.join(' ')).toBe(status);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
  });
});

describe('gpumon --record', () => {
  it('records as the monitor runs, its graph starting from what the database holds, and q ends the span', async () => {
    const db = tempDb();
    expect(gpumon(['record', '--demo', '--duration', '4s', '--interval', '0.1', '--db', db]).status).toBe(0);
    const [{ n: before }] = query<{ n: number }>(db, 'SELECT count(*) AS n FROM samples') as [{ n: number }];
    const pane = new TmuxPane(['--demo', '--interval', '1', '--record', db], {});
    try {
      // The recorded samples at the monitor's 1 s interval read as that many seconds of graph on the first frames
      // (a monitor starting from nothing would show 1 s, then one more each second).
      await pane.waitForText(/GPU 0 utilization %, last \d+ s/);
      const shown = Number(/GPU 0 utilization %, last (\d+) s/.exec(pane.capture().join('\n'))![1]);
      expect(shown).toBeGreaterThanOrEqual(before);
      pane.send('q');
      expect(await pane.exited()).toBe(0);
    } finally {
      pane.kill();
    }
    const [{ n: after }] = query<{ n: number }>(db, 'SELECT count(*) AS n FROM samples') as [{ n: number }];
    expect(after).toBeGreaterThan(before);
    expect(query(db, 'SELECT ended_by FROM spans ORDER BY id')).toEqual([{ ended_by: 'duration' }, { ended_by: 'quit' }]);
  });
});
