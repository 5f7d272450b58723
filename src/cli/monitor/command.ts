import type { Command } from 'commander';
import { EXIT, UsageError } from '../../exit-status.js';
import type { MonitorOptions } from './flags.js';

/** The root command's own flags (`gpumon` with no subcommand), in the order its help lists them. */
export function addRootOptions(program: Command): Command {
  return program
    .option('--once', 'print one snapshot and exit (default when not a TTY)')
    .option('--json', "print one snapshot as JSON (gpustat's keys and more)")
    .option('--compact', 'dense view; with --once, one line per GPU')
    .option('--ascii', 'ASCII only, for terminals without Unicode')
    .option('--theme <name>', 'dark or light: colors for the terminal background')
    .option('--threshold <metric=a,b>', 'color bands, e.g. temperature=70,85 (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--readonly', 'monitor: never offer to signal processes')
    // The monitor records as it runs: one more subscriber on its source.
    .option('--record [path]', 'monitor: also record to the history database')
    .option('--remote <urls>', 'read these gpumon servers, not the local GPUs')
    .option('--check', 'print firing alerts (exit 20 warning, 21 critical)');
}

/**
 * `gpumon` itself: the monitor on a terminal, else one snapshot. Each loads
 * only when chosen, so `--once` never loads Ink.
 */
export async function runRoot(opts: MonitorOptions, self: Command): Promise<void> {
  if (self.args.length > 0)
    self.error(`error: unknown command '${self.args[0]}' (commands: ${self.commands.map((c) => c.name()).join(', ')})`, { code: 'commander.unknownCommand', exitCode: EXIT.usage });
  if (opts.record !== undefined && (opts.once || opts.json || opts.check))
    throw new UsageError('--record records what the monitor shows; to record without it: gpumon record');
  // nvitop's rule: a snapshot, not a screen, when stdout is not a terminal.
  if (opts.once || opts.json || opts.check || !process.stdout.isTTY) process.exitCode = await (await import('../once/run.js')).runOnce(opts, { stdout: process.stdout, env: process.env });
  else process.exitCode = await (await import('./run.js')).runMonitor(opts, process.env);
}
