import { execa } from 'execa';
import { notInstalled, timedOut } from './failure.js';

export interface SmiOutput {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Errors that mean the binary cannot be run at all. */
const SPAWN_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory in the path',
  ENOEXEC: 'not an executable',
};

/**
 * Runs nvidia-smi once and returns what it printed. Throws SmiFailure when it
 * cannot be started, or when it outlives `timeoutMs`: then its whole process
 * group is killed (a hung driver call can leave children behind), so nothing
 * it started outlives gpumon.
 */
export async function runSmi(path: string, args: readonly string[], timeoutMs: number): Promise<SmiOutput> {
  const child = execa(path, args, {
    reject: false,
    stdin: 'ignore',
    // Its own process group, so a timeout can kill its children too.
    detached: true,
    // Keep the environment's locale out of number formatting.
    env: { LC_ALL: 'C' },
    maxBuffer: 16 * 1024 * 1024,
  });
  let killedForTimeout = false;
  const timer = setTimeout(() => {
    killedForTimeout = true;
    killGroup(child.pid);
  }, timeoutMs);
  try {
    const result = await child;
    if (killedForTimeout) throw timedOut(path, timeoutMs);
    const spawnError = SPAWN_ERRORS[result.code ?? ''];
    if (spawnError) throw notInstalled(path, spawnError);
    if (result.failed && result.exitCode === undefined && !result.signal) throw notInstalled(path, result.shortMessage ?? 'cannot start');
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILL a process and everything in its process group. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
