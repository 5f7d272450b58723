import { writeFileSync } from 'node:fs';
import { directCommand, shellCommand, SpawnFailure } from '../../../bench/child.js';
import { benchCommand, type Progress, type Stop } from '../../../bench/command-bench.js';
import { GPU_WATCH_INTERVAL_MS, openBenchGpus } from '../../../bench/gpu-watch.js';
import { runResult } from '../../../bench/run-result.js';
import { loadSettings } from '../../../config/settings-file.js';
import { runSetStats } from '../../../model/run-stats.js';
import { durationUnit, fmtDurationIn, renderRunSummary } from '../../../views/text/run-summary.js';
import type { BenchRunFlags } from './flags.js';
import { checkWritable } from '../../shared/report-error.js';
import { CliError, EXIT, exitForSignal, STOP_SIGNALS } from '../../../exit-status.js';
import { sourceOptions } from '../../shared/options.js';


function stopMessage(stop: Extract<Stop, { kind: 'failed' }>): string {
  const how = stop.timedOut ? 'ran past --run-timeout and was ended' : stop.signal ? `was killed by ${stop.signal}` : `exited with status ${stop.exitCode}`;
  if (stop.what === 'prepare') return `the --prepare command ${how} (before ${stop.run}); stopped`;
  return `the command ${how} on ${stop.run}; stopped (--ignore-failure goes on regardless, --show-output shows its output)`;
}

/** `gpumon bench run`. Returns the exit status. */
export async function benchRun(argv: string[], opts: BenchRunFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const command = argv.length === 1 ? shellCommand(argv[0]!) : directCommand(argv as [string, ...string[]]);
  const prepare = opts.prepare !== undefined ? shellCommand(opts.prepare) : null;
  const source = sourceOptions(opts, env, { interval: GPU_WATCH_INTERVAL_MS / 1000 });
  const { stdout, stderr } = process;
  if (opts.exportJson) checkWritable('--export-json', opts.exportJson);

  const startedAt = Date.now();
  const abort = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    abort.abort();
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);

  const { source: gpus, unavailable } = await openBenchGpus(source);
  const gpuNote = unavailable === null ? null : `no GPU could be read: ${unavailable}`;

  const text = !opts.json;
  // The command's own output (--show-output) and a progress line would mix.
  const progressLine = text && stderr.isTTY && !opts.showOutput;
  const say = (line: string) => progressLine && stderr.write(`\r\x1b[K${line}`);
  if (text) {
    stdout.write(`Benchmark 1: ${command.text}\n`);
    if (source.demo) stdout.write(`  (GPU figures from the demo recording '${source.demo}', not from this machine's GPUs)\n`);
  }
  const onProgress = (p: Progress) => {
    if (p.phase === 'baseline') return say('  Measuring idle GPU power ...');
    if (p.phase === 'warmup') return say(`  Warmup run ${p.index + 1}/${p.total} ...`);
    const stats = runSetStats(p.done);
    say(`  Run ${p.index + 1}/${p.total}${stats ? `, current estimate: ${fmtDurationIn(stats.mean, durationUnit(stats.mean))}` : ''} ...`);
  };

  let outcome;
  try {
    outcome = await benchCommand({
      command,
      runs: opts.runs,
      warmup: opts.warmup,
      prepare,
      ignoreFailure: opts.ignoreFailure === true,
      showOutput: opts.showOutput === true,
      runTimeoutMs: opts.runTimeout ?? null,
      baselineMs: opts.baseline,
      source: gpus,
      signal: abort.signal,
      onProgress,
    });
  } catch (e) {
    if (e instanceof SpawnFailure) throw new CliError(e.message, EXIT.commandNotFound);
    throw e;
  } finally {
    say('');
    gpus?.stop();
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
  }

  const endedAt = Date.now();
  const result = runResult(outcome, { command: command.text, startedAt, gpuNote, warmup: opts.warmup, prepare: opts.prepare ?? null, sampleIntervalMs: source.intervalMs });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  let saved: string | null = null;
  if (opts.exportJson) {
    try {
      writeFileSync(opts.exportJson, json);
      saved = opts.exportJson;
    } catch (e) {
      stderr.write(`gpumon: --export-json: cannot write ${opts.exportJson}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    }
  }
  const columns = stdout.isTTY ? stdout.columns : Number(env.COLUMNS) || 80;
  const ascii = opts.ascii === true || loadSettings(env).settings.ascii;
  stdout.write(opts.json ? json : renderRunSummary(result, { width: columns, ascii, planned: opts.runs }));

  const stop = outcome.stop;
  const endedBy = stop?.kind === 'interrupted' ? (stoppedBy ?? 'SIGINT') : stop?.kind === 'failed' ? 'failed' : 'completed';
  const spans = await import('../history-span.js');
  await spans.recordBenchSpan(opts.historyDb, env, spans.benchSpan(`bench run ${command.text}`, startedAt, endedAt, endedBy, saved), stderr);
  if (stop?.kind === 'interrupted') {
    stderr.write(`gpumon: interrupted (${stoppedBy ?? 'SIGINT'}) after ${outcome.runs.length} of ${opts.runs} runs${opts.exportJson ? `; saved to ${opts.exportJson}` : ''}\n`);
    return exitForSignal(stoppedBy ?? 'SIGINT');
  }
  if (stop?.kind === 'failed') {
    stderr.write(`gpumon: ${stopMessage(stop)}\n`);
    return EXIT.commandFailed;
  }
  return EXIT.ok;
}
