import type { RunResultEntry, RunResultFile } from '../../bench/run-result.js';
import { relativeSpeeds } from '../../model/relative-speed.js';
import { mean } from '../../model/stats.js';
import { fmtFixed, fmtInt, fmtMiB, NA, padEnd, padStart, wrapWords } from '../format.js';
import type { Painter } from '../style.js';
import { autoUnit, fmtDuration, type TimeUnit } from './duration.js';
import { renderGpuSection } from './gpu-section.js';
import { parameterNames, referenceIndex, type SortOrder } from './run-export.js';

/**
 * What `bench run` prints, in hyperfine's layout: "Benchmark 1: ..." before
 * each command's runs; after them "Time (mean ± σ)", "Range (min … max)",
 * warnings and the GPU figures; at the end hyperfine's "Summary" (X ± σ
 * times faster than Y) and, for a sweep or where the GPUs were read, one
 * table of every command with its energy per run, peak GPU memory and
 * throttled time. One command also gets its runs one a line (up to
 * MAX_RUN_LINES) and the per-GPU section.
 */

/** More runs than this are in the result file only. */
export const MAX_RUN_LINES = 10;

export interface SummaryOptions {
  readonly width: number;
  readonly ascii: boolean;
  /** --time-unit; null: hyperfine's choice per command. */
  readonly unit: TimeUnit | null;
  readonly sort: SortOrder;
  readonly painter: Painter;
}

const symbols = (ascii: boolean) => (ascii ? { pm: '+/-', sigma: 'sd', ellipsis: '...' } : { pm: '±', sigma: 'σ', ellipsis: '…' });

export function benchmarkHeading(number: number, name: string, painter: Painter): string {
  return `${painter.paint('bold', `Benchmark ${number}:`)} ${name}\n`;
}

function warningText(w: RunResultEntry['warnings'][number], r: RunResultEntry, file: RunResultFile, unit: TimeUnit): string {
  if (w === 'fast_command')
    return `Warning: the command took under 5 ms. The shell's start-up (${fmtDuration(file.shell_spawn?.time ?? null, 'ms')}, measured before the runs and taken off each) is known no more precisely than that: -N (--shell=none) runs it without a shell.`;
  if (w === 'outliers')
    return `Warning: statistical outliers were detected (modified Z-score over 14.8). Run again on a quiet machine${file.warmup || r.prepare ? '' : '; --warmup or --prepare may help'}.`;
  const hint = file.warmup && r.prepare ? 'Both --warmup and --prepare are in use: a chance outlier, or more warmup runs needed?' : 'Use --warmup N to fill them before timing, or --prepare to empty them before each run.';
  return `Warning: the first run was much slower than the rest (${fmtDuration(r.times[0] ?? null, unit)}). Caches (files, compiled kernels) filled during it? ${hint}`;
}

function runLines(r: RunResultEntry, unit: TimeUnit, width: number): string[] {
  // Without GPU data the GPU columns would be all N/A: the runs alone, then.
  const gpu = r.gpu !== null;
  const cols = gpu ? ['run', 'time', 'exit', 'GPU energy', 'avg util', 'peak mem', 'tree mem'] : ['run', 'time', 'exit'];
  const widths = [5, 11, 9, 12, 10, 11, 11];
  const row = (cells: readonly string[]) => `  ${cells.map((c, i) => (i === 0 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!))).join('')}`;
  const lines = [row(cols)];
  r.runs.slice(0, MAX_RUN_LINES).forEach((run, i) => {
    const cells = [String(i + 1), fmtDuration(run.time, unit), run.timed_out ? 'timeout' : run.exit_code === null ? (run.signal ?? NA) : String(run.exit_code)];
    if (gpu)
      cells.push(
        fmtFixed(run.gpu_energy_j, 1, ' J'),
        fmtFixed(run.gpu_avg_utilization_percent, 0, '%'),
        fmtMiB(run.gpu_peak_memory_used_mib),
        fmtMiB(run.process_tree_peak_gpu_memory_mib),
      );
    lines.push(row(cells));
  });
  if (r.runs.length > MAX_RUN_LINES) lines.push(`  (${r.runs.length - MAX_RUN_LINES} more runs: see --export-json or --json)`);
  if (gpu) lines.push(...wrapWords('peak mem: the most used on one GPU, by anything; tree mem: held by the command and its children.', width, '  '));
  return lines;
}

/** The GPU figures of one command in one line. */
function gpuLine(r: RunResultEntry): string {
  const g = r.gpu!;
  const avgUtil = mean(g.devices.map((d) => d.avg_utilization_percent).filter((u): u is number => u !== null));
  return `  GPU: ${fmtFixed(r.gpu_energy_j_per_run, 1, ' J')}/run, avg util ${fmtInt(avgUtil, '%')}, peak mem ${fmtMiB(g.peak_memory_used_mib)}, throttled ${fmtFixed(g.throttled_seconds, 1, ' s')}`;
}

/**
 * One command's result, after its runs. `detailed`: its runs one a line and
 * the per-GPU section (a single command). `planned`: runs asked for (-r).
 */
export function renderBenchmarkResult(r: RunResultEntry, file: RunResultFile, opts: SummaryOptions & { readonly detailed: boolean; readonly planned: number | null }): string {
  const { pm, sigma, ellipsis } = symbols(opts.ascii);
  const p = opts.painter;
  const width = Math.max(60, opts.width);
  const unit = opts.unit ?? autoUnit(r.mean);
  const d = (s: number | null) => padStart(fmtDuration(s, unit), 8);
  const time = `  Time (mean ${pm} ${sigma}):`;
  const range = `  Range (min ${ellipsis} max):`;
  const label = Math.max(time.length, range.length) + 3;
  const n = r.times.length;
  const cpu = file.cpu_note ? '' : `    [User: ${p.paint('low', fmtDuration(r.user, unit))}, System: ${p.paint('low', fmtDuration(r.system, unit))}]`;
  const out = [
    `${padEnd(time, label)}${p.paint('bold', d(r.mean))} ${pm} ${d(r.stddev)}${cpu}`,
    `${padEnd(range, label)}${d(r.min)} ${ellipsis} ${d(r.max)}    ${n} run${n === 1 ? '' : 's'}${opts.planned !== null && n < opts.planned ? ` of ${opts.planned}` : ''}`,
    `  Median:${' '.repeat(label - 9)}${d(r.median)}`,
  ];
  if (r.gpu && !opts.detailed) out.push(gpuLine(r));
  const failures = r.runs.filter((run) => run.exit_code !== 0 || run.signal || run.timed_out).length;
  const notes = r.warnings.map((w) => warningText(w, r, file, unit));
  if (r.gpu && r.mean < (2 * r.gpu.sample_interval_ms) / 1000)
    notes.push(`Note: runs this short get one or two GPU samples (one every ${r.gpu.sample_interval_ms} ms), so their energy is rough or N/A; a longer run, or a loop in the command, measures better.`);
  if (failures && file.stopped?.kind !== 'failed') notes.push(`Warning: ${failures} of ${n} runs failed (a non-zero exit status, a signal, or --run-timeout), kept with --ignore-failure.`);
  for (const note of notes) out.push('', ...wrapWords(note, width, '  '));
  if (opts.detailed) {
    out.push('', ...runLines(r, unit, width), '');
    if (r.gpu) out.push(renderGpuSection(r.gpu, { columns: width }).trimEnd());
    else out.push(...wrapWords(`GPU: not measured: ${file.gpu_note ?? 'no GPU data'}.`, width, ''));
  }
  return `${out.join('\n')}\n \n`;
}

/** hyperfine's "Summary": the reference (or the fastest) and how much faster or slower each other command ran. */
function speedComparison(file: RunResultFile, opts: SummaryOptions): string[] {
  const results = file.results;
  const speeds = relativeSpeeds(results, referenceIndex(results));
  if (!speeds) return ['Note: a mean time of 0 leaves nothing to compare; try -N, or a longer command.'];
  const { pm } = symbols(opts.ascii);
  const p = opts.painter;
  const order = results.map((_, i) => i);
  const ratio = (x: number, width: number) => p.paint('low', x.toFixed(2).padStart(width));
  if (opts.sort === 'command') {
    return [
      p.paint('bold', 'Relative speed comparison'),
      ...order.map((i) => {
        const s = speeds[i]!;
        return `  ${ratio(s.ratio, 10)}${s.ratioStddev === null ? '        ' : ` ${pm} ${s.ratioStddev.toFixed(2).padStart(5)}`}  ${results[i]!.command}`;
      }),
    ];
  }
  const ref = speeds.findIndex((s) => s.isReference);
  order.sort((a, b) => results[a]!.mean - results[b]!.mean);
  return [
    p.paint('bold', 'Summary'),
    `  '${p.paint('title', results[ref]!.command)}' ran`,
    ...order
      .filter((i) => i !== ref)
      .map((i) => {
        const s = speeds[i]!;
        // Faster than the reference: say how much slower the reference ran.
        const [x, how] = s.ratio >= 1 ? [s.ratio, 'faster'] : [1 / s.ratio, 'slower'];
        const sd = s.ratioStddev === null ? '' : ` ${pm} ${(s.ratio >= 1 ? s.ratioStddev : s.ratioStddev / s.ratio ** 2).toFixed(2)}`;
        return `${ratio(x, 8)}${sd} times ${how} than '${results[i]!.command}'`;
      }),
  ];
}

/**
 * Every command in one table, with what the GPUs did: the sweep table of
 * -P/-L (parameter values as the first columns), or a comparison of named
 * commands. Only for a sweep or where some command has GPU figures.
 */
function sweepTable(file: RunResultFile, opts: SummaryOptions): string[] {
  const results = file.results;
  const params = parameterNames(file);
  if (!params.length && !results.some((r) => r.gpu)) return [];
  const { pm } = symbols(opts.ascii);
  const unit = opts.unit ?? autoUnit(results[0]!.mean);
  const head = [...(params.length ? params : ['command']), `mean ${pm} σ`, 'J/run', 'avg W', 'peak GPU mem', 'tree mem', 'throttled'];
  const rows = results.map((r) => {
    const treeMem = r.runs.map((run) => run.process_tree_peak_gpu_memory_mib).filter((m): m is number => m !== null);
    return [
      ...(params.length ? params.map((k) => r.parameters?.[k] ?? '') : [r.command]),
      `${fmtDuration(r.mean, unit)} ${pm} ${fmtDuration(r.stddev, unit)}`,
      fmtFixed(r.gpu_energy_j_per_run, 1),
      fmtFixed(r.gpu?.avg_power_w ?? null, 0),
      fmtMiB(r.gpu?.peak_memory_used_mib ?? null),
      fmtMiB(treeMem.length ? Math.max(...treeMem) : null),
      fmtFixed(r.gpu?.throttled_seconds ?? null, 1, ' s'),
    ];
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]) => `  ${cells.map((x, c) => (c < Math.max(1, params.length) ? padEnd(x, widths[c]!) : padStart(x, widths[c]!))).join('  ')}`;
  return ['', opts.painter.paint('bold', params.length ? 'Sweep' : 'GPU per command'), line(head), ...rows.map(line)];
}

/** After the last command: the speed comparison (two or more) and the sweep table. */
export function renderComparison(file: RunResultFile, opts: SummaryOptions): string {
  if (file.results.length < 2) return '';
  return `${[...speedComparison(file, opts), ...sweepTable(file, opts)].join('\n')}\n`;
}

/** Said when no timing run finished. */
export function nothingToSummarize(file: RunResultFile): string {
  return `No timing run finished${file.stopped?.kind === 'interrupted' ? ' before the interrupt' : ''}: nothing to summarize.\n`;
}
