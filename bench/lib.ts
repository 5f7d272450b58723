import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { percentileOfSorted } from '../src/model/stats.js';

// Bundled into bench/out/ before running: the project root is two folders up.
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = `${ROOT}bin/gpumon.js`;
export const FAKE_SMI = `${ROOT}test/fake-nvidia-smi/nvidia-smi`;

export interface Command {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
}

export interface Timing {
  readonly name: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly p90Ms: number;
}

/** Quantile q (0..1) of ascending values: the same interpolation as the results gpumon reports (src/model/stats.ts). */
export function quantile(sorted: readonly number[], q: number): number {
  return percentileOfSorted(sorted, q * 100) ?? NaN;
}

/** Wall time of each command, run interleaved (A B C A B C ...) so machine noise hits all alike. */
export function timeCommands(commands: readonly Command[], runs: number, warmup = 2): Timing[] {
  const times = commands.map(() => [] as number[]);
  for (let r = -warmup; r < runs; r++) {
    commands.forEach((c, i) => {
      const t = process.hrtime.bigint();
      const res = spawnSync(c.cmd, [...c.args], { env: { ...process.env, ...c.env }, stdio: 'ignore' });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (res.status !== 0) throw new Error(`${c.name} exited ${res.status}`);
      if (r >= 0) times[i]!.push(ms);
    });
  }
  return commands.map((c, i) => {
    const s = times[i]!.sort((a, b) => a - b);
    return { name: c.name, medianMs: quantile(s, 0.5), minMs: s[0]!, p90Ms: quantile(s, 0.9) };
  });
}

/** CPU seconds (user + system) a live process has used, from /proc/[pid]/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Peak RSS of a live process in bytes (VmHWM). */
export function processPeakRss(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: readonly (string | number)[]) => `| ${r.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(cells[0]!));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of cells.slice(1)) console.log(line(r));
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  return a >= 100 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : a >= 1 ? n.toFixed(2) : n.toFixed(3);
}

/** CPU ms this process and its reaped children have used (/proc/self/stat utime, stime, cutime, cstime). */
export function selfAndChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}
