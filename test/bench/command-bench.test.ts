import { afterEach, describe, expect, it } from 'vitest';
import { shellCommand } from '../../src/bench/child.js';
import { benchCommand } from '../../src/bench/command-bench.js';
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
  return benchCommand({ command: shellCommand(command), runs: 1, warmup: 0, prepare: null, ignoreFailure: false, showOutput: false, runTimeoutMs: null, baselineMs: 0, source, signal: new AbortController().signal });
}

describe('the GPU memory of the command process tree, end to end', () => {
  it('joins the snapshot processes with the command tree from /proc', async () => {
    // sh, and the sleep it starts (sh may exec it: one or two processes): 1234 MiB each, never pid 1's.
    const { runs } = await run('sleep 0.4; true', true, false);
    const peak = runs[0]!.treePeakGpuMemoryMiB!;
    expect([1234, 2468]).toContain(peak);
    expect(runs[0]!.gpus[0]!.samples).toBeGreaterThanOrEqual(4);
  });

  it('is 0 when the tree holds no GPU memory, unknown when a process outside this /proc might be it', async () => {
    expect((await run('sleep 0.3', true, true)).runs[0]!.treePeakGpuMemoryMiB).toBeGreaterThan(0); // found: it stands
    expect((await run('sleep 0.3', false, false)).runs[0]!.treePeakGpuMemoryMiB).toBe(0);
    expect((await run('sleep 0.3', false, true)).runs[0]!.treePeakGpuMemoryMiB).toBeNull();
  });
});
