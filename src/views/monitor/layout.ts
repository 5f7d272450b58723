import type { ViewMode } from '../../config/settings.js';
import { gpuBoxHeight } from './sections.js';

/** How the monitor divides the terminal's rows among its sections. */
export interface Layout {
  readonly mode: 'full' | 'compact';
  readonly gpuLines: number;
  readonly hostLines: 0 | 2;
  /** Lines of the history graph, its title included; 0 for none. */
  readonly graphLines: number;
  /** Lines of the benchmark panel (in the process table's place); 0 when it is closed. */
  readonly panelLines: number;
  /** Whether the process table has its title rule (the compact view saves that line). */
  readonly tableTitle: boolean;
  /** Process rows that fit (the table's header not counted); 0 while the panel is open. */
  readonly tableRows: number;
  /** The alert bar's line above the status line. */
  readonly alertBar: 0 | 1;
}

export interface LayoutWants {
  /** Alerts are firing: the bar wants its line. */
  readonly alertBar?: boolean;
  /** The benchmark panel is open and has this many lines to show. */
  readonly panelLines?: number | null;
}

/** Narrower than this, the full view's bars are too short to read: auto picks compact. */
export const FULL_VIEW_MIN_COLUMNS = 80;
const MIN_TABLE_ROWS = 3;
const MIN_GRAPH_LINES = 6;
const MAX_GRAPH_LINES = 14;

/**
 * Plans the screen, top to bottom: header (1 line), GPUs, host (2), history
 * graph, then the process table (title, header, rows) or, while it is open,
 * the benchmark panel; the alert bar (1, while alerts fire) and the status
 * line (1) last. The lines add up to `rows` at most, so nothing pushes the
 * status line off. What gives way, in order: the graph, then the host (with
 * the panel open, the host first, then the graph), then (auto) the full view
 * for the compact one, then the table's rows or the panel's last lines; the
 * GPUs are cut only when even their compact lines do not fit (an open panel
 * keeps its first 2 lines). The header, the alert bar and the status line
 * stay (on 3 rows or more).
 */
export function planLayout(columns: number, rows: number, gpuCount: number, view: ViewMode, wants: LayoutWants = {}): Layout {
  const alertBar = wants.alertBar && rows >= 3 ? 1 : 0;
  const panelWant = wants.panelLines ?? null;
  // An open panel shows its title and first line at least, even where the compact GPU lines must be cut for them.
  const panelKeeps = panelWant === null ? 0 : Math.min(2, panelWant);
  const plan = (mode: 'full' | 'compact'): Layout => {
    const gpuLines = mode === 'full' ? gpuBoxHeight(gpuCount) : Math.max(1, Math.min(gpuCount, rows - 2 - alertBar - panelKeeps));
    const rest = Math.max(0, rows - 1 - gpuLines - alertBar - 1);
    if (panelWant !== null) {
      const panelLines = Math.min(panelWant, rest);
      const spare = rest - panelLines;
      // Here the graph outranks the host (it shows what the run does to the GPU); the host has the rest, 2 lines where they are spare.
      const graphLines = spare >= MIN_GRAPH_LINES ? Math.min(MAX_GRAPH_LINES, spare - (spare >= MIN_GRAPH_LINES + 2 ? 2 : 0)) : 0;
      const hostLines = spare - graphLines >= 2 ? 2 : 0;
      return { mode, gpuLines, hostLines, graphLines, panelLines, tableTitle: false, tableRows: 0, alertBar };
    }
    const tableTitle = mode === 'full';
    const table = Math.max(0, rest - (tableTitle ? 1 : 0) - 1);
    const hostLines = table - 2 >= MIN_TABLE_ROWS ? 2 : 0;
    const spare = table - hostLines - MIN_TABLE_ROWS;
    const graphLines = spare >= MIN_GRAPH_LINES ? Math.min(MAX_GRAPH_LINES, Math.max(MIN_GRAPH_LINES, Math.floor((table - hostLines) / 2))) : 0;
    return { mode, gpuLines, hostLines, graphLines, panelLines: 0, tableTitle, tableRows: Math.max(0, table - hostLines - graphLines), alertBar };
  };
  if (view === 'full') return plan('full');
  if (view === 'compact') return plan('compact');
  const full = plan('full');
  const fits = panelWant !== null ? full.panelLines === panelWant : full.tableRows >= MIN_TABLE_ROWS && full.hostLines === 2;
  return columns >= FULL_VIEW_MIN_COLUMNS && fits ? full : plan('compact');
}

