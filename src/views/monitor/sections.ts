import asciichart from 'asciichart';
import {
  DEFAULT_THRESHOLDS,
  isSevereSlowdown,
  levelOf,
  memoryPercent,
  powerPercent,
  shortGpuName,
  slowdowns,
} from '../../model/derive.js';
import type { HistoryMetric } from '../../model/history.js';
import type { GpuSample, Snapshot } from '../../model/types.js';
import { bar, displayWidth, fmtClock, fmtInt, fmtMiBPair, NA, padStart } from '../format.js';
import { boxRows, lineRow, type Seg, seg } from '../text/layout.js';
import type { Row } from '../text/row.js';
import { gpuBlock, type TextViewOptions } from '../text/snapshot-text.js';
import { hostColumnWidth, processHeaderSegs, processRowSegs } from '../text/process-table.js';
import type { GpuProcess } from '../../model/types.js';
import { findScreen, topScreen, type UiState } from './state.js';
import type { AlertLine } from '../text/fleet.js';

/**
 * The monitor's sections as painted rows, each exactly `width` columns:
 * pure functions of the snapshot and the UI state, shared by the Ink
 * components (which only place them) and by the tests.
 */

export type SectionOptions = TextViewOptions;

const paint = (segs: readonly Seg[], width: number, o: SectionOptions): Row => lineRow(segs, width, o.painter, o.ascii);

/** gpumon, host, driver, CUDA, clock; DEMO and STALE marks. */
export function headerLine(s: Snapshot, width: number, o: SectionOptions): Row {
  // Marks first: on a narrow terminal the end of the line is what gets cut.
  const segs: Seg[] = [seg(`gpumon ${o.version}`, 'title')];
  if (s.stale) segs.push(seg(`  STALE since ${fmtClock(s.stale.since).slice(11, 19)}: ${s.stale.reason}`, 'stale'));
  if (s.source.kind === 'demo') segs.push(seg(`  DEMO`, 'demo'));
  segs.push(seg(`  ${s.host.hostname}`, 'bold'), seg(`  ${fmtClock(s.time)}  Driver ${s.driverVersion ?? NA}  CUDA ${s.cudaVersion ?? NA}`));
  if (s.source.kind === 'demo') segs.push(seg(`  (${s.source.description})`, 'dim'));
  return paint(segs, width, o);
}

/** The full view's GPU box: four lines per GPU. */
export function gpuBoxLines(gpus: readonly GpuSample[], width: number, o: SectionOptions): Row[] {
  if (gpus.length === 0) return [paint([seg('No GPU selected', 'dim')], width, o)];
  return boxRows(
    gpus.map((g) => gpuBlock(g, width - 4, o, true)),
    width,
    o.painter,
    o.ascii,
  );
}

/** Lines each GPU takes in the full view's box, borders included. */
export function gpuBoxHeight(gpuCount: number): number {
  return gpuCount === 0 ? 1 : 2 + 4 * gpuCount + (gpuCount - 1);
}

/** One dense line per GPU for the compact view. */
export function gpuCompactLine(g: GpuSample, nameWidth: number, width: number, o: SectionOptions): Row {
  const t = o.thresholds ?? DEFAULT_THRESHOLDS;
  const head: Seg[] = [seg(`${padStart(String(g.index), 2)} `, 'bold'), seg((shortGpuName(g.name) ?? NA).padEnd(nameWidth).slice(0, nameWidth), 'bold')];
  if (g.lost) return paint([...head, seg('  LOST: nvidia-smi cannot reach this GPU', 'severe')], width, o);
  const mem = memoryPercent(g);
  const pwr = powerPercent(g);
  const barWidth = width >= 110 ? 12 : 6;
  const events = slowdowns(g);
  const segs: Seg[] = [
    ...head,
    seg(' UTL ', 'bold'),
    seg(bar(g.utilizationGpu, barWidth, o.ascii), levelOf(g.utilizationGpu, t.utilization)),
    seg(padStart(fmtInt(g.utilizationGpu, '%'), 5)),
    seg('  MEM ', 'bold'),
    seg(bar(mem, barWidth, o.ascii), levelOf(mem, t.memory)),
    seg(` ${padStart(fmtMiBPair(g.memoryUsedMiB, g.memoryTotalMiB), 13)}`),
    seg(padStart(fmtInt(g.temperatureGpuC, o.ascii ? 'C' : '°C'), 6), levelOf(g.temperatureGpuC, t.temperature)),
    seg(padStart(fmtInt(g.powerDrawW, 'W'), 6), levelOf(pwr, t.power)),
  ];
  if (events.length) segs.push(seg('  '), seg([...events.filter(isSevereSlowdown), ...events.filter((e) => !isSevereSlowdown(e))].join(','), events.some(isSevereSlowdown) ? 'severe' : 'moderate'));
  return paint(segs, width, o);
}

export function gpuCompactLines(gpus: readonly GpuSample[], width: number, o: SectionOptions): Row[] {
  if (gpus.length === 0) return [paint([seg('No GPU selected', 'dim')], width, o)];
  // Wider terminals keep longer names whole (a fleet's GPUs are named with their host first).
  const nameWidth = Math.min(width >= 100 ? 28 : 16, Math.max(...gpus.map((g) => (shortGpuName(g.name) ?? NA).length)));
  return gpus.map((g) => gpuCompactLine(g, nameWidth, width, o));
}

const METRIC_TITLE: Record<HistoryMetric, string> = {
  utilization: 'utilization %',
  memory: 'memory used %',
  power: 'power W',
  temperature: 'temperature °C',
};

/** The axis range of each graph: fixed, so a flat line at 5% does not fill the chart. */
function metricRange(metric: HistoryMetric, gpu: GpuSample | undefined): [number, number] {
  if (metric === 'power') return [0, Math.max(gpu?.powerLimitW ?? 0, 100)];
  return [0, 100];
}

/**
 * A history graph (asciichart) of one GPU's metric, `height` lines: a title
 * line, then the chart. Missing samples are gaps, not zeros.
 */
export function historyLines(
  gpu: GpuSample | undefined,
  series: readonly (number | null)[],
  metric: HistoryMetric,
  intervalMs: number,
  width: number,
  height: number,
  o: SectionOptions,
): Row[] {
  const title = gpu ? `${gpu.host ? `${gpu.host} ` : ''}GPU ${gpu.index} ${METRIC_TITLE[metric]}, last ${Math.round((series.length * intervalMs) / 1000)} s` : 'no GPU';
  const head = paint([seg(title, 'bold'), seg('   Tab: next GPU  m: next metric', 'dim')], width, o);
  const chartHeight = height - 1;
  if (chartHeight < 2) return [head];
  const known = series.filter((v): v is number => v !== null);
  if (known.length === 0) return [head, ...Array.from({ length: chartHeight }, (_, i) => paint(i === 0 ? [seg('  waiting for data', 'dim')] : [], width, o))];
  // asciichart draws one continuous line: carry the last known value through gaps, then blank those columns.
  let last = known[0]!;
  const filled = series.map((v) => (v === null ? last : (last = v)));
  const [min, max] = metricRange(metric, gpu);
  const labelWidth = 6;
  const chart = asciichart.plot(filled.map((v) => Math.max(min, Math.min(max, v))), {
    min,
    max,
    height: chartHeight - 1,
    format: (x: number) => padStart(x.toFixed(0), labelWidth),
    symbols: o.ascii ? ['+', '|', '-', '-', '-', '\\', '/', '\\', '/', '|'] : undefined,
  }).split('\n');
  const offset = labelWidth + 1;
  return [
    head,
    ...chart.map((row) => {
      const chars = [...row];
      series.forEach((v, i) => {
        if (v === null && chars[offset + i] !== undefined) chars[offset + i] = ' ';
      });
      const text = chars.join('');
      return paint([seg(text.slice(0, offset), 'dim'), seg(text.slice(offset), 'low')], width, o);
    }),
  ];
}

export interface ProcessTableView {
  /** The rows as shown: filtered and sorted. */
  readonly rows: readonly GpuProcess[];
  /** How many processes there are before filtering. */
  readonly total: number;
  readonly selected: number;
  readonly top: number;
  readonly pageSize: number;
  readonly title: boolean;
}

/** The process table: a title rule (optional), the header, and a page of rows, the selected one highlighted. */
export function processTableLines(t: ProcessTableView, state: UiState, width: number, o: SectionOptions): Row[] {
  const out: Row[] = [];
  if (t.title) {
    const shown = t.rows.length === t.total ? `${t.total}` : `${t.rows.length} of ${t.total}`;
    const editing = findScreen(state, 'filter') !== null;
    const filter = state.filter || editing ? `  filter: ${state.filter}${editing ? '_' : ''}` : '';
    const rule = o.ascii ? '-' : '─';
    const title = `${rule}${rule} Processes (${shown})${filter} `;
    out.push(paint([seg(title, 'bold'), seg(rule.repeat(Math.max(0, width - title.length)), 'dim')], width, o));
  }
  // A fleet's GPU indexes repeat across hosts: its rows name the host first.
  const hostWidth = hostColumnWidth(t.rows);
  out.push(paint(processHeaderSegs({ column: state.sort, descending: state.descending }, o.ascii, hostWidth), width, o));
  if (t.pageSize <= 0) return out;
  if (t.rows.length === 0) {
    const why = t.total === 0 ? '  No running processes found' : `  No process matches the filter '${state.filter}'`;
    out.push(paint([seg(why, 'dim')], width, o));
    return out;
  }
  const end = Math.min(t.rows.length, t.top + t.pageSize);
  for (let i = t.top; i < end; i++) out.push(paint(processRowSegs(t.rows[i]!, i === t.selected ? 'selected' : null, hostWidth), width, o));
  return out;
}

/** One line above the status line while alerts fire: the count, then each (host, GPU, what), critical first. */
export function alertBarLine(alerts: readonly AlertLine[], width: number, o: SectionOptions): Row {
  const critical = alerts.some((a) => a.severity === 'critical');
  const segs: Seg[] = [seg(` ${alerts.length} ALERT${alerts.length === 1 ? '' : 'S'} `, critical ? 'severe' : 'moderate')];
  alerts.forEach((a, i) => {
    const where = [a.host, a.gpuIndex === null ? '' : `GPU ${a.gpuIndex}`].filter(Boolean).join(' ');
    segs.push(seg(i ? '  |  ' : '  ', 'dim'), seg(`${where} `, 'bold'), seg(a.message, a.severity === 'critical' ? 'severe' : 'moderate'));
  });
  return paint(segs, width, o);
}

/** The key hints, most wanted first: a narrow terminal shows the first that fit, whole. */
const HINTS = ['q quit', 'h help', '/ filter', '↑↓ select', ',. sort', 'r reverse', 'I/T/K signal', 'c/f/a view', 'Tab/m graph', 'b bench'];

/** As many of the hints as fit in `width`, two spaces apart, never one cut in half. */
function hintsLine(hints: readonly string[], width: number, o: SectionOptions): Row {
  let text = '';
  for (const h of hints) {
    const next = text ? `${text}  ${o.ascii ? h.replace('↑↓', 'up/down') : h}` : h;
    if (displayWidth(next) > width) break;
    text = next;
  }
  return paint([seg(text, 'dim')], width, o);
}

/**
 * The bottom line: a question, a message, or the key hints (the benchmark
 * panel's own keys while it is open: `panelKeys`; no signal keys when read-only).
 */
export function statusLine(state: UiState, width: number, o: SectionOptions, hints: { readonly panelKeys?: readonly string[] | null; readonly readonly?: boolean } = {}): Row {
  const { panelKeys = null } = hints;
  const top = topScreen(state);
  if (top.kind === 'confirm') return paint([seg(`Send ${top.signal} to ${top.label}? [y/N]`, 'severe')], width, o);
  if (state.message) return paint([seg(state.message.text, state.message.level === 'error' ? 'high' : 'bold')], width, o);
  if (top.kind === 'filter') return paint([seg(`/${state.filter}_`, 'bold'), seg('   filter by user, PID or command; Enter keeps it, Esc clears it', 'dim')], width, o);
  if (panelKeys) return hintsLine(['q quit', 'h help', ...panelKeys], width, o);
  if (state.filter) return paint([seg(`filter: ${state.filter}`, 'bold'), seg('   Esc clears it   h help', 'dim')], width, o);
  return hintsLine(hints.readonly ? HINTS.filter((h) => !h.startsWith('I/T/K')) : HINTS, width, o);
}

/** Every key, once; the panel's keys say so. */
const HELP: ReadonlyArray<readonly [string, string]> = [
  ['q, Ctrl-C', 'quit'],
  ['h, ?', 'this help'],
  ['Up/Down, j/k', 'select a process (in the panel: a preset)'],
  ['PgUp/PgDn, Home/End', 'move the selection a page, to the first or last'],
  [', .  (or < >)', 'sort by the previous / next column'],
  ['r', 'reverse the sort order'],
  ['/', 'filter by user, PID or command (Enter keeps it)'],
  ['Esc', 'clear the filter; close the panel'],
  ['I  T  K', 'send SIGINT / SIGTERM / SIGKILL to the selection'],
  ['c  f  a', 'compact view / full view / choose by terminal size'],
  ['Tab, Shift-Tab', 'graph the next / previous GPU'],
  ['m', 'graph the next metric (util, memory, power, temp)'],
  ['b', 'benchmark panel: open it, close it (a run goes on)'],
  ['Enter', 'in the panel: start bench http with the preset'],
  ['x', 'in the panel: stop the run'],
];

/** The help screen's lines, all of them (the monitor shows a page and scrolls). */
export function helpLines(width: number, o: SectionOptions, readonly: boolean): Row[] {
  const keyWidth = Math.max(...HELP.map(([k]) => k.length)) + 2;
  return [
    paint([seg(`gpumon ${o.version} keys`, 'title')], width, o),
    paint([], width, o),
    ...HELP.map(([k, what]) => paint([seg(`  ${k.padEnd(keyWidth)}`, 'bold'), seg(what)], width, o)),
    paint([], width, o),
    paint([seg(readonly ? '  Read-only: signals are off.' : '  Signals are sent only after you confirm, and only to the process shown.', 'dim')], width, o),
    paint([seg('  Colors: green low, yellow moderate, red high (gpumon config).', 'dim')], width, o),
  ];
}

/** The help screen's status line: how to leave it, and how to scroll when it does not fit. */
export function helpStatusLine(top: number, page: number, total: number, width: number, o: SectionOptions): Row {
  const more = total > page ? [`↑↓ scroll (${top + 1}-${Math.min(total, top + page)} of ${total})`] : [];
  return hintsLine(['q quit', ...more, 'any other key closes the help'], width, o);
}
