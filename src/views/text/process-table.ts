import { processCommand } from '../../model/derive.js';
import type { SortColumn } from '../../model/processes.js';
import type { GpuProcess } from '../../model/types.js';
import { displayWidth, fit, fmtDuration, fmtMiB, NA, padStart } from '../format.js';
import type { Token } from '../style.js';
import { type Seg, seg } from './layout.js';

/** The process table's columns: title, width, the sort column it stands for, and the cell. */
const COLUMNS: ReadonlyArray<{ title: string; width: number; sort: SortColumn; cell: (p: GpuProcess) => string; left?: boolean }> = [
  { title: 'GPU', width: 3, sort: 'gpu', cell: (p) => (p.gpuIndex === null ? '?' : String(p.gpuIndex)) },
  { title: 'PID', width: 8, sort: 'pid', cell: (p) => String(p.pid) },
  { title: 'USER', width: 9, sort: 'user', cell: (p) => p.user ?? '?', left: true },
  { title: 'GPU-MEM', width: 9, sort: 'gpu-memory', cell: (p) => (p.gpuMemoryMiB === null ? NA : fmtMiB(p.gpuMemoryMiB)) },
  // pmon's '-' (no kernel ran in the period) and a one-shot snapshot's "not sampled" both print '-'.
  { title: '%SM', width: 4, sort: 'sm', cell: (p) => (p.smPercent === null ? '-' : String(p.smPercent)) },
  { title: '%CPU', width: 6, sort: 'cpu', cell: (p) => (p.cpuPercent === null ? '?' : p.cpuPercent.toFixed(1)) },
  { title: '%MEM', width: 5, sort: 'mem', cell: (p) => (p.memPercent === null ? '?' : p.memPercent.toFixed(1)) },
  { title: 'TIME', width: 9, sort: 'time', cell: (p) => (p.elapsedSeconds === null ? '?' : fmtDuration(p.elapsedSeconds)) },
];

function place(text: string, width: number, left: boolean | undefined): string {
  // The user column sits one space from its right-aligned neighbour and is cut to fit.
  return left ? ` ${text.slice(0, width - 1).padEnd(width - 1)}` : padStart(text, width);
}

export interface SortMark {
  readonly column: SortColumn;
  readonly descending: boolean;
}

/** The HOST column's width for these rows (a fleet's): the longest host name, within reason; 0 for one host. */
export function hostColumnWidth(rows: readonly GpuProcess[]): number {
  let longest = 0;
  for (const p of rows) if (p.host !== undefined) longest = Math.max(longest, displayWidth(p.host));
  return longest ? Math.min(24, Math.max(4, longest)) : 0;
}

// Cut with '~', which every terminal has (the table is shared with --ascii output).
const hostCell = (text: string, width: number) => `${fit(text, width, true)} `;

/** The header row; the sorted column carries an arrow. A fleet's rows start with their host (`hostWidth` columns). */
export function processHeaderSegs(sort: SortMark | null = null, ascii = false, hostWidth = 0): Seg[] {
  const arrow = (c: SortColumn) => (sort?.column === c ? (sort.descending ? (ascii ? 'v' : '▼') : ascii ? '^' : '▲') : '');
  const segs = COLUMNS.map((c) => seg(place(`${arrow(c.sort)}${c.title}`, c.width, c.left), 'bold'));
  return [...(hostWidth ? [seg(hostCell('HOST', hostWidth), 'bold')] : []), ...segs, seg(`  ${arrow('command')}COMMAND`, 'bold')];
}

/**
 * One process row. What the host cannot tell (a process in another PID
 * namespace, or gone) shows as '?', as nvitop does; nvidia-smi's values stay.
 */
export function processRowSegs(p: GpuProcess, token: Token | null = null, hostWidth = 0): Seg[] {
  const host = hostWidth ? [seg(hostCell(p.host ?? '?', hostWidth), token)] : [];
  return [...host, ...COLUMNS.map((c) => seg(place(c.cell(p), c.width, c.left), token)), seg(`  ${processCommand(p) ?? '?'}`, token)];
}
