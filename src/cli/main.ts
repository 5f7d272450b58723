import { Command, CommanderError } from 'commander';
import { EXIT } from '../exit-status.js';
import { VERSION } from '../version.js';
import { addBenchCommand } from './bench/command.js';
import { addConfigCommand } from './config/command.js';
import { addExportCommand } from './history/export/command.js';
import { addRecordCommand } from './history/record/command.js';
import { addReportCommand } from './history/report/command.js';
import { addRootOptions, runRoot } from './monitor/command.js';
import { addSelectCommand } from './select/command.js';
import { addServeCommand } from './serve/command.js';
import { addSourceOptions } from './shared/options.js';
import { reportError } from './shared/report-error.js';
import { addWaitCommand } from './wait/command.js';

/** The root command (the monitor, or `--once`) and every subcommand, in the order the help lists them. */
export function buildProgram(): Command {
  const program = new Command('gpumon')
    .description('GPU monitor and GPU-aware benchmark runner for the terminal')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help and exit');
  addRootOptions(program)
    // Copied into each subcommand as it is made: `bench help run`, in the help's own words.
    .helpCommand('help [command]', 'show the help of a command');
  addBenchCommand(program);
  addRecordCommand(program);
  addExportCommand(program);
  addReportCommand(program);
  addServeCommand(program);
  addConfigCommand(program);
  addSelectCommand(program);
  addWaitCommand(program);
  addSourceOptions(program)
    .helpCommand(false)
    .enablePositionalOptions()
    // Operands are not ours to take: `gpumon nonsense` is an unknown command, not "too many arguments".
    .allowExcessArguments()
    .action(runRoot);
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
