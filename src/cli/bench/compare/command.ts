import type { Command } from 'commander';
import type { BenchCompareFlags } from './flags.js';

/** `gpumon bench compare A.json B.json ...`: results side by side, with ratios to the first. */
export function addBenchCompareCommand(bench: Command): void {
  bench
    .command('compare')
    .description('benchmark results side by side, with ratios to the first')
    .argument('<files...>', 'result files; the first is the base of the ratios')
    .option('--label <name>', 'a column label, in file order (repeatable; default: the file name)', (v: string, all: string[] = []) => [...all, v])
    .option('--json', 'print the comparison as JSON')
    .option('--markdown', 'print a Markdown table')
    .action(async (files: string[], opts: BenchCompareFlags, self: Command) => {
      process.exitCode = await (await import('./run.js')).benchCompare(files, { ...opts, ascii: self.optsWithGlobals<{ ascii?: boolean }>().ascii }, process.stdout, process.env);
    });
}
