import type { Command } from 'commander';
import { addBenchCompareCommand } from './compare/command.js';
import { addBenchHttpCommand } from './http/command.js';
import { addBenchRunCommand } from './run/command.js';

/** `gpumon bench ...`: each subcommand loads its engine only when it runs. */
export function addBenchCommand(program: Command): void {
  const bench = program.command('bench').description('benchmarks with the GPUs watched: http, run, compare').enablePositionalOptions();
  addBenchHttpCommand(bench);
  addBenchRunCommand(bench);
  addBenchCompareCommand(bench);
}
