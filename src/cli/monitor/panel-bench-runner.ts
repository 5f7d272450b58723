import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LiveStats } from '../../bench/live-stats.js';
import type { SimServer } from '../../bench/sim-server.js';
import type { BenchPreset, BenchPresets } from '../../config/bench-presets.js';
import { isBenchPresets } from '../../config/bench-presets.js';
import { configDir } from '../../config/settings-file.js';
import type { SnapshotSource } from '../../sampler/source.js';
import type { BenchChoice, BenchPanelSource, BenchPanelState } from '../../views/monitor/bench-panel-section.js';
import { fmtFixed } from '../../views/format.js';
import type { BenchHttpFlags } from '../bench/http/flags.js';
import { DEFAULT_BASE_URL, httpBenchConfig } from '../bench/http/config.js';
import { defaultResultFilename, writeResult } from '../bench/http/result-file.js';

/** `bench http`'s flag defaults, for runs started from the panel (a preset sets the rest). */
const PANEL_FLAGS: BenchHttpFlags = {
  burstiness: 1,
  numWarmups: 0,
  percentileMetrics: 'ttft,tpot,itl,e2el',
  metricPercentiles: '99',
  iterations: 1,
  seed: 0,
  idleTimeout: 30_000,
  idleBaseline: 2000,
  timeout: 10_000,
};

/** The simulated server's setup with --demo: a minute of steady load. */
const DEMO_PRESET: BenchPreset = { 'request-rate': 8, 'num-prompts': 480, 'random-input-len': 512, 'random-output-len': 128 };

const LAST_RUN_FILE = 'bench-last.json';

export function presetSummary(p: BenchPreset): string {
  const parts = [p['base-url'] ?? DEFAULT_BASE_URL, p.model ?? 'first model', `rate ${p['request-rate'] ?? 'inf'}`];
  if (p['max-concurrency']) parts.push(`concurrency ${p['max-concurrency']}`);
  parts.push(`in ${p['random-input-len'] ?? 1024}`, `out ${p['random-output-len'] ?? 128}`);
  parts.push(p.duration ? `${p.duration} s` : `${p['num-prompts'] ?? 1000} requests`);
  return parts.join('  ');
}

/**
 * The monitor's benchmark panel, outside the views: the choices (presets
 * from the settings, the last run, and with --demo the simulated server),
 * and a `bench http` run driven from the panel's keys. The GPU side reads
 * the monitor's own source (no second nvidia-smi), at the monitor's interval.
 * The run's modules load when the first run starts.
 */
export class PanelBenchRunner implements BenchPanelSource {
  private state: BenchPanelState;
  private readonly listeners = new Set<() => void>();
  private readonly entries: { name: string; preset: BenchPreset; demo: boolean }[];
  private abort: AbortController | null = null;
  private live: LiveStats | null = null;
  private timer: NodeJS.Timeout | undefined;
  private sim: SimServer | null = null;

  constructor(
    presets: BenchPresets,
    private readonly source: SnapshotSource,
    private readonly intervalMs: number,
    private readonly env: NodeJS.ProcessEnv,
    demo: boolean,
    /** Where result files go (vLLM's file names). */
    private readonly resultDir = process.cwd(),
    /** Where each run's span goes: the file the monitor records to (--record PATH), else the default history database if it exists. */
    private readonly historyDb?: string,
  ) {
    this.entries = Object.entries(presets).map(([name, preset]) => ({ name, preset, demo: false }));
    const last = this.lastRun();
    if (last) this.entries.push({ name: 'last run', preset: last.preset, demo: last.demo });
    if (demo) this.entries.push({ name: 'demo', preset: DEMO_PRESET, demo: true });
    const note = this.entries.length ? null : `No presets. Add one: gpumon config set bench.presets '{"local": {"base-url": "http://127.0.0.1:8000", "request-rate": 10}}'`;
    this.state = { choices: this.entries.map((e): BenchChoice => ({ name: e.name, summary: e.demo ? `simulated server  ${presetSummary(e.preset).split('  ').slice(2).join('  ')}` : presetSummary(e.preset) })), progress: null, resultPath: null, note };
  }

  get = (): BenchPanelState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(choice: number): void {
    const entry = this.entries[choice];
    if (!entry || this.abort) return;
    this.abort = new AbortController();
    void this.run(entry, this.abort.signal);
  }

  stop(): void {
    this.abort?.abort();
  }

  /** Stops a run and the simulated server (the monitor is closing). */
  dispose(): void {
    this.stop();
    clearInterval(this.timer);
    void this.sim?.close();
  }

  private async run(entry: { name: string; preset: BenchPreset; demo: boolean }, signal: AbortSignal): Promise<void> {
    const [{ runHttpBench }, { LiveStats }, { GpuWatch }, spans] = await Promise.all([
      import('../../bench/http-bench.js'),
      import('../../bench/live-stats.js'),
      import('../../bench/gpu-watch.js'),
      import('../bench/history-span.js'),
    ]);
    const watch = new GpuWatch(this.source);
    try {
      if (entry.demo && !this.sim) this.sim = await (await import('../../bench/sim-server.js')).startSimServer();
      const config = httpBenchConfig(PANEL_FLAGS, entry.preset, this.env, entry.demo ? this.sim!.baseUrl : null);
      const live = new LiveStats(1, config.numPrompts, config.durationMs === null ? null : config.durationMs / 1000);
      this.live = live;
      live.subscribe(() => this.refresh());
      this.timer = setInterval(() => this.refresh(), 500);
      this.timer.unref();
      const startedAt = Date.now();
      const result = await runHttpBench(config, { watch, intervalMs: this.intervalMs }, live, signal);
      const endedAt = Date.now();
      let path: string | null = null;
      try {
        path = writeResult(result, join(this.resultDir, defaultResultFilename(result)));
      } finally {
        const db = spans.benchHistoryPath(this.historyDb, this.env);
        const problem = db === null ? null : await spans.writeBenchSpan(db, spans.benchSpan(spans.httpSpanLabel(result), startedAt, endedAt, spans.httpSpanEnd(result, 'stopped'), path));
        // On the panel's note line (stderr belongs to the monitor's screen), until a run writes its span.
        this.state = { ...this.state, note: problem };
      }
      const ttft = typeof result.median_ttft_ms === 'number' ? `, TTFT median ${fmtFixed(result.median_ttft_ms, 0)} ms` : '';
      const jpt = result.gpu.joules_per_output_token === null ? '' : `, ${fmtFixed(result.gpu.joules_per_output_token, 3)} J/token`;
      this.state = { ...this.state, resultPath: path };
      live.set({ message: `${result.completed} ok, ${result.failed} failed, ${fmtFixed(result.output_throughput as number | null, 0)} tok/s${ttft}${jpt}` });
      this.saveLastRun(entry);
    } catch (e) {
      this.state = { ...this.state, resultPath: null };
      this.live?.set({ phase: 'failed', message: (e as Error).message });
      if (!this.live) this.state = { ...this.state, note: (e as Error).message };
    } finally {
      watch.close();
      clearInterval(this.timer);
      this.abort = null;
      this.refresh();
    }
  }

  private refresh(): void {
    this.state = { ...this.state, progress: this.live?.progress() ?? null };
    for (const l of [...this.listeners]) l();
  }

  private lastRun(): { preset: BenchPreset; demo: boolean } | null {
    try {
      const v = JSON.parse(readFileSync(join(configDir(this.env), LAST_RUN_FILE), 'utf8')) as { preset?: unknown; demo?: unknown };
      return isBenchPresets({ last: v.preset }) ? { preset: v.preset as BenchPreset, demo: v.demo === true } : null;
    } catch {
      return null;
    }
  }

  private saveLastRun(entry: { preset: BenchPreset; demo: boolean }): void {
    try {
      writeFileSync(join(configDir(this.env), LAST_RUN_FILE), `${JSON.stringify({ preset: entry.preset, demo: entry.demo })}\n`);
    } catch {
      // No settings folder yet: the last run is simply not remembered.
    }
  }
}
