import { closeSync, openSync, writeFileSync } from 'node:fs';
import { SpawnFailure } from '../../../bench/child.js';
import { benchCommand, type Progress, type Stop } from '../../../bench/command-bench.js';
import { GPU_WATCH_INTERVAL_MS, openBenchGpus } from '../../../bench/gpu-watch.js';
import { openCommandRunner } from '../../../bench/measurer.js';
import { listParameter, type Parameter, scanParameter } from '../../../bench/parameters.js';
import { resultEntry, runResult, type RunResultFile } from '../../../bench/run-result.js';
import { type BenchTarget, commandLine, parseShell, planBenchmarks } from '../../../bench/run-plan.js';
import { loadSettings } from '../../../config/settings-file.js';
import { CliError, EXIT, exitForSignal, STOP_SIGNALS, UsageError } from '../../../exit-status.js';
import { type RunCount, runSetStats } from '../../../model/run-stats.js';
import { autoUnit, fmtDuration, TIME_UNIT_NAMES } from '../../../views/text/duration.js';
import { exportAsciidoc, exportCsv, exportMarkdown, exportOrgmode } from '../../../views/text/run-export.js';
import { benchmarkHeading, nothingToSummarize, renderBenchmarkResult, renderComparison, type SummaryOptions } from '../../../views/text/run-summary.js';
import { makePainter, shouldColor } from '../../../views/style.js';
import { sourceOptions } from '../../shared/options.js';
import { checkWritable } from '../../shared/report-error.js';
import type { BenchRunFlags } from './flags.js';

const stopMessage = (stop: Extract<Stop, { kind: 'failed' }>, targets: readonly BenchTarget[]): string => {
  const how = stop.timedOut ? 'ran past --run-timeout and was ended' : stop.signal ? `was killed by ${stop.signal}` : `exited with status ${stop.exitCode}`;
  const name = targets.length > 1 ? ` of '${targets[stop.target]!.name}'` : '';
  if (stop.what === 'command') return `the command${name} ${how} on ${stop.run}; stopped (--ignore-failure goes on regardless, --show-output shows its output)`;
  const when = stop.what === 'prepare' ? ` (before ${stop.run})` : stop.what === 'conclude' ? ` (after ${stop.run})` : '';
  return `the --${stop.what} command${name} ${how}${when}; stopped`;
};

function parameters(opts: BenchRunFlags): Parameter[] {
  if (opts.parameterStepSize !== undefined && !opts.parameterScan) throw new UsageError('-D/--parameter-step-size needs -P/--parameter-scan');
  const scan = opts.parameterScan;
  if (scan) return [scanParameter(scan.name, scan.min, scan.max, opts.parameterStepSize ?? null)];
  return (opts.parameterList ?? []).map((l) => listParameter(l.name, l.values));
}

/** hyperfine's rule: `-r` exactly, else at least `-m` (10, or -M when that is less), at most `-M`. */
function runCount(opts: BenchRunFlags): RunCount {
  if (opts.runs !== undefined) return { exact: opts.runs };
  const max = opts.maxRuns ?? null;
  const min = opts.minRuns ?? Math.min(10, max ?? 10);
  if (max !== null && min > max) throw new UsageError(`--min-runs ${min} is more than --max-runs ${max}`);
  return { min, max, minSeconds: opts.minBenchmarkingTime / 1000 };
}

function checkReadable(flag: string, path: string): void {
  try {
    closeSync(openSync(path, 'r'));
  } catch (e) {
    throw new CliError(`${flag}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, EXIT.noData);
  }
}

/** The --export-* files and what writes each. */
function exports(opts: BenchRunFlags, summary: SummaryOptions): { flag: string; path: string; write: (f: RunResultFile) => string }[] {
  const all = [
    { flag: '--export-json', path: opts.exportJson, write: (f: RunResultFile) => `${JSON.stringify(f, null, 2)}\n` },
    { flag: '--export-csv', path: opts.exportCsv, write: exportCsv },
    { flag: '--export-markdown', path: opts.exportMarkdown, write: (f: RunResultFile) => exportMarkdown(f, summary.unit, summary.sort) },
    { flag: '--export-asciidoc', path: opts.exportAsciidoc, write: (f: RunResultFile) => exportAsciidoc(f, summary.unit, summary.sort) },
    { flag: '--export-orgmode', path: opts.exportOrgmode, write: (f: RunResultFile) => exportOrgmode(f, summary.unit, summary.sort) },
  ];
  return all.flatMap((e) => (e.path === undefined ? [] : [{ ...e, path: e.path }]));
}

/** `gpumon bench run`. Returns the exit status. */
export async function benchRun(commands: string[], opts: BenchRunFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const shell = parseShell(opts.shell, opts.N === true);
  const targets = planBenchmarks({
    commands,
    names: opts.commandName ?? [],
    shell,
    parameters: parameters(opts),
    reference: opts.reference ?? null,
    setup: opts.setup ?? null,
    prepare: opts.prepare ?? [],
    conclude: opts.conclude ?? [],
    cleanup: opts.cleanup ?? null,
    output: opts.showOutput ? ['inherit'] : (opts.output ?? []),
  });
  const runs = runCount(opts);
  const input = opts.input === undefined || opts.input === 'null' ? null : opts.input;
  if (input !== null) checkReadable('--input', input);
  for (const t of targets) if (t.output.kind === 'file') checkWritable('--output', t.output.path);

  const { stdout, stderr } = process;
  const style = opts.style;
  const color = style === 'full' || style === 'color' || (style === 'auto' && shouldColor(stdout.isTTY === true, env));
  const summary: SummaryOptions = {
    width: Math.max(60, stdout.isTTY ? stdout.columns : Number(env.COLUMNS) || 80),
    ascii: opts.ascii === true || loadSettings(env).settings.ascii,
    unit: opts.timeUnit ? TIME_UNIT_NAMES[opts.timeUnit] : null,
    sort: opts.sort,
    painter: makePainter(color),
  };
  const files = exports(opts, summary);
  for (const e of files) checkWritable(e.flag, e.path);
  const source = sourceOptions(opts, env, { interval: GPU_WATCH_INTERVAL_MS / 1000 });

  const startedAt = Date.now();
  const abort = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    abort.abort();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);

  const { source: gpus, unavailable } = await openBenchGpus(source);
  const runner = openCommandRunner();
  const context = { targets, startedAt, gpuNote: unavailable === null ? null : `no GPU could be read: ${unavailable}`, cpuNote: runner.unmeasured, warmup: opts.warmup, sampleIntervalMs: source.intervalMs };

  const text = !opts.json && style !== 'none';
  const showsOutput = targets.some((t) => t.output.kind === 'inherit');
  // The commands' own output would mix with a progress line.
  const progress = text && !showsOutput && (style === 'full' || style === 'nocolor' || (style === 'auto' && stderr.isTTY === true));
  const say = (line: string) => progress && stderr.write(`\r\x1b[K${line}`);
  const print = (s: string) => text && stdout.write(s);
  const printed = new Set<number>();
  const writeExports = (file: RunResultFile) => {
    for (const e of files)
      try {
        writeFileSync(e.path, e.write(file));
      } catch (err) {
        stderr.write(`gpumon: ${e.flag}: cannot write ${e.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
      }
  };
  const printResult = (i: number, entry: ReturnType<typeof resultEntry>, file: RunResultFile) => {
    printed.add(i);
    if (entry) print(renderBenchmarkResult(entry, file, { ...summary, detailed: targets.length === 1, planned: 'exact' in runs ? runs.exact : null }));
  };
  const onProgress = (p: Progress) => {
    if (p.phase === 'baseline') return say('  Measuring idle GPU power ...');
    if (p.phase === 'calibration') return say('  Measuring the shell start-up ...');
    if (p.phase === 'start') {
      say('');
      print(benchmarkHeading(p.target + 1, targets[p.target]!.name, summary.painter));
      if (p.target === 0 && source.demo) print(`  (GPU figures from the demo recording '${source.demo}', not from this machine's GPUs)\n`);
      return;
    }
    if (p.phase === 'done') {
      say('');
      const file = runResult(p.outcome, context);
      // The targets after this one have no runs yet: its entry is the last.
      printResult(p.target, file.results.at(-1) ?? null, file);
      writeExports(file);
      return;
    }
    if (p.phase === 'warmup') return say(`  Warmup run ${p.index + 1}/${p.total} ...`);
    const stats = runSetStats(p.done);
    const estimate = stats ? `, current estimate: ${fmtDuration(stats.mean, summary.unit ?? autoUnit(stats.mean))}` : '';
    say(`  Run ${p.index + 1}${p.total === null ? '' : `/${p.total}`}${estimate} ...`);
  };

  let outcome;
  try {
    outcome = await benchCommand({
      targets,
      runs,
      warmup: opts.warmup,
      input,
      ignoreFailure: opts.ignoreFailure === true,
      runTimeoutMs: opts.runTimeout ?? null,
      baselineMs: opts.baseline,
      source: gpus,
      runner,
      shellCalibration: shell.kind === 'shell' ? commandLine('', shell) : null,
      signal: abort.signal,
      onProgress,
    });
  } catch (e) {
    if (e instanceof SpawnFailure) throw new CliError(e.message, EXIT.commandNotFound);
    throw e;
  } finally {
    say('');
    gpus?.stop();
    runner.close();
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }

  const endedAt = Date.now();
  const result = runResult(outcome, context);
  writeExports(result);
  // A command stopped midway (Ctrl-C, a failure) still shows what it measured.
  targets.forEach((t, i) => printed.has(i) || printResult(i, resultEntry(t, outcome.runs[i]!, outcome, source.intervalMs), result));
  if (opts.json) stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.results.length === 0) print(nothingToSummarize(result));
  else print(renderComparison(result, summary));

  const stop = outcome.stop;
  const endedBy = stop?.kind === 'interrupted' ? (stoppedBy ?? 'SIGINT') : stop?.kind === 'failed' ? 'failed' : 'completed';
  const spans = await import('../history-span.js');
  const label = `bench run ${targets.map((t) => t.name).join(' | ')}`;
  await spans.recordBenchSpan(opts.historyDb, env, spans.benchSpan(label, startedAt, endedAt, endedBy, opts.exportJson ?? null), stderr);
  const saved = files.length ? `; saved to ${files.map((f) => f.path).join(', ')}` : '';
  if (stop?.kind === 'interrupted') {
    const done = outcome.runs.reduce((n, r) => n + r.length, 0);
    const planned = 'exact' in runs ? ` of ${runs.exact * targets.length}` : '';
    stderr.write(`gpumon: interrupted (${stoppedBy ?? 'SIGINT'}) after ${done}${planned} run${done === 1 && !planned ? '' : 's'}${saved}\n`);
    return exitForSignal(stoppedBy ?? 'SIGINT');
  }
  if (stop?.kind === 'failed') {
    stderr.write(`gpumon: ${stopMessage(stop, targets)}\n`);
    return EXIT.commandFailed;
  }
  return EXIT.ok;
}
