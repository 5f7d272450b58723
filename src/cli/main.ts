import { Command, CommanderError } from 'commander';
import { registerConfigCommands } from '../config/command.js';
import { registerBenchCommands } from './bench.js';
import { registerHistoryCommands } from './history.js';
import { VERSION } from '../version.js';
import { reportError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { runOnce } from './once.js';
import type { MonitorOptions } from './monitor.js';
import { addSourceOptions } from './options.js';
import { registerServeAndFleet } from './serve.js';
import { registerSelectCommand } from './select/command.js';
import { registerWaitCommand } from './wait/command.js';

export function buildProgram(): Command {
  const program = new Command('gpumon')
    .description('GPU monitor and GPU-aware benchmark runner for the terminal')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .option('--once', 'print one snapshot and exit (default when not a TTY)')
    .option('--json', "print one snapshot as JSON (gpustat's keys and more)")
    .option('--compact', 'dense view; with --once, one line per GPU')
    .option('--ascii', 'ASCII only, for terminals without Unicode')
    .option('--theme <name>', 'dark or light: colors for the terminal background')
    .option('--threshold <metric=a,b>', 'color bands, e.g. temperature=70,85 (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--readonly', 'monitor: never offer to signal processes')
    // Copied into each subcommand as it is made: `bench help run`, in the help's own words.
    .helpCommand('help [command]', 'show the help of a command');
  registerBenchCommands(program);
  registerHistoryCommands(program);
  registerServeAndFleet(program);
  registerConfigCommands(program);
  registerSelectCommand(program);
  registerWaitCommand(program);
  addSourceOptions(program)
    .helpCommand(false)
    .enablePositionalOptions()
    // Operands are not ours to take: `gpumon nonsense` is an unknown command, not "too many arguments".
    .allowExcessArguments()
    .action(async (opts: MonitorOptions, self: Command) => {
      if (self.args.length > 0)
        self.error(`error: unknown command '${self.args[0]}' (commands: ${self.commands.map((c) => c.name()).join(', ')})`, { code: 'commander.unknownCommand', exitCode: EXIT.usage });
      if (opts.record !== undefined && (opts.once || opts.json || opts.check))
        throw new UsageError('--record records what the monitor shows; to record without it: gpumon record');
      // nvitop's rule: a snapshot, not a screen, when stdout is not a terminal.
      if (opts.once || opts.json || opts.check || !process.stdout.isTTY) process.exitCode = await runOnce(opts, { stdout: process.stdout, env: process.env });
      else process.exitCode = await (await import('./monitor.js')).runMonitor(opts, process.env);
    });
  forEachCommand(program, (cmd) => cmd.exitOverride().showHelpAfterError(`(see ${commandPath(cmd)} --help)`));
  return program;
}

function forEachCommand(cmd: Command, visit: (cmd: Command) => void): void {
  visit(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, visit);
}

/** `gpumon bench run`: the words that name a command. */
function commandPath(cmd: Command): string {
  return cmd.parent ? `${commandPath(cmd.parent)} ${cmd.name()}` : cmd.name();
}

export async function main(argv: readonly string[]): Promise<void> {
  // `gpumon --once | head -1` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  // A bad value found by a command's action points at that command's help.
  let help = 'gpumon';
  try {
    const program = buildProgram().hook('preAction', (_root, action) => {
      help = commandPath(action);
    });
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its message (or the help, or the version) already.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    process.exitCode = reportError(error, process.stderr, help);
  }
}

await main(process.argv);
