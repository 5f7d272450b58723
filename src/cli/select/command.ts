import type { Command } from 'commander';
import { addPickOptions, type SelectFlags } from './flags.js';

/** `gpumon select`: the free GPUs now, as CUDA_VISIBLE_DEVICES wants them. */
export function addSelectCommand(program: Command): void {
  addPickOptions(program.command('select').description('print free GPUs for CUDA_VISIBLE_DEVICES (exit 1: too few)'))
    .option('--json', 'every GPU judged, and the chosen ones, as JSON')
    .addHelpText('after', '\nExample:\n  CUDA_VISIBLE_DEVICES=$(gpumon select -n 2 --min-free 20GiB) python train.py')
    .action(async (flags: SelectFlags) => {
      process.exitCode = await (await import('./run.js')).runSelect(flags, process.stdout, process.env);
    });
}
