import type { Command } from 'commander';
import { addWaitOptions, type WaitFlags } from './flags.js';

/** `gpumon wait [options] -- CMD ARGS`: waits for free GPUs, takes them, runs the command on them. */
export function addWaitCommand(program: Command): void {
  // The command's own options stay its own (`wait -n 1 python x.py --lr 3`): that needs the root's positional options (main.ts turns them on too).
  addWaitOptions(
    program
      .enablePositionalOptions()
      .command('wait')
      .description('wait for free GPUs, then run a command on them (CUDA_VISIBLE_DEVICES set)')
      .argument('<command...>', "the program and its arguments, run without a shell (put them after '--')")
      .passThroughOptions(),
  )
    .addHelpText('after', '\nExample:\n  gpumon wait -n 2 --min-free 20GiB --max-wait 2h -- python train.py --epochs 3')
    .action(async (argv: string[], flags: WaitFlags) => {
      process.exitCode = await (await import('./run.js')).runWait(argv, flags, process.env);
    });
}
