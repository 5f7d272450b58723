import type { RunResultEntry, RunResultFile } from '../../bench/run-result.js';
import { fmtFixed, fmtMiB, NA, padEnd, padStart, wrapWords } from '../format.js';
import { renderGpuSection } from './gpu-section.js';

/**
 * The summary of `bench run`, in hyperfine's layout ("Benchmark 1: ...",
 * "Time (mean ± σ): ...", "Range (min … max): ..."), then the runs one a line
 * (up to MAX_RUN_LINES) and the GPU section.
 */

/** More runs than this are in the result file only. */
export const MAX_RUN_LINES = 10;

const symbols = (ascii: boolean) => (ascii ? { pm: '+/-', sigma: 'sd', ellipsis: '...' } : { pm: '±', sigma: 'σ', ellipsis: '…' });

/** hyperfine's units: ms with one decimal under a second, else s with three. */
export function durationUnit(seconds: number): 'ms' | 's' {
  return seconds < 1 ? 'ms' : 's';
}

export function fmtDurationIn(seconds: number | null, unit: 'ms' | 's'): string {
  if (seconds === null) return NA;
  return unit === 'ms' ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(3)} s`;
}

function warningText(w: RunResultEntry['warnings'][number], r: RunResultEntry, file: RunResultFile, unit: 'ms' | 's'): string {
  if (w === 'outliers')
    return `Warning: statistical outliers were detected (modified Z-score over 14.8). Run again on a quiet machine${file.warmup || file.prepare ? '' : '; --warmup or --prepare may help'}.`;
  const hint = file.warmup && file.prepare ? 'Both --warmup and --prepare are in use: a chance outlier, or more warmup runs needed?' : 'Use --warmup N to fill them before timing, or --prepare to empty them before each run.';
  return `Warning: the first run was much slower than the rest (${fmtDurationIn(r.times[0] ?? null, unit)}). Caches (files, compiled kernels) filled during it? ${hint}`;
}

function runLines(r: RunResultEntry, unit: 'ms' | 's', width: number): string[] {
  // Without GPU data the GPU columns would be all N/A: the runs alone, then.
  const gpu = r.gpu !== null;
  const cols = gpu ? ['run', 'time', 'exit', 'GPU energy', 'avg util', 'peak mem', 'tree mem'] : ['run', 'time', 'exit'];
  const widths = [5, 11, 9, 12, 10, 11, 11];
  const row = (cells: readonly string[]) => `  ${cells.map((c, i) => (i === 0 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!))).join('')}`;
  const lines = [row(cols)];
  r.runs.slice(0, MAX_RUN_LINES).forEach((run, i) => {
    const cells = [String(i + 1), fmtDurationIn(run.time, unit), run.timed_out ? 'timeout' : run.exit_code === null ? (run.signal ?? NA) : String(run.exit_code)];
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

export function renderRunSummary(file: RunResultFile, opts: { readonly width: number; readonly ascii: boolean; readonly planned: number }): string {
  const { pm, sigma, ellipsis } = symbols(opts.ascii);
  const width = Math.max(60, opts.width);
  const out: string[] = [];
  const r = file.results[0];
  if (!r) return `No timing run finished${file.stopped?.kind === 'interrupted' ? ' before the interrupt' : ''}: nothing to summarize.\n`;
  const unit = durationUnit(r.mean);
  const d = (s: number | null) => fmtDurationIn(s, unit);
  const time = `  Time (mean ${pm} ${sigma}):`;
  const range = `  Range (min ${ellipsis} max):`;
  const label = Math.max(time.length, range.length) + 3;
  const n = r.times.length;
  out.push(
    `${padEnd(time, label)}${padStart(d(r.mean), 8)} ${pm} ${padStart(d(r.stddev), 8)}    [User: ${d(r.user)}, System: ${d(r.system)}]`,
    `${padEnd(range, label)}${padStart(d(r.min), 8)} ${ellipsis} ${padStart(d(r.max), 8)}    ${n} run${n === 1 ? '' : 's'}${n < opts.planned ? ` of ${opts.planned}` : ''}`,
    `  Median:${' '.repeat(label - 9)}${padStart(d(r.median), 8)}`,
  );
  const failures = r.runs.filter((run) => run.exit_code !== 0 || run.signal || run.timed_out).length;
  const notes = r.warnings.map((w) => warningText(w, r, file, unit));
  if (r.gpu && r.mean < (2 * r.gpu.sample_interval_ms) / 1000)
    notes.push(`Note: runs this short get one or two GPU samples (one every ${r.gpu.sample_interval_ms} ms), so their energy is rough or N/A; a longer run, or a loop in the command, measures better.`);
  if (failures && !file.stopped) notes.push(`Warning: ${failures} of ${n} runs failed (a non-zero exit status, a signal, or --run-timeout), kept with --ignore-failure.`);
  for (const note of notes) out.push('', ...wrapWords(note, width, '  '));
  out.push('', ...runLines(r, unit, width), '');
  if (r.gpu) out.push(renderGpuSection(r.gpu, { columns: width }).trimEnd());
  else out.push(...wrapWords(`GPU: not measured: ${file.gpu_note ?? 'no GPU data'}.`, width, ''));
  return `${out.join('\n')}\n`;
}
