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
