import { constants } from 'node:os';

/** A bad command line: printed as one line, exit status 2. */
export class UsageError extends Error {}

/**
 * A failure the user can act on, with its exit status. Commands throw these
 * (or SmiFailure) instead of printing and exiting, so every error is reported
 * in one place, the same way.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** Extra lines shown under the message. */
    readonly detail = '',
  ) {
    super(message);
  }
}

/**
 * gpumon's exit statuses, documented in docs/exit-status.md. Where nvidia-smi has its
 * own status for the same failure, gpumon uses the same number.
 */
export const EXIT = {
  ok: 0,
  /** nvidia-smi failed in a way not listed below; the message says how. */
  smiFailed: 1,
  /** Bad command line. */
  usage: 2,
  /** nvidia-smi is not installed, or cannot be run. */
  notInstalled: 3,
  /** No GPU found, or none matches --only / CUDA_VISIBLE_DEVICES (nvidia-smi: 6). */
  noDevices: 6,
  /** The NVIDIA driver is not loaded (nvidia-smi: 9). */
  driverNotLoaded: 9,
  /** Kernel driver and NVML library versions differ (nvidia-smi: 18). */
  driverMismatch: 18,
  /** The settings file cannot be read or written (sysexits EX_CONFIG). */
  config: 78,
  /** nvidia-smi printed output gpumon cannot read (sysexits EX_DATAERR). */
  unreadable: 65,
  /** `bench http`: the server cannot be reached, or lists no model (sysexits EX_UNAVAILABLE). */
  serverUnavailable: 69,
  /** `bench http`: every request failed (the summary says how). */
  benchFailed: 1,
  /** A result file cannot be written (sysexits EX_CANTCREAT). */
  cannotWrite: 73,
  /** The history database holds nothing for the range, label or GPUs asked for (sysexits EX_NOINPUT). */
  noData: 66,
  /** Another recorder is writing to the history database (sysexits EX_TEMPFAIL). */
  busy: 75,
  /** A bug in gpumon (sysexits EX_SOFTWARE). */
  internal: 70,
  /** nvidia-smi hung and was killed (as timeout(1)). */
  timeout: 124,
  // bench run / bench compare:
  /** The benchmarked command (or --prepare) failed (hyperfine: 1). */
  commandFailed: 1,
  /** The benchmarked command could not be started (a shell's 127). */
  commandNotFound: 127,
  /** A file to read cannot be opened (sysexits EX_NOINPUT). */
  cannotRead: 66,
  /** `--check`: an alert of severity warning fires (and none critical). */
  alertWarning: 20,
  /** `--check`: a critical alert fires, or a `--remote` host is down. */
  alertCritical: 21,
  /** `select`, `wait`: fewer GPUs qualify than asked for (or exist). */
  tooFewGpus: 1,
  /** `wait`: --max-wait passed before enough GPUs were free (sysexits EX_TEMPFAIL: try again later). */
  waitTimedOut: 75,
  /** `gpumon serve` cannot listen: the port is in use, or the address is not ours (sysexits EX_UNAVAILABLE). */
  cannotListen: 69,
} as const;

/** The signals a long-running command stops on: Ctrl-C, kill, a closed terminal. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Exit status after a signal: 128 + its number, as a shell reports it (SIGINT 130, SIGTERM 143, SIGHUP 129). */
export function exitForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
