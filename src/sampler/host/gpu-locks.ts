import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStartTimeMs } from './proc-processes.js';

/**
 * One lock file per GPU, so that two `gpumon wait` on one host never take
 * the same GPU, and `gpumon select` passes over a GPU a waiter has taken.
 * The file (named by the GPU's UUID) holds the pids of its holders, the
 * waiter and, once started, its command, each with its start time; the lock
 * is free once none of them lives (a pid reused by another process does not
 * count). Files are made whole and then linked into place, so a lock never
 * exists without its holders.
 */

interface Holder {
  readonly pid: number;
  /** ms since the epoch; null where /proc cannot tell. */
  readonly startTimeMs: number | null;
}

interface LockFile {
  readonly holders: readonly Holder[];
  /** The command it was taken for, for messages. */
  readonly command: string;
}

/** `$XDG_RUNTIME_DIR/gpumon/locks`, else `/tmp/gpumon-$UID/locks`. */
export function locksDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'gpumon', 'locks') : join('/tmp', `gpumon-${uid}`, 'locks');
}

function alive(h: Holder, procRoot: string): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = readStartTimeMs(h.pid, procRoot);
  return h.startTimeMs === null || now === null || Math.abs(now - h.startTimeMs) < 1;
}

function parseLock(text: string): LockFile | null {
  try {
    const f = JSON.parse(text) as LockFile;
    return Array.isArray(f.holders) && f.holders.every((h) => Number.isInteger(h.pid)) ? f : null;
  } catch {
    return null;
  }
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** A UUID as a file name (nvidia-smi's are safe already; anything else is made so). */
const fileName = (uuid: string) => uuid.replace(/[^\w.-]/g, '_');

export class GpuLocks {
  private readonly held = new Set<string>();
  private holders: Holder[];
  private command = '';

  constructor(
    readonly dir: string,
    private readonly procRoot = '/proc',
  ) {
    this.holders = [this.holder(process.pid)];
  }

  private holder(pid: number): Holder {
    return { pid, startTimeMs: readStartTimeMs(pid, this.procRoot) };
  }

  private path(uuid: string): string {
    return join(this.dir, `${fileName(uuid)}.lock`);
  }

  /** A lock file's first live holder and its command; null when the file is gone, is not a whole lock (ours always are), or all its holders are dead. */
  private live(text: string | null): { pid: number; command: string } | null {
    const f = text === null ? null : parseLock(text);
    const holder = f?.holders.find((h) => alive(h, this.procRoot));
    return holder ? { pid: holder.pid, command: f!.command } : null;
  }

  private read(path: string): string | null {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') return null;
      throw e;
    }
  }

  /** Who else holds the GPU's lock (pid and command), or null when it is free or ours. */
  holderOf(uuid: string): { pid: number; command: string } | null {
    return this.held.has(uuid) ? null : this.live(this.read(this.path(uuid)));
  }

  /** Writes our lock file's content to a private file, to be linked or renamed into place. */
  private draft(uuid: string): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `.${process.pid}.${fileName(uuid)}.tmp`);
    writeFileSync(tmp, JSON.stringify({ holders: this.holders, command: this.command } satisfies LockFile));
    return tmp;
  }

  /** link() fails with EEXIST when the target exists: the atomic "create if absent". */
  private tryLink(tmp: string, path: string): boolean {
    try {
      linkSync(tmp, path);
      return true;
    } catch (e) {
      if (errno(e) === 'EEXIST') return false;
      throw e;
    }
  }

  /** Takes the GPU's lock for `command`; false when someone alive holds it. A lock whose holders are all dead is taken over. */
  take(uuid: string, command: string): boolean {
    if (this.held.has(uuid)) return true;
    this.command = command;
    const path = this.path(uuid);
    const tmp = this.draft(uuid);
    try {
      if (this.tryLink(tmp, path)) return this.got(uuid);
      const seen = this.read(path);
      if (this.live(seen) !== null) return false;
      // Dead holders: one taker at a time clears the file (under a guard), and only if it is still the dead one it judged.
      const guard = `${path}.reclaim`;
      if (!this.tryLink(tmp, guard)) {
        // A guard is held for microseconds: one whose holder is dead was left by a kill, and goes (we try again next time).
        if (this.live(this.read(guard)) === null) rmSync(guard, { force: true });
        return false;
      }
      try {
        if (this.read(path) === seen && seen !== null) unlinkSync(path);
      } finally {
        unlinkSync(guard);
      }
      return this.tryLink(tmp, path) && this.got(uuid);
    } finally {
      unlinkSync(tmp);
    }
  }

  private got(uuid: string): true {
    this.held.add(uuid);
    return true;
  }

  /** The command runs as `pid`: it holds our locks too, so they stay taken while it lives, even if we are killed. */
  addHolder(pid: number): void {
    this.holders = [...this.holders, this.holder(pid)];
    for (const uuid of this.held) {
      const tmp = this.draft(uuid);
      renameSync(tmp, this.path(uuid));
    }
  }

  /** Removes our lock files. Synchronous, so it can run in an exit handler. */
  release(): void {
    for (const uuid of this.held) rmSync(this.path(uuid), { force: true });
    this.held.clear();
  }
}
