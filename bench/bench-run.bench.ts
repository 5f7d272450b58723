// Issue 13: `gpumon bench run` against hyperfine on the same commands, side by
// side in one run: the median each reports, and the user + system CPU it
// charges to the command. gpumon runs three ways: with no GPU source, with
// the demo recording (the 10 Hz GPU watch, no helper processes), and with the
// fake nvidia-smi (a live sampler whose helpers are Node processes, far
// heavier than the real nvidia-smi: the worst case for charging gpumon's own
// CPU to the command). Targets: median within 1.1x of hyperfine's, user + sys
// within 2 ms of it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, FAKE_SMI, fmt, quantile, table } from './lib.js';

const RUNS = Number(process.env.BENCH_RUN_RUNS ?? 30);
const ROUNDS = Number(process.env.BENCH_RUN_ROUNDS ?? 3);
const COMMANDS = ['sleep 0.05', 'python3 -c pass'];
const dir = mkdtempSync(join(tmpdir(), 'gpumon-bench-run-'));
const hyperfine = spawnSync('sh', ['-c', 'command -v hyperfine']).status === 0;

interface Tool {
  readonly name: string;
  readonly cmd: string;
  readonly args: (out: string, command: string) => string[];
}

const gpumon = (source: string[]) => (out: string, command: string) => [CLI, 'bench', 'run', ...source, '--baseline', '0', '-r', String(RUNS), '--style', 'basic', '--export-json', out, command];
const tools: Tool[] = [
  ...(hyperfine ? [{ name: 'hyperfine', cmd: 'hyperfine', args: (out: string, command: string) => ['-r', String(RUNS), '--style', 'basic', '--export-json', out, command] }] : []),
  { name: 'gpumon, no GPU', cmd: process.execPath, args: gpumon(['--nvidia-smi', '/nonexistent']) },
  { name: 'gpumon --demo (GPUs watched at 10 Hz)', cmd: process.execPath, args: gpumon(['--demo']) },
  { name: 'gpumon, live sampler on the fake nvidia-smi', cmd: process.execPath, args: gpumon(['--nvidia-smi', FAKE_SMI]) },
];

// [command][tool] -> per round: median and user + sys, ms.
const medians = COMMANDS.map(() => tools.map(() => [] as number[]));
const cpu = COMMANDS.map(() => tools.map(() => [] as number[]));
// Every other round in the reverse order, so that no tool always runs first (colder caches).
for (let round = 0; round < ROUNDS; round++)
  COMMANDS.forEach((command, c) =>
    (round % 2 ? [...tools].reverse() : tools).forEach((t) => {
      const i = tools.indexOf(t);
      const out = join(dir, `${c}-${i}.json`);
      const r = spawnSync(t.cmd, t.args(out, command), { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${t.name} on '${command}' exited ${r.status}`);
      const [res] = JSON.parse(readFileSync(out, 'utf8')).results;
      medians[c]![i]!.push(res.median * 1000);
      cpu[c]![i]!.push((res.user + res.system) * 1000);
    }),
  );

const med = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
console.log(`### Each command run ${RUNS} times by each tool (through sh -c), ${ROUNDS} interleaved rounds: medians of the rounds, ms\n`);
COMMANDS.forEach((command, c) => {
  console.log(`\`${command}\`\n`);
  const h = hyperfine ? { median: med(medians[c]![0]!), cpu: med(cpu[c]![0]!) } : null;
  table(
    ['tool', 'median', 'user + sys', ...(h ? ['median / hyperfine\'s (target <= 1.1)', 'user + sys - hyperfine\'s (target <= 2 ms)'] : [])],
    tools.map((t, i) => {
      const m = med(medians[c]![i]!);
      const u = med(cpu[c]![i]!);
      return [t.name, m, u, ...(h ? [`${fmt(m / h.median)}x`, `${fmt(u - h.cpu)} ms`] : [])];
    }),
  );
  console.log('');
});
if (!hyperfine) console.log('hyperfine is not installed (Debian package hyperfine): no side-by-side figure. Install it and run `npm run bench -- bench-run`.');
process.exit(0);
