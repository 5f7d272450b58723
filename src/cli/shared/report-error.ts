import { writeFileSync } from 'node:fs';
import { SmiFailure, type SmiFailureKind } from '../../sampler/nvidia-smi/failure.js';
import { CliError, EXIT, UsageError } from '../../exit-status.js';

/** The exit status for each way nvidia-smi fails. */
export const EXIT_FOR_FAILURE: Record<SmiFailureKind, number> = {
  not_installed: EXIT.notInstalled,
  driver_not_loaded: EXIT.driverNotLoaded,
  driver_mismatch: EXIT.driverMismatch,
  no_devices: EXIT.noDevices,
  timeout: EXIT.timeout,
  unreadable: EXIT.unreadable,
  failed: EXIT.smiFailed,
};

/** Fails now (exit 73) if a result file given by `flag` cannot be written, not after an hour of measuring. */
export function checkWritable(flag: string, path: string): void {
  try {
    writeFileSync(path, '');
  } catch (e) {
    throw new CliError(`${flag}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, EXIT.cannotWrite);
  }
}

/** Prints a failure as a short message, never a stack trace, and returns the exit status; `command` names whose --help a usage error points to. */
export function reportError(error: unknown, stderr: { write(text: string): unknown }, command = 'gpumon'): number {
  if (error instanceof SmiFailure) {
    stderr.write(`gpumon: ${error.message}\n`);
    if (error.detail) stderr.write(`${error.detail.replace(/^/gm, '  nvidia-smi said: ')}\n`);
    return EXIT_FOR_FAILURE[error.kind];
  }
  if (error instanceof UsageError) {
    stderr.write(`gpumon: ${error.message}\n(see ${command} --help)\n`);
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    stderr.write(`gpumon: ${error.message}\n`);
    if (error.detail) stderr.write(`${error.detail.replace(/^/gm, '  ')}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`gpumon: internal error: ${message}\nThis is a bug in gpumon; please report it (set GPUMON_DEBUG=1 for details).\n`);
  if (process.env.GPUMON_DEBUG && error instanceof Error) stderr.write(`${error.stack}\n`);
  return EXIT.internal;
}
