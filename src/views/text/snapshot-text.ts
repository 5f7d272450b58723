import {
  DEFAULT_THRESHOLDS,
  isSevereSlowdown,
  levelOf,
  memoryPercent,
  powerPercent,
  shortGpuName,
  slowdowns,
  type ThresholdSet,
} from '../../model/derive.js';
import type { GpuSample, HostSample, Snapshot } from '../../model/types.js';
import { bar, fmtBytes, fmtClock, fmtDuration, fmtFixed, fmtInt, fmtMiB, fmtMiBPair, NA, padStart } from '../format.js';
import type { Painter, Token } from '../style.js';
import { box, line, lineRow, type Seg, seg } from './layout.js';
import { encodeRow, type Row } from './row.js';
import { processHeaderSegs, processRowSegs } from './process-table.js';

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

/**
 * The lines of one GPU's block: identity, two rows of bars, clocks. Active
 * slowdowns get a line of their own, or, with `fixedHeight` (the monitor,
 * whose layout must not jump), lead the clocks row.
 */
export function gpuBlock(g: GpuSample, inner: number, opts: TextViewOptions, fixedHeight = false): Seg[][] {
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const name = shortGpuName(g.name) ?? NA;
  const identity: Seg[] = [
    seg(`${padStart(String(g.index), 2)}  `, 'bold'),
    seg(name, 'bold'),
    seg(`   ${g.pciBusId ?? NA}`),
  ];
  if (g.lost) {
    const lost = [seg('    '), seg('LOST: nvidia-smi cannot reach this GPU (fallen off the bus?). Check `dmesg` for Xid errors.', 'severe')];
    return fixedHeight ? [identity, lost, [], []] : [identity, lost];
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
      ...(fixedHeight && slowdowns(g).length ? [seg('Clocks slowed: ', 'bold'), ...slowdownSegs(g, '   ')] : []),
      seg(`SM ${fmtInt(g.clockSmMHz)}/${fmtInt(g.clockMaxSmMHz, 'MHz')}`),
      seg(`   MEMCLK ${fmtInt(g.clockMemMHz, 'MHz')}`),
      seg(`   FAN ${fmtInt(g.fanSpeedPercent, '%')}`),
      seg(`   HBM ${fmtInt(g.temperatureMemoryC, deg)}`),
      seg(`   ENC ${fmtInt(g.utilizationEncoder, '%')}`),
      seg(`   DEC ${fmtInt(g.utilizationDecoder, '%')}`),
    ],
  ];
  if (!fixedHeight && slowdowns(g).length > 0) rows.push([indent, seg('Clocks slowed: ', 'bold'), ...slowdownSegs(g, '')]);
  return rows;
}

/** Active slowdown reasons, the thermal and hardware ones first and in the severe color. */
function slowdownSegs(g: GpuSample, after: string): Seg[] {
  const events = slowdowns(g);
  if (events.length === 0) return [];
  const ordered = [...events.filter(isSevereSlowdown), ...events.filter((e) => !isSevereSlowdown(e))];
  return [seg(ordered.join(', '), events.some(isSevereSlowdown) ? 'severe' : 'moderate'), seg(after)];
}

/** Two lines under the GPUs, as nvitop has: CPU and load; memory and swap. */
export function hostRows(h: HostSample, width: number, opts: TextViewOptions): Row[] {
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
  return lines.map((segs) => lineRow(segs, width, opts.painter, opts.ascii));
}

function processRows(s: Snapshot): Seg[][] {
  if (s.processes.length === 0) return [[seg('No running processes found', 'dim')]];
  return s.processes.map((p) => processRowSegs(p));
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
    ...hostRows(s.host, width, opts).map(encodeRow),
    '',
    ...box(
      [[[seg('Processes:', 'bold'), seg(padStart(`${s.host.hostname}`, inner - 'Processes:'.length), 'dim')], processHeaderSegs(null, ascii)], processRows(s)],
      width,
      painter,
      ascii,
      ['heavy'],
    ),
  ];
  for (const note of s.notes) out.push(line([seg(`Note: ${note}`, 'dim')], width, painter, ascii));
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}
