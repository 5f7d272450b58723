import { describe, expect, it } from 'vitest';
import { cudaVisibleDevices, judgeGpus, type PickCriteria, qualifying, SettleTracker, type Verdict } from '../../src/model/gpu-pick.js';
import { selectGpus } from '../../src/model/select.js';
import type { Snapshot } from '../../src/model/types.js';
import { demoSnapshot, loadRecording } from '../../src/sampler/demo.js';
import { unfitLines, waitProgress } from '../../src/views/text/gpu-pick.js';
import { demoAt } from '../helpers/snapshots.js';

const FREE: PickCriteria = { count: 1, minFreeMiB: null, maxUtilPercent: 10, maxProcesses: 0, order: 'free' };
// The real H100 recording: idle at 0 s, bf16 matmuls (two processes) at 20 s.
const idle = demoAt('h100', 0);
const load = demoAt('h100', 20_000);
const kinds = (v: readonly Verdict[]) => v.map((x) => `${x.gpu.index}:${x.unfit.map((u) => u.kind).join(',')}`);

describe('which GPUs qualify, on the real H100 captures', () => {
  it('idle qualifies; under load it is busy and held by both processes', () => {
    expect(qualifying(judgeGpus(idle, FREE)).map((g) => g.index)).toEqual([0]);
    const [v] = judgeGpus(load, FREE);
    expect(v!.unfit).toEqual([
      { kind: 'utilization', percent: 99, maxPercent: 10 },
      { kind: 'processes', count: 2, max: 0 },
    ]);
    expect(unfitLines([v!])).toBe('GPU 0: 99% busy, 2 processes');
  });

  it('memory: the idle card has 79.2 GiB free, not 80', () => {
    expect(qualifying(judgeGpus(idle, { ...FREE, minFreeMiB: 79 * 1024 }))).toHaveLength(1);
    const [v] = judgeGpus(load, { count: 1, minFreeMiB: 60 * 1024, maxUtilPercent: null, maxProcesses: null, order: 'free' });
    expect(v!.unfit).toEqual([{ kind: 'memory', usedMiB: 24191, totalMiB: 81559, freeMiB: 56889, minFreeMiB: 61440 }]);
    expect(unfitLines([v!])).toBe('GPU 0: 23.6/79.6 GiB used (55.56GiB free, 60.00GiB wanted)');
  });

  it('with no limits, a busy GPU qualifies', () => {
    expect(qualifying(judgeGpus(load, { ...FREE, maxUtilPercent: null, maxProcesses: null }))).toHaveLength(1);
    expect(qualifying(judgeGpus(load, { ...FREE, maxUtilPercent: 100, maxProcesses: 2 }))).toHaveLength(1);
  });

  it('unknown is not zero: an unknown value, a lost GPU, stale data or a lock never qualify', () => {
    const gpu = idle.gpus[0]!;
    const unknown: Snapshot = { ...idle, gpus: [{ ...gpu, utilizationGpu: null, memoryFreeMiB: null, unknown: { utilizationGpu: 'not_supported' } }] };
    expect(kinds(judgeGpus(unknown, { ...FREE, minFreeMiB: 1 }))).toEqual(['0:unknown,unknown']);
    expect(unfitLines(judgeGpus(unknown, FREE))).toBe('GPU 0: utilization not supported');
    expect(kinds(judgeGpus({ ...idle, gpus: [{ ...gpu, lost: true }] }, FREE))).toEqual(['0:lost']);
    expect(kinds(judgeGpus({ ...idle, stale: { since: 0, reason: 'nvidia-smi stalled' } }, FREE))).toEqual(['0:stale']);
    const taken = judgeGpus(idle, FREE, (uuid) => (uuid === gpu.uuid ? { pid: 4242, command: 'python train.py' } : null));
    expect(unfitLines(taken)).toBe('GPU 0: taken by gpumon wait (pid 4242: python train.py)');
  });
});

describe('order and output', () => {
  // 8 GPUs at 20 s: 3, 4 and 5 idle (3 with one process holding 2.5 GiB), the others busy.
  const eight = demoAt('8xh100', 20_000);
  const any: PickCriteria = { count: 8, minFreeMiB: null, maxUtilPercent: null, maxProcesses: null, order: 'free' };

  it('free: most memory free first; util: least busy first; index', () => {
    expect(judgeGpus(eight, any).map((v) => v.gpu.index).slice(0, 3)).toEqual([4, 5, 3]);
    expect(judgeGpus(eight, { ...any, order: 'util' }).map((v) => v.gpu.index).slice(0, 3)).toEqual([4, 5, 3]);
    expect(judgeGpus(eight, { ...any, order: 'index' }).map((v) => v.gpu.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(qualifying(judgeGpus(eight, FREE)).map((g) => g.index)).toEqual([4, 5]);
  });

  it('CUDA_VISIBLE_DEVICES: indices or UUIDs, best first', () => {
    const gpus = qualifying(judgeGpus(eight, FREE));
    expect(cudaVisibleDevices(gpus, false)).toBe('4,5');
    expect(cudaVisibleDevices(gpus, true)).toBe('GPU-83f940cf-1e20-11a7-9070-127ab0ea4004,GPU-83f940cf-1e20-11a7-9070-127ab0ea4005');
  });
});

describe('SettleTracker: free for the settle time, on the snapshots’ clock', () => {
  const rec = loadRecording('8xh100');
  /** The recording tick by tick from its start, GPUs 6 and 7 only, as `wait --only 6,7` reads it. */
  function firstReady(settleMs: number): { tick: number; verdicts: Verdict[] } {
    const tracker = new SettleTracker(settleMs);
    for (let tick = 0; tick < rec.ticks.length; tick++) {
      const at = rec.ticks[tick]!.offsetMs;
      const s = selectGpus(demoSnapshot(rec, at, 1_000_000 + at), ['6', '7']);
      const verdicts = tracker.feed(s.time, judgeGpus(s, FREE));
      if (qualifying(verdicts).length > 0) return { tick, verdicts };
    }
    throw new Error('never ready');
  }

  it('GPU 7 frees at tick 18 (4.87 s: its process ended); after 1 s of settling it is taken at tick 22 (5.97 s)', () => {
    expect(rec.ticks[18]!.offsetMs).toBe(4870);
    expect(firstReady(0).tick).toBe(18);
    const { tick, verdicts } = firstReady(1000);
    expect(tick).toBe(22);
    expect(rec.ticks[22]!.offsetMs).toBe(5966);
    expect(kinds(verdicts)).toEqual(['7:', '6:processes']);
  });

  it('a sample where it does not qualify starts the wait over; a GPU missing from a sample too', () => {
    const t = new SettleTracker(1000);
    const busy = judgeGpus(load, FREE);
    const free = judgeGpus(idle, FREE);
    expect(kinds(t.feed(0, free))).toEqual(['0:settling']);
    expect(kinds(t.feed(900, free))).toEqual(['0:settling']);
    expect(kinds(t.feed(1000, busy))).toEqual(['0:utilization,processes']);
    expect(kinds(t.feed(1100, free))).toEqual(['0:settling']);
    expect(kinds(t.feed(2100, free))).toEqual(['0:']);
    t.feed(2200, []);
    expect(t.feed(2300, free)[0]!.unfit).toEqual([{ kind: 'settling', freeForMs: 0, settleMs: 1000 }]);
  });

  it('the progress line changes its key only when a state changes', () => {
    const t = new SettleTracker(30_000);
    const a = waitProgress(t.feed(0, judgeGpus(idle, FREE)), FREE);
    const b = waitProgress(t.feed(5000, judgeGpus(idle, FREE)), FREE);
    expect(a.text).toBe('0 of 1 ready; GPU 0: free for 0s of 30s');
    expect(b.text).toBe('0 of 1 ready; GPU 0: free for 5s of 30s');
    expect(b.key).toBe(a.key);
    expect(waitProgress(t.feed(6000, judgeGpus(load, FREE)), FREE).key).not.toBe(a.key);
  });
});
