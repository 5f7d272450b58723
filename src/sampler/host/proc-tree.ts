import { readdirSync, readFileSync } from 'node:fs';

/** /proc/[pid]/stat's fields after the command name (which may hold spaces and parentheses). */
function statFields(text: string): string[] | null {
  const close = text.lastIndexOf(')');
  return close === -1 ? null : text.slice(close + 2).split(' ');
}

/** The parent pid in a /proc/[pid]/stat text (field 4). */
export function parseParentPid(text: string): number | null {
  const ppid = Number(statFields(text)?.[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/** The parent of a live pid, or null when it is gone or not visible. */
export function readParentPid(pid: number, procRoot = '/proc'): number | null {
  try {
    return parseParentPid(readFileSync(`${procRoot}/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

/** pid -> parent pid of every process /proc shows. */
export function readParentTable(procRoot = '/proc'): Map<number, number> {
  const table = new Map<number, number>();
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch {
    return table;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = readParentPid(Number(name), procRoot);
    if (ppid !== null) table.set(Number(name), ppid);
  }
  return table;
}

/** Linux's USER_HZ, the unit of /proc/[pid]/stat times. */
const TICKS_PER_SECOND = 100;

/**
 * User and system CPU seconds of this process's children that it has waited
 * for (cutime, cstime: fields 16 and 17 of /proc/self/stat), which include
 * their own waited-for descendants: getrusage(RUSAGE_CHILDREN), what hyperfine
 * reads around each run, in 10 ms ticks. Null without /proc.
 */
export function readReapedChildrenCpu(procRoot = '/proc'): { user: number; system: number } | null {
  try {
    const f = statFields(readFileSync(`${procRoot}/self/stat`, 'latin1'));
    const user = Number(f?.[13]);
    const system = Number(f?.[14]);
    return Number.isFinite(user) && Number.isFinite(system) ? { user: user / TICKS_PER_SECOND, system: system / TICKS_PER_SECOND } : null;
  } catch {
    return null;
  }
}
