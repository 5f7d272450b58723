import { type Command, Option } from 'commander';
import { HISTORY_DB_HELP } from '../flags.js';
import { addSourceOptions, optionParser, parseCount, parseSeconds } from '../../shared/options.js';
import type { BenchRunFlags } from './flags.js';

/** `gpumon bench run [options] -- <command...>`: hyperfine's model, with the GPUs watched. */
export function addBenchRunCommand(bench: Command): void {
  const cmd = bench
    .command('run')
    .description('time a command like hyperfine, with the GPUs watched')
    .argument('<command...>', "one argument: a shell command line (sh -c, as hyperfine); more: a program and its arguments, run without a shell (put them after '--')")
    .addOption(new Option('-r, --runs <n>', 'timing runs').argParser(optionParser(parseCount('--runs', 1, 1_000_000))).default(10))
    .addOption(new Option('-w, --warmup <n>', 'runs before timing, not measured').argParser(optionParser(parseCount('--warmup', 0, 1_000_000))).default(0))
    .option('-p, --prepare <command>', 'shell command run before each run (warmup runs too), not timed')
    .option('--export-json <path>', 'write the results (hyperfine --export-json keys, with the GPU figures) to a file')
    .option('--ignore-failure', 'go on when the command exits non-zero (its exit codes are kept)')
    .addOption(new Option('--run-timeout <seconds>', 'end a run (or --prepare) still going after this; it counts as failed').argParser(optionParser(parseSeconds('--run-timeout', 0.001, 7 * 24 * 3600))))
    .option('--show-output', "show the command's output (hidden by default, as hyperfine)")
    .option('--json', 'print the result JSON instead of the summary')
    .addOption(
      new Option('--baseline <seconds>', 'measure idle GPU power this long before the first run (0: not at all)')
        .argParser(optionParser((t) => (t.trim() === '0' ? 0 : parseSeconds('--baseline', 0.1, 600)(t))))
        .default(1000, '1'),
    )
    .option('--history-db <path>', HISTORY_DB_HELP)
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Examples:
  gpumon bench run --runs 5 -- python train_step.py --steps 20
  gpumon bench run --warmup 1 --export-json burn.json 'gpu_burn 10'
  gpumon bench run --demo --runs 3 -- sleep 0.2      (GPU side from the demo recording)`,
    );
  addSourceOptions(cmd);
  // Energy needs 10 Hz samples here, not the monitor's interval.
  const interval = cmd.options.find((o) => o.long === '--interval');
  if (interval) interval.description = 'seconds between GPU samples (default: 0.1)';
  cmd.action(async (argv: string[], opts: BenchRunFlags, self: Command) => {
    process.exitCode = await (await import('./run.js')).benchRun(argv, { ...opts, ascii: self.optsWithGlobals<{ ascii?: boolean }>().ascii }, process.env);
  });
}
