import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SmiFailure } from '../sampler/nvidia-smi/failure.js';
import { DEMO_RECORDINGS } from '../sampler/demo.js';
import { VERSION } from '../version.js';
import { EXIT, EXIT_FOR_FAILURE } from './exit-codes.js';
import { runOnce } from './once.js';
import { type CommonOptions, parseSeconds, UsageError } from './options.js';

/** Prints a failure as a short message, never a stack trace, and returns the exit status. */
export function reportError(error: unknown, stderr: { write(text: string): unknown }): number {
  if (error instanceof SmiFailure) {
    stderr.write(`gpumon: ${error.message}\n`);
    if (error.detail) stderr.write(`${error.detail.replace(/^/gm, '  nvidia-smi said: ')}\n`);
    return EXIT_FOR_FAILURE[error.kind];
  }
  if (error instanceof UsageError) {
    stderr.write(`gpumon: ${error.message}\n(see gpumon --help)\n`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`gpumon: internal error: ${message}\nThis is a bug in gpumon; please report it (set GPUMON_DEBUG=1 for details).\n`);
  if (process.env.GPUMON_DEBUG && error instanceof Error) stderr.write(`${error.stack}\n`);
  return EXIT.internal;
}

/** Turns a parser's UsageError into commander's, so commander reports it like its own. */
function option(parse: (text: string) => number) {
  return (text: string) => {
    try {
      return parse(text);
    } catch (e) {
      throw e instanceof UsageError ? new InvalidArgumentError(e.message) : e;
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('gpumon')
    .description('GPU monitor and GPU-aware benchmark runner for the terminal')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .option('--once', 'print one snapshot and exit (the default when stdout is not a terminal)')
    .option('--json', 'with --once: print a JSON document (gpustat --json keys, plus more)')
    .option('--compact', 'dense view; with --once, one line per GPU (gpustat-like)')
    .addOption(
      new Option('--demo [recording]', `replay recorded H100 data, no GPU needed (${DEMO_RECORDINGS.join(' or ')})`).preset(true),
    )
    .option('--ascii', 'draw with ASCII only, for terminals without Unicode')
    .option('--nvidia-smi <path>', 'nvidia-smi to run (default: $GPUMON_NVIDIA_SMI, else nvidia-smi on PATH)')
    .option('--only <gpus>', 'show only these GPUs: indices or UUIDs, comma-separated (e.g. 0,2)')
    .option('--only-visible', 'show only the GPUs CUDA_VISIBLE_DEVICES makes visible')
    .option('-i, --interval <seconds>', 'seconds between samples in the monitor', option(parseSeconds('--interval', 0.1, 3600)), 1000)
    .option('--timeout <seconds>', 'kill nvidia-smi if it has not answered after this long', option(parseSeconds('--timeout', 0.1, 600)), 10000)
    .showHelpAfterError('(see gpumon --help)')
    .exitOverride()
    .action(async (opts: CommonOptions) => {
      process.exitCode = await runOnce(opts, { stdout: process.stdout, env: process.env });
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
