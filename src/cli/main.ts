import { Command, CommanderError } from 'commander';
import { registerConfigCommands } from '../config/command.js';
import { registerBenchCommands } from './bench.js';
import { registerHistoryCommands } from './history.js';
import { VERSION } from '../version.js';
import { reportError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { runOnce } from './once.js';
import type { MonitorOptions } from './monitor.js';
import { addSourceOptions } from './options.js';
import { registerServeAndFleet } from './serve.js';

export function buildProgram(): Command {
  const program = new Command('gpumon')
    .description('GPU monitor and GPU-aware benchmark runner for the terminal')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .option('--once', 'print one snapshot and exit (default when not a TTY)')
    .option('--json', 'with --once: JSON (gpustat --json keys and more)')
    .option('--compact', 'dense view; with --once, one line per GPU')
    .option('--ascii', 'ASCII only, for terminals without Unicode')
    .option('--theme <name>', 'colors for a dark or light background')
    .option('--threshold <metric=a,b>', 'color bands, e.g. temperature=70,85 (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--readonly', 'monitor: never offer to signal processes');
  registerConfigCommands(program);
  registerBenchCommands(program);
  registerHistoryCommands(program);
  registerServeAndFleet(program);
  addSourceOptions(program)
    .enablePositionalOptions()
    .showHelpAfterError('(see gpumon --help)')
    .exitOverride()
    .action(async (opts: MonitorOptions) => {
      // nvitop's rule: a snapshot, not a screen, when stdout is not a terminal.
      if (opts.once || opts.json || opts.check || !process.stdout.isTTY) process.exitCode = await runOnce(opts, { stdout: process.stdout, env: process.env });
      else process.exitCode = await (await import('./monitor.js')).runMonitor(opts, process.env);
    });
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  // `gpumon --once | head -1` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its message (or the help, or the version) already.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    process.exitCode = reportError(error, process.stderr);
  }
}

await main(process.argv);
