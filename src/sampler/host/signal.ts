import type { SignalName } from '../../model/processes.js';
import { readStartTimeMs } from './proc-processes.js';

export interface SignalResult {
  readonly ok: boolean;
  readonly message: string;
}

/**
 * Sends a signal to a process the user saw in the table, but only if it is
 * still that process: after the one shown exits, its PID can be given to
 * another, so the start time shown must equal the start time now.
 */
export function signalProcess(
  pid: number,
  seenStartTimeMs: number | null,
  signal: SignalName,
  opts: { procRoot?: string; kill?: (pid: number, signal: SignalName) => void } = {},
): SignalResult {
  const now = readStartTimeMs(pid, opts.procRoot);
  if (now === null) return { ok: false, message: `${pid} has already exited (or is not visible here); nothing sent` };
  if (seenStartTimeMs === null) return { ok: false, message: `cannot tell whether ${pid} is still the process shown; nothing sent` };
  if (Math.abs(now - seenStartTimeMs) >= 1) return { ok: false, message: `${pid} is now a different process (the one shown exited); nothing sent` };
  try {
    (opts.kill ?? process.kill)(pid, signal);
    return { ok: true, message: `${signal} sent to ${pid}` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPERM') return { ok: false, message: `not permitted to signal ${pid}: it belongs to another user` };
    if (code === 'ESRCH') return { ok: false, message: `${pid} has already exited; nothing sent` };
    return { ok: false, message: `could not signal ${pid}: ${(e as Error).message}` };
  }
}
