import type { BenchProgress } from '../../bench/live-stats.js';
import { bar, fmtFixed, fmtInt, NA, padStart } from '../format.js';
import { progressCount, progressLine } from '../text/bench-progress.js';
import { lineRow, type Seg, seg } from '../text/layout.js';
import type { Row } from '../text/row.js';
import type { SectionOptions } from './sections.js';

/** A setup the panel offers: a preset from the settings, or the last run. */
export interface BenchChoice {
  readonly name: string;
  /** One line: URL, model, rate, concurrency, lengths. */
  readonly summary: string;
}

/** What the panel shows: the choices and the run (live, or the last one), as the controller outside the views keeps them. */
export interface BenchPanelState {
  readonly choices: readonly BenchChoice[];
  /** Null before the first run. */
  readonly progress: BenchProgress | null;
  /** Where the last result was written. */
  readonly resultPath: string | null;
  /** Why there is nothing to choose, or why a start failed. */
  readonly note: string | null;
}

/**
 * The benchmark panel's side outside the views: the monitor reads its state
 * and asks it to start and stop; it runs `bench http` itself (src/cli/monitor/panel-bench-runner.ts).
 */
export interface BenchPanelSource {
  readonly get: () => BenchPanelState;
  readonly subscribe: (listener: () => void) => () => void;
  start(choice: number): void;
  stop(): void;
}

export const isRunning = (p: BenchProgress | null) => p !== null && ['starting', 'baseline', 'warmup', 'running'].includes(p.phase);

const paint = (segs: readonly Seg[], width: number, o: SectionOptions): Row => lineRow(segs, width, o.painter, o.ascii);
const pct = (p: { p50: number; p90: number; p99: number } | null, digits: number) =>
  p ? `p50 ${fmtFixed(p.p50, digits)}  p90 ${fmtFixed(p.p90, digits)}  p99 ${fmtFixed(p.p99, digits)}` : NA;

/** The share of the iteration done (0..100), by requests or by time. */
function donePercent(p: BenchProgress): number | null {
  if (p.target !== null) return p.target ? (100 * (p.completed + p.failed)) / p.target : null;
  return p.durationS ? Math.min(100, (100 * p.elapsedS) / p.durationS) : null;
}

/** The panel's lines, each exactly `width` columns; the layout decides how many show (its keys are on the status line). */
export function benchPanelLines(s: BenchPanelState, selected: number, width: number, o: SectionOptions): Row[] {
  const rule = o.ascii ? '-' : '─';
  const p = s.progress;
  const running = isRunning(p);
  const label = (text: string) => seg(` ${text.padEnd(10)}`, 'bold');
  const title = `${rule}${rule} Benchmark: bench http `;
  const out = [paint([seg(title, 'bold'), seg(rule.repeat(Math.max(0, width - title.length)), 'dim')], width, o)];
  if (!running) {
    if (s.choices.length === 0) out.push(paint([seg(`  ${s.note ?? 'Nothing to run.'}`, 'dim')], width, o));
    s.choices.forEach((c, i) => {
      const mark = i === selected ? (o.ascii ? '>' : '▶') : ' ';
      out.push(paint([seg(` ${mark} `, 'bold'), seg(c.name.padEnd(12), i === selected ? 'selected' : 'bold'), seg(`  ${c.summary}`)], width, o));
    });
    if (s.choices.length && s.note) out.push(paint([seg(`  ${s.note}`, 'high')], width, o));
  }
  if (p) {
    const done = donePercent(p);
    const it = p.iterations > 1 ? `  iteration ${p.iteration}/${p.iterations}` : '';
    const phaseToken = p.phase === 'failed' ? 'high' : p.phase === 'interrupted' ? 'moderate' : 'low';
    out.push(
      paint(
        [label('Run'), seg(p.phase, phaseToken), seg(`  ${progressCount(p)} ${padStart(fmtInt(done, '%'), 4)} `), seg(bar(done, width >= 100 ? 20 : 10, o.ascii), 'low'), seg(`  ${fmtFixed(p.elapsedS, 0)} s${it}  ${p.model ?? ''}`)],
        width,
        o,
      ),
    );
    // A run that failed before its first request has nothing more to show than why.
    if (p.sent === 0 && p.phase === 'failed') {
      if (p.message) out.push(paint([label('Failed'), seg(p.message, 'high')], width, o));
      return out;
    }
    out.push(
      paint(
        [label('Requests'), seg(`${p.completed} ok  `), seg(`${p.failed} failed`, p.failed ? 'high' : null), seg(`  ${p.inFlight} in flight   ${fmtFixed(p.requestsPerS, 1)} req/s   ${fmtInt(p.outputTokensPerS)} output tok/s`)],
        width,
        o,
      ),
    );
    out.push(paint([label('TTFT ms'), seg(pct(p.ttftMs, 0)), seg('   last 10 s', 'dim')], width, o));
    out.push(paint([label('ITL ms'), seg(pct(p.itlMs, 1))], width, o));
    const errors = Object.entries(p.errors).map(([k, n]) => `${k.replace(/_/g, ' ')} ${n}`);
    out.push(paint([label('Errors'), seg(errors.length ? errors.join(', ') : 'none', errors.length ? 'high' : null), seg(p.lastError ? `   last: ${p.lastError}` : '', 'dim')], width, o));
    const sv = p.server;
    const server = p.serverError
      ? [seg(`cannot read /metrics: ${p.serverError}`, 'high')]
      : sv
        ? [seg(`running ${fmtInt(sv.running)}  waiting ${fmtInt(sv.waiting)}  KV cache ${fmtInt(sv.kvCachePercent, '%')}`)]
        : [seg('not scraped (preset key server-metrics)', 'dim')];
    out.push(paint([label('Server'), ...server], width, o));
    if (s.resultPath && !running) out.push(paint([label('Saved to'), seg(s.resultPath)], width, o));
    if (p.message) out.push(paint([label(p.phase === 'failed' ? 'Failed' : 'Result'), seg(p.message, p.phase === 'failed' ? 'high' : null)], width, o));
  }
  return out;
}

/** The panel's keys, for the status line while it is open. */
export function benchPanelKeys(s: BenchPanelState): readonly string[] {
  if (isRunning(s.progress)) return ['x stop', 'b close (the run goes on)'];
  return s.choices.length ? ['↑↓ choose', 'Enter start', 'b close'] : ['b close'];
}

/** The status line while a run goes on with the panel closed. */
export function benchStatusLine(p: BenchProgress, width: number, o: SectionOptions): Row {
  return paint([seg(progressLine(p).replace(/^bench http/, 'bench'), 'bold'), seg('   b: the panel (x stops the run)', 'dim')], width, o);
}
