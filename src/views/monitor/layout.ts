import type { ViewMode } from '../../config/settings.js';
import { gpuBoxHeight } from './sections.js';

/** How the monitor divides the terminal's rows among its sections. */
export interface Layout {
  readonly mode: 'full' | 'compact';
  readonly gpuLines: number;
  readonly hostLines: 0 | 2;
  /** Lines of the history graph, its title included; 0 for none. */
  readonly graphLines: number;
  /** Whether the process table has its title rule (the compact view saves that line). */
  readonly tableTitle: boolean;
  /** Process rows that fit (the table's header not counted). */
  readonly tableRows: number;
}

/** Narrower than this, the full view's bars are too short to read: auto picks compact. */
export const FULL_VIEW_MIN_COLUMNS = 80;
const MIN_TABLE_ROWS = 3;
const MIN_GRAPH_LINES = 6;
const MAX_GRAPH_LINES = 14;

/**
 * Plans the screen: header (1 line), GPUs, host (2), history graph, process
 * table (title, header, rows), status line (1). Auto shows the full view when
 * it fits with a few process rows, else the compact one (one line per GPU).
 * Everything fits in `rows`: the graph and the host panel give way first.
 */
export function planLayout(columns: number, rows: number, gpuCount: number, view: ViewMode): Layout {
  const plan = (mode: 'full' | 'compact'): Layout => {
    const gpuLines = mode === 'full' ? gpuBoxHeight(gpuCount) : Math.max(1, gpuCount);
    const tableTitle = mode === 'full';
    const fixed = 1 + gpuLines + (tableTitle ? 1 : 0) + 1 + 1;
    const rest = Math.max(0, rows - fixed);
    const hostLines = rest - 2 >= MIN_TABLE_ROWS ? 2 : 0;
    const spare = rest - hostLines - MIN_TABLE_ROWS;
    const graphLines = spare >= MIN_GRAPH_LINES ? Math.min(MAX_GRAPH_LINES, Math.max(MIN_GRAPH_LINES, Math.floor((rest - hostLines) / 2))) : 0;
    return { mode, gpuLines, hostLines, graphLines, tableTitle, tableRows: Math.max(0, rest - hostLines - graphLines) };
  };
  if (view === 'full') return plan('full');
  if (view === 'compact') return plan('compact');
  const full = plan('full');
  return columns >= FULL_VIEW_MIN_COLUMNS && full.tableRows >= MIN_TABLE_ROWS && full.hostLines === 2 ? full : plan('compact');
}
