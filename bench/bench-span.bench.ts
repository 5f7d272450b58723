// Issue 5: what adding a benchmark's span to the history database costs a
// `gpumon bench run`, side by side in one run: no database (the default one
// absent: SQLite never loads), a --history-db file, and the same next to a
// running `gpumon record` writing that file every 100 ms.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchSpan, writeBenchSpan } from '../src/cli/bench/history-span.js';
import { CLI, quantile, table, timeCommands } from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'gpumon-bench-span-'));
const alone = join(dir, 'alone.db');
const recorded = join(dir, 'recorded.db');
const env = { XDG_DATA_HOME: join(dir, 'data'), GPUMON_CONFIG_DIR: join(dir, 'config') };
// Both files exist and are current before timing: the first write would otherwise include making one.
for (const db of [alone, recorded]) spawnSync(process.execPath, [CLI, 'record', '--demo', '--duration', '0.2s', '--db', db], { env: { ...process.env, ...env }, stdio: 'ignore' });
const recorder = spawn(process.execPath, [CLI, 'record', '--demo', '--interval', '0.1', '--db', recorded], { env: { ...process.env, ...env }, stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 1000));

const RUNS = 40;
const run = (extra: string[]) => [CLI, 'bench', 'run', '--nvidia-smi', '/nonexistent', '--baseline', '0', '--runs', '1', ...extra, '--', 'true'];
const timings = timeCommands(
  [
    { name: 'no history database', cmd: process.execPath, args: run([]), env },
    { name: '--history-db (a span written)', cmd: process.execPath, args: run(['--history-db', alone]), env },
    { name: '--history-db, next to gpumon record', cmd: process.execPath, args: run(['--history-db', recorded]), env },
  ],
  RUNS,
);

// In this process, the span alone: open the file, one INSERT, close (SQLite already loaded after the first).
const spanMs = [alone, recorded].map(() => [] as number[]);
for (let i = 0; i < 50; i++)
  for (const [k, db] of [alone, recorded].entries()) {
    const t0 = process.hrtime.bigint();
    const problem = await writeBenchSpan(db, benchSpan('bench run true', Date.now() - 1, Date.now(), 'completed', null));
    if (problem) throw new Error(problem);
    spanMs[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
recorder.kill('SIGTERM');

console.log(`### \`gpumon bench run --runs 1 -- true\`, wall time, ${RUNS} interleaved runs each (ms)\n`);
const base = timings[0]!.medianMs;
table(
  ['database', 'median', 'min', 'p90', 'added to the median'],
  timings.map((t) => [t.name, t.medianMs, t.minMs, t.p90Ms, t.medianMs - base]),
);

console.log('\n### writeBenchSpan alone (open, INSERT, close), 50 each, interleaved (ms)\n');
table(
  ['database', 'median', 'p90', 'max'],
  ['--history-db', '--history-db, next to gpumon record'].map((name, k) => {
    const xs = spanMs[k]!.sort((a, b) => a - b);
    return [name, quantile(xs, 0.5), quantile(xs, 0.9), xs.at(-1)!];
  }),
);
