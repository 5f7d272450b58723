// Issue 4: the cost of `gpumon bench run` per run against hyperfine on the
// same trivial command, side by side: the time each reports for it (what its
// own measuring adds to every run) and the wall time each spends per run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, fmt, quantile, table } from './lib.js';

const RUNS = 200;
const ROUNDS = 3;
const dir = mkdtempSync(join(tmpdir(), 'gpumon-bench-run-'));
const hyperfine = spawnSync('sh', ['-c', 'command -v hyperfine']).status === 0;

interface Tool {
  readonly name: string;
  readonly cmd: string;
  readonly args: (out: string) => string[];
}

// `true` without a shell in both: hyperfine -N, gpumon's argv form.
const tools: Tool[] = [
  { name: 'gpumon bench run (no GPU: nvidia-smi absent)', cmd: process.execPath, args: (out) => [CLI, 'bench', 'run', '--nvidia-smi', '/nonexistent', '--baseline', '0', '--runs', String(RUNS), '--export-json', out, '--', 'true'] },
  { name: 'gpumon bench run --demo (GPUs watched at 10 Hz)', cmd: process.execPath, args: (out) => [CLI, 'bench', 'run', '--demo', '--baseline', '0', '--runs', String(RUNS), '--export-json', out, '--', 'true'] },
  ...(hyperfine ? [{ name: 'hyperfine -N', cmd: 'hyperfine', args: (out: string) => ['-N', '--runs', String(RUNS), '--export-json', out, 'true'] }] : []),
];
// What starting each tool costs, to take out of its wall time per run.
const startup: Record<string, string[]> = {
  'gpumon bench run (no GPU: nvidia-smi absent)': [CLI, 'bench', 'run', '--nvidia-smi', '/nonexistent', '--baseline', '0', '--runs', '1', '--', 'true'],
  'gpumon bench run --demo (GPUs watched at 10 Hz)': [CLI, 'bench', 'run', '--demo', '--baseline', '0', '--runs', '1', '--', 'true'],
  'hyperfine -N': ['-N', '--runs', '1', 'true'],
};

const reported = tools.map(() => [] as number[]);
const perRun = tools.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++) {
  tools.forEach((t, i) => {
    const out = join(dir, `${i}.json`);
    const time = (cmd: string, args: string[]) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${t.name} exited ${r.status}`);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const start = time(t.cmd, startup[t.name]!);
    const total = time(t.cmd, t.args(out));
    perRun[i]!.push((total - start) / (RUNS - 1));
    reported[i]!.push(JSON.parse(readFileSync(out, 'utf8')).results[0].median * 1000);
  });
}

console.log(`### \`true\` run ${RUNS} times by each tool, ${ROUNDS} interleaved rounds (medians of the rounds, ms)\n`);
const med = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
table(
  ['tool', 'median time it reports for `true`', 'its wall time per run'],
  tools.map((t, i) => [t.name, med(reported[i]!), med(perRun[i]!)]),
);
if (hyperfine) {
  const h = tools.length - 1;
  console.log(
    `\ngpumon (no GPU) reports ${fmt(med(reported[0]!) - med(reported[h]!))} ms more per run than hyperfine for the same command ` +
      `(${fmt(med(reported[0]!) / med(reported[h]!))}x), and spends ${fmt(med(perRun[0]!) - med(perRun[h]!))} ms more wall time per run; ` +
      `watching the GPUs (--demo) adds ${fmt(med(perRun[1]!) - med(perRun[0]!))} ms per run.`,
  );
} else console.log('\nhyperfine is not installed (Debian package hyperfine): no side-by-side figure. Install it and run `npm run bench -- bench-run`.');
process.exit(0);
