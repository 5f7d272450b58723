import { processCommand } from './derive.js';
import type { GpuProcess } from './types.js';

/** The signals gpumon offers to send to a process. */
export type SignalName = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

/** Columns the process table sorts by. */
export const SORT_COLUMNS = ['gpu', 'pid', 'user', 'gpu-memory', 'sm', 'cpu', 'mem', 'time', 'command'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

type Key = (p: GpuProcess) => number | string | null;

const KEYS: Record<SortColumn, Key> = {
  gpu: (p) => p.gpuIndex,
  pid: (p) => p.pid,
  user: (p) => p.user,
  'gpu-memory': (p) => p.gpuMemoryMiB,
  sm: (p) => p.smPercent,
  cpu: (p) => p.cpuPercent,
  mem: (p) => p.memPercent,
  time: (p) => p.elapsedSeconds,
  command: (p) => processCommand(p),
};

function compare(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  // Unknown values sort last whatever the order, so they never crowd the top.
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

/** A fleet's hosts (a process's `host`), in name order; one host's processes have none. */
const byHost = (a: GpuProcess, b: GpuProcess) => compare(a.host ?? null, b.host ?? null);

/** Processes sorted by a column; ties by host, GPU then PID, so the order is stable across samples. By GPU means by host, then GPU. */
export function sortProcesses(list: readonly GpuProcess[], column: SortColumn, descending: boolean): GpuProcess[] {
  const key = KEYS[column];
  const sign = descending ? -1 : 1;
  return [...list].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const primary = (column === 'gpu' ? sign * byHost(a, b) : 0) || (ka === null || kb === null ? compare(ka, kb) : sign * compare(ka, kb));
    return primary || byHost(a, b) || compare(a.gpuIndex, b.gpuIndex) || a.pid - b.pid;
  });
}

/** Processes whose user, PID or command contains the text (case-insensitive). */
export function filterProcesses(list: readonly GpuProcess[], text: string): GpuProcess[] {
  const t = text.trim().toLowerCase();
  if (!t) return [...list];
  return list.filter((p) => String(p.pid).includes(t) || (p.user ?? '').toLowerCase().includes(t) || (processCommand(p) ?? '').toLowerCase().includes(t));
}
