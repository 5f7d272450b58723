import type { ViewMode } from '../../config/settings.js';
import type { HistoryMetric } from '../../model/history.js';
import type { SignalName, SortColumn } from '../../model/processes.js';
import type { GpuProcess } from '../../model/types.js';

/**
 * The monitor's UI state, pure. Keys go through a stack of screens
 * (`screens/`, as nvitop has): the top one has each key first, and a screen
 * that does not want a key passes it to the one below, down to the main
 * screen, which has every key left. The Ink component only feeds keys in and
 * carries effects out.
 */

/** The main screen: GPUs, host, graph and the process table. Always the bottom of the stack. */
export interface MainScreen {
  readonly kind: 'main';
}

/** The benchmark panel (key b) in the process table's place: its keys first, the main screen's for the rest. */
export interface BenchScreen {
  readonly kind: 'bench';
}

/** Typing the process filter on the status line (key /): every key is the filter's. */
export interface FilterScreen {
  readonly kind: 'filter';
}

/** The help screen, scrolled to its line `top`. */
export interface HelpScreen {
  readonly kind: 'help';
  readonly top: number;
}

/** Send this signal to this process? [y/N] */
export interface ConfirmScreen {
  readonly kind: 'confirm';
  readonly pid: number;
  readonly startTimeMs: number | null;
  readonly signal: SignalName;
  readonly label: string;
}

export type ScreenState = MainScreen | BenchScreen | FilterScreen | HelpScreen | ConfirmScreen;
export type ScreenKind = ScreenState['kind'];

export interface Message {
  readonly text: string;
  readonly level: 'info' | 'error';
}

export interface UiState {
  readonly view: ViewMode;
  readonly sort: SortColumn;
  readonly descending: boolean;
  readonly filter: string;
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
  /** The screens, the main one first and the one that has the keys last. */
  readonly screens: readonly ScreenState[];
  readonly message: Message | null;
  /** Which of the benchmark panel's choices is picked (kept while the panel is closed). */
  readonly benchChoice: number;
}

export function initialUiState(s: Pick<UiState, 'view' | 'sort' | 'descending'> & { readonly message?: Message | null }): UiState {
  return {
    view: s.view,
    sort: s.sort,
    descending: s.descending,
    message: s.message ?? null,
    filter: '',
    selectedPid: null,
    selectedGpu: null,
    selectedIndex: -1,
    top: 0,
    graphGpu: 0,
    graphMetric: 'utilization',
    screens: [{ kind: 'main' }],
    benchChoice: 0,
  };
}

/** The screen that has the keys. */
export const topScreen = (s: UiState): ScreenState => s.screens[s.screens.length - 1]!;

/** The screen of this kind on the stack, if there is one (the highest). */
export function findScreen<K extends ScreenKind>(s: UiState, kind: K): Extract<ScreenState, { kind: K }> | null {
  for (let i = s.screens.length - 1; i >= 0; i--) if (s.screens[i]!.kind === kind) return s.screens[i] as Extract<ScreenState, { kind: K }>;
  return null;
}

/** Opens a screen over the others. */
export const pushScreen = (s: UiState, screen: ScreenState): UiState => ({ ...s, screens: [...s.screens, screen] });

/** Closes the highest screen of this kind (never the main one). */
export function closeScreen(s: UiState, kind: Exclude<ScreenKind, 'main'>): UiState {
  const i = s.screens.map((x) => x.kind).lastIndexOf(kind);
  return i > 0 ? { ...s, screens: s.screens.filter((_, j) => j !== i) } : s;
}

/** The top screen, changed (the help's scroll). */
export const replaceTop = (s: UiState, screen: ScreenState): UiState => ({ ...s, screens: [...s.screens.slice(0, -1), screen] });

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

/** Moves the selection to row `index` (clamped), scrolling to show it. */
export function select(state: UiState, ctx: KeyContext, index: number): UiState {
  if (ctx.rows.length === 0) return state;
  const i = Math.max(0, Math.min(ctx.rows.length - 1, index));
  const moved = { ...state, selectedPid: ctx.rows[i]!.pid, selectedGpu: ctx.rows[i]!.gpuUuid, selectedIndex: i };
  return { ...moved, top: visibleTop(moved, ctx.rows, ctx.pageSize) };
}

export const result = (state: UiState, effect: Effect | null = null): KeyResult => ({ state, effect });

/**
 * A screen's keys. `screen` is its own state on the stack; it answers with
 * the new UI state (and an effect), or null: not its key, the screen below has it.
 */
export interface Screen<K extends ScreenKind = ScreenKind> {
  onKey(state: UiState, screen: Extract<ScreenState, { kind: K }>, input: string, key: KeyPress, ctx: KeyContext): KeyResult | null;
}
