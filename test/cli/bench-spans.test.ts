import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { query, startRecorder, tempDb } from '../helpers/history.js';
import { startOpenAiServer, type TestServer, tokenStream } from '../helpers/openai-server.js';
import { asUnprivileged, freshConfigDir, gpumon, type RunAs, spawnGpumon, STACK_FRAME } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface SpanRow {
  kind: string;
  label: string;
  start: number;
  end: number;
  ended_by: string;
  result_file: string | null;
}
const spanRows = (db: string) => query<SpanRow>(db, 'SELECT kind, label, start, end, ended_by, result_file FROM spans ORDER BY id');
const NO_GPU_HTTP = ['--nvidia-smi', '/nonexistent/nvidia-smi', '--idle-baseline', '0'];
const RUN = ['bench', 'run', '--demo', '--baseline', '0'];

describe('benchmark runs as spans in the history database', () => {
  it('bench run writes one span (label, start, end, how it ended, the result file) into a new --history-db', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-spans-'));
    const db = join(dir, 'history.db');
    const before = Date.now();
    // A relative --export-json is stored as an absolute path: the report may be made elsewhere.
    const r = gpumon([...RUN, '--runs', '3', '--export-json', 'run.json', '--history-db', db, 'sleep 0.1'], {}, { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Benchmark 1: sleep 0\.1$/m);
    expect(r.stderr).toBe(`gpumon: span 'bench run sleep 0.1' added to ${db}\n`);
    const [span, ...more] = spanRows(db);
    expect(more).toEqual([]);
    expect(span).toMatchObject({ kind: 'bench', label: 'bench run sleep 0.1', ended_by: 'completed', result_file: join(dir, 'run.json') });
    expect(span!.start).toBeGreaterThanOrEqual(before);
    expect(span!.end - span!.start).toBeGreaterThanOrEqual(300);
    expect(span!.end).toBeLessThanOrEqual(Date.now());
    expect(JSON.parse(readFileSync(span!.result_file!, 'utf8')).results[0].command).toBe('sleep 0.1');
    expect(query(db, 'PRAGMA user_version')).toEqual([{ user_version: 2 }]);
  });

  it('goes into the file a running `gpumon record` writes, next to it (bench run and bench http), and export and report find the spans', async () => {
    const db = tempDb();
    const recorder = await startRecorder(['--demo', '--interval', '0.1', '--db', db]);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'gpumon-spans-'));
      const run = gpumon([...RUN, '--runs', '3', '--export-json', join(dir, 'run.json'), '--history-db', db, 'sleep 0.1']);
      expect(run.status).toBe(0);
      expect(run.stderr).toBe(`gpumon: span 'bench run sleep 0.1' added to ${db}\n`);

      server = await startOpenAiServer(() => ({ steps: tokenStream({ ttftMs: 20, itlMs: 10, tokens: 5 }) }), 'llama-test');
      const http = await spawnGpumon(['bench', 'http', '--base-url', server.url, '--num-prompts', '12', '--request-rate', '20', '--result-filename', join(dir, 'http.json'), '--history-db', db, ...NO_GPU_HTTP]).done;
      expect(http.status).toBe(0);
      expect(http.stderr).toContain(`\ngpumon: span 'bench http llama-test @ 20 req/s' added to ${db}\n`);
      // Both spans are in (the benchmarks have exited): the recorder goes on recording after them.
      const written = Date.now();
      await waitFor(() => query<{ n: number }>(db, `SELECT count(*) AS n FROM samples WHERE time > ${written}`)[0]!.n > 0, 'a sample recorded after the spans were written');
    } finally {
      recorder.child.kill('SIGTERM');
    }
    const ended = await recorder.exited;
    // The recorder never noticed: it ran on and ended as it always does.
    expect(ended.code).toBe(143);
    expect(ended.stderr).toMatch(/\ngpumon: recorded \d+ samples to .*\(SIGTERM\)\n$/);

    const rows = spanRows(db);
    expect(rows.map((s) => [s.kind, s.label, s.ended_by])).toEqual([
      ['record', null, 'SIGTERM'],
      ['bench', 'bench run sleep 0.1', 'completed'],
      ['bench', 'bench http llama-test @ 20 req/s', 'completed'],
    ]);
    expect(rows[2]!.result_file).toMatch(/\/http\.json$/);
    expect(query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    // The recording went on while the benchmarks wrote their rows: it ended as it always does (a write
    // it could not make would have ended it with 78), and it has samples during each benchmark (below)
    // and after both rows were in (above).

    for (const span of rows.slice(1)) {
      const out = gpumon(['export', '--db', db, '--label', span.label, '--format', 'json']);
      expect(out.status, out.stderr).toBe(0);
      const doc = JSON.parse(out.stdout) as { spans: unknown[]; samples: { time: string }[] };
      // The range is the span's; the recording around it overlaps it, so it is listed too.
      expect(doc.spans).toContainEqual({ kind: 'bench', label: span.label, start: new Date(span.start).toISOString(), end: new Date(span.end).toISOString(), ended_by: 'completed', result_file: span.result_file });
      expect(doc.samples.length).toBeGreaterThan(0);
      for (const s of doc.samples) expect(Date.parse(s.time)).toBeGreaterThanOrEqual(span.start);
      for (const s of doc.samples) expect(Date.parse(s.time)).toBeLessThanOrEqual(span.end);
    }
    const html = join(mkdtempSync(join(tmpdir(), 'gpumon-spans-')), 'report.html');
    expect(gpumon(['report', '--db', db, '--out', html]).status).toBe(0);
    const page = readFileSync(html, 'utf8');
    for (const span of rows.slice(1)) expect(page).toContain(`<td>${span.label}</td><td>bench</td>`);
    expect(page).toContain(`>${rows[2]!.result_file}</a>`);
  });

  it('uses the default history database only if it exists: who never recorded gets no new file', () => {
    const data = mkdtempSync(join(tmpdir(), 'gpumon-data-'));
    const path = join(data, 'gpumon', 'history.db');
    const none = gpumon([...RUN, '--runs', '1', 'true'], { XDG_DATA_HOME: data });
    expect(none.status).toBe(0);
    expect(none.stderr).toBe('');
    expect(existsSync(join(data, 'gpumon'))).toBe(false);

    expect(gpumon(['record', '--demo', '--duration', '0.3s'], { XDG_DATA_HOME: data }).status).toBe(0);
    const some = gpumon([...RUN, '--runs', '1', 'true'], { XDG_DATA_HOME: data });
    expect(some.status).toBe(0);
    expect(some.stderr).toBe(`gpumon: span 'bench run true' added to ${path}\n`);
    expect(spanRows(path).map((s) => [s.kind, s.result_file])).toEqual([
      ['record', null],
      ['bench', null],
    ]);
  });

  it('bench http --demo writes its span too; an interrupted bench run ends its span with the signal', async () => {
    const db = tempDb();
    const http = await spawnGpumon(['bench', 'http', '--demo', '--num-prompts', '6', '--random-output-len', '4', '--idle-baseline', '0', '--history-db', db]).done;
    expect(http.status).toBe(0);
    const run = spawnGpumon([...RUN, '--runs', '50', '--history-db', db, 'sleep 0.2']);
    // Interrupted once its runs have begun (50 of them take 10 s).
    await vi.waitFor(() => expect(run.stdout()).toMatch(/^Benchmark 1: sleep 0\.2$/m), { timeout: 10_000, interval: 20 });
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.status).toBe(130);
    expect(spanRows(db).map((s) => [s.label, s.ended_by])).toEqual([
      [expect.stringMatching(/^bench http \S+ @ 10 req\/s$/), 'completed'],
      ['bench run sleep 0.2', 'SIGINT'],
    ]);
  });

  it('never fails the benchmark on a database it cannot use: one line on stderr, the exit status the run had', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-spans-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'text.db'), 'not a database\n'.repeat(300));
    writeFileSync(join(dir, 'file'), '');
    const newer = new Database(join(dir, 'newer.db'));
    newer.pragma('user_version = 99');
    newer.close();
    // Read-only for whoever runs it (as root, for nobody).
    const config = freshConfigDir();
    chmodSync(config, 0o777);
    const readOnly = join(dir, 'ro', 'history.db');
    mkdirSync(join(dir, 'ro'));
    expect(gpumon(['record', '--demo', '--duration', '0.3s', '--db', readOnly]).status).toBe(0);
    chmodSync(readOnly, 0o444);
    chmodSync(join(dir, 'ro'), 0o555);
    const asUser = asUnprivileged();

    const cases: [string, RegExp, RunAs][] = [
      [join(dir, 'text.db'), /is not a readable SQLite database \(SQLITE_NOTADB/, {}],
      [join(dir, 'file', 'history.db'), /cannot open .*file\/history\.db \(/, {}],
      [join(dir, 'newer.db'), /newer\.db was written by a newer gpumon \(schema 99; this one reads 2\)/, {}],
      [readOnly, /readonly/, asUser],
    ];
    for (const [path, why, as] of cases) {
      const r = gpumon([...RUN, '--runs', '1', '--history-db', path, 'true'], { GPUMON_CONFIG_DIR: config }, as);
      expect(r.status, path).toBe(0);
      expect(r.stdout).toMatch(/^ {2}Time \(mean ± σ\):/m);
      expect(r.stderr.split('\n')).toEqual([expect.stringMatching(/^gpumon: span not recorded: /), '']);
      expect(r.stderr).toMatch(why);
    }
    // A failing command still exits as it would (1), with the one line added.
    const failed = gpumon([...RUN, '--runs', '1', '--history-db', join(dir, 'text.db'), 'false']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^gpumon: span not recorded: .*\ngpumon: the command exited with status 1 on run 1; stopped/);
    expect(failed.stderr).not.toMatch(STACK_FRAME);
    expect(readFileSync(join(dir, 'text.db'), 'utf8')).toBe('not a database\n'.repeat(300));
  });

  it('bench http on an unusable database still succeeds, with the one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpumon-spans-'));
    writeFileSync(join(dir, 'text.db'), 'x'.repeat(5000));
    const r = await spawnGpumon(['bench', 'http', '--demo', '--num-prompts', '4', '--random-output-len', '4', '--idle-baseline', '0', '--history-db', join(dir, 'text.db')]).done;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Successful requests:\s+4$/m);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('gpumon:'))).toEqual([expect.stringMatching(/^gpumon: span not recorded: .*text\.db is not a readable SQLite database/)]);
  });

  it('adds no span for a bench http refused before it ran (a result file it cannot write: exit 73)', async () => {
    const db = tempDb();
    const file = join(mkdtempSync(join(tmpdir(), 'gpumon-spans-')), 'a-file');
    writeFileSync(file, '');
    const r = await spawnGpumon(['bench', 'http', '--demo', '--num-prompts', '4', '--random-output-len', '4', '--idle-baseline', '0', '--result-filename', `${file}/r.json`, '--history-db', db]).done;
    expect(r.status).toBe(73);
    expect(r.stderr).toMatch(/^gpumon: --result-filename: cannot write .*a-file\/r\.json: ENOTDIR\n$/);
    expect(existsSync(db)).toBe(false);
  });

  it('keeps better-sqlite3 out of the bench commands unless a span is written', () => {
    const preload = fileURLToPath(new URL('../helpers/loaded-modules.cjs', import.meta.url));
    const loaded = (args: string[]) => {
      const file = join(mkdtempSync(join(tmpdir(), 'gpumon-loaded-')), 'modules.json');
      const data = mkdtempSync(join(tmpdir(), 'gpumon-data-'));
      expect(gpumon(args, { NODE_OPTIONS: `--require ${preload}`, GPUMON_TEST_LOADED: file, XDG_DATA_HOME: data }).status).toBe(0);
      return (JSON.parse(readFileSync(file, 'utf8')) as string[]).some((m) => m.includes('/better-sqlite3/'));
    };
    expect(loaded([...RUN, '--runs', '1', 'true'])).toBe(false);
    expect(loaded([...RUN, '--runs', '1', '--history-db', tempDb(), 'true'])).toBe(true);
  });
});
