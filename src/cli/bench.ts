import type { Command } from 'commander';
import { addBenchCompareCommand } from './bench-compare.js';
import { addBenchHttpCommand } from './bench-http-command.js';
import { addBenchRunCommand } from './bench-run.js';

/** `gpumon bench ...`: each subcommand loads its engine only when it runs. */
export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks: load tests with what the GPUs do during them').enablePositionalOptions()
    // Subcommands copy these settings when made: bad flags exit 2 through main's handler.
    .exitOverride()
    .showHelpAfterError('(see gpumon bench --help)');
  addBenchHttpCommand(bench);
  addBenchRunCommand(bench);
  addBenchCompareCommand(bench);
}
