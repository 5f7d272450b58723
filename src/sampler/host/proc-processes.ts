import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { UnknownReason } from '../../model/types.js';

/** What the host knows about one process. */
export interface HostProcessInfo {
  readonly user: string | null;
  readonly cpuPercent: number | null;
  readonly rssBytes: number | null;
  readonly memPercent: number | null;
  readonly elapsedSeconds: number | null;
  readonly startTimeMs: number | null;
  readonly argv: readonly string[] | null;
  readonly unknown: Partial<Record<Exclude<keyof HostProcessInfo, 'unknown'>, UnknownReason>>;
}

/** Linux's USER_HZ: the unit of /proc/[pid]/stat times on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface PidStat {
  readonly cpuTicks: number; // utime + stime
  readonly startTicks: number; // since boot
  readonly rssPages: number;
}

/** /proc/[pid]/stat. The command name (field 2) may hold spaces and parentheses: read after the last ')'. */
export function parsePidStat(text: string): PidStat | null {
  const close = text.lastIndexOf(')');
  if (close === -1) return null;
  // Fields from 3 (state) on; utime is field 14, stime 15, starttime 22, rss 24.
  const f = text.slice(close + 2).split(' ');
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const start = Number(f[19]);
  const rss = Number(f[21]);
  if (![utime, stime, start, rss].every(Number.isFinite)) return null;
  return { cpuTicks: utime + stime, startTicks: start, rssPages: rss };
}

/** A reused buffer: /proc/[pid]/stat is read for every GPU process on every sample. */
const statBuffer = Buffer.alloc(4096);

/**
 * Reads a small /proc file in one read into a reused buffer: readFileSync
 * stats it first (a /proc file reports size 0) and reads in chunks.
 */
function readProcFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return statBuffer.toString('latin1', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** When the machine booted, in ms since the epoch (/proc/stat btime), or null without /proc. */
export function readBootTimeMs(procRoot = '/proc'): number | null {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync(`${procRoot}/stat`, 'utf8'));
    return m ? Number(m[1]) * 1000 : null;
  } catch {
    return null;
  }
}

/** A process's start time in ms since the epoch, from its stat and the boot time. */
export function startTimeMs(stat: PidStat, bootTimeMs: number): number {
  return bootTimeMs + (stat.startTicks / CLOCK_TICKS_PER_SECOND) * 1000;
}

/** The start time of a live pid now, or null when it is gone or not visible. */
export function readStartTimeMs(pid: number, procRoot = '/proc'): number | null {
  const boot = readBootTimeMs(procRoot);
  if (boot === null) return null;
  try {
    const stat = parsePidStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
    return stat ? startTimeMs(stat, boot) : null;
  } catch {
    return null;
  }
}

/** uid -> user name from an /etc/passwd text. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid) && !users.has(Number(uid))) users.set(Number(uid), name);
  }
  return users;
}

const NOT_VISIBLE = Object.freeze<HostProcessInfo>({
  user: null,
  cpuPercent: null,
  rssBytes: null,
  memPercent: null,
  elapsedSeconds: null,
  startTimeMs: null,
  argv: null,
  unknown: {
    user: 'not_visible',
    cpuPercent: 'not_visible',
    rssBytes: 'not_visible',
    memPercent: 'not_visible',
    elapsedSeconds: 'not_visible',
    startTimeMs: 'not_visible',
    argv: 'not_visible',
  },
});

interface Known {
  readonly startTicks: number;
  readonly user: string | null;
  readonly argv: readonly string[] | null;
  cpuTicks: number;
  at: number;
}

/**
 * Per-process user, %CPU, RSS, %MEM, elapsed time and command line from
 * /proc. Only /proc/[pid]/stat is read on every sample; the user and the
 * command line are read once per process (a pid with a new start time is a
 * new process). A pid that /proc does not show (another PID namespace, or
 * already exited) gets nulls with reason `not_visible`.
 */
export class ProcessReader {
  private readonly known = new Map<number, Known>();
  private users: Map<number, string> | null = null;
  private bootTimeMs: number | null = null;
  private pageSize: number | null = null;

  constructor(private readonly procRoot = '/proc') {}

  read(pids: Iterable<number>, memoryTotalBytes: number | null, now = Date.now()): Map<number, HostProcessInfo> {
    const out = new Map<number, HostProcessInfo>();
    const seen = new Set<number>();
    for (const pid of pids) {
      if (out.has(pid)) continue;
      seen.add(pid);
      out.set(pid, this.readOne(pid, memoryTotalBytes, now));
    }
    for (const pid of this.known.keys()) if (!seen.has(pid)) this.known.delete(pid);
    return out;
  }

  private readOne(pid: number, memoryTotalBytes: number | null, now: number): HostProcessInfo {
    let stat: PidStat | null;
    try {
      stat = parsePidStat(readProcFile(`${this.procRoot}/${pid}/stat`));
    } catch {
      stat = null;
    }
    const boot = this.bootTime();
    if (!stat || boot === null) {
      this.known.delete(pid);
      return NOT_VISIBLE;
    }
    let known = this.known.get(pid);
    const first = !known || known.startTicks !== stat.startTicks;
    if (!known || first) {
      known = { startTicks: stat.startTicks, user: this.userOf(pid), argv: this.argvOf(pid), cpuTicks: stat.cpuTicks, at: now };
      this.known.set(pid, known);
    }
    const started = startTimeMs(stat, boot);
    const elapsedSeconds = Math.max(0, (now - started) / 1000);
    const cpuSeconds = stat.cpuTicks / CLOCK_TICKS_PER_SECOND;
    // First sight: lifetime average, as `ps` shows. Later: over the last interval, as `top` shows.
    const dt = (now - known.at) / 1000;
    const cpuPercent = first
      ? elapsedSeconds > 0
        ? (cpuSeconds / elapsedSeconds) * 100
        : null
      : dt > 0
        ? ((stat.cpuTicks - known.cpuTicks) / CLOCK_TICKS_PER_SECOND / dt) * 100
        : null;
    known.cpuTicks = stat.cpuTicks;
    known.at = now;
    const rssBytes = stat.rssPages * this.pageBytes();
    const memPercent = memoryTotalBytes ? (rssBytes / memoryTotalBytes) * 100 : null;
    const unknown: HostProcessInfo['unknown'] = {};
    if (known.user === null) unknown.user = 'not_visible';
    if (known.argv === null) unknown.argv = 'not_visible';
    if (cpuPercent === null) unknown.cpuPercent = 'no_previous_sample';
    if (memPercent === null) unknown.memPercent = 'not_available';
    return { user: known.user, cpuPercent, rssBytes, memPercent, elapsedSeconds, startTimeMs: started, argv: known.argv, unknown };
  }

  private bootTime(): number | null {
    this.bootTimeMs ??= readBootTimeMs(this.procRoot);
    return this.bootTimeMs;
  }

  /** Bytes per page, derived from our own RSS in kB and in pages (no sysconf in Node). */
  private pageBytes(): number {
    if (this.pageSize === null) {
      this.pageSize = 4096;
      try {
        const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
        const pages = parsePidStat(readFileSync('/proc/self/stat', 'utf8'))?.rssPages;
        if (kb && pages) {
          const ratio = (kb * 1024) / pages;
          this.pageSize = [4096, 16384, 65536].reduce((a, b) => (Math.abs(b - ratio) < Math.abs(a - ratio) ? b : a));
        }
      } catch {
        // Keep 4 KiB.
      }
    }
    return this.pageSize;
  }

  private userOf(pid: number): string | null {
    let uid: number;
    try {
      uid = statSync(`${this.procRoot}/${pid}`).uid;
    } catch {
      return null;
    }
    if (this.users === null) {
      try {
        this.users = parsePasswd(readFileSync('/etc/passwd', 'utf8'));
      } catch {
        this.users = new Map();
      }
    }
    // Users from LDAP and the like are not in /etc/passwd: show the uid, as ps does.
    return this.users.get(uid) ?? String(uid);
  }

  private argvOf(pid: number): string[] | null {
    try {
      const raw = readFileSync(`${this.procRoot}/${pid}/cmdline`, 'utf8');
      // Kernel threads and zombies have an empty command line.
      return raw === '' ? null : raw.replace(/\0$/, '').split('\0');
    } catch {
      return null;
    }
  }
}
