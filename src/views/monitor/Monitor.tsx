import { useInput } from 'ink';
import { useCallback, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { ViewMode } from '../../config/settings.js';
import { filterProcesses, type SignalName, sortProcesses, type SortColumn } from '../../model/processes.js';
import type { SnapshotStore } from '../../model/store.js';
import { hostRows } from '../text/snapshot-text.js';
import { type Row, textRow } from '../text/row.js';
import { benchPanelKeys, benchPanelLines, type BenchPanelSource, type BenchPanelState, benchStatusLine, isRunning } from './bench-panel-section.js';
import { Frame } from './Frame.js';
import { planLayout } from './layout.js';
import {
  alertBarLine,
  gpuBoxLines,
  gpuCompactLines,
  headerLine,
  helpLines,
  helpStatusLine,
  historyLines,
  processTableLines,
  type SectionOptions,
  statusLine,
} from './sections.js';
import { onKey } from './screens/index.js';
import { findScreen, initialUiState, type KeyPress, type Message, selectedRow, topScreen, type UiState, visibleTop } from './state.js';

/** The terminal's size, and a way to hear when it changes. */
export interface TerminalSize {
  readonly size: () => { readonly columns: number; readonly rows: number };
  readonly subscribe: (onResize: () => void) => () => void;
}

export interface MonitorProps {
  readonly store: SnapshotStore;
  readonly terminal: TerminalSize;
  readonly options: SectionOptions;
  readonly initial: { readonly view: ViewMode; readonly sort: SortColumn; readonly descending: boolean; readonly message?: Message | null };
  readonly intervalMs: number;
  readonly readonly: boolean;
  /** Whether keys can be read (stdin is a terminal). */
  readonly keys: boolean;
  readonly onSignal: (pid: number, startTimeMs: number | null, signal: SignalName) => { readonly ok: boolean; readonly message: string };
  readonly onQuit: () => void;
  /** The benchmark panel's controller (key b); absent, the key says there is none. */
  readonly bench?: BenchPanelSource;
}

const BLANK_ROW: Row = textRow(' ');
const NO_BENCH: BenchPanelState = { choices: [], progress: null, resultPath: null, note: null };
const noBench = { subscribe: () => () => {}, get: () => NO_BENCH };

/**
 * The interactive monitor. It re-renders when a snapshot arrives (about once
 * per interval), on a key, and on a resize: it has no timer of its own.
 */
export function Monitor(props: MonitorProps) {
  const { store, terminal, options: o } = props;
  const { snapshot, history, alerts } = useSyncExternalStore(store.subscribe, store.get);
  const size = useSyncExternalStore(terminal.subscribe, terminal.size);
  const benchSource = props.bench ?? noBench;
  const bench = useSyncExternalStore(benchSource.subscribe, benchSource.get);
  const [ui, setUi] = useState<UiState>(() => initialUiState(props.initial));

  const rows = useMemo(
    () => sortProcesses(filterProcesses(snapshot.processes, ui.filter), ui.sort, ui.descending),
    [snapshot.processes, ui.filter, ui.sort, ui.descending],
  );
  const width = size.columns;
  const panelOpen = findScreen(ui, 'bench') !== null && props.bench !== undefined;
  const panel = panelOpen ? benchPanelLines(bench, Math.min(ui.benchChoice, Math.max(0, bench.choices.length - 1)), width, o) : null;
  const layout = planLayout(width, size.rows, snapshot.gpus.length, ui.view, { alertBar: alerts.length > 0, panelLines: panel?.length ?? null });
  const helpScreen = findScreen(ui, 'help');
  const help = helpScreen ? helpLines(width, o, props.readonly) : null;
  // The help shows a page above its status line.
  const helpPage = Math.max(1, size.rows - 1);

  // Keys act on what is on screen now; a ref keeps the handler from closing over an old frame.
  const benchCtx = props.bench ? { choices: bench.choices.length, running: isRunning(bench.progress) } : null;
  const now = { ui, rows, pageSize: layout.tableRows, gpuCount: snapshot.gpus.length, bench: benchCtx, help: { lines: help?.length ?? 0, page: helpPage } };
  const current = useRef(now);
  current.current = now;
  const { onSignal, onQuit, readonly, bench: benchControl } = props;
  const handleKey = useCallback(
    (input: string, key: KeyPress) => {
      // Fast typing and pastes arrive as one string: each character is a key of its own.
      const presses: [string, KeyPress][] = input.length > 1 && !key.ctrl ? [...input].map((ch) => [ch, {}]) : [[input, key]];
      let c = current.current;
      for (const [ch, k] of presses) {
        const { state, effect } = onKey(c.ui, ch, k, { rows: c.rows, pageSize: c.pageSize, gpuCount: c.gpuCount, readonly, bench: c.bench, help: c.help });
        let next = state;
        if (effect?.kind === 'quit') onQuit();
        if (effect?.kind === 'bench-start') benchControl?.start(effect.choice);
        if (effect?.kind === 'bench-stop') benchControl?.stop();
        if (effect?.kind === 'signal') {
          const r = onSignal(effect.pid, effect.startTimeMs, effect.signal);
          next = { ...next, message: { text: r.message, level: r.ok ? 'info' : 'error' } };
        }
        c = { ...c, ui: next };
      }
      current.current = c;
      setUi(c.ui);
    },
    [onSignal, onQuit, readonly, benchControl],
  );
  useInput(handleKey, { isActive: props.keys });

  if (help && helpScreen) {
    const top = Math.min(helpScreen.top, Math.max(0, help.length - helpPage));
    const page = help.slice(top, top + helpPage);
    while (page.length < helpPage) page.push(BLANK_ROW);
    return <Frame rows={[...page, helpStatusLine(top, helpPage, help.length, width, o)].slice(-size.rows)} />;
  }

  const graphGpu = snapshot.gpus[Math.min(ui.graphGpu, snapshot.gpus.length - 1)];
  const graphWidth = Math.max(10, width - 8);
  const selected = selectedRow(ui, rows);
  const top = visibleTop(ui, rows, layout.tableRows);
  const lines = [
    headerLine(snapshot, width, o),
    ...(layout.mode === 'full' ? gpuBoxLines(snapshot.gpus, width, o) : gpuCompactLines(snapshot.gpus, width, o).slice(0, layout.gpuLines)),
    ...(layout.hostLines ? hostRows(snapshot.host, width, o) : []),
    ...(layout.graphLines
      ? historyLines(graphGpu, graphGpu ? history.series(graphGpu.uuid, ui.graphMetric, graphWidth) : [], ui.graphMetric, props.intervalMs, width, layout.graphLines, o)
      : []),
    // The panel takes the process table's place; what the plan has no room for is cut from its end.
    ...(panel
      ? panel.slice(0, layout.panelLines)
      : processTableLines({ rows, total: snapshot.processes.length, selected, top, pageSize: layout.tableRows, title: layout.tableTitle }, ui, width, o)),
  ];
  // The status line stays on the last row, the alert bar above it: what does not fit above them is cut, what is short is padded.
  const bodyRows = Math.max(0, size.rows - 1 - layout.alertBar);
  const body = lines.slice(0, bodyRows);
  while (body.length < bodyRows) body.push(BLANK_ROW);
  const bar = layout.alertBar ? [alertBarLine(alerts, width, o)] : [];
  // A run going on behind the closed panel shows on the status line, unless something more urgent is there.
  const quiet = !ui.message && !ui.filter && ['main', 'bench'].includes(topScreen(ui).kind);
  const status =
    !panel && quiet && bench.progress && isRunning(bench.progress) ? benchStatusLine(bench.progress, width, o) : statusLine(ui, width, o, { panelKeys: panel ? benchPanelKeys(bench) : null, readonly: props.readonly });
  return <Frame rows={[...body, ...bar, status].slice(-Math.max(1, size.rows))} />;
}
