import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { HostSample, UnknownReason } from '../../model/types.js';

/** Cumulative CPU time counters from the first line of /proc/stat (in USER_HZ ticks). */
export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

export function parseProcStatCpu(text: string): CpuTimes | null {
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return null;
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = n;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: total - idle - iowait, total };
}

export function cpuPercentBetween(a: CpuTimes, b: CpuTimes): number | null {
  const dt = b.total - a.total;
  if (dt <= 0) return null;
  return Math.min(100, Math.max(0, ((b.busy - a.busy) / dt) * 100));
}

/** kB fields of /proc/meminfo, in bytes. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)\s*kB/.exec(line);
    if (m) out.set(m[1] ?? '', Number(m[2]) * 1024);
  }
  return out;
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Host CPU, memory, swap, load and uptime. Reads /proc where there is one
 * (four small files: far cheaper than systeminformation, see `npm run bench`);
 * elsewhere falls back to Node's `os`, which has no swap figures.
 * CPU % needs two readings: `sample()` measures since the previous call.
 */
export class HostReader {
  private previous: CpuTimes | null;

  constructor(private readonly procRoot = '/proc') {
    this.previous = this.cpuTimes();
  }

  cpuTimes(): CpuTimes | null {
    const text = readOr(`${this.procRoot}/stat`);
    if (text) return parseProcStatCpu(text);
    const cpus = os.cpus();
    if (cpus.length === 0) return null;
    let busy = 0;
    let total = 0;
    for (const c of cpus) {
      const t = c.times;
      busy += t.user + t.nice + t.sys + t.irq;
      total += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    return { busy, total };
  }

  sample(): HostSample {
    const unknown: Partial<Record<keyof HostSample, UnknownReason>> = {};
    const now = this.cpuTimes();
    const cpuPercent = this.previous && now ? cpuPercentBetween(this.previous, now) : null;
    if (cpuPercent === null) unknown.cpuPercent = 'no_previous_sample';
    if (now) this.previous = now;

    const meminfo = readOr(`${this.procRoot}/meminfo`);
    let memoryTotalBytes: number | null = os.totalmem();
    let memoryUsedBytes: number | null = os.totalmem() - os.freemem();
    let swapTotalBytes: number | null = null;
    let swapUsedBytes: number | null = null;
    if (meminfo) {
      const m = parseMeminfo(meminfo);
      memoryTotalBytes = m.get('MemTotal') ?? memoryTotalBytes;
      const available = m.get('MemAvailable');
      if (memoryTotalBytes !== null && available !== undefined) memoryUsedBytes = memoryTotalBytes - available;
      swapTotalBytes = m.get('SwapTotal') ?? null;
      const swapFree = m.get('SwapFree');
      swapUsedBytes = swapTotalBytes !== null && swapFree !== undefined ? swapTotalBytes - swapFree : null;
    }
    if (swapTotalBytes === null) unknown.swapTotalBytes = 'unsupported_platform';
    if (swapUsedBytes === null) unknown.swapUsedBytes = 'unsupported_platform';

    const loadText = readOr(`${this.procRoot}/loadavg`);
    const loadParts = loadText?.split(' ').slice(0, 3).map(Number);
    const loadAverage =
      loadParts && loadParts.length === 3 && loadParts.every(Number.isFinite)
        ? (loadParts as [number, number, number])
        : (os.loadavg() as [number, number, number]);

    const uptimeText = readOr(`${this.procRoot}/uptime`);
    const uptime = uptimeText ? Number(uptimeText.split(' ')[0]) : os.uptime();

    return {
      hostname: os.hostname(),
      cpuPercent,
      cpuCount: os.availableParallelism?.() ?? os.cpus().length,
      memoryTotalBytes,
      memoryUsedBytes,
      swapTotalBytes,
      swapUsedBytes,
      loadAverage,
      uptimeSeconds: Number.isFinite(uptime) ? uptime : null,
      unknown,
    };
  }
}
