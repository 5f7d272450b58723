import {
  DEFAULT_THRESHOLDS,
  isSevereSlowdown,
  levelOf,
  memoryPercent,
  powerPercent,
  processCommand,
  shortGpuName,
  slowdowns,
  type ThresholdSet,
} from '../../model/derive.js';
import type { GpuSample, HostSample, Snapshot } from '../../model/types.js';
import { bar, fmtBytes, fmtClock, fmtDuration, fmtFixed, fmtInt, fmtMiB, fmtMiBPair, NA, padStart } from '../format.js';
import type { Painter, Token } from '../style.js';
import { box, line, type Seg, seg } from './layout.js';

export interface TextViewOptions {
  /** Columns to fill; at least 80. */
  readonly width: number;
  readonly ascii: boolean;
  readonly painter: Painter;
  readonly version: string;
  readonly thresholds?: ThresholdSet;
}

export const MIN_WIDTH = 80;

/** The title line above the box: clock on the left; DEMO and STALE marks on the right. */
export function titleLine(s: Snapshot, width: number, painter: Painter): string {
  const marks: Seg[] = [];
  if (s.stale) marks.push(seg(`  STALE since ${fmtClock(s.stale.since).slice(11, 19)}: ${s.stale.reason}`, 'stale'));
  if (s.source.kind === 'demo') marks.push(seg(`  DEMO: ${s.source.description}`, 'demo'));
  const markWidth = marks.reduce((n, m) => n + m.text.length, 0);
  const left = fmtClock(s.time);
  const gap = Math.max(1, width - left.length - markWidth);
  return line([seg(left), seg(' '.repeat(gap)), ...marks], width, painter);
}

function onOff(v: boolean | null): string {
  return v === null ? NA : v ? 'On' : 'Off';
}

/** One labelled bar: `LABEL ████▌      value`. */
function barCell(label: string, percent: number | null, value: string, width: number, token: Token | null, ascii: boolean): Seg[] {
  const valueWidth = 14;
  const barWidth = Math.max(4, width - label.length - 2 - valueWidth);
  return [seg(`${label} `, 'bold'), seg(bar(percent, barWidth, ascii), token), seg(` ${padStart(value, valueWidth)}`)];
}

/** The lines of one GPU's block. */
export function gpuBlock(g: GpuSample, inner: number, opts: TextViewOptions): Seg[][] {
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const name = shortGpuName(g.name) ?? NA;
  const identity: Seg[] = [
    seg(`${padStart(String(g.index), 2)}  `, 'bold'),
    seg(name, 'bold'),
    seg(`   ${g.pciBusId ?? NA}`),
  ];
  if (g.lost) {
    return [
      identity,
      [seg('    '), seg('LOST: nvidia-smi cannot reach this GPU (fallen off the bus?). Check `dmesg` for Xid errors.', 'severe')],
    ];
  }
  identity.push(
    seg(`   ${g.pstate ?? NA}`),
    seg(`   Persist ${onOff(g.persistenceMode)}`),
    seg(`   MIG ${onOff(g.migEnabled)}`),
    seg(`   ECC `),
    seg(fmtInt(g.eccErrorsUncorrectedVolatile), g.eccErrorsUncorrectedVolatile ? 'severe' : null),
  );
  const indent = seg('    ');
  const half = Math.floor((inner - 4 - 2) / 2);
  const mem = memoryPercent(g);
  const pwr = powerPercent(g);
  const memValue = g.memoryUsedMiB === null ? NA : fmtMiBPair(g.memoryUsedMiB, g.memoryTotalMiB);
  const deg = opts.ascii ? 'C' : '°C';
  const rows: Seg[][] = [
    identity,
    [
      indent,
      ...barCell('UTIL', g.utilizationGpu, fmtInt(g.utilizationGpu, '%'), half, levelOf(g.utilizationGpu, t.utilization), opts.ascii),
      seg('  '),
      ...barCell('MEM ', mem, memValue, half, levelOf(mem, t.memory), opts.ascii),
    ],
    [
      indent,
      ...barCell('TEMP', g.temperatureGpuC, fmtInt(g.temperatureGpuC, deg), half, levelOf(g.temperatureGpuC, t.temperature), opts.ascii),
      seg('  '),
      ...barCell('PWR ', pwr, `${fmtInt(g.powerDrawW)}/${fmtInt(g.powerLimitW, 'W')}`, half, levelOf(pwr, t.power), opts.ascii),
    ],
    [
      indent,
      seg(`SM ${fmtInt(g.clockSmMHz)}/${fmtInt(g.clockMaxSmMHz, 'MHz')}`),
      seg(`   MEMCLK ${fmtInt(g.clockMemMHz, 'MHz')}`),
      seg(`   FAN ${fmtInt(g.fanSpeedPercent, '%')}`),
      seg(`   HBM ${fmtInt(g.temperatureMemoryC, deg)}`),
      seg(`   ENC ${fmtInt(g.utilizationEncoder, '%')}`),
      seg(`   DEC ${fmtInt(g.utilizationDecoder, '%')}`),
    ],
  ];
  const events = slowdowns(g);
  if (events.length > 0) {
    const severe = events.some(isSevereSlowdown);
    rows.push([indent, seg('Clocks slowed: ', 'bold'), seg(events.join(', '), severe ? 'severe' : 'moderate')]);
  }
  return rows;
}

/** Two lines under the GPUs, as nvitop has: CPU and load; memory and swap. */
function hostLines(h: HostSample, width: number, opts: TextViewOptions): string[] {
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const pct = (used: number | null, total: number | null) => (used !== null && total ? (used / total) * 100 : total === 0 ? 0 : null);
  const memPct = pct(h.memoryUsedBytes, h.memoryTotalBytes);
  const swapPct = pct(h.swapUsedBytes, h.swapTotalBytes);
  const barWidth = Math.max(10, Math.floor((width - 60) / 2));
  const cell = (label: string, p: number | null, th: readonly [number, number]): Seg[] => [
    seg(label, 'bold'),
    seg(bar(p, barWidth, opts.ascii), levelOf(p, th)),
    seg(` ${padStart(fmtFixed(p, 1, '%'), 6)}`),
  ];
  const mib = (b: number | null) => (b === null ? null : b / 1024 / 1024);
  const load = h.loadAverage ? h.loadAverage.map((v) => v.toFixed(2)).join(' ') : NA;
  const lines: Seg[][] = [
    [
      ...cell('CPU ', h.cpuPercent, t.utilization),
      seg(`  ${h.cpuCount} cores`.padEnd(16)),
      seg('LOAD ', 'bold'),
      seg(`${load}   `),
      seg('UP ', 'bold'),
      seg(fmtDuration(h.uptimeSeconds)),
    ],
    [
      ...cell('MEM ', memPct, t.memory),
      seg(`  ${fmtMiBPair(mib(h.memoryUsedBytes), mib(h.memoryTotalBytes))}`.padEnd(16)),
      seg('SWP ', 'bold'),
      seg(h.swapTotalBytes === 0 ? 'none' : `${fmtFixed(swapPct, 1, '%')} of ${fmtBytes(h.swapTotalBytes)}`),
    ],
  ];
  return lines.map((segs) => line(segs, width, opts.painter, opts.ascii));
}

/** Process table columns: header text and width (the command takes the rest). */
const PROC_COLUMNS = [
  ['GPU', 3],
  ['PID', 8],
  ['USER', 10],
  ['GPU-MEM', 9],
  ['%CPU', 6],
  ['%MEM', 5],
  ['TIME', 10],
] as const;

/** '?' for what the host cannot tell about a process (not visible here), as nvitop does. */
const q = (v: string | null) => v ?? '?';

function processRows(s: Snapshot): Seg[][] {
  if (s.processes.length === 0) return [[seg('No running processes found', 'dim')]];
  return s.processes.map((p) => {
    const cells = [
      p.gpuIndex === null ? '?' : String(p.gpuIndex),
      String(p.pid),
      q(p.user),
      p.gpuMemoryMiB === null ? NA : fmtMiB(p.gpuMemoryMiB),
      p.cpuPercent === null ? '?' : p.cpuPercent.toFixed(1),
      p.memPercent === null ? '?' : p.memPercent.toFixed(1),
      p.elapsedSeconds === null ? '?' : fmtDuration(p.elapsedSeconds),
    ];
    const segs = cells.map((c, i) => {
      const [, w] = PROC_COLUMNS[i]!;
      return seg(i === 2 ? ` ${c.slice(0, w - 1).padEnd(w - 1)}` : padStart(c, w));
    });
    return [...segs, seg('  '), seg(q(processCommand(p)))];
  });
}

function processHeader(): Seg[] {
  const segs = PROC_COLUMNS.map(([h, w], i) => seg(i === 2 ? ` ${h.padEnd(w - 1)}` : padStart(h, w), 'bold'));
  return [...segs, seg('  COMMAND', 'bold')];
}

/** `gpumon --once`: a boxed snapshot in the spirit of `nvitop --once`, `width` columns wide. */
export function renderOnce(s: Snapshot, opts: TextViewOptions): string {
  const width = Math.max(MIN_WIDTH, opts.width);
  const inner = width - 4;
  const { painter, ascii } = opts;
  const header: Seg[] = [
    seg(`GPUMON ${opts.version}`, 'title'),
    seg(`    Driver ${s.driverVersion ?? NA}`),
    seg(`    CUDA ${s.cudaVersion ?? NA}`),
    seg(`    ${s.gpus.length} GPU${s.gpus.length === 1 ? '' : 's'}`),
    seg(`    ${s.host.hostname}`),
  ];
  const gpuSections = s.gpus.length ? s.gpus.map((g) => gpuBlock(g, inner, opts)) : [[[seg('No GPU selected', 'dim')]]];
  const out = [
    titleLine(s, width, painter),
    ...box([[header], ...gpuSections], width, painter, ascii, ['heavy']),
    ...hostLines(s.host, width, opts),
    '',
    ...box(
      [[[seg('Processes:', 'bold'), seg(padStart(`${s.host.hostname}`, inner - 'Processes:'.length), 'dim')], processHeader()], processRows(s)],
      width,
      painter,
      ascii,
      ['heavy'],
    ),
  ];
  for (const note of s.notes) out.push(line([seg(`Note: ${note}`, 'dim')], width, painter, ascii));
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}
