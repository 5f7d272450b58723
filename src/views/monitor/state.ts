import type { ViewMode } from '../../config/settings.js';
import { HISTORY_METRICS, type HistoryMetric } from '../../model/history.js';
import { type SignalName, SORT_COLUMNS, type SortColumn } from '../../model/processes.js';
import type { GpuProcess } from '../../model/types.js';

/**
 * The monitor's UI state and what every key does to it, as a pure function:
 * the Ink component only feeds keys in and carries effects out.
 */

export type Overlay =
  | null
  /** The help screen, scrolled to its line `top`. */
  | { readonly kind: 'help'; readonly top: number }
  | {
      readonly kind: 'confirm';
      readonly pid: number;
      readonly startTimeMs: number | null;
      readonly signal: SignalName;
      readonly label: string;
    };

export interface Message {
  readonly text: string;
  readonly level: 'info' | 'error';
}

export interface UiState {
  readonly view: ViewMode;
  readonly sort: SortColumn;
  readonly descending: boolean;
  readonly filter: string;
  readonly editingFilter: boolean;
  /** The selected process, by pid (it keeps its place across samples and sorts). */
  readonly selectedPid: number | null;
  /** ...and GPU: a process on two GPUs has a row on each, and a fleet's hosts share PIDs. */
  readonly selectedGpu: string | null;
  /** Where the selection was, for when its process goes away; -1 before anything is selected. */
  readonly selectedIndex: number;
  /** First visible row of the process table. */
  readonly top: number;
  /** Position in the GPU list of the GPU whose history is graphed. */
  readonly graphGpu: number;
  readonly graphMetric: HistoryMetric;
  readonly overlay: Overlay;
  readonly message: Message | null;
  /** The benchmark panel (key b) is open, and which of its choices is picked. */
  readonly benchOpen: boolean;
  readonly benchChoice: number;
}

export function initialUiState(s: Pick<UiState, 'view' | 'sort' | 'descending'> & { readonly message?: Message | null }): UiState {
  return {
    view: s.view,
    sort: s.sort,
    descending: s.descending,
    message: s.message ?? null,
    filter: '',
    editingFilter: false,
    selectedPid: null,
    selectedGpu: null,
    selectedIndex: -1,
    top: 0,
    graphGpu: 0,
    graphMetric: 'utilization',
    overlay: null,
    benchOpen: false,
    benchChoice: 0,
  };
}

/** The keys Ink reports (a subset of its Key). */
export interface KeyPress {
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly home?: boolean;
  readonly end?: boolean;
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly ctrl?: boolean;
  readonly shift?: boolean;
  readonly tab?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
}

export interface KeyContext {
  /** The process rows as shown (filtered and sorted). */
  readonly rows: readonly GpuProcess[];
  /** How many process rows fit on screen. */
  readonly pageSize: number;
  readonly gpuCount: number;
  readonly readonly: boolean;
  /** The benchmark panel: null when the monitor has none. */
  readonly bench?: { readonly choices: number; readonly running: boolean } | null;
  /** The help screen's length and the lines of it that show at once (for scrolling). */
  readonly help?: { readonly lines: number; readonly page: number };
}

export type Effect =
  | { readonly kind: 'quit' }
  | { readonly kind: 'signal'; readonly pid: number; readonly startTimeMs: number | null; readonly signal: SignalName }
  | { readonly kind: 'bench-start'; readonly choice: number }
  | { readonly kind: 'bench-stop' };

export interface KeyResult {
  readonly state: UiState;
  readonly effect: Effect | null;
}

/** Index of the selected row among `rows` (following the pid, else the old position), or -1 for none. */
export function selectedRow(state: UiState, rows: readonly GpuProcess[]): number {
  if (rows.length === 0 || state.selectedIndex < 0) return -1;
  const byPid = state.selectedPid === null ? -1 : rows.findIndex((p) => p.pid === state.selectedPid && p.gpuUuid === state.selectedGpu);
  return byPid >= 0 ? byPid : Math.min(state.selectedIndex, rows.length - 1);
}

/** The first visible row, moved just enough to show the selection. */
export function visibleTop(state: UiState, rows: readonly GpuProcess[], pageSize: number): number {
  const sel = selectedRow(state, rows);
  const maxTop = Math.max(0, rows.length - pageSize);
  let top = Math.min(state.top, maxTop);
  if (sel >= 0 && sel < top) top = sel;
  if (sel >= top + pageSize) top = sel - pageSize + 1;
  return Math.max(0, top);
}

function select(state: UiState, ctx: KeyContext, index: number): UiState {
  if (ctx.rows.length === 0) return state;
  const i = Math.max(0, Math.min(ctx.rows.length - 1, index));
  const moved = { ...state, selectedPid: ctx.rows[i]!.pid, selectedGpu: ctx.rows[i]!.gpuUuid, selectedIndex: i };
  return { ...moved, top: visibleTop(moved, ctx.rows, ctx.pageSize) };
}

const SIGNAL_KEYS: Readonly<Record<string, SignalName>> = { I: 'SIGINT', T: 'SIGTERM', K: 'SIGKILL' };

const cycle = <T>(list: readonly T[], current: T, step: number): T => list[(list.indexOf(current) + step + list.length) % list.length]!;

const result = (state: UiState, effect: Effect | null = null): KeyResult => ({ state, effect });

export function onKey(state: UiState, input: string, key: KeyPress, ctx: KeyContext): KeyResult {
  if (key.ctrl && input === 'c') return result(state, { kind: 'quit' });
  // A key clears the last message, whatever else it does.
  const s: UiState = state.message ? { ...state, message: null } : state;

  if (s.overlay?.kind === 'confirm') {
    if (input === 'y' || input === 'Y') {
      const { pid, startTimeMs, signal } = s.overlay;
      return result({ ...s, overlay: null }, { kind: 'signal', pid, startTimeMs, signal });
    }
    return result({ ...s, overlay: null, message: { text: 'Cancelled: no signal sent', level: 'info' } });
  }
  if (s.overlay?.kind === 'help') {
    if (input === 'q') return result(s, { kind: 'quit' });
    // Where the help does not fit, the arrows scroll it; any other key closes it.
    const { lines, page } = ctx.help ?? { lines: 0, page: 0 };
    const step = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : key.pageUp ? -page : key.pageDown ? page : 0;
    if (step && lines > page) return result({ ...s, overlay: { kind: 'help', top: Math.max(0, Math.min(lines - page, s.overlay.top + step)) } });
    return result({ ...s, overlay: null });
  }

  if (s.editingFilter) {
    if (key.return) return result({ ...s, editingFilter: false });
    if (key.escape) return result({ ...s, editingFilter: false, filter: '' });
    if (key.backspace || key.delete) return result({ ...s, filter: s.filter.slice(0, -1) });
    if (input && !key.ctrl && !key.tab && /^[\x20-\x7e]+$/.test(input)) return result({ ...s, filter: s.filter + input, top: 0 });
    return result(s);
  }

  if (input === 'b') {
    if (!ctx.bench) return result({ ...s, message: { text: 'No benchmark panel here', level: 'error' } });
    return result({ ...s, benchOpen: !s.benchOpen });
  }
  if (s.benchOpen && ctx.bench) {
    const { choices, running } = ctx.bench;
    if (key.escape) return result({ ...s, benchOpen: false });
    if (running && input === 'x') return result(s, { kind: 'bench-stop' });
    if (!running && choices > 0) {
      if (key.upArrow || input === 'k') return result({ ...s, benchChoice: (s.benchChoice - 1 + choices) % choices });
      if (key.downArrow || input === 'j') return result({ ...s, benchChoice: (s.benchChoice + 1) % choices });
      if (key.return) return result(s, { kind: 'bench-start', choice: Math.min(s.benchChoice, choices - 1) });
    }
    if (key.upArrow || key.downArrow || key.return || input === 'j' || input === 'k' || input === 'x') return result(s);
  }

  const sel = selectedRow(s, ctx.rows);
  // Nothing selected yet: the first move selects the first row, as in nvitop.
  if (key.upArrow || input === 'k') return result(select(s, ctx, sel < 0 ? 0 : sel - 1));
  if (key.downArrow || input === 'j') return result(select(s, ctx, sel + 1));
  if (key.pageUp) return result(select(s, ctx, Math.max(0, sel) - ctx.pageSize));
  if (key.pageDown) return result(select(s, ctx, sel + ctx.pageSize));
  if (key.home) return result(select(s, ctx, 0));
  if (key.end) return result(select(s, ctx, ctx.rows.length - 1));
  if (key.tab) return result({ ...s, graphGpu: ctx.gpuCount ? (s.graphGpu + (key.shift ? -1 : 1) + ctx.gpuCount) % ctx.gpuCount : 0 });
  if (key.escape) return result({ ...s, filter: '' });

  switch (input) {
    case 'q':
      return result(s, { kind: 'quit' });
    case 'h':
    case '?':
      return result({ ...s, overlay: { kind: 'help', top: 0 } });
    case 'c':
      return result({ ...s, view: 'compact' });
    case 'f':
      return result({ ...s, view: 'full' });
    case 'a':
      return result({ ...s, view: 'auto' });
    case '/':
      return result({ ...s, editingFilter: true });
    case ',':
    case '<':
      return result({ ...s, sort: cycle(SORT_COLUMNS, s.sort, -1) });
    case '.':
    case '>':
      return result({ ...s, sort: cycle(SORT_COLUMNS, s.sort, 1) });
    case 'r':
      return result({ ...s, descending: !s.descending });
    case 'm':
      return result({ ...s, graphMetric: cycle(HISTORY_METRICS, s.graphMetric, 1) });
  }

  const signal = SIGNAL_KEYS[input];
  if (signal) {
    if (ctx.readonly) return result({ ...s, message: { text: 'Read-only: signals are off (--readonly, or the readonly setting)', level: 'error' } });
    const p = ctx.rows[sel];
    if (!p) return result({ ...s, message: { text: 'No process selected (use the arrow keys)', level: 'error' } });
    const what = [p.user, (p.argv?.join(' ') ?? p.name) || null].filter(Boolean).join(': ');
    return result({ ...s, overlay: { kind: 'confirm', pid: p.pid, startTimeMs: p.startTimeMs, signal, label: `PID ${p.pid}${what ? ` (${what})` : ''}` } });
  }
  return result(s);
}
