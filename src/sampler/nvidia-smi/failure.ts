/**
 * Why nvidia-smi gave no data, told apart from its exit status and output, and
 * a message a person can act on. The CLI maps each kind to an exit status.
 */
export type SmiFailureKind =
  | 'not_installed'
  | 'driver_not_loaded'
  | 'driver_mismatch'
  | 'no_devices'
  | 'timeout'
  | 'unreadable'
  | 'failed';

export class SmiFailure extends Error {
  override readonly name = 'SmiFailure';
  constructor(
    readonly kind: SmiFailureKind,
    message: string,
    /** What nvidia-smi itself printed, trimmed to a few lines. */
    readonly detail: string = '',
  ) {
    super(message);
  }
}

/** The first few non-empty lines of what a process printed. */
export function excerpt(text: string, lines = 3): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, lines)
    .join('\n');
}

/**
 * Classifies a finished nvidia-smi run that failed. nvidia-smi's own exit
 * statuses (man nvidia-smi): 6 nothing found, 9 driver not loaded, 18 for a
 * driver/library mismatch ("Failed to initialize NVML: Driver/library version
 * mismatch"), others with a message. The text is checked first because some
 * builds exit 255 for all of these.
 */
export function classifySmiExit(path: string, exitCode: number | undefined, output: string): SmiFailure {
  const said = excerpt(output);
  if (/couldn't communicate with the NVIDIA driver|driver not loaded|NVIDIA driver is not loaded/i.test(output) || exitCode === 9)
    return new SmiFailure(
      'driver_not_loaded',
      'nvidia-smi cannot talk to the NVIDIA driver: it is not installed or not loaded (try `lsmod | grep nvidia`, or reinstall the driver).',
      said,
    );
  if (/Driver\/library version mismatch/i.test(output) || exitCode === 18)
    return new SmiFailure(
      'driver_mismatch',
      'The NVIDIA kernel driver and its user-space library have different versions, usually after a driver upgrade without a reboot. Reboot, or reload the nvidia kernel modules.',
      said,
    );
  if (/No devices were found/i.test(output) || exitCode === 6)
    return new SmiFailure('no_devices', 'nvidia-smi found no GPUs.', said);
  return new SmiFailure('failed', `${path} failed (exit status ${exitCode ?? 'unknown'}).`, said);
}

export function notInstalled(path: string, cause: string): SmiFailure {
  return new SmiFailure(
    'not_installed',
    `nvidia-smi was not found or cannot be run (${path}: ${cause}). Install the NVIDIA driver, or point --nvidia-smi or GPUMON_NVIDIA_SMI at nvidia-smi. To try gpumon without a GPU: gpumon --demo`,
  );
}

export function timedOut(path: string, ms: number): SmiFailure {
  return new SmiFailure(
    'timeout',
    `${path} did not answer within ${(ms / 1000).toFixed(1)} s and was killed, with its children. The driver may be hung (check \`dmesg\` for Xid errors); --timeout sets the limit.`,
  );
}

export function unreadable(path: string, output: string): SmiFailure {
  return new SmiFailure('unreadable', `${path} printed output gpumon cannot read.`, excerpt(output));
}
