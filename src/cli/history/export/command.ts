import { type Command, Option } from 'commander';
import { addRangeOptions } from '../flags.js';
import type { ExportFlags } from './flags.js';

/** `gpumon export`: recorded samples as CSV or JSON; SQLite loads when it runs. */
export function addExportCommand(program: Command): void {
  addRangeOptions(program.command('export').description('write recorded samples as CSV or JSON'))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--gpu <gpus>', 'only these GPUs: indices or UUIDs, e.g. 0,2')
    .option('--out <file>', 'write to this file (default: stdout)')
    .action(async (opts: ExportFlags) => {
      await (await import('./run.js')).runExport(opts, process.env);
    });
}
