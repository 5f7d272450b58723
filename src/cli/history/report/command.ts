import type { Command } from 'commander';
import { addRangeOptions } from '../flags.js';
import type { ReportFlags } from './flags.js';

/** `gpumon report`: recorded samples as one HTML page with charts; SQLite loads when it runs. */
export function addReportCommand(program: Command): void {
  addRangeOptions(program.command('report').description('write recorded samples as an HTML page with charts'))
    .option('--gpu <gpus>', 'only these GPUs: indices or UUIDs, e.g. 0,2')
    .requiredOption('--out <file>', 'write to this file (required)')
    .action(async (opts: ReportFlags) => {
      await (await import('./run.js')).runReport(opts, process.env);
    });
}
