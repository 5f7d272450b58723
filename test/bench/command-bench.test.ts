import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { benchCommand } from '../../src/bench/command-bench.js';
import { openCommandRunner } from '../../src/bench/measurer.js';
import { planBenchmarks } from '../../src/bench/run-plan.js';
import { descendants } from '../../src/model/process-tree.js';
import type { GpuProcess, Snapshot } from '../../src/model/types.js';
import { readParentTable } from '../../src/sampler/host/proc-tree.js';
import { Listeners, type SnapshotSource } from '../../src/sampler/source.js';
import { demoAt } from '../helpers/snapshots.js';

/**
 * A source whose GPU process list holds whatever runs under this test process
 * now (the benchmarked command's tree) with 1234 MiB each (unless `mine` is
 * false), beside a process that is not ours; `hidden` adds one that /proc
 * does not show.
 */
class TreeSource implements SnapshotSource {
  private readonly listeners = new Listeners();
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly mine: boolean,
    private readonly hidden: boolean,
  ) {}

  private snapshot(): Snapshot {
    const base = demoAt('h100');
    const proc = base.processes[0]!;
    const mine = !this.mine ? [] : descendants(process.pid, readParentTable()).map((pid): GpuProcess => ({ ...proc, pid, gpuMemoryMiB: 1234 }));
    const others: GpuProcess[] = [{ ...proc, pid: 1, gpuMemoryMiB: 999 }];
    if (this.hidden) others.push({ ...proc, pid: 999_999_999, gpuMemoryMiB: 50, unknown: { startTimeMs: 'not_visible' } });
    return { ...base, time: Date.now(), processes: [...mine, ...others] };
  }

  async start(): Promise<Snapshot> {
    this.listeners.emit(this.snapshot());
    this.timer = setInterval(() => this.listeners.emit(this.snapshot()), 50);
    return this.listeners.latest()!;
  }
  subscribe(l: (s: Snapshot) => void) {
    return this.listeners.add(l);
  }
  latest() {
    return this.listeners.latest();
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
  }
}

const sources: TreeSource[] = [];
afterEach(() => sources.splice(0).forEach((s) => s.stop()));

async function run(command: string, mine: boolean, hidden: boolean) {
  const source = new TreeSource(mine, hidden);
  sources.push(source);
  await source.start();
  return bench([command], { source });
}

/** benchCommand on `commands` (hyperfine's defaults otherwise: sh, one exact run here), through gpumon-measure. */
async function bench(commands: string[], o: Partial<Parameters<typeof benchCommand>[0]> & { plan?: Partial<Parameters<typeof planBenchmarks>[0]> } = {}) {
  const targets = planBenchmarks({ commands, names: [], shell: { kind: 'shell', argv: ['sh'] }, parameters: [], reference: null, setup: null, prepare: [], conclude: [], cleanup: null, output: [], ...o.plan });
  const runner = openCommandRunner();
  try {
    return await benchCommand({ targets, runs: { exact: 1 }, warmup: 0, input: null, ignoreFailure: false, runTimeoutMs: null, baselineMs: 0, source: null, runner, shellCalibration: null, signal: new AbortController().signal, ...o });
  } finally {
    runner.close();
  }
}

describe('the GPU memory of the command process tree, end to end', () => {
  it('joins the snapshot processes with the command tree from /proc', async () => {
    // sh, and the sleep it starts (sh may exec it: one or two processes): 1234 MiB each, never pid 1's.
    const { runs } = await run('sleep 0.4; true', true, false);
    const peak = runs[0]![0]!.treePeakGpuMemoryMiB!;
    expect([1234, 2468]).toContain(peak);
    expect(runs[0]![0]!.gpus[0]!.samples).toBeGreaterThanOrEqual(4);
  });

  it('is 0 when the tree holds no GPU memory, unknown when a process outside this /proc might be it', async () => {
    expect((await run('sleep 0.3', true, true)).runs[0]![0]!.treePeakGpuMemoryMiB).toBeGreaterThan(0); // found: it stands
    expect((await run('sleep 0.3', false, false)).runs[0]![0]!.treePeakGpuMemoryMiB).toBe(0);
    expect((await run('sleep 0.3', false, true)).runs[0]![0]!.treePeakGpuMemoryMiB).toBeNull();
  });
});

describe("hyperfine's loop over several commands", () => {
  const log = () => join(mkdtempSync(join(tmpdir(), 'gpumon-loop-')), 'log');
  const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

  it('per command: setup, warmup and timing runs (each between prepare and conclude), then cleanup', async () => {
    const path = log();
    const say = (w: string) => `echo ${w} >> ${path}`;
    const { runs, stop } = await bench([say('A'), say('B')], {
      runs: { exact: 2 },
      warmup: 1,
      plan: { setup: say('setup'), prepare: [say('prepare')], conclude: [say('conclude')], cleanup: say('cleanup') },
    });
    expect(stop).toBeNull();
    expect(runs.map((r) => r.length)).toEqual([2, 2]);
    const one = (x: string) => ['setup', ...Array(3).fill(['prepare', x, 'conclude']).flat(), 'cleanup'];
    expect(lines(path)).toEqual([...one('A'), ...one('B')]);
  });

  it('without -r: enough runs to fill --min-benchmarking-time at the first run\'s pace, within -m and -M', async () => {
    const fill = await bench(['sleep 0.1'], { runs: { min: 2, max: null, minSeconds: 0.45 } });
    expect(fill.runs[0]!.length).toBe(Math.max(2, Math.floor(0.45 / fill.runs[0]![0]!.time))); // 4 on an idle machine
    const capped = await bench(['true'], { runs: { min: 2, max: 3, minSeconds: 10 } });
    expect(capped.runs[0]!.length).toBe(3);
    const floor = await bench(['sleep 0.2'], { runs: { min: 3, max: null, minSeconds: 0.1 } });
    expect(floor.runs[0]!.length).toBe(3);
  });

  it("takes the shell's start-up, timed first (50 times), off every run, never below 0 (hyperfine's calibration)", async () => {
    const path = log();
    // A "shell" that costs 100 ms to start: a 300 ms command then reads about 200 ms.
    const slowShell = { file: 'sh', args: ['-c', `echo spawn >> ${path}; sleep 0.1`], text: '' };
    const { runs, shellSpawn } = await bench(['sleep 0.3', 'true'], { runs: { exact: 2 }, shellCalibration: slowShell });
    expect(lines(path)).toHaveLength(50);
    expect(shellSpawn!.time).toBeGreaterThanOrEqual(0.1);
    for (const r of runs[0]!) expect(r.time).toBeGreaterThan(0.15), expect(r.time).toBeLessThan(0.3);
    for (const r of runs[1]!) expect(r.time).toBe(0); // faster than the "shell": 0, not negative
  });

  it('a failing conclude or setup stops the benchmark, saying which command and where; a failing command is kept with ignoreFailure', async () => {
    const concluded = await bench(['true', 'true'], { runs: { exact: 3 }, plan: { conclude: ['true', 'exit 4'] } });
    expect(concluded.stop).toMatchObject({ kind: 'failed', what: 'conclude', target: 1, run: 'run 1', exitCode: 4 });
    expect(concluded.runs.map((r) => r.length)).toEqual([3, 1]);
    const setUp = await bench(['true'], { plan: { setup: 'exit 2' } });
    expect(setUp.stop).toMatchObject({ kind: 'failed', what: 'setup', target: 0, run: null });
    const kept = await bench(['exit 3'], { runs: { exact: 2 }, ignoreFailure: true });
    expect(kept.stop).toBeNull();
    expect(kept.runs[0]!.map((r) => r.exitCode)).toEqual([3, 3]);
  });
});
