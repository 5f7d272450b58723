import { HISTORY_METRICS } from '../../../model/history.js';
import { type SignalName, SORT_COLUMNS } from '../../../model/processes.js';
import { pushScreen, result, type Screen, select, selectedRow } from '../state.js';

/**
 * The main screen: the process table's selection, sort and filter, the
 * views, the graph, and the keys that open the other screens. It has every
 * key the screens above it pass down.
 */

const SIGNAL_KEYS: Readonly<Record<string, SignalName>> = { I: 'SIGINT', T: 'SIGTERM', K: 'SIGKILL' };

const cycle = <T>(list: readonly T[], current: T, step: number): T => list[(list.indexOf(current) + step + list.length) % list.length]!;

export const mainScreen: Screen<'main'> = {
  onKey(s, _screen, input, key, ctx) {
    if (input === 'b') {
      if (!ctx.bench) return result({ ...s, message: { text: 'No benchmark panel here', level: 'error' } });
      return result(pushScreen(s, { kind: 'bench' }));
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
        return result(pushScreen(s, { kind: 'help', top: 0 }));
      case 'c':
        return result({ ...s, view: 'compact' });
      case 'f':
        return result({ ...s, view: 'full' });
      case 'a':
        return result({ ...s, view: 'auto' });
      case '/':
        return result(pushScreen(s, { kind: 'filter' }));
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
      return result(pushScreen(s, { kind: 'confirm', pid: p.pid, startTimeMs: p.startTimeMs, signal, label: `PID ${p.pid}${what ? ` (${what})` : ''}` }));
    }
    return result(s);
  },
};
