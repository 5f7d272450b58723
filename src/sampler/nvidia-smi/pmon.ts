import type { UnknownReason } from '../../model/types.js';

/**
 * `nvidia-smi pmon -s u`: per process, the share of the last sample period in
 * which its kernels ran on the SMs (%SM) and it used the memory interface
 * (%MEM bandwidth), as nvitop's %SM and %GMBW. A fixed-width table:
 *   # gpu         pid   type     sm    mem    enc    dec    jpg    ofa    command
 *   # Idx           #    C/G      %      %      %      %      %      %    name
 *       0        912     C     77     25      -      -      -      -    python3
 * `-` means no sample (the process did no work in the period), and a GPU
 * without processes shows a row whose pid is `-`.
 */
export interface PmonRow {
  readonly gpuIndex: number;
  readonly pid: number;
  readonly smPercent: number | null;
  readonly memoryBandwidthPercent: number | null;
  readonly unknown: { readonly smPercent?: UnknownReason; readonly memoryBandwidthPercent?: UnknownReason };
}

export interface PmonColumns {
  readonly gpu: number;
  readonly pid: number;
  readonly sm: number;
  readonly mem: number;
}

/** Column positions from a `# gpu pid type sm mem ...` header line, or null for another line. */
export function pmonColumns(line: string): PmonColumns | null {
  if (!/^#\s*gpu\b/.test(line)) return null;
  const names = line.replace(/^#/, '').trim().split(/\s+/);
  const at = (n: string) => names.indexOf(n);
  if ([at('gpu'), at('pid'), at('sm'), at('mem')].some((i) => i < 0)) return null;
  return { gpu: at('gpu'), pid: at('pid'), sm: at('sm'), mem: at('mem') };
}

function percent(cell: string | undefined): { value: number | null; reason?: UnknownReason } {
  if (cell === undefined) return { value: null, reason: 'missing_cell' };
  if (cell === '-') return { value: null, reason: 'not_available' };
  return /^\d+$/.test(cell) ? { value: Number(cell) } : { value: null, reason: 'unparseable' };
}

/** One data line, or null for headers, GPUs without processes and lines that are not rows. */
export function parsePmonLine(line: string, cols: PmonColumns): PmonRow | null {
  if (line.startsWith('#')) return null;
  const cells = line.trim().split(/\s+/);
  const gpu = cells[cols.gpu];
  const pid = cells[cols.pid];
  if (!gpu || !pid || !/^\d+$/.test(gpu) || !/^\d+$/.test(pid)) return null;
  const sm = percent(cells[cols.sm]);
  const mem = percent(cells[cols.mem]);
  const unknown: { smPercent?: UnknownReason; memoryBandwidthPercent?: UnknownReason } = {};
  if (sm.reason) unknown.smPercent = sm.reason;
  if (mem.reason) unknown.memoryBandwidthPercent = mem.reason;
  return { gpuIndex: Number(gpu), pid: Number(pid), smPercent: sm.value, memoryBandwidthPercent: mem.value, unknown };
}

/** A whole pmon output: the rows of every sample, in order. */
export function parsePmon(text: string): PmonRow[] {
  let cols: PmonColumns | null = null;
  const rows: PmonRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    cols = pmonColumns(line) ?? cols;
    const row = cols && parsePmonLine(line, cols);
    if (row) rows.push(row);
  }
  return rows;
}
